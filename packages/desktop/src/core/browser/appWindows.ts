import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { WindowBounds } from '@multidesk/protocol';
import { DevToolsPipe } from './devtoolsPipe.ts';
import { windowFlags } from './windowPlacement.ts';

export interface AppWindowsOptions {
  browser: string;
  userDataDir: string;
  remoteDebuggingPort?: number;
  /** Where the first window opens (the Workspace's last place, windowPlacement.ts); 1280×800 unless given. */
  firstWindow?: WindowBounds | undefined;
}

/** The X11 window class of the app's windows (a .desktop entry's StartupWMClass). */
export const WINDOW_CLASS = 'Multidesk';

/**
 * Both windows in one browser process: the first `--app` launch starts it, the second (same
 * user-data dir) hands its URL to the running process and exits. When the last window closes the
 * browser exits, and `exited` resolves. The first launch also gets a DevTools pipe (devtoolsPipe.ts),
 * through which focus() brings the windows forward.
 */
export class AppWindows {
  readonly #options: AppWindowsOptions;
  #main: ChildProcess | null = null;
  #devtools: DevToolsPipe | null = null;
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
      ...windowFlags(this.#options.firstWindow),
      `--class=${WINDOW_CLASS}`,
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
      this.#main = spawn(this.#options.browser, [...this.#args(url), '--remote-debugging-pipe'], {
        stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'],
        detached: true,
      });
      this.#devtools = new DevToolsPipe(this.#main.stdio[3] as Writable, this.#main.stdio[4] as Readable);
      this.#main.once('exit', () => this.#resolveExited());
      this.#main.once('error', () => this.#resolveExited());
      return;
    }
    const helper = spawn(this.#options.browser, this.#args(url), { stdio: 'ignore' });
    helper.once('error', () => {});
  }

  /** The DevTools pipe of the browser, once it is started (window places, focus). */
  get devtools(): DevToolsPipe | null {
    return this.#devtools;
  }

  /**
   * Brings every app window forward (a later start of Multidesk asks for it); the addresses of
   * the windows that are open.
   */
  async focus(): Promise<string[]> {
    if (!this.#devtools) return [];
    const { targetInfos } = await this.#devtools.send<{ targetInfos: { targetId: string; type: string; url: string }[] }>(
      'Target.getTargets',
    );
    const pages = targetInfos.filter((target) => target.type === 'page');
    for (const page of pages) await this.#devtools.send('Target.activateTarget', { targetId: page.targetId });
    return pages.map((page) => page.url);
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
