import type { AccountView, Person } from '@multidesk/protocol/bridge';
import { memo, useEffect, useId, useRef, useState } from 'react';
import { call, errorMessage } from '../bridgeClient.ts';
import { Avatar } from '../shared/Avatar.tsx';
import { addressForSignIn, addressOf, personName } from '../shared/format.ts';
import { HomeNotices } from '../shared/HomeStatus.tsx';
import { PeopleList } from '../shared/PeopleList.tsx';
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
const SCOPE_USES: Record<string, string> = { im: 'chats', task: 'tasks', user_basic: 'the people list' };

/**
 * An account's tab content: its home (profile, people), its tasks, and a way back in when it needs a
 * sign-in. Memoized: a tab switch re-renders it only when its tab gains or loses the selection.
 */
export const AccountPanel = memo(function AccountPanel({ account, active, openTask }: Props) {
  const store = useStore();
  const entry = useHome(account.id);
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
          Open in browser
        </button>
      </header>
      {browserProblem ? (
        <p className="notice notice-error" role="alert">
          The browser could not be opened: {browserProblem}
        </p>
      ) : null}
      {account.missingScopes?.length ? (
        <p className="notice notice-warning" role="status">
          This webhook lacks {account.missingScopes.map((scope) => `${scope} (${SCOPE_USES[scope] ?? scope})`).join(', ')}: add{' '}
          {account.missingScopes.length === 1 ? 'that scope' : 'those scopes'} to the webhook in Bitrix24 to see everything here.
        </p>
      ) : null}
      {account.state === 'connected' && account.connection === 'polling' ? (
        <p className="muted" role="status">
          {account.portalTitle} does not offer live updates to this {account.kind === 'app' ? 'app' : 'webhook'}: Multidesk checks for new
          messages every few seconds.
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
                  Log in with single sign-on
                </button>
              </OtherWays>
            }
          />
        ) : (
          <div className="notice notice-warning notice-row" role="status">
            <span>
              {account.kind === 'webhook'
                ? `${account.portalTitle} no longer accepts this webhook (deleted, changed or expired). Paste its new URL to connect again.`
                : `${account.portalTitle} needs you to sign in again${account.problem ? `: ${account.problem}` : '.'}`}
            </span>
            <button type="button" className="button button-primary" onClick={() => setSigningIn('password')}>
              {account.kind === 'webhook' ? 'Connect again' : 'Sign in again'}
            </button>
          </div>
        )
      ) : account.problem ? (
        <p className="notice notice-warning" role="status">
          {account.problem}
        </p>
      ) : null}

      <HomeNotices account={account} entry={entry} />

      {home ? (
        <>
          {home.profile ? <ProfileCard person={home.profile} /> : null}
          <section className="section" aria-labelledby={`${id}-people`}>
            <h2 id={`${id}-people`} className="section-title">
              People
            </h2>
            <PeopleList people={home.people} labelledBy={`${id}-people`} selfId={home.profile?.id} />
          </section>
        </>
      ) : entry?.status !== 'error' ? (
        <p className="muted" role="status">
          Loading {account.portalTitle}…
        </p>
      ) : null}

      <TasksSection account={account} home={home} active={active} openRequest={openTask} />
    </div>
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
