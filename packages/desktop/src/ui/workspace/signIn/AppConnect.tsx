import type { AccountView } from '@multidesk/protocol/bridge';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { call, errorMessage } from '../../bridgeClient.ts';
import type { SignInProblem } from '../signInMessages.ts';
import { BrowserWaitCard } from './BrowserWaitCard.tsx';
import { CopyButton } from './CopyButton.tsx';
import { FormActions } from './FormActions.tsx';
import { ProblemNotice } from './ProblemNotice.tsx';
import { SignInCard } from './SignInCard.tsx';
import { TextField } from './TextField.tsx';
import { useBrowserFlow } from './useBrowserFlow.ts';

interface Props {
  /** The address typed on the page so far. */
  address: string;
  focusOnShow: boolean;
  onSignedIn(account: AccountView): void;
  onBack(): void;
}

/** Which field a failure is about. */
function fieldOf(problem: SignInProblem | null): 'address' | 'client' | null {
  if (!problem) return null;
  if (problem.code === 'invalid_address' || problem.code === 'unknown_address' || problem.code === 'missing_address') return 'address';
  if (problem.code === 'invalid_app') return 'client';
  return null;
}

/**
 * A local or Marketplace app's keys. The form shows the handler URL to register in the app first;
 * Connect opens the portal's authorization in the system browser, and the tab opens when it comes
 * back. The secret is sent to the core once and emptied from the form.
 */
export function AppConnect({ address: typedAddress, focusOnShow, onSignedIn, onBack }: Props) {
  const { t } = useTranslation();
  const id = useId();
  const errorId = `${id}-error`;
  const [address, setAddress] = useState(typedAddress);
  const [clientId, setClientId] = useState('');
  const [secret, setSecret] = useState('');
  const [handler, setHandler] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<SignInProblem | null>(null);
  const [focus, setFocus] = useState<'address' | 'client' | 'reopen' | null>(focusOnShow ? 'address' : null);
  const addressRef = useRef<HTMLInputElement>(null);
  const clientRef = useRef<HTMLInputElement>(null);
  const reopenRef = useRef<HTMLButtonElement>(null);
  const flow = useBrowserFlow({
    onAccount: onSignedIn,
    onFailure: (next) => {
      setProblem(next);
      setFocus(fieldOf(next) ?? 'client');
    },
  });

  useEffect(() => {
    call('appHandler', {})
      .then((answer) => setHandler(answer.redirectUri))
      .catch((error: unknown) => setProblem({ code: 'server_error', text: errorMessage(error) }));
  }, []);

  useEffect(() => {
    if (!focus) return;
    ({ address: addressRef, client: clientRef, reopen: reopenRef })[focus].current?.focus();
    setFocus(null);
  }, [focus]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    // Connect is aria-disabled (still focusable) until the handler URL is known.
    if (busy || !handler) return;
    const missing: SignInProblem | null = !address.trim()
      ? { code: 'missing_address', text: t('app.enterAddress') }
      : !clientId.trim() || !secret.trim()
        ? { code: 'invalid_app', text: t('app.enterKeys') }
        : null;
    if (missing) {
      setProblem(missing);
      setFocus(fieldOf(missing));
      return;
    }
    setBusy(true);
    setProblem(null);
    const failure = await flow.begin(() => call('appStart', { address: address.trim(), clientId: clientId.trim(), clientSecret: secret }));
    setBusy(false);
    if (failure) {
      setProblem(failure);
      setFocus(fieldOf(failure) ?? 'client');
    } else {
      setSecret('');
      setFocus('reopen');
    }
  };

  if (flow.waiting) {
    return (
      <BrowserWaitCard
        title={t('signIn.app')}
        intro={t('app.waitingIntro', { portal: flow.waiting.portal })}
        waiting={flow.waiting}
        problem={problem}
        reopenRef={reopenRef}
        onReopen={async () => setProblem(await flow.reopen())}
        onCancel={() => {
          flow.cancel();
          setProblem({ code: 'cancelled', text: t('app.cancelled') });
          setFocus('client');
        }}
      />
    );
  }

  const wrong = fieldOf(problem);
  return (
    <SignInCard title={t('signIn.app')} intro={t('app.intro')} busy={busy} wide>
      <div className="notice notice-info">
        <p>
          {t('app.handler')} <code className="handler-url">{handler ?? '…'}</code>
        </p>
        {handler ? <CopyButton text={handler} label={t('app.copyHandler')} /> : null}
      </div>
      <form className="signin-form" onSubmit={(e) => void submit(e)} noValidate>
        <TextField
          id={`${id}-address`}
          label={t('signIn.address')}
          inputRef={addressRef}
          name="address"
          inputMode="url"
          placeholder="acme.bitrix24.com"
          maxLength={300}
          value={address}
          onChange={(e) => setAddress(e.target.value)}
          invalid={wrong === 'address'}
          errorId={errorId}
        />
        <TextField
          id={`${id}-client`}
          label={t('app.clientId')}
          inputRef={clientRef}
          name="client-id"
          placeholder="local.64ccbcf7db22b1.98148679"
          maxLength={100}
          value={clientId}
          onChange={(e) => setClientId(e.target.value)}
          invalid={wrong === 'client'}
          errorId={errorId}
        />
        <TextField
          id={`${id}-secret`}
          label={t('app.clientSecret')}
          type="password"
          name="client-secret"
          autoComplete="off"
          maxLength={200}
          value={secret}
          onChange={(e) => setSecret(e.target.value)}
          invalid={wrong === 'client'}
          errorId={errorId}
        />
        <ProblemNotice id={errorId} problem={problem} />
        <FormActions submit={t('common.connect')} busy={busy} disabled={!handler} progress={t('signIn.openingBrowser')} onBack={onBack} />
      </form>
    </SignInCard>
  );
}
