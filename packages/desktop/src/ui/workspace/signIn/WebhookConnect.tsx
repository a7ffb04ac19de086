import type { AccountView } from '@multidesk/protocol/bridge';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { call } from '../../bridgeClient.ts';
import type { SignInProblem } from '../signInMessages.ts';
import { FormActions } from './FormActions.tsx';
import { ProblemNotice } from './ProblemNotice.tsx';
import { SignInCard } from './SignInCard.tsx';
import { TextField } from './TextField.tsx';

interface Props {
  focusOnShow: boolean;
  onSignedIn(account: AccountView): void;
  onBack(): void;
}

/**
 * Connect with a webhook: the inbound webhook URL Bitrix24 shows under Developer resources. The
 * core checks it against the portal and keeps its code in the system keychain; the field is
 * emptied as soon as the core has it.
 */
export function WebhookConnect({ focusOnShow, onSignedIn, onBack }: Props) {
  const { t } = useTranslation();
  const id = useId();
  const errorId = `${id}-error`;
  const [url, setUrl] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<SignInProblem | null>(null);
  const [focus, setFocus] = useState(focusOnShow);
  const fieldRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (!focus) return;
    fieldRef.current?.focus();
    fieldRef.current?.select();
    setFocus(false);
  }, [focus]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const typed = url.trim();
    if (!typed) {
      setProblem({ code: 'missing_address', text: t('webhook.paste') });
      setFocus(true);
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const result = await call('connectWebhook', { url: typed });
      if (result.ok) {
        setUrl('');
        onSignedIn(result.account);
        return;
      }
      // The core's words name the host and the cause; our generic ones would only be vaguer.
      setProblem({ code: result.error, text: result.message });
      setFocus(true);
    } catch (error) {
      setProblem({ code: 'server_error', text: t('webhook.checkFailed', { error: (error as Error).message }) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <SignInCard title={t('signIn.webhook')} intro={<Trans i18nKey="webhook.intro" components={{ b: <b /> }} />} busy={busy}>
      <form className="signin-form" onSubmit={(e) => void submit(e)} noValidate>
        <TextField
          id={`${id}-url`}
          label={t('webhook.url')}
          inputRef={fieldRef}
          name="webhook-url"
          inputMode="url"
          autoComplete="off"
          placeholder="https://your-company.bitrix24.com/rest/1/abcd1234efgh5678/"
          maxLength={1000}
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          invalid={problem !== null}
          errorId={errorId}
        />
        <ProblemNotice id={errorId} problem={problem} />
        <FormActions submit={t('common.connect')} busy={busy} progress={t('webhook.checking')} onBack={onBack} />
      </form>
    </SignInCard>
  );
}
