import type { AccountView, SignInRequest } from '@multidesk/protocol/bridge';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { call, errorMessage } from '../bridgeClient.ts';
import { type SignInProblem, secondsText, signInProblem } from './signInMessages.ts';

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
  onSignedIn(account: AccountView): void;
  /** Shown as a Cancel button when set. */
  onCancel?: () => void;
}

type Step = 'credentials' | 'code';
type Field = 'address' | 'login' | 'password' | 'code';

/**
 * Address + login + password, then a second-factor code when the portal asks for one. The
 * password stays in this component's memory only: on the code step it is no longer in the DOM.
 */
export function SignInForm({ autoFocus, prefill, onSignedIn, onCancel }: Props) {
  const id = useId();
  const [step, setStep] = useState<Step>('credentials');
  const [address, setAddress] = useState(prefill?.address ?? '');
  const [login, setLogin] = useState(prefill?.login ?? '');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<SignInProblem | null>(null);
  /** The portal throttles one login at one address: that pair waits, any other may try. */
  const [throttle, setThrottle] = useState<{ until: number; key: string } | null>(null);
  const now = useNow(throttle !== null);
  const [focusField, setFocusField] = useState<Field | null>(autoFocus ? (prefill ? 'password' : 'address') : null);
  const refs = {
    address: useRef<HTMLInputElement>(null),
    login: useRef<HTMLInputElement>(null),
    password: useRef<HTMLInputElement>(null),
    code: useRef<HTMLInputElement>(null),
  };

  useEffect(() => {
    if (!focusField) return;
    const input = refs[focusField].current;
    if (input) {
      input.focus();
      input.select();
    }
    setFocusField(null);
  });

  const waitSeconds = throttle === null ? 0 : Math.max(0, Math.ceil((throttle.until - now) / 1000));
  const waiting = waitSeconds > 0 && throttle?.key === throttleKey(address, login);

  const fail = (next: SignInProblem, field: Field) => {
    setProblem(next);
    setFocusField(field);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy || waiting) return;
    const req: SignInRequest = { address: address.trim(), login: login.trim(), password };
    if (!req.address) return fail({ code: 'missing_address', text: 'Enter an address like acme.bitrix24.com' }, 'address');
    if (!req.login) return fail({ code: 'missing_login', text: 'Enter your login.' }, 'login');
    if (!req.password) return fail({ code: 'missing_password', text: 'Enter your password.' }, 'password');
    if (step === 'code') {
      if (!code.trim()) return fail({ code: 'missing_code', text: 'Enter the code from your authenticator app.' }, 'code');
      req.otp = code.trim();
    }

    setBusy(true);
    setProblem(null);
    setThrottle(null);
    try {
      const result = await call('signIn', req);
      if (result.ok) {
        setPassword('');
        setCode('');
        onSignedIn(result.account);
        return;
      }
      const next = signInProblem(result.error, { address: req.address, login: req.login, message: result.message });
      switch (result.error) {
        case 'otp_required':
          setStep('code');
          setProblem(null);
          setFocusField('code');
          break;
        case 'invalid_otp':
          setCode('');
          fail(next, 'code');
          break;
        case 'too_many_attempts':
          setThrottle({ until: Date.now() + Math.max(1, result.retryAfter ?? 30) * 1000, key: throttleKey(req.address, req.login) });
          fail(next, step === 'code' ? 'code' : 'password');
          break;
        case 'invalid_credentials':
          setStep('credentials');
          fail(next, 'password');
          break;
        case 'not_a_member':
          setStep('credentials');
          fail(next, 'login');
          break;
        case 'invalid_address':
        case 'unknown_address':
        case 'unreachable':
          setStep('credentials');
          fail(next, 'address');
          break;
        default:
          fail(next, step === 'code' ? 'code' : 'password');
      }
    } catch (err) {
      fail({ code: 'server_error', text: errorMessage(err) }, step === 'code' ? 'code' : 'password');
    } finally {
      setBusy(false);
    }
  };

  const back = () => {
    setStep('credentials');
    setCode('');
    setProblem(null);
    setFocusField('password');
  };

  const errorId = `${id}-error`;
  const invalid = (...codes: SignInProblem['code'][]) => (problem && codes.includes(problem.code) ? true : undefined);
  const describe = (isInvalid: boolean | undefined) => (isInvalid ? errorId : undefined);
  const addressInvalid = invalid('missing_address', 'invalid_address', 'unknown_address', 'unreachable');
  const loginInvalid = invalid('missing_login', 'invalid_credentials', 'not_a_member');
  const passwordInvalid = invalid('missing_password', 'invalid_credentials');
  const codeInvalid = invalid('missing_code', 'invalid_otp');

  return (
    <form className="signin card" onSubmit={submit} noValidate aria-labelledby={`${id}-title`} aria-busy={busy}>
      <h2 id={`${id}-title`} className="signin-title">
        {prefill ? `Sign in again to ${prefill.portalTitle}` : 'Sign in to Bitrix24'}
      </h2>
      <p className="muted">
        {step === 'code'
          ? 'Enter the code from your authenticator app, or a recovery code.'
          : prefill
            ? 'Enter your password to connect again.'
            : 'Use your Bitrix24 address and the login you use there.'}
      </p>
      <div className="field">
        <label htmlFor={`${id}-address`}>Bitrix24 address</label>
        <input
          ref={refs.address}
          id={`${id}-address`}
          name="address"
          type="text"
          inputMode="url"
          autoComplete="url"
          autoCapitalize="off"
          spellCheck={false}
          placeholder="acme.bitrix24.com"
          maxLength={300}
          value={address}
          readOnly={step === 'code'}
          onChange={(e) => setAddress(e.target.value)}
          aria-invalid={addressInvalid}
          aria-describedby={describe(addressInvalid)}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-login`}>Login</label>
        <input
          ref={refs.login}
          id={`${id}-login`}
          name="login"
          type="text"
          autoComplete="username"
          autoCapitalize="off"
          spellCheck={false}
          maxLength={254}
          value={login}
          readOnly={step === 'code'}
          onChange={(e) => setLogin(e.target.value)}
          aria-invalid={loginInvalid}
          aria-describedby={describe(loginInvalid)}
        />
      </div>
      {/* On the code step the password stays in memory only: it is no longer in the page. */}
      {step === 'credentials' ? (
        <div className="field">
          <label htmlFor={`${id}-password`}>Password</label>
          <input
            ref={refs.password}
            id={`${id}-password`}
            name="password"
            type="password"
            autoComplete="current-password"
            maxLength={256}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-invalid={passwordInvalid}
            aria-describedby={describe(passwordInvalid)}
          />
        </div>
      ) : (
        <div className="field">
          <label htmlFor={`${id}-code`}>Code</label>
          <input
            ref={refs.code}
            id={`${id}-code`}
            name="code"
            type="text"
            inputMode="numeric"
            autoComplete="one-time-code"
            autoCapitalize="off"
            spellCheck={false}
            maxLength={32}
            className="code-input"
            value={code}
            onChange={(e) => setCode(e.target.value)}
            aria-invalid={codeInvalid}
            aria-describedby={describe(codeInvalid)}
          />
        </div>
      )}

      {problem ? (
        <div id={errorId} className="notice notice-error" role="alert">
          {problem.code === 'too_many_attempts' ? (
            waitSeconds > 0 ? (
              <>
                Too many attempts. Try again in <span aria-live="off">{secondsText(waitSeconds)}</span>.
              </>
            ) : (
              'Too many attempts. You can try again now.'
            )
          ) : (
            problem.text
          )}
          {problem.detail ? <span className="notice-detail">{problem.detail}</span> : null}
        </div>
      ) : null}

      <div className="actions">
        <button type="submit" className="button button-primary" disabled={busy || waiting}>
          {busy ? <span className="spinner" aria-hidden="true" /> : null}
          Log in
        </button>
        {step === 'code' ? (
          <button type="button" className="button" onClick={back} disabled={busy}>
            Back
          </button>
        ) : null}
        {onCancel ? (
          <button type="button" className="button" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
        ) : null}
        {busy ? (
          <span className="progress-text" role="status">
            Signing in…
          </span>
        ) : null}
      </div>
    </form>
  );
}

function throttleKey(address: string, login: string): string {
  return `${address.trim().toLowerCase()}\n${login.trim().toLowerCase()}`;
}

/** The current time, ticking every second while `running`. */
function useNow(running: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!running) return;
    setNow(Date.now());
    const timer = window.setInterval(() => setNow(Date.now()), 250);
    return () => window.clearInterval(timer);
  }, [running]);
  return now;
}
