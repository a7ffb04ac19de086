import type { NetworkList } from '@multidesk/protocol/bridge';
import { type ReactNode, useEffect, useEffectEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { call } from '../../bridgeClient.ts';
import { addressForSignIn } from '../../shared/format.ts';
import type { SignInProblem } from '../signInMessages.ts';
import { CredentialsForm } from './CredentialsForm.tsx';
import { SignInCard } from './SignInCard.tsx';
import { useCredentials } from './useCredentials.ts';

export interface NetworkDraft {
  /** The network as typed; null until the remembered one is loaded. */
  network: string | null;
  login: string;
}

interface Props {
  draft: NetworkDraft;
  onDraft(draft: NetworkDraft): void;
  /** Why the page came back here (the network session ended). */
  problem?: SignInProblem | null;
  focusOnShow: boolean;
  onList(list: NetworkList): void;
  onBack(): void;
  other?: ReactNode;
}

/**
 * Login and password at the network, which answers with every Bitrix24 of that login. The network
 * field starts with the one the core remembers (it remembers a new one when a sign-in succeeds).
 */
export function NetworkSignIn(props: Props) {
  const { draft, onDraft } = props;
  const { t } = useTranslation();
  const loading = draft.network === null;
  const loaded = useEffectEvent((network: string) => onDraft({ ...draft, network }));
  useEffect(() => {
    if (!loading) return;
    let live = true;
    call('getSettings', {})
      .then((view) => addressForSignIn(view.settings.networkUrl))
      .catch(() => '')
      .then((network) => {
        if (live) loaded(network);
      });
    return () => {
      live = false;
    };
  }, [loading]);

  if (draft.network === null) {
    return (
      <SignInCard title={t('signIn.networkTitle')} busy>
        <p className="progress-text" role="status">
          {t('common.loading')}
        </p>
      </SignInCard>
    );
  }
  return <NetworkForm {...props} network={draft.network} />;
}

function NetworkForm({ network, draft, onDraft, problem, focusOnShow, onList, onBack, other }: Props & { network: string }) {
  const { t } = useTranslation();
  const form = useCredentials({
    site: 'network',
    initial: { site: network, login: draft.login },
    focusFirst: !focusOnShow ? null : !network.trim() ? 'site' : !draft.login.trim() ? 'login' : 'password',
    initialProblem: problem ?? null,
    send: ({ site, login, password, otp }) => call('networkSignIn', { networkUrl: site, login, password, ...(otp ? { otp } : {}) }),
    onSuccess: onList,
    onDraft: ({ site, login }) => onDraft({ network: site, login }),
  });
  return (
    <CredentialsForm
      form={form}
      title={t('signIn.networkTitle')}
      intro={t('signIn.networkIntro')}
      site={{ label: t('signIn.networkField'), name: 'network', placeholder: 'localhost:8024' }}
      onBack={onBack}
      other={other}
    />
  );
}
