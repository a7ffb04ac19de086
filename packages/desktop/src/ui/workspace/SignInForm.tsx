import type { AccountView } from '@multidesk/protocol/bridge';
import { AddressSignIn } from './signIn/AddressSignIn.tsx';

interface Props {
  /** Moves focus into the page when it appears (a new tab, or at start). */
  autoFocus: boolean;
  onSignedIn(account: AccountView): void;
}

/** The sign-in page of a New tab. */
export function SignInForm({ autoFocus, onSignedIn }: Props) {
  return <AddressSignIn autoFocus={autoFocus} onSignedIn={onSignedIn} />;
}
