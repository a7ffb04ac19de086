import type { AccountView, NetworkList, NetworkPortalView, SignInResult } from '@multidesk/protocol/bridge';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { call, errorMessage } from '../../bridgeClient.ts';
import { Avatar } from '../../shared/Avatar.tsx';
import { addressOf } from '../../shared/format.ts';
import { type SignInProblem, signInProblem } from '../signInMessages.ts';
import { ProblemNotice } from './ProblemNotice.tsx';
import { SignInCard } from './SignInCard.tsx';

interface Props {
  list: NetworkList;
  focusOnShow: boolean;
  onSignedIn(account: AccountView): void;
  /** The network session is over (expired, or ended elsewhere): the page asks for the login again. */
  onSessionEnded(problem: SignInProblem): void;
  onChangeUser(): void;
  onBack(): void;
}

/**
 * The Bitrix24s of a signed-in network login, one radio each (arrow keys move in the group, Enter
 * opens). Open asks the core for that portal's sign-in: no password again. A failed Open keeps the
 * list, so another choice can follow.
 */
export function PortalChoice({ list, focusOnShow, onSignedIn, onSessionEnded, onChangeUser, onBack }: Props) {
  const { t } = useTranslation();
  const id = useId();
  const [chosen, setChosen] = useState<string | null>(() => list.portals.find((p) => !p.connected)?.url ?? null);
  const [opening, setOpening] = useState<NetworkPortalView | null>(null);
  const [problem, setProblem] = useState<SignInProblem | null>(null);
  const groupRef = useRef<HTMLDivElement>(null);
  const [focusChoice, setFocusChoice] = useState(focusOnShow);

  useEffect(() => {
    if (!focusChoice) return;
    const radios = [...(groupRef.current?.querySelectorAll<HTMLInputElement>('input[type=radio]') ?? [])];
    (radios.find((r) => r.checked) ?? radios[0])?.focus();
    setFocusChoice(false);
  }, [focusChoice]);

  const open = async (event: FormEvent) => {
    event.preventDefault();
    if (opening) return;
    const portal = list.portals.find((p) => p.url === chosen);
    if (!portal) {
      setProblem({ code: 'missing_choice', text: t('portalChoice.choose') });
      setFocusChoice(true);
      return;
    }
    setOpening(portal);
    setProblem(null);
    try {
      const result = await call('networkOpen', { flow: list.flow, portalUrl: portal.url });
      if (result.ok) return onSignedIn(result.account);
      const next = openProblem(result, portal, list.login);
      if (result.error === 'invalid_session') return onSessionEnded(next);
      setProblem(next);
    } catch (err) {
      setProblem({ code: 'server_error', text: errorMessage(err) });
    } finally {
      setOpening(null);
    }
    setFocusChoice(true);
  };

  const errorId = `${id}-error`;
  const who = list.login ? t('portalChoice.signedInAs', { login: list.login }) : t('portalChoice.approved');
  return (
    <SignInCard title={t('portalChoice.title')} intro={`${who} ${t('portalChoice.choose')}`} busy={opening !== null} wide>
      <form className="signin-form" onSubmit={open} noValidate>
        {list.portals.length === 0 ? (
          <p className="notice notice-info">{t('portalChoice.none')}</p>
        ) : (
          <div
            ref={groupRef}
            className="portal-choice"
            role="radiogroup"
            aria-label={t('portalChoice.title')}
            aria-describedby={problem ? errorId : undefined}
          >
            {list.portals.map((portal) => (
              <PortalOption
                key={portal.url}
                portal={portal}
                name={`${id}-portal`}
                checked={chosen === portal.url}
                disabled={opening !== null}
                onChoose={() => setChosen(portal.url)}
              />
            ))}
          </div>
        )}

        <ProblemNotice id={errorId} problem={problem} />

        <div className="actions">
          <button type="submit" className="button button-primary" disabled={opening !== null || list.portals.length === 0}>
            {opening ? <span className="spinner" aria-hidden="true" /> : null}
            {t('portalChoice.open')}
          </button>
          <button type="button" className="button" onClick={onChangeUser} disabled={opening !== null}>
            {t('portalChoice.changeUser')}
          </button>
          <button type="button" className="button" onClick={onBack} disabled={opening !== null}>
            {t('common.back')}
          </button>
          {opening ? (
            <span className="progress-text" role="status">
              {t('portalChoice.opening', { portal: opening.title })}
            </span>
          ) : null}
        </div>
      </form>
    </SignInCard>
  );
}

/**
 * Why Open failed. "Cannot be reached" may be the network (asked for the code) or the portal (asked
 * for the tokens): the core's message names the right one.
 */
function openProblem(failure: Extract<SignInResult, { ok: false }>, portal: NetworkPortalView, login: string): SignInProblem {
  const { error: code, message } = failure;
  if ((code === 'unreachable' || code === 'unknown_address') && message) return { code, text: message };
  return signInProblem(code, { address: addressOf(portal.url), login: login || portal.userName, message });
}

interface OptionProps {
  portal: NetworkPortalView;
  name: string;
  checked: boolean;
  disabled: boolean;
  onChoose(): void;
}

/** One Bitrix24: named by its title alone; its address, the user's name there and "Connected" describe it. */
function PortalOption({ portal, name, checked, disabled, onChoose }: OptionProps) {
  const id = useId();
  const { t } = useTranslation();
  const address = addressOf(portal.url);
  return (
    <label className={checked ? 'portal-option is-checked' : 'portal-option'}>
      <input
        type="radio"
        name={name}
        value={portal.url}
        checked={checked}
        disabled={disabled}
        onChange={onChoose}
        aria-label={portal.title}
        aria-describedby={portal.connected ? `${id}-detail ${id}-connected` : `${id}-detail`}
      />
      <Avatar name={portal.title} />
      <span className="portal-option-text">
        <span className="portal-option-title ellipsis" title={portal.title}>
          {portal.title}
        </span>
        <span id={`${id}-detail`} className="portal-option-detail ellipsis" title={`${address} · ${portal.userName}`}>
          {address} · {portal.userName}
        </span>
      </span>
      {portal.connected ? (
        <span id={`${id}-connected`} className="tag tag-ok">
          {t('account.connected')}
        </span>
      ) : null}
    </label>
  );
}
