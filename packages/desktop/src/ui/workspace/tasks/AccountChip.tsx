import { colorFor } from '../../shared/Avatar.tsx';

/** Whose task it is in the cross-account lists: the portal's title and the user, on the portal's colour. */
export function AccountChip({ portalTitle, userName }: { portalTitle: string; userName: string }) {
  return (
    <span className="account-chip" title={`${portalTitle} — ${userName}`}>
      <span className="account-chip-dot" style={{ backgroundColor: colorFor(portalTitle) }} aria-hidden="true" />
      <span className="account-chip-title">{portalTitle}</span>
      <span className="account-chip-user">{userName}</span>
    </span>
  );
}
