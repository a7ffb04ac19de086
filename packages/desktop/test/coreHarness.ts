import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccountView, ChatDelta } from '@multidesk/protocol';
import type { TestPortal } from '../../portal/test/harness.ts';
import { type Core, type CoreOptions, openCore } from '../src/core/core.ts';
import type { SecretVault } from '../src/core/vault/secretVault.ts';

/** A desktop core (no windows) over a profile folder and a vault; `profileDir` reuses one for restarts. */
export async function startTestCore(
  vault: SecretVault,
  profileDir?: string,
  options: Pick<CoreOptions, 'openUrl' | 'ssoTimeoutMs' | 'appRedirectPort' | 'now' | 'goOnlineLater'> = {},
): Promise<Core & { profileDir: string; removeProfile(): void }> {
  const dir = profileDir ?? mkdtempSync(join(tmpdir(), 'multidesk-profile-'));
  const core = await openCore({
    profileDir: dir,
    vault,
    device: { name: 'Multidesk test', os: 'Linux test', appVersion: '0.0.0' },
    ...options,
  });
  return { ...core, profileDir: dir, removeProfile: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Signs `login` (demo password) in to the portal `name` served at `port`; the account it made. */
export async function signInAt(core: Core, port: number, name: string, login = 'anna@example.com'): Promise<AccountView> {
  const result = await core.signIns.password({ address: `${name}.localhost:${port}`, login, password: 'multidesk-demo' });
  assert.ok(result.ok, `${login} on ${name}: ${JSON.stringify(result)}`);
  return result.account;
}

/** Signs the core in to each named portal as `login` (demo password); the account ids by portal name. */
export async function signInEach(
  core: Core,
  portal: TestPortal,
  names: string[],
  login = 'anna@example.com',
): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const name of names) ids[name] = (await signInAt(core, portal.port, name, login)).id;
  return ids;
}

/** Polls `check` every 50 ms; fails the test with `what` after `ms`. */
export async function until(check: () => boolean | Promise<boolean>, what: string | (() => string), ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out: ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The account's next chat change (for `dialogId`, when given): applied by the core (`delta`, with
 * what changed) or left for windows to reload (`changed`). Fails the test after `ms`.
 */
export function nextChatChange(
  core: Core,
  accountId: string,
  dialogId?: string,
  ms = 10_000,
): Promise<{ dialogId: string | undefined; delta?: ChatDelta }> {
  return new Promise((resolve, reject) => {
    const stop = () => {
      clearTimeout(timer);
      core.chats.off('delta', onDelta);
      core.chats.off('changed', onChanged);
    };
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no chat change for ${dialogId ?? 'any dialog'} of ${accountId}`));
    }, ms);
    const onDelta = (id: string, delta: ChatDelta) => {
      if (id !== accountId || (dialogId !== undefined && delta.dialogId !== dialogId)) return;
      stop();
      resolve({ dialogId: delta.dialogId, delta });
    };
    const onChanged = (id: string, changed?: string) => {
      if (id !== accountId || changed === undefined || (dialogId !== undefined && changed !== dialogId)) return;
      stop();
      resolve({ dialogId: changed });
    };
    core.chats.on('delta', onDelta);
    core.chats.on('changed', onChanged);
  });
}
