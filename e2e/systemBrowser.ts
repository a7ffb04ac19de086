import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { waitFor } from './desktopApp.ts';

const CHROMIUM = process.env.CHROME_PATH ?? '/usr/bin/chromium';

/**
 * The user's "system browser" for sign-ins that finish in a browser (single sign-on, a Bitrix24
 * app): a launcher, given to the desktop as `--sso-browser`, that logs what it was asked to open
 * and runs a real Chromium with its own profile and a DevTools port for Playwright.
 */
export class SystemBrowser {
  readonly #work: string;
  readonly #debugPort: number;
  #browser: Browser | null = null;

  constructor(work: string, debugPort: number) {
    this.#work = work;
    this.#debugPort = debugPort;
  }

  /** Writes the launcher; its path is the `--sso-browser` value. */
  writeLauncher(): string {
    const launcher = join(this.#work, 'system-browser.sh');
    const rootFlags = process.getuid?.() === 0 ? ' --no-sandbox --test-type' : '';
    writeFileSync(
      launcher,
      `#!/bin/sh
echo "$1" >> '${join(this.#work, 'opened.log')}'
exec '${CHROMIUM}' --user-data-dir='${join(this.#work, 'system-browser')}' --remote-debugging-port=${this.#debugPort} --no-first-run \\
  --no-default-browser-check --disable-sync --disable-background-networking --disable-component-update \\
  --password-store=basic --window-size=1000,760${rootFlags} "$@"
`,
    );
    chmodSync(launcher, 0o755);
    return launcher;
  }

  /** The URL the desktop last asked the browser to open. */
  lastOpened(): URL {
    const lines = readFileSync(join(this.#work, 'opened.log'), 'utf8').trim().split('\n');
    return new URL(lines[lines.length - 1] as string);
  }

  /** Playwright's hold on the running browser (once it accepts DevTools connections). */
  async connect(): Promise<Browser> {
    this.#browser ??= await waitFor('the system browser to accept DevTools connections', () =>
      chromium.connectOverCDP(`http://127.0.0.1:${this.#debugPort}`, { timeout: 2_000 }),
    );
    return this.#browser;
  }

  get connected(): Browser | null {
    return this.#browser;
  }

  async close(): Promise<void> {
    if (!this.#browser) return;
    const session = await this.#browser.newBrowserCDPSession().catch(() => null);
    await session?.send('Browser.close').catch(() => {});
  }
}
