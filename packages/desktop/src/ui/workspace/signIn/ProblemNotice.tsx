import { type SignInProblem, secondsText } from '../signInMessages.ts';

/**
 * A failed step, said inline where it happened (role=alert). A throttled sign-in counts down to
 * when it may try again; the count is not announced every second.
 */
export function ProblemNotice({ id, problem, waitSeconds = 0 }: { id?: string; problem: SignInProblem | null; waitSeconds?: number }) {
  if (!problem) return null;
  return (
    <div id={id} className="notice notice-error" role="alert">
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
  );
}
