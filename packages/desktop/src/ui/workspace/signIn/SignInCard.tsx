import { type ReactNode, useEffect, useId, useRef } from 'react';
import { useTranslation } from 'react-i18next';

interface Props {
  title: string;
  intro?: ReactNode;
  /** Moves focus to the title when the card first shows, so a screen reader starts at its heading. */
  focusTitle?: boolean;
  busy?: boolean;
  wide?: boolean;
  children: ReactNode;
}

/** The frame of every sign-in view: a titled card, named by its heading. */
export function SignInCard({ title, intro, focusTitle = false, busy = false, wide = false, children }: Props) {
  const id = useId();
  const titleRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (focusTitle) titleRef.current?.focus();
  }, [focusTitle]);
  return (
    <section className={wide ? 'signin signin-wide card' : 'signin card'} aria-labelledby={`${id}-title`} aria-busy={busy}>
      <h1 id={`${id}-title`} ref={titleRef} className="signin-title" tabIndex={-1}>
        {title}
      </h1>
      {intro ? <p className="muted">{intro}</p> : null}
      {children}
    </section>
  );
}

/** The other ways in, under a view's own actions. */
export function OtherWays({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <div className="signin-other">
      <p className="signin-or" aria-hidden="true">
        <span>{t('signIn.or')}</span>
      </p>
      <div className="actions">{children}</div>
    </div>
  );
}
