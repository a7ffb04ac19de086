import { unreadLabel } from './format.ts';

/** The unread count; renders nothing at 0. Hidden from assistive tech: callers put the count in the name. */
export function UnreadBadge({ count }: { count: number }) {
  if (count <= 0) return null;
  return (
    <span className="badge" aria-hidden="true">
      {unreadLabel(count)}
    </span>
  );
}
