/** What changed, told after the change is committed. */
export interface TaskChange {
  portalId: number;
  taskId: number;
  kind: 'added' | 'updated' | 'deleted';
  /**
   * Members who take part in the task (creator, responsible, accomplices, auditors); for an update,
   * those before and after it, so that someone removed from a task learns it too. Administrators
   * who are not participants are not listed.
   */
  participantMemberIds: number[];
}

export type TaskListener = (change: TaskChange) => void | Promise<void>;

/**
 * Task changes of one running server, for realtime delivery: `ctx.taskEvents.on(listener)`.
 * A listener that throws or rejects never fails the REST call that made the change.
 */
export class TaskEvents {
  readonly #listeners = new Set<TaskListener>();

  /** Returns the function that removes the listener. */
  on(listener: TaskListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(change: TaskChange, onError: (error: unknown) => void): void {
    for (const listener of this.#listeners) {
      try {
        const pending = listener(change);
        if (pending) pending.catch(onError);
      } catch (error) {
        onError(error);
      }
    }
  }
}
