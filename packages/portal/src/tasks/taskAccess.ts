import type { TaskRecord, TaskViewer } from '../store/tasks.ts';

/** Everyone on the task: creator, responsible, accomplices, auditors (each once, ascending). */
export function participantsOf(task: TaskRecord): number[] {
  return [...new Set([task.created_by, task.responsible_id, ...task.accomplices, ...task.auditors])].sort((a, b) => a - b);
}

/** Participants and administrators see a task. */
export function canSee(task: TaskRecord, viewer: TaskViewer): boolean {
  return viewer.admin || participantsOf(task).includes(viewer.memberId);
}

/** Update, complete, renew: the creator, the responsible, accomplices, administrators (not auditors). */
export function canChange(task: TaskRecord, viewer: TaskViewer): boolean {
  const { memberId } = viewer;
  return viewer.admin || task.created_by === memberId || task.responsible_id === memberId || task.accomplices.includes(memberId);
}

/** Delete: the creator and administrators. */
export function canDelete(task: TaskRecord, viewer: TaskViewer): boolean {
  return viewer.admin || task.created_by === viewer.memberId;
}
