import type { Ref } from 'react';
import { useTranslation } from 'react-i18next';
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
  const { t } = useTranslation();
  return (
    <SignInCard title={title} intro={intro}>
      <p className="progress-text" role="status">
        <span className="spinner" aria-hidden="true" />
        {t('browserWait.continue')}
      </p>
      <WaitingFor expiresAt={waiting.expiresAt} />
      <ProblemNotice problem={problem} />
      <div className="actions">
        <button ref={reopenRef} type="button" className="button button-primary" onClick={onReopen}>
          {t('browserWait.reopen')}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </SignInCard>
  );
}

/** How long Multidesk keeps waiting, in minutes (not announced as it changes). */
function WaitingFor({ expiresAt }: { expiresAt: number }) {
  const now = useNow(true);
  const { t } = useTranslation();
  const seconds = secondsUntil(expiresAt, now);
  const minutes = Math.ceil(seconds / 60);
  return (
    <p className="muted" aria-live="off">
      {t('browserWait.waits', { count: minutes })}
    </p>
  );
}
