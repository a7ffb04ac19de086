import type { Ref } from 'react';
import type { SignInProblem } from '../signInMessages.ts';
import { ProblemNotice } from './ProblemNotice.tsx';
import { SignInCard } from './SignInCard.tsx';
import type { BrowserWaiting } from './useBrowserFlow.ts';
import { secondsUntil, useNow } from './useNow.ts';

interface Props {
  title: string;
  intro: string;
  waiting: BrowserWaiting;
  problem: SignInProblem | null;
  reopenRef: Ref<HTMLButtonElement>;
  onReopen(): void;
  onCancel(): void;
}

/** While the system browser has the sign-in: how long Multidesk waits, "Open the browser again" and Cancel. */
export function BrowserWaitCard({ title, intro, waiting, problem, reopenRef, onReopen, onCancel }: Props) {
  return (
    <SignInCard title={title} intro={intro}>
      <p className="progress-text" role="status">
        <span className="spinner" aria-hidden="true" />
        Continue in your browser…
      </p>
      <WaitingFor expiresAt={waiting.expiresAt} />
      <ProblemNotice problem={problem} />
      <div className="actions">
        <button ref={reopenRef} type="button" className="button button-primary" onClick={onReopen}>
          Open the browser again
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </SignInCard>
  );
}

/** How long Multidesk keeps waiting, in minutes (not announced as it changes). */
function WaitingFor({ expiresAt }: { expiresAt: number }) {
  const now = useNow(true);
  const seconds = secondsUntil(expiresAt, now);
  const minutes = Math.ceil(seconds / 60);
  return (
    <p className="muted" aria-live="off">
      When you have signed in there, this tab opens by itself. Multidesk waits {minutes === 1 ? '1 more minute' : `${minutes} more minutes`}
      .
    </p>
  );
}
