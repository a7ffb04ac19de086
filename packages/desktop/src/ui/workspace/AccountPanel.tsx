import type { AccountView, Person } from '@multidesk/protocol/bridge';
import { memo, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { call, errorMessage } from '../bridgeClient.ts';
import { t as translate } from '../i18n/i18n.ts';
import { Avatar } from '../shared/Avatar.tsx';
import type { HomeEntry } from '../shared/bridgeStore.ts';
import { addressForSignIn, addressOf, personName } from '../shared/format.ts';
import { HomeNotices } from '../shared/HomeStatus.tsx';
import { PeopleList } from '../shared/PeopleList.tsx';
import { problemText } from '../shared/problemText.ts';
import { useHome, useStore } from '../shared/useBridge.ts';
import { AddressSignIn } from './signIn/AddressSignIn.tsx';
import { AppConnect } from './signIn/AppConnect.tsx';
import { OtherWays } from './signIn/SignInCard.tsx';
import { SsoSignIn } from './signIn/SsoSignIn.tsx';
import { WebhookConnect } from './signIn/WebhookConnect.tsx';
import { type OpenTaskRequest, TasksSection } from './tasks/TasksSection.tsx';

interface Props {
  account: AccountView;
  /** Its tab is the selected one. */
  active: boolean;
  /** A task to open here, asked from My tasks. */
  openTask?: OpenTaskRequest | undefined;
}

/** What each scope a credential may lack leaves out, in the user's words. */
function scopeUse(scope: string): string {
  if (scope === 'im') return translate('scopes.im');
  if (scope === 'task') return translate('scopes.task');
  if (scope === 'user_basic') return translate('scopes.userBasic');
  return scope;
}

/**
 * An account's tab content: its home (profile, people), its tasks, and a way back in when it needs a
 * sign-in. Memoized: a tab switch re-renders it only when its tab gains or loses the selection, and
 * then only the parts that depend on that (its tasks), not the home above them.
 */
export const AccountPanel = memo(function AccountPanel({ account, active, openTask }: Props) {
  const store = useStore();
  const entry = useHome(account.id);
  const home = entry && 'home' in entry ? entry.home : undefined;

  // Coming back to a tab that showed a problem asks the portal again: it may be reachable by now.
  const retry = useRef(false);
  retry.current = account.state === 'connected' && account.problem !== undefined;
  const wasActive = useRef(active);
  useEffect(() => {
    const cameBack = active && !wasActive.current;
    wasActive.current = active;
    if (cameBack && retry.current) void store.loadHome(account.id);
  }, [active, store, account.id]);

  return (
    <div className="panel-body">
      <AccountHome account={account} entry={entry} />
      <TasksSection account={account} home={home} active={active} openRequest={openTask} />
    </div>
  );
});

/** The account's home: its title, notices, profile and people, and signing in again when needed. */
const AccountHome = memo(function AccountHome({ account, entry }: { account: AccountView; entry: HomeEntry | undefined }) {
  const store = useStore();
  const { t } = useTranslation();
  /** Signing in again: with the password, or (an account that came by single sign-on) in the browser. */
  const [signingIn, setSigningIn] = useState<false | 'password' | 'sso'>(false);
  const [browserProblem, setBrowserProblem] = useState<string | null>(null);
  const id = useId();
  const home = entry && 'home' in entry ? entry.home : undefined;
  const address = addressOf(account.portalUrl);
  const signedIn = (again: AccountView) => {
    setSigningIn(false);
    store.upsertAccount(again);
  };

  return (
    <>
      <header className="panel-header">
        <h1 className="panel-title ellipsis" title={account.portalTitle}>
          {account.portalTitle}
        </h1>
        <span className="muted ellipsis" title={address}>
          {address}
        </span>
        <button
          type="button"
          className="button button-small panel-header-action"
          onClick={() => {
            setBrowserProblem(null);
            call('openInBrowser', { id: account.id }).catch((error: unknown) => setBrowserProblem(errorMessage(error)));
          }}
        >
          {t('accountPanel.openInBrowser')}
        </button>
      </header>
      {browserProblem ? (
        <p className="notice notice-error" role="alert">
          {t('accountPanel.browserFailed', { problem: browserProblem })}
        </p>
      ) : null}
      {account.missingScopes?.length ? (
        <p className="notice notice-warning" role="status">
          {t('accountPanel.missingScopes', {
            count: account.missingScopes.length,
            scopes: account.missingScopes.map((scope) => `${scope} (${scopeUse(scope)})`).join(', '),
          })}
        </p>
      ) : null}
      {account.state === 'connected' && account.connection === 'polling' ? (
        <p className="muted" role="status">
          {account.kind === 'app'
            ? t('accountPanel.pollingApp', { portal: account.portalTitle })
            : t('accountPanel.pollingWebhook', { portal: account.portalTitle })}
        </p>
      ) : null}

      {account.state === 'needs_login' ? (
        account.kind === 'webhook' && signingIn ? (
          <WebhookConnect focusOnShow onSignedIn={signedIn} onBack={() => setSigningIn(false)} />
        ) : account.kind === 'app' && signingIn ? (
          <AppConnect address={addressForSignIn(account.portalUrl)} focusOnShow onSignedIn={signedIn} onBack={() => setSigningIn(false)} />
        ) : signingIn === 'sso' ? (
          <SsoSignIn
            draft={addressForSignIn(account.portalUrl)}
            focusOnShow
            onSignedIn={signedIn}
            onBack={() => setSigningIn('password')}
          />
        ) : signingIn ? (
          <AddressSignIn
            autoFocus
            prefill={{ address: addressForSignIn(account.portalUrl), login: account.login, portalTitle: account.portalTitle }}
            onSignedIn={signedIn}
            onCancel={() => setSigningIn(false)}
            other={
              <OtherWays>
                <button type="button" className="button" onClick={() => setSigningIn('sso')}>
                  {t('signIn.sso')}
                </button>
              </OtherWays>
            }
          />
        ) : (
          <div className="notice notice-warning notice-row" role="status">
            <span>
              {account.kind === 'webhook'
                ? t('accountPanel.webhookRejected', { portal: account.portalTitle })
                : account.problem
                  ? t('accountPanel.signInAgainBecause', { portal: account.portalTitle, problem: problemText(account.problem) })
                  : t('accountPanel.signInAgainNeeded', { portal: account.portalTitle })}
            </span>
            <button type="button" className="button button-primary" onClick={() => setSigningIn('password')}>
              {account.kind === 'webhook' ? t('accountPanel.connectAgain') : t('accountPanel.signInAgain')}
            </button>
          </div>
        )
      ) : account.problem ? (
        <p className="notice notice-warning" role="status">
          {problemText(account.problem)}
        </p>
      ) : null}

      <HomeNotices account={account} entry={entry} />

      {home ? (
        <>
          {home.profile ? <ProfileCard person={home.profile} /> : null}
          <section className="section" aria-labelledby={`${id}-people`}>
            <h2 id={`${id}-people`} className="section-title">
              {t('accountPanel.people')}
            </h2>
            <PeopleList people={home.people} labelledBy={`${id}-people`} selfId={home.profile?.id} />
          </section>
        </>
      ) : entry?.status !== 'error' ? (
        <p className="muted" role="status">
          {t('accountPanel.loading', { portal: account.portalTitle })}
        </p>
      ) : null}
    </>
  );
});

function ProfileCard({ person }: { person: Person }) {
  const name = personName(person);
  const id = useId();
  return (
    <section className="profile card" aria-labelledby={`${id}-name`}>
      <Avatar name={name} size="lg" />
      <div className="profile-text">
        <h2 id={`${id}-name`} className="profile-name ellipsis" title={name}>
          {name}
        </h2>
        {person.position ? (
          <p className="profile-detail ellipsis" title={person.position}>
            {person.position}
          </p>
        ) : null}
        {person.email ? (
          <p className="profile-detail ellipsis" title={person.email}>
            {person.email}
          </p>
        ) : null}
      </div>
    </section>
  );
}
