import { type ReactNode, useId } from 'react';
import { useTranslation } from 'react-i18next';
import { ProblemNotice } from './ProblemNotice.tsx';
import { SignInCard } from './SignInCard.tsx';
import { TextField } from './TextField.tsx';
import type { CredentialsState } from './useCredentials.ts';

interface Props {
  form: CredentialsState;
  title: string;
  /** What to do on the first step; the code step says it itself. */
  intro: string;
  site: { label: string; name: string; placeholder: string };
  /** A Back button on the first step (the code step's Back returns to the password). */
  onBack?: (() => void) | undefined;
  onCancel?: (() => void) | undefined;
  /** Other ways in, offered on the first step. */
  other?: ReactNode;
}

/** The markup of a site + login + password (+ code) form; `useCredentials` holds its state. */
export function CredentialsForm({ form, title, intro, site, onBack, onCancel, other }: Props) {
  const id = useId();
  const { t } = useTranslation();
  const errorId = `${id}-error`;
  const { step, busy, values, set, refs } = form;
  const onCode = step === 'code';
  return (
    <SignInCard title={title} intro={onCode ? t('signIn.codeIntro') : intro} busy={busy}>
      <form className="signin-form" onSubmit={form.submit} noValidate>
        <TextField
          id={`${id}-site`}
          label={site.label}
          inputRef={refs.site}
          name={site.name}
          inputMode="url"
          autoComplete="url"
          placeholder={site.placeholder}
          maxLength={300}
          value={values.site}
          readOnly={onCode}
          onChange={(e) => set.site(e.target.value)}
          invalid={form.isInvalid('site')}
          errorId={errorId}
        />
        <TextField
          id={`${id}-login`}
          label={t('signIn.login')}
          inputRef={refs.login}
          name="login"
          autoComplete="username"
          maxLength={254}
          value={values.login}
          readOnly={onCode}
          onChange={(e) => set.login(e.target.value)}
          invalid={form.isInvalid('login')}
          errorId={errorId}
        />
        {/* On the code step the password stays in memory only: it is no longer in the page. */}
        {onCode ? (
          <TextField
            id={`${id}-code`}
            label={t('signIn.code')}
            inputRef={refs.code}
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={32}
            className="code-input"
            value={values.code}
            onChange={(e) => set.code(e.target.value)}
            invalid={form.isInvalid('code')}
            errorId={errorId}
          />
        ) : (
          <TextField
            id={`${id}-password`}
            label={t('signIn.password')}
            inputRef={refs.password}
            name="password"
            type="password"
            autoComplete="current-password"
            maxLength={256}
            value={values.password}
            onChange={(e) => set.password(e.target.value)}
            invalid={form.isInvalid('password')}
            errorId={errorId}
          />
        )}

        <ProblemNotice id={errorId} problem={form.problem} waitSeconds={form.waitSeconds} />

        <div className="actions">
          {/* aria-disabled, not disabled: the focus stays on the button while it works (submit ignores it then). */}
          <button type="submit" className="button button-primary" aria-disabled={busy || form.waiting}>
            {busy ? <span className="spinner" aria-hidden="true" /> : null}
            {t('signIn.logIn')}
          </button>
          {onCode ? (
            <button type="button" className="button" onClick={form.back} disabled={busy}>
              {t('common.back')}
            </button>
          ) : onBack ? (
            <button type="button" className="button" onClick={onBack} disabled={busy}>
              {t('common.back')}
            </button>
          ) : null}
          {onCancel ? (
            <button type="button" className="button" onClick={onCancel} disabled={busy}>
              {t('common.cancel')}
            </button>
          ) : null}
          {busy ? (
            <span className="progress-text" role="status">
              {t('signIn.signingIn')}
            </span>
          ) : null}
        </div>
      </form>
      {onCode ? null : other}
    </SignInCard>
  );
}
