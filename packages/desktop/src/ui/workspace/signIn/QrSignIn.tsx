import type { AccountView, NetworkList } from '@multidesk/protocol/bridge';
import { Fragment, type ReactNode, type RefObject, useEffect, useRef, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { t as translate } from '../../i18n/i18n.ts';
import { CopyButton } from './CopyButton.tsx';
import { SignInCard } from './SignInCard.tsx';
import { secondsUntil, useNow } from './useNow.ts';
import { type QrState, useQrLoop } from './useQrLoop.ts';

interface Props {
  /** A Bitrix24 address: approving leads straight into it. Without one, the network's list. */
  address: string | undefined;
  /** What `address` names, for the wording of failures. */
  site: 'portal' | 'network';
  focusOnShow: boolean;
  onList(list: NetworkList): void;
  onSignedIn(account: AccountView): void;
  onBack(): void;
}

/**
 * A QR code to approve on a phone or browser that is signed in. It holds only an opaque id; the
 * code renews itself for five minutes, then waits for the user to ask for a new one.
 */
export function QrSignIn({ address, site, focusOnShow, onList, onSignedIn, onBack }: Props) {
  const { state, restart } = useQrLoop({ address, site }, { onList, onAccount: onSignedIn });
  const [refocus, setRefocus] = useState(false);
  const copyRef = useRef<HTMLDivElement>(null);
  const { t } = useTranslation();
  const retryRef = useRef<HTMLButtonElement>(null);

  // "Get a new QR code" goes away while the new one comes: then focus its first control.
  useEffect(() => {
    if (!refocus || state.phase === 'starting') return;
    if (state.phase === 'showing') copyRef.current?.querySelector('button')?.focus();
    else retryRef.current?.focus();
    setRefocus(false);
  }, [refocus, state.phase]);

  const stopped = stoppedText(state);
  return (
    <SignInCard
      title={t('signIn.qr')}
      intro={address ? t('qr.introAt', { address }) : t('qr.intro')}
      focusTitle={focusOnShow}
      busy={state.phase === 'starting'}
      wide
    >
      {state.phase === 'starting' ? (
        <p className="progress-text qr-progress" role="status">
          <span className="spinner" aria-hidden="true" />
          {t('qr.getting')}
        </p>
      ) : null}
      {state.phase === 'showing' ? <QrCode state={state} copyRef={copyRef} /> : null}
      {stopped ? (
        <div className="notice notice-error" role="alert">
          {stopped.text}
          {stopped.detail ? <span className="notice-detail">{stopped.detail}</span> : null}
        </div>
      ) : null}
      <div className="actions">
        {stopped ? (
          <button
            ref={retryRef}
            type="button"
            className="button button-primary"
            onClick={() => {
              setRefocus(true);
              restart();
            }}
          >
            {t('qr.new')}
          </button>
        ) : null}
        <button type="button" className="button" onClick={onBack}>
          {t('common.back')}
        </button>
      </div>
    </SignInCard>
  );
}

function stoppedText(state: QrState): { text: string; detail?: string | undefined } | null {
  switch (state.phase) {
    case 'expired':
      return { text: translate('qr.expired') };
    case 'denied':
      return { text: translate('qr.denied') };
    case 'error':
      return { text: state.problem.text, detail: state.problem.detail };
    default:
      return null;
  }
}

function QrCode({ state, copyRef }: { state: Extract<QrState, { phase: 'showing' }>; copyRef: RefObject<HTMLDivElement | null> }) {
  const now = useNow(true);
  const { t } = useTranslation();
  const seconds = secondsUntil(state.expiresAt, now);
  return (
    <div className="qr">
      {/* At its own size: scaled by a fraction, the modules come out uneven and scan worse. */}
      <img className={state.renewing || seconds === 0 ? 'qr-image is-stale' : 'qr-image'} src={state.qrImage} alt={t('qr.image')} />
      <div className="qr-text">
        <p>
          <Trans i18nKey="qr.scan" components={{ url: <span className="qr-url">{breakable(state.approveUrl)}</span> }} />
        </p>
        <div ref={copyRef}>
          <CopyButton text={state.approveUrl} label={t('qr.copyLink')} />
        </div>
        <p className="muted" aria-live="off">
          {state.renewing || seconds === 0 ? t('qr.gettingNew') : t('qr.expiresIn', { seconds })}
        </p>
      </div>
    </div>
  );
}

/** A URL that wraps after the slashes of its path, never inside its scheme or host. */
function breakable(url: string): ReactNode[] {
  const [, origin = '', path = url] = /^([a-z][a-z0-9+.-]*:\/\/[^/]*)?(.*)$/is.exec(url) ?? [];
  let offset = origin.length;
  return [
    origin,
    ...path.split(/(?<=\/)/).map((part) => {
      const at = offset;
      offset += part.length;
      return (
        <Fragment key={at}>
          {at > 0 ? <wbr /> : null}
          {part}
        </Fragment>
      );
    }),
  ];
}
