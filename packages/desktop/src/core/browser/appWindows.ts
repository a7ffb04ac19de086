import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

export interface AppWindowsOptions {
  browser: string;
  userDataDir: string;
  remoteDebuggingPort?: number;
}

/**
 * Both windows in one browser process: the first `--app` launch starts it, the second (same
 * user-data dir) hands its URL to the running process and exits. When the last window closes the
 * browser exits, and `exited` resolves.
 */
export class AppWindows {
  readonly #options: AppWindowsOptions;
  #main: ChildProcess | null = null;
  readonly exited: Promise<void>;
  #resolveExited: () => void = () => {};

  constructor(options: AppWindowsOptions) {
    this.#options = options;
    this.exited = new Promise((resolve) => {
      this.#resolveExited = resolve;
    });
  }

  #args(url: string): string[] {
    const args = [
      `--app=${url}`,
      `--user-data-dir=${this.#options.userDataDir}`,
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-sync',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-features=Translate,MediaRouter',
      '--password-store=basic',
      '--window-size=1280,800',
    ];
    // Chromium refuses to run as root with its sandbox; --test-type hides the warning bar about it.
    if (process.getuid?.() === 0) args.push('--no-sandbox', '--test-type');
    if (this.#options.remoteDebuggingPort !== undefined) args.push(`--remote-debugging-port=${this.#options.remoteDebuggingPort}`);
    return args;
  }

  open(url: string): void {
    if (!this.#main) {
      // A stale port file from a crashed run would point automation at a dead browser.
      rmSync(join(this.#options.userDataDir, 'DevToolsActivePort'), { force: true });
      this.#main = spawn(this.#options.browser, this.#args(url), { stdio: 'ignore', detached: true });
      this.#main.once('exit', () => this.#resolveExited());
      this.#main.once('error', () => this.#resolveExited());
      return;
    }
    const helper = spawn(this.#options.browser, this.#args(url), { stdio: 'ignore' });
    helper.once('error', () => {});
  }

  /** Ends the browser and every process it started (its process group). */
  async close(): Promise<void> {
    const main = this.#main;
    if (!main?.pid || main.exitCode !== null) return;
    const group = -main.pid;
    try {
      process.kill(group, 'SIGTERM');
    } catch {
      return;
    }
    const killed = await Promise.race([this.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 3_000))]);
    if (!killed) {
      try {
        process.kill(group, 'SIGKILL');
      } catch {}
    }
  }
}
