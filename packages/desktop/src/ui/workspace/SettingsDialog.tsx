import type { AccountView, Language, SettingsPatch, SettingsView } from '@multidesk/protocol/bridge';
import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { call, errorMessage } from '../bridgeClient.ts';
import { ModalDialog } from '../shared/ModalDialog.tsx';

interface Props {
  accounts: readonly AccountView[];
  onClose(): void;
  /** Where the focus goes back when the element that opened it is gone. */
  fallbackFocus(): HTMLElement | null;
}

/**
 * The Settings screen: notifications (for all and per account), their sound, start at login,
 * language, and where sign-ins are kept. Each change is saved at once; the language changes both
 * windows as soon as the core says so.
 */
export function SettingsDialog({ accounts, onClose, fallbackFocus }: Props) {
  const { t } = useTranslation();
  const id = useId();
  const [view, setView] = useState<SettingsView | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    call('getSettings', {})
      .then((loaded) => {
        if (!live) return;
        setView(loaded);
        // Seen here: the Workspace no longer needs to say the settings were reset.
        if (loaded.notice) void call('dismissSettingsNotice', {}).catch(() => undefined);
      })
      .catch((error: unknown) => live && setProblem(errorMessage(error)));
    return () => {
      live = false;
    };
  }, []);

  const change = (patch: SettingsPatch) => {
    if (view) setView({ ...view, settings: { ...view.settings, ...patch } });
    setProblem(null);
    call('updateSettings', patch)
      .then((saved) => setView((current) => (current ? { ...saved, ...(current.notice ? { notice: current.notice } : {}) } : saved)))
      .catch((error: unknown) => setProblem(errorMessage(error)));
  };

  const settings = view?.settings;
  const muted = new Set(settings?.mutedAccounts ?? []);
  const languages: { value: Language; label: string }[] = [
    { value: 'system', label: t('settings.languageSystem', { language: view?.systemLocale === 'ru' ? 'Русский' : 'English' }) },
    { value: 'en', label: 'English' },
    { value: 'ru', label: 'Русский' },
  ];

  return (
    <ModalDialog labelledBy={`${id}-title`} shown onDismiss={onClose} fallbackFocus={fallbackFocus} className="settings-dialog">
      <h2 id={`${id}-title`} className="dialog-title">
        {t('settings.title')}
      </h2>
      {view?.notice === 'reset' ? (
        <p className="notice notice-warning" role="status">
          {t('settings.resetNotice')}
        </p>
      ) : null}
      {problem ? (
        <p className="notice notice-error" role="alert">
          {t('settings.saveFailed', { problem })}
        </p>
      ) : null}
      {view?.problem ? (
        <p className="notice notice-error" role="alert">
          {t('settings.autostartFailed', { problem: view.problem })}
        </p>
      ) : null}
      {!settings ? (
        problem ? null : (
          <p className="muted" role="status">
            {t('common.loading')}
          </p>
        )
      ) : (
        <div className="settings-body">
          <fieldset className="settings-group">
            <legend>{t('settings.notifications')}</legend>
            <label className="check">
              <input type="checkbox" checked={settings.notifications} onChange={(e) => change({ notifications: e.target.checked })} />
              {t('settings.notificationsAll')}
            </label>
            {accounts.length > 0 ? (
              <ul className="settings-accounts" aria-label={t('settings.notificationsPerAccount')}>
                {accounts.map((account) => (
                  <li key={account.id}>
                    <label className="check">
                      <input
                        type="checkbox"
                        disabled={!settings.notifications}
                        checked={settings.notifications && !muted.has(account.id)}
                        onChange={(e) => {
                          const next = new Set(muted);
                          if (e.target.checked) next.delete(account.id);
                          else next.add(account.id);
                          change({ mutedAccounts: [...next] });
                        }}
                      />
                      <span className="ellipsis">
                        {account.portalTitle} — {account.userName}
                      </span>
                    </label>
                  </li>
                ))}
              </ul>
            ) : null}
            <label className="check">
              <input
                type="checkbox"
                disabled={!settings.notifications}
                checked={settings.sound}
                onChange={(e) => change({ sound: e.target.checked })}
              />
              {t('settings.sound')}
            </label>
          </fieldset>

          <fieldset className="settings-group">
            <legend>{t('settings.startup')}</legend>
            <label className="check">
              <input type="checkbox" checked={settings.startAtLogin} onChange={(e) => change({ startAtLogin: e.target.checked })} />
              {t('settings.startAtLogin')}
            </label>
          </fieldset>

          <div className="field settings-group">
            <label htmlFor={`${id}-language`}>{t('settings.language')}</label>
            <select id={`${id}-language`} value={settings.language} onChange={(e) => change({ language: e.target.value as Language })}>
              {languages.map((l) => (
                <option key={l.value} value={l.value} lang={l.value === 'system' ? undefined : l.value}>
                  {l.label}
                </option>
              ))}
            </select>
          </div>

          <fieldset className="settings-group">
            <legend>{t('settings.vault')}</legend>
            <label className="check">
              <input
                type="radio"
                name={`${id}-vault`}
                checked={settings.vault === 'keyring'}
                onChange={() => change({ vault: 'keyring' })}
              />
              {t('settings.vaultKeyring')}
            </label>
            <label className="check">
              <input type="radio" name={`${id}-vault`} checked={settings.vault === 'file'} onChange={() => change({ vault: 'file' })} />
              {t('settings.vaultFile')}
            </label>
            {settings.vault === 'file' ? <p className="notice notice-warning settings-note">{t('settings.vaultFileWarning')}</p> : null}
            {settings.vault !== view.vaultInUse ? (
              <p className="muted settings-note" role="status">
                {view.vaultInUse === 'memory' ? t('settings.vaultMemoryNow') : t('settings.vaultNextStart')}
              </p>
            ) : null}
          </fieldset>
        </div>
      )}
      <div className="actions actions-end">
        <button type="button" className="button button-primary" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
    </ModalDialog>
  );
}
