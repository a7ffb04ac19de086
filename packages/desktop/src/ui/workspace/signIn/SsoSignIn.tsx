import type { AccountView } from '@multidesk/protocol/bridge';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { call } from '../../bridgeClient.ts';
import type { SignInProblem } from '../signInMessages.ts';
import { BrowserWaitCard } from './BrowserWaitCard.tsx';
import { FormActions } from './FormActions.tsx';
import { ProblemNotice } from './ProblemNotice.tsx';
import { SignInCard } from './SignInCard.tsx';
import { TextField } from './TextField.tsx';
import { useBrowserFlow } from './useBrowserFlow.ts';
import { secondsUntil, useNow } from './useNow.ts';

interface Props {
  draft: string;
  /** What is typed, for the page to keep across its views. */
  onDraft?(address: string): void;
  focusOnShow: boolean;
  onSignedIn(account: AccountView): void;
  onBack(): void;
}

/** Problems that are about what was typed: the field is marked and takes focus. */
const FIELD_PROBLEMS = new Set<SignInProblem['code']>([
  'missing_address',
  'invalid_address',
  'unknown_address',
  'no_sso_for_domain',
  'several_portals',
  'sso_not_configured',
]);

/**
 * A Bitrix24 address or a work e-mail, then the sign-in in the system browser. The page waits
 * with Cancel and "Open the browser again"; the tab opens when the browser comes back, and every
 * failure (cancelled or refused at the identity provider, no access, timeout) is said here.
 */
export function SsoSignIn({ draft, onDraft, focusOnShow, onSignedIn, onBack }: Props) {
  const id = useId();
  const { t } = useTranslation();
  const errorId = `${id}-error`;
  const [address, setAddress] = useState(draft);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<SignInProblem | null>(null);
  const [throttledUntil, setThrottledUntil] = useState(0);
  const now = useNow(throttledUntil > Date.now());
  const [focus, setFocus] = useState<'field' | 'reopen' | null>(focusOnShow ? 'field' : null);
  const fieldRef = useRef<HTMLInputElement>(null);
  const reopenRef = useRef<HTMLButtonElement>(null);
  const sso = useBrowserFlow({
    onAccount: onSignedIn,
    onFailure: (next) => {
      setProblem(next);
      setFocus('field');
    },
  });

  useEffect(() => {
    if (!focus) return;
    if (focus === 'field') {
      fieldRef.current?.focus();
      fieldRef.current?.select();
    } else reopenRef.current?.focus();
    setFocus(null);
  }, [focus]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const typed = address.trim();
    if (!typed) {
      setProblem({ code: 'missing_address', text: t('sso.enterAddress') });
      setFocus('field');
      return;
    }
    setBusy(true);
    setProblem(null);
    const failure = await sso.begin(() => call('ssoStart', { address: typed }));
    setBusy(false);
    if (failure) {
      if (failure.code === 'too_many_attempts') setThrottledUntil(Date.now() + (failure.retryAfter ?? 60) * 1000);
      setProblem(failure);
      setFocus('field');
    } else setFocus('reopen');
  };

  const cancel = () => {
    sso.cancel();
    setProblem({ code: 'cancelled', text: t('sso.cancelled') });
    setFocus('field');
  };

  if (sso.waiting) {
    return (
      <BrowserWaitCard
        title={t('signIn.sso')}
        intro={t('sso.waitingIntro', { portal: sso.waiting.portal })}
        waiting={sso.waiting}
        problem={problem}
        reopenRef={reopenRef}
        onReopen={async () => setProblem(await sso.reopen())}
        onCancel={cancel}
      />
    );
  }

  const invalid = problem !== null && FIELD_PROBLEMS.has(problem.code);
  return (
    <SignInCard title={t('signIn.sso')} intro={t('sso.intro')} busy={busy}>
      <form className="signin-form" onSubmit={(e) => void submit(e)} noValidate>
        <TextField
          id={`${id}-address`}
          label={t('sso.field')}
          inputRef={fieldRef}
          name="address"
          inputMode="email"
          autoComplete="email"
          placeholder={t('sso.placeholder')}
          maxLength={300}
          value={address}
          onChange={(e) => {
            setAddress(e.target.value);
            onDraft?.(e.target.value);
          }}
          invalid={invalid}
          errorId={errorId}
        />
        <ProblemNotice id={errorId} problem={problem} waitSeconds={secondsUntil(throttledUntil, now)} />
        <FormActions submit={t('sso.continue')} busy={busy} progress={t('signIn.openingBrowser')} onBack={onBack} />
      </form>
    </SignInCard>
  );
}
