import type { PortalContext } from '../http/context.ts';
import { publishToMembers } from './publish.ts';

/**
 * Tells a task's participants over realtime when it changes (`task.changed`, with `action`
 * `added`, `updated` or `deleted`): tasks.task.* emits committed changes on `ctx.taskEvents`.
 * Returns the function that stops forwarding.
 */
export function forwardTaskChanges(ctx: PortalContext, onError: (error: unknown) => void): () => void {
  return ctx.taskEvents.on((change) =>
    publishToMembers(ctx, change.portalId, change.participantMemberIds, {
      type: 'task.changed',
      task_id: change.taskId,
      action: change.kind,
    }).catch(onError),
  );
}
