import type { AccountView } from '@multidesk/protocol/bridge';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { call } from '../../bridgeClient.ts';
import { CredentialsForm } from './CredentialsForm.tsx';
import { useCredentials } from './useCredentials.ts';

export interface SignInPrefill {
  address: string;
  login: string;
  /** The core recognises the same user of the same portal and keeps the account's id, cache and place. */
  portalTitle: string;
}

interface Props {
  /** Moves focus into the form when it appears (a new tab, a sign-in again). */
  autoFocus: boolean;
  prefill?: SignInPrefill;
  /** What was typed before, when the page comes back to this form. */
  draft?: { address: string; login: string };
  onDraft?(draft: { address: string; login: string }): void;
  onSignedIn(account: AccountView): void;
  /** Shown as a Cancel button when set. */
  onCancel?: () => void;
  /** Other ways in, under the form. */
  other?: ReactNode;
}

/** A Bitrix24's address, a login and a password (and a code when the portal asks for one). */
export function AddressSignIn({ autoFocus, prefill, draft, onDraft, onSignedIn, onCancel, other }: Props) {
  const { t } = useTranslation();
  const initial = prefill ?? draft;
  const form = useCredentials({
    site: 'portal',
    initial: { site: initial?.address ?? '', login: initial?.login ?? '' },
    focusFirst: autoFocus ? (prefill ? 'password' : 'site') : null,
    send: ({ site, login, password, otp }) => call('signIn', { address: site, login, password, ...(otp ? { otp } : {}) }),
    onSuccess: (result) => onSignedIn(result.account),
    onDraft: ({ site, login }) => onDraft?.({ address: site, login }),
  });
  return (
    <CredentialsForm
      form={form}
      title={prefill ? t('signIn.againTitle', { portal: prefill.portalTitle }) : t('signIn.title')}
      intro={prefill ? t('signIn.againIntro') : t('signIn.intro')}
      site={{ label: t('signIn.address'), name: 'address', placeholder: 'acme.bitrix24.com' }}
      onCancel={onCancel}
      other={other}
    />
  );
}
