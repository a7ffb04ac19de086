import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './desktopApp.ts';

const CLI = fileURLToPath(new URL('../packages/portal/src/cli.ts', import.meta.url));

/**
 * The portal server as its own process, as it runs in production (`npm run portal -- serve`), over
 * its own data folder with the demo data: a test can kill it outright (SIGKILL, no goodbye to any
 * client) and start it again on the same port and data.
 */
export class PortalProcess {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'multidesk-e2e-portal-'));
  readonly port: number;
  /** More `serve` options (e.g. `--rest-limit off` for a test that sends thousands of requests). */
  readonly #serveArgs: string[];
  #child: ChildProcess | null = null;

  private constructor(port: number, serveArgs: string[]) {
    this.port = port;
    this.#serveArgs = serveArgs;
  }

  static async start(options: { serveArgs?: string[] } = {}): Promise<PortalProcess> {
    const portal = new PortalProcess(await freePort(), options.serveArgs ?? []);
    execFileSync(process.execPath, [CLI, 'seed-demo', '--data', portal.dataDir, '--public-url', `http://localhost:${portal.port}`], {
      stdio: 'ignore',
    });
    await portal.resume();
    return portal;
  }

  url(portal: string): string {
    return `http://${portal}.localhost:${this.port}`;
  }

  /** Starts the server (again) and waits until it answers. */
  async resume(): Promise<void> {
    let output = '';
    const child = spawn(
      process.execPath,
      [CLI, 'serve', '--data', this.dataDir, '--port', String(this.port), '--log-level', 'warn', ...this.#serveArgs],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout?.on('data', (c) => {
      output += c;
    });
    child.stderr?.on('data', (c) => {
      output += c;
    });
    this.#child = child;
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the portal exited: ${output}`);
      const up = await fetch(`http://127.0.0.1:${this.port}/`, { signal: AbortSignal.timeout(1_000) }).then(
        () => true,
        () => false,
      );
      if (up) return;
      if (Date.now() > deadline) throw new Error(`the portal did not start: ${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Kills the server at once, as a crash or a power cut would. */
  async kill(): Promise<void> {
    const child = this.#child;
    this.#child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async close(): Promise<void> {
    await this.kill();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
