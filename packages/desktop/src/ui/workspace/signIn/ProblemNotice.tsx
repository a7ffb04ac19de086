import { Trans, useTranslation } from 'react-i18next';
import { type SignInProblem, secondsText } from '../signInMessages.ts';

/**
 * A failed step, said inline where it happened (role=alert). A throttled sign-in counts down to
 * when it may try again; the count is not announced every second.
 */
export function ProblemNotice({ id, problem, waitSeconds = 0 }: { id?: string; problem: SignInProblem | null; waitSeconds?: number }) {
  const { t } = useTranslation();
  if (!problem) return null;
  return (
    <div id={id} className="notice notice-error" role="alert">
      {problem.code === 'too_many_attempts' ? (
        waitSeconds > 0 ? (
          <Trans
            i18nKey="signInProblem.tryAgainIn"
            values={{ time: secondsText(waitSeconds) }}
            components={{ time: <span aria-live="off" /> }}
          />
        ) : (
          t('signInProblem.tryAgainNow')
        )
      ) : (
        problem.text
      )}
      {problem.detail ? <span className="notice-detail">{problem.detail}</span> : null}
    </div>
  );
}
