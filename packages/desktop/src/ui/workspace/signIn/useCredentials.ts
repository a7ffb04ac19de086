import type { SignInFailureCode } from '@multidesk/protocol/bridge';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { errorMessage } from '../../bridgeClient.ts';
import { t } from '../../i18n/i18n.ts';
import { type SignInProblem, signInProblem } from '../signInMessages.ts';
import { secondsUntil, useNow } from './useNow.ts';

/** `site` is the first field: a Bitrix24's address, or the network's. */
export type CredentialField = 'site' | 'login' | 'password' | 'code';
export type Step = 'credentials' | 'code';

export interface Credentials {
  site: string;
  login: string;
  password: string;
  otp?: string;
}

export interface Failure {
  ok: false;
  error: SignInFailureCode;
  message: string;
  retryAfter?: number;
}

export interface CredentialsOptions<T extends { ok: true }> {
  site: 'portal' | 'network';
  initial: { site: string; login: string };
  /** The field focused when the form first shows; null leaves focus where it is. */
  focusFirst: CredentialField | null;
  initialProblem?: SignInProblem | null;
  send(credentials: Credentials): Promise<T | Failure>;
  onSuccess(result: T): void;
  /** What is typed in the site and login fields, for the page to keep across its views. */
  onDraft?(draft: { site: string; login: string }): void;
}

const FIELD_PROBLEMS: Record<CredentialField, SignInProblem['code'][]> = {
  site: ['missing_address', 'invalid_address', 'unknown_address', 'unreachable'],
  login: ['missing_login', 'invalid_credentials', 'not_a_member'],
  password: ['missing_password', 'invalid_credentials'],
  code: ['missing_code', 'invalid_otp'],
};

/** Where focus goes after each failure, and whether it sends the form back to its first step. */
function afterFailure(code: SignInFailureCode, step: Step): { field: CredentialField; step?: Step } {
  switch (code) {
    case 'invalid_credentials':
      return { field: 'password', step: 'credentials' };
    case 'not_a_member':
      return { field: 'login', step: 'credentials' };
    case 'invalid_address':
    case 'unknown_address':
    case 'unreachable':
      return { field: 'site', step: 'credentials' };
    default:
      return { field: step === 'code' ? 'code' : 'password' };
  }
}

/**
 * Site + login + password, then a second-factor code when the server asks for one: the state and
 * the rules shared by the address and the network sign-in. The password stays in this hook's
 * memory only; on the code step it is no longer in the page.
 */
export function useCredentials<T extends { ok: true }>(options: CredentialsOptions<T>) {
  const { site: siteKind, send, onSuccess, onDraft } = options;
  const [step, setStep] = useState<Step>('credentials');
  const [site, setSite] = useState(options.initial.site);
  const [login, setLogin] = useState(options.initial.login);
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<SignInProblem | null>(options.initialProblem ?? null);
  /** The server throttles one login at one site: that pair waits, any other may try. */
  const [throttle, setThrottle] = useState<{ until: number; key: string } | null>(null);
  const now = useNow(throttle !== null);
  const [focusField, setFocusField] = useState<CredentialField | null>(options.focusFirst);
  const refs = {
    site: useRef<HTMLInputElement>(null),
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

  const waitSeconds = throttle === null ? 0 : secondsUntil(throttle.until, now);
  const waiting = waitSeconds > 0 && throttle?.key === throttleKey(site, login);

  const fail = (next: SignInProblem, field: CredentialField) => {
    setProblem(next);
    setFocusField(field);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy || waiting) return;
    const req: Credentials = { site: site.trim(), login: login.trim(), password };
    if (!req.site) {
      const text = siteKind === 'network' ? t('signInProblem.invalidNetwork') : t('signInProblem.invalidAddress');
      return fail({ code: 'missing_address', text }, 'site');
    }
    if (!req.login) return fail({ code: 'missing_login', text: t('signInProblem.enterLogin') }, 'login');
    if (!req.password) return fail({ code: 'missing_password', text: t('signInProblem.enterPassword') }, 'password');
    if (step === 'code') {
      if (!code.trim()) return fail({ code: 'missing_code', text: t('signInProblem.otpRequired') }, 'code');
      req.otp = code.trim();
    }

    setBusy(true);
    setProblem(null);
    setThrottle(null);
    try {
      const result = await send(req);
      if (result.ok) {
        setPassword('');
        setCode('');
        onSuccess(result);
        return;
      }
      if (result.error === 'otp_required') {
        setStep('code');
        setFocusField('code');
        return;
      }
      const next = signInProblem(result.error, { address: req.site, login: req.login, message: result.message, site: siteKind });
      if (result.error === 'invalid_otp') setCode('');
      if (result.error === 'too_many_attempts') {
        setThrottle({ until: Date.now() + Math.max(1, result.retryAfter ?? 30) * 1000, key: throttleKey(req.site, req.login) });
      }
      const after = afterFailure(result.error, step);
      if (after.step) setStep(after.step);
      fail(next, after.field);
    } catch (err) {
      fail({ code: 'server_error', text: errorMessage(err) }, step === 'code' ? 'code' : 'password');
    } finally {
      setBusy(false);
    }
  };

  /** From the code step back to the password. */
  const back = () => {
    setStep('credentials');
    setCode('');
    setProblem(null);
    setFocusField('password');
  };

  const isInvalid = (field: CredentialField): true | undefined =>
    problem && FIELD_PROBLEMS[field].includes(problem.code) ? true : undefined;

  return {
    step,
    busy,
    problem,
    waitSeconds,
    waiting,
    refs,
    values: { site, login, password, code },
    set: {
      site: (value: string) => {
        setSite(value);
        onDraft?.({ site: value, login });
      },
      login: (value: string) => {
        setLogin(value);
        onDraft?.({ site, login: value });
      },
      password: setPassword,
      code: setCode,
    },
    submit,
    back,
    isInvalid,
  };
}

export type CredentialsState = ReturnType<typeof useCredentials>;

function throttleKey(site: string, login: string): string {
  return `${site.trim().toLowerCase()}\n${login.trim().toLowerCase()}`;
}
