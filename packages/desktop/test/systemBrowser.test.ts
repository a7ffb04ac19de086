import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { systemBrowser } from '../src/core/browser/systemBrowser.ts';

const dir = mkdtempSync(join(tmpdir(), 'multidesk-browser-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('the browser single sign-on opens', () => {
  test('--sso-browser gets the URL as its one argument, never through a shell', async () => {
    const browser = join(dir, 'browser.sh');
    const out = join(dir, 'args');
    writeFileSync(browser, `#!/bin/sh\nprintf '%s\\n' "$#" "$@" > '${out}'\n`);
    chmodSync(browser, 0o755);
    const url = 'http://initech.localhost:8024/sso/desktop/start?a=1&b=$(touch pwned)&c=`x` ;\'"';
    await systemBrowser(browser)(url);
    for (let i = 0; i < 50 && !readFileSync(out, { flag: 'a+' }).length; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(readFileSync(out, 'utf8').split('\n').slice(0, 2), ['1', url]);
  });

  test('a browser that cannot be started is an error naming it', async () => {
    await assert.rejects(systemBrowser(join(dir, 'missing'))('http://example.com/'), /missing could not be started \(ENOENT\)/);
  });
});
