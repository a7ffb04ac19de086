import type { AccountView } from '@multidesk/protocol/bridge';
import { useId } from 'react';
import { addressOf, stateInWords } from '../shared/format.ts';
import { HomeNotices } from '../shared/HomeStatus.tsx';
import { PeopleList } from '../shared/PeopleList.tsx';
import { useHome } from '../shared/useBridge.ts';

/** The chosen account's side of the window. Chats come later; for now, its people. */
export function ChatArea({ account, onConnect }: { account: AccountView; onConnect(): void }) {
  const entry = useHome(account.id);
  const id = useId();
  const home = entry && 'home' in entry ? entry.home : undefined;
  const address = addressOf(account.portalUrl);

  return (
    <div className="chat-area">
      <header className="chat-header">
        <h1 className="chat-title ellipsis" title={account.portalTitle}>
          {account.portalTitle}
        </h1>
        <p className="chat-subtitle ellipsis" title={`${address} · ${account.userName}`}>
          {address} · {account.userName} · {stateInWords(account.state)}
        </p>
      </header>
      <div className="chat-body">
        {account.state === 'disconnected' ? (
          <div className="notice notice-info notice-row" role="status">
            <span>{account.portalTitle} is disconnected: no new messages arrive until you connect it.</span>
            <button type="button" className="button" onClick={onConnect}>
              Connect
            </button>
          </div>
        ) : null}
        {account.state === 'needs_login' ? (
          <p className="notice notice-warning" role="status">
            {account.portalTitle} needs you to sign in again: use “Sign in again” on its tab in the Workspace window.
          </p>
        ) : null}
        {account.state === 'connected' && account.problem ? (
          <p className="notice notice-warning" role="status">
            {account.problem}
          </p>
        ) : null}
        <HomeNotices account={account} entry={entry} />
        <section aria-labelledby={`${id}-people`}>
          <h2 id={`${id}-people`} className="section-title">
            People
          </h2>
          {home ? (
            <PeopleList people={home.people} labelledBy={`${id}-people`} selfId={home.profile?.id} />
          ) : entry?.status !== 'error' ? (
            <p className="muted" role="status">
              Loading…
            </p>
          ) : null}
        </section>
      </div>
    </div>
  );
}
