import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AdminInputError } from '../src/admin/directory.ts';
import { type SsoInput, setSsoChecked } from '../src/admin/sso.ts';
import { seedDemo } from '../src/seed/demo.ts';
import { type Db, openDatabase } from '../src/store/database.ts';

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'multidesk-sso-cli-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args, '--data', dataDir], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const SET = ['sso', 'set', '--portal', 'initech', '--issuer', 'http://localhost:8025', '--client-id', 'multidesk-portal'];

describe('portal CLI: sso', () => {
  before(() => {
    assert.equal(cli('seed-demo').status, 0);
  });

  test('seed-demo says dora signs in to initech only through single sign-on', () => {
    assert.match(cli('seed-demo').stdout, /^dora@example\.com sso_only idp_password=multidesk-demo portals=initech$/m);
  });

  test('sso set saves the settings and names the redirect URI to register; sso show prints all but the secret', () => {
    const set = cli(...SET, '--client-secret', 'very-secret-value', '--domain', 'Example.com', '--jit');
    assert.equal(set.status, 0, set.stderr);
    assert.match(set.stdout, /register http:\/\/initech\.localhost:8024\/sso\/callback there/);
    const show = cli('sso', 'show', '--portal', 'initech');
    assert.equal(show.status, 0, show.stderr);
    assert.match(show.stdout, /^issuer http:\/\/localhost:8025$/m);
    assert.match(show.stdout, /^client_id multidesk-portal$/m);
    assert.match(show.stdout, /^client_secret \(set; not shown\)$/m);
    assert.match(show.stdout, /^domain example\.com$/m);
    assert.match(show.stdout, /^jit on/m);
    assert.match(show.stdout, /^redirect_uri http:\/\/initech\.localhost:8024\/sso\/callback/m);
    assert.doesNotMatch(show.stdout + show.stderr, /very-secret-value/);
  });

  test('sso set again replaces the settings (no --jit: off)', () => {
    assert.equal(cli(...SET, '--client-secret', 's2', '--domain', 'example.com').status, 0);
    assert.match(cli('sso', 'show', '--portal', 'initech').stdout, /^jit off$/m);
  });

  test('a plain http issuer beyond this machine is accepted with a warning', () => {
    const result = cli('sso', 'set', '--portal', 'acme', '--issuer', 'http://idp.example.com', '--client-id', 'a', '--client-secret', 'b');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /warning: the issuer is plain http/);
  });

  test('sso remove turns it off; show says so', () => {
    const removed = cli('sso', 'remove', '--portal', 'acme');
    assert.equal(removed.status, 0);
    assert.match(removed.stdout, /single sign-on is off for acme/);
    assert.match(cli('sso', 'show', '--portal', 'acme').stdout, /single sign-on is off for acme/);
    assert.match(cli('sso', 'remove', '--portal', 'acme').stdout, /was not set up for acme/);
  });

  test('bad arguments give a clear message and exit 2, and save nothing', () => {
    const cases: [string[], RegExp][] = [
      [
        ['sso', 'set', '--portal', 'nope', '--issuer', 'https://idp.example', '--client-id', 'a', '--client-secret', 'b'],
        /no portal named "nope"/,
      ],
      [
        ['sso', 'set', '--portal', 'initech', '--issuer', 'ftp://idp.example', '--client-id', 'a', '--client-secret', 'b'],
        /--issuer must be an http\(s\) URL/,
      ],
      [['sso', 'set', '--portal', 'initech', '--issuer', 'https://idp.example', '--client-id', 'a'], /--client-secret is required/],
      [['sso', 'show'], /--portal is required/],
    ];
    for (const [args, message] of cases) {
      const result = cli(...args);
      assert.equal(result.status, 2, `${args.join(' ')} should fail: ${result.stdout}`);
      assert.match(result.stderr, message, args.join(' '));
    }
    assert.match(cli('sso', 'show', '--portal', 'initech').stdout, /^issuer http:\/\/localhost:8025$/m);
  });
});

describe('sso settings checks', () => {
  let db: Db;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'multidesk-sso-admin-'));
    db = await openDatabase(dir);
    await seedDemo(db, Date.now());
  });
  after(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  test('each bad value is refused with a message that names it', async () => {
    const good = { portal: 'initech', issuer: 'https://idp.example', clientId: 'a', clientSecret: 'b' };
    const cases: [Partial<SsoInput>, RegExp][] = [
      [{ portal: 'nope' }, /no portal named "nope"/],
      [{ issuer: 'ftp://idp.example' }, /--issuer must be an http\(s\) URL/],
      [{ issuer: 'not a url' }, /--issuer must be an http\(s\) URL/],
      [{ issuer: 'https://idp.example/?x=1' }, /no query/],
      [{ issuer: 'https://user@idp.example' }, /no query, fragment or user name/],
      [{ clientId: 'a b' }, /--client-id must be/],
      [{ clientSecret: 'x'.repeat(1001) }, /--client-secret must be/],
      [{ domain: 'not a domain' }, /--domain must be a domain name/],
      [{ jit: true }, /--jit needs --domain/],
    ];
    for (const [change, message] of cases) {
      await assert.rejects(
        setSsoChecked(db, { ...good, ...change }, Date.now()),
        (err: Error) => err instanceof AdminInputError && message.test(err.message),
      );
    }
    assert.equal((await db.selectFrom('sso_settings').selectAll().execute()).length, 0);
    const saved = await setSsoChecked(db, { ...good, domain: '@Example.COM', jit: true }, Date.now());
    assert.deepEqual([saved.domain, saved.jit, saved.client_secret], ['example.com', 1, 'b']);
  });
});
