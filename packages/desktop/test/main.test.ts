import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../src/core/main.ts', import.meta.url));
const profile = mkdtempSync(join(tmpdir(), 'multidesk-main-'));
after(() => rmSync(profile, { recursive: true, force: true }));

function run(args: string[], env: NodeJS.ProcessEnv = process.env) {
  return spawnSync(process.execPath, [MAIN, '--profile', profile, ...args], { encoding: 'utf8', env, timeout: 20_000 });
}

describe('desktop command line', () => {
  test('a browser that cannot be run gives a clear message naming how to install one', () => {
    const result = run(['--browser', '/nonexistent/chromium'], { ...process.env, DISPLAY: process.env.DISPLAY ?? ':99' });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /No browser can be run at \/nonexistent\/chromium/);
    assert.match(result.stderr, /apt-get install chromium/);
    assert.match(result.stderr, /--browser PATH/);
  });

  test('bad options are refused with the usage', () => {
    const vault = run(['--vault', 'paper']);
    assert.equal(vault.status, 2);
    assert.match(vault.stderr, /--vault must be "keyring" or "file"/);
    const unknown = run(['--frobnicate']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /Usage: npm run desktop/);
    const port = run(['--remote-debugging-port', '70000']);
    assert.equal(port.status, 2);
    const ssoBrowser = run(['--no-open', '--sso-browser', '/nonexistent/browser']);
    assert.equal(ssoBrowser.status, 2);
    assert.match(ssoBrowser.stderr, /--sso-browser: no program can be run at \/nonexistent\/browser/);
  });

  test('without a display it prints the two window addresses and keeps running until Ctrl+C', async () => {
    const { DISPLAY: _d, WAYLAND_DISPLAY: _w, ...env } = process.env;
    const child = spawn(process.execPath, [MAIN, '--profile', profile], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 15_000;
    while (!/Messenger: http/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.match(out, /No display was found/);
    assert.match(out, /^Workspace: http:\/\/127\.0\.0\.1:\d+\/boot\/[\w-]+$/m);
    assert.match(out, /^Messenger: http:\/\/127\.0\.0\.1:\d+\/boot\/[\w-]+$/m);
    assert.equal(child.exitCode, null, 'still running');
    child.kill('SIGINT');
    assert.equal(await exited, 0);
  });
});
