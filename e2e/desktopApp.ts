import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

const MAIN = fileURLToPath(new URL('../packages/desktop/src/core/main.ts', import.meta.url));
export const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
const BROWSER = process.env.CHROME_PATH ?? '/usr/bin/chromium';

/** A loopback port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

export interface DesktopApp {
  core: ChildProcess;
  browser: Browser;
  workspace: Page;
  messenger: Page;
  output(): string;
  /** Ends the app as a user would (Ctrl+C on the core) and waits until every process is gone. */
  quit(): Promise<void>;
}

/**
 * The real desktop app: the core as its own process, which opens both windows in the system
 * Chromium (under Xvfb in the test command); Playwright attaches over the DevTools protocol.
 */
/**
 * The windows speak English (the UI contract's names are the English ones): the system language is
 * forced to C unless `env` says otherwise (a test of the Russian UI gives `LANG: 'ru_RU.UTF-8'`).
 */
export async function launchDesktop(profileDir: string, extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<DesktopApp> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const debugPort = await freePort();
  const core = spawn(
    process.execPath,
    [MAIN, '--profile', profileDir, '--browser', BROWSER, '--remote-debugging-port', String(debugPort), ...extraArgs],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LANG: 'C', LC_ALL: '', LC_MESSAGES: '', ...env },
    },
  );
  let output = '';
  core.stdout?.on('data', (c) => {
    output += c;
  });
  core.stderr?.on('data', (c) => {
    output += c;
  });
  const exited = new Promise<void>((resolve) => core.once('exit', () => resolve()));
  try {
    const browser = await waitFor('the browser to accept DevTools connections', async () => {
      if (core.exitCode !== null) throw new Error(`the desktop exited early: ${output}`);
      return chromium.connectOverCDP(`http://127.0.0.1:${debugPort}`, { timeout: 2_000 });
    });
    const page = (suffix: string) =>
      waitFor(`the ${suffix} window`, async () => {
        for (const context of browser.contexts()) {
          const found = context.pages().find((p) => new URL(p.url()).pathname === suffix);
          if (found) return found;
        }
        return undefined;
      });
    const workspace = await page('/workspace');
    const messenger = await page('/messenger');
    for (const p of [workspace, messenger]) await p.setViewportSize({ width: 1280, height: 800 });
    await workspace.waitForLoadState('domcontentloaded');
    await messenger.waitForLoadState('domcontentloaded');
    return {
      core,
      browser,
      workspace,
      messenger,
      output: () => output,
      quit: async () => {
        await browser.close().catch(() => {});
        if (core.exitCode === null) core.kill('SIGINT');
        await exited;
      },
    };
  } catch (error) {
    core.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n--- desktop output ---\n${output}`);
  }
}
