import type { AccountView, NetworkList } from '@multidesk/protocol/bridge';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { call } from '../bridgeClient.ts';
import { AddressSignIn } from './signIn/AddressSignIn.tsx';
import { AppConnect } from './signIn/AppConnect.tsx';
import { NetworkSignIn } from './signIn/NetworkSignIn.tsx';
import { PortalChoice } from './signIn/PortalChoice.tsx';
import { QrSignIn } from './signIn/QrSignIn.tsx';
import { OtherWays } from './signIn/SignInCard.tsx';
import { SsoSignIn } from './signIn/SsoSignIn.tsx';
import { WebhookConnect } from './signIn/WebhookConnect.tsx';
import type { SignInProblem } from './signInMessages.ts';

interface Props {
  /** Moves focus into the page when it appears (a new tab, or at start). */
  autoFocus: boolean;
  onSignedIn(account: AccountView): void;
}

type View =
  | { kind: 'address' }
  | { kind: 'network'; problem?: SignInProblem }
  | { kind: 'list' }
  | { kind: 'qr'; address: string | undefined; site: 'portal' | 'network' }
  | { kind: 'sso' }
  | { kind: 'webhook' }
  | { kind: 'app' };

interface Draft {
  address: string;
  login: string;
  /** Null until the network the core remembers is loaded. */
  network: string | null;
  /** A Bitrix24 address or a work e-mail, for single sign-on. */
  sso: string;
}

/**
 * The sign-in page of a New tab: a Bitrix24's address with login and password, or the other ways
 * in (the network's list of a login's Bitrix24s, a QR code, single sign-on in the browser, an
 * inbound webhook of any Bitrix24). What was typed survives moving between
 * them; the network list stays with the page until Change user, or the page goes.
 */
export function SignInForm({ autoFocus, onSignedIn }: Props) {
  const { t } = useTranslation();
  const [view, setView] = useState<View>({ kind: 'address' });
  /** Once the user moves between views, each new view takes focus. */
  const [moved, setMoved] = useState(false);
  const [draft, setDraft] = useState<Draft>({ address: '', login: '', network: null, sso: '' });
  const [list, setList] = useState<NetworkList | null>(null);
  const flow = useRef<string | null>(null);

  // The page's network session ends with the page: the tab closed, or it became the account's tab.
  useEffect(() => {
    flow.current = list?.flow ?? null;
  }, [list]);
  useEffect(() => () => endFlow(flow.current), []);

  const go = (next: View) => {
    setMoved(true);
    setView(next);
  };
  const edit = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const showList = (next: NetworkList) => {
    if (list && list.flow !== next.flow) endFlow(list.flow);
    setList(next);
    go({ kind: 'list' });
  };
  const forgetList = () => {
    setList(null);
    flow.current = null;
  };
  /** From the address form a typed address leads into that Bitrix24; from the network form, the typed network. */
  const qrButton = (address: string | null, site: 'portal' | 'network') => (
    <button type="button" className="button" onClick={() => go({ kind: 'qr', address: address?.trim() || undefined, site })}>
      {t('signIn.qr')}
    </button>
  );
  const ssoButton = (
    <button type="button" className="button" onClick={() => go({ kind: 'sso' })}>
      {t('signIn.sso')}
    </button>
  );

  switch (view.kind) {
    case 'address':
      return (
        <AddressSignIn
          autoFocus={autoFocus || moved}
          draft={draft}
          onDraft={edit}
          onSignedIn={onSignedIn}
          other={
            <OtherWays>
              <button type="button" className="button" onClick={() => go(list ? { kind: 'list' } : { kind: 'network' })}>
                {t('signIn.network')}
              </button>
              {qrButton(draft.address, 'portal')}
              {ssoButton}
              <button type="button" className="button" onClick={() => go({ kind: 'webhook' })}>
                {t('signIn.webhook')}
              </button>
              <button type="button" className="button" onClick={() => go({ kind: 'app' })}>
                {t('signIn.app')}
              </button>
            </OtherWays>
          }
        />
      );
    case 'network':
      return (
        <NetworkSignIn
          draft={draft}
          onDraft={edit}
          problem={view.problem ?? null}
          focusOnShow={moved}
          onList={showList}
          onBack={() => go({ kind: 'address' })}
          other={
            <OtherWays>
              {qrButton(draft.network, 'network')}
              {ssoButton}
            </OtherWays>
          }
        />
      );
    case 'list':
      if (!list) return null;
      return (
        <PortalChoice
          list={list}
          focusOnShow={moved}
          onSignedIn={onSignedIn}
          onSessionEnded={(problem) => {
            forgetList();
            go({ kind: 'network', problem });
          }}
          onChangeUser={() => {
            endFlow(list.flow);
            forgetList();
            edit({ login: '' });
            go({ kind: 'network' });
          }}
          onBack={() => go({ kind: 'address' })}
        />
      );
    case 'qr':
      return (
        <QrSignIn
          address={view.address}
          site={view.site}
          focusOnShow={moved}
          onList={showList}
          onSignedIn={onSignedIn}
          onBack={() => go({ kind: 'address' })}
        />
      );
    case 'app':
      return <AppConnect address={draft.address} focusOnShow={moved} onSignedIn={onSignedIn} onBack={() => go({ kind: 'address' })} />;
    case 'webhook':
      return <WebhookConnect focusOnShow={moved} onSignedIn={onSignedIn} onBack={() => go({ kind: 'address' })} />;
    case 'sso':
      return (
        <SsoSignIn
          draft={draft.sso || draft.address}
          onDraft={(sso) => edit({ sso })}
          focusOnShow={moved}
          onSignedIn={onSignedIn}
          onBack={() => go({ kind: 'address' })}
        />
      );
  }
}

/** Ends a network session at the core (and the network); its accounts stay as they are. */
function endFlow(flow: string | null): void {
  if (flow) void call('networkEnd', { flow }).catch(() => {});
}
