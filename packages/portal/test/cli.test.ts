import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'multidesk-cli-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args, '--data', dataDir], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('portal CLI', () => {
  test('creates a portal, a user, a membership and a webhook whose URL is the last line', () => {
    assert.equal(cli('portal', 'create', '--name', 'hooli', '--title', 'Hooli XYZ').status, 0);
    assert.equal(cli('user', 'create', '--email', 'Gavin@Example.com', '--password', 'long-password').status, 0);
    const member = cli('member', 'add', '--portal', 'hooli', '--email', 'gavin@example.com', '--role', 'admin');
    assert.equal(member.status, 0, member.stderr);
    const hook = cli('webhook', 'create', '--portal', 'hooli', '--email', 'gavin@example.com', '--scope', 'user,task');
    assert.equal(hook.status, 0, hook.stderr);
    const last = hook.stdout.trim().split('\n').at(-1) ?? '';
    assert.match(last, /^http:\/\/hooli\.localhost:8024\/rest\/\d+\/[0-9a-f]{24}\/$/);
  });

  test('bad arguments give a clear message and a non-zero exit', () => {
    const cases: [string[], RegExp][] = [
      [['portal', 'create', '--name', 'Bad Name!', '--title', 'x'], /must be a host label/],
      [['portal', 'create', '--title', 'x'], /--name is required/],
      [['user', 'create', '--email', 'not-an-email', '--password', 'long-password'], /not an e-mail address/],
      [['user', 'create', '--email', 'short@example.com', '--password', 'short'], /password must be/],
      [['member', 'add', '--portal', 'nope', '--email', 'gavin@example.com'], /no portal named "nope"/],
      [['member', 'add', '--portal', 'hooli', '--email', 'gavin@example.com', '--role', 'owner'], /role must be/],
      [['webhook', 'create', '--portal', 'hooli', '--email', 'gavin@example.com', '--scope', 'crm'], /unknown scope "crm"/],
      [['frobnicate'], /unknown command "frobnicate"/],
      [['serve', '--rest-limit', 'fast'], /--rest-limit must be BURST:DRAIN/],
      [['serve', '--trust-proxy', '10.0.0.2,balancer.internal'], /--trust-proxy: "balancer.internal" is not an IP address, a CIDR range/],
      [['serve', '--trust-proxy', '10.0.0.0/33'], /--trust-proxy: "10.0.0.0\/33" is not/],
      [['portal', 'create', '--bogus'], /Unknown option '--bogus'/],
    ];
    for (const [args, message] of cases) {
      const result = cli(...args);
      assert.equal(result.status, 2, `${args.join(' ')} should fail`);
      assert.match(result.stderr, message);
    }
  });

  test('app create prints client_id and client_secret on lines of their own; list shows it, remove ends it', () => {
    const created = cli('app', 'create', '--portal', 'hooli', '--name', 'Desk app', '--redirect-uri', 'http://127.0.0.1:8765/callback');
    assert.equal(created.status, 0, created.stderr);
    const clientId = /^client_id=(local\.[0-9a-f]{14}\.\d{8})$/m.exec(created.stdout)?.[1];
    assert.ok(clientId, created.stdout);
    assert.match(created.stdout, /^client_secret=[A-Za-z0-9_-]{40}$/m);
    assert.match(created.stdout, /scopes user,im,task,pull/);
    const listed = cli('app', 'list', '--portal', 'hooli');
    assert.match(
      listed.stdout,
      new RegExp(
        `^${clientId.replace(/\./g, '\\.')}  "Desk app"  scopes=user,im,task,pull  handler=http://127\\.0\\.0\\.1:8765/callback$`,
        'm',
      ),
    );
    assert.doesNotMatch(listed.stdout, /secret/);
    assert.equal(cli('app', 'remove', '--portal', 'hooli', '--client-id', clientId).status, 0);
    assert.match(cli('app', 'list', '--portal', 'hooli').stdout, /no apps on hooli/);
    assert.match(cli('app', 'remove', '--portal', 'hooli', '--client-id', clientId).stderr, /has no app with client id/);
  });

  test('app create refuses a bad handler URL or scope with a clear message', () => {
    const base = ['app', 'create', '--portal', 'hooli', '--name', 'X'];
    const cases: [string[], RegExp][] = [
      [[...base, '--redirect-uri', 'not a url'], /is not a URL/],
      [[...base, '--redirect-uri', 'ftp://127.0.0.1/cb'], /must be an http\(s\) URL/],
      [[...base, '--redirect-uri', 'http://example.com/cb'], /must use https unless it is on this machine/],
      [[...base, '--redirect-uri', 'https://example.com/cb#x'], /#fragment/],
      [[...base, '--redirect-uri', 'https://example.com/cb', '--scope', 'crm'], /unknown scope "crm"/],
      [['app', 'create', '--portal', 'hooli', '--redirect-uri', 'https://example.com/cb'], /--name is required/],
      [['app', 'create', '--portal', 'nope', '--name', 'X', '--redirect-uri', 'https://example.com/cb'], /no portal named "nope"/],
    ];
    for (const [args, message] of cases) {
      const result = cli(...args);
      assert.equal(result.status, 2, `${args.join(' ')} should fail`);
      assert.match(result.stderr, message);
    }
  });

  test('a duplicate portal or user is refused', () => {
    assert.match(cli('portal', 'create', '--name', 'hooli', '--title', 'Again').stderr, /exists already/);
    assert.match(cli('user', 'create', '--email', 'gavin@example.com', '--password', 'long-password').stderr, /exists already/);
  });

  test('seed-demo prints one line per demo user and a second run changes nothing', () => {
    const first = cli('seed-demo');
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /^chen@example\.com password=multidesk-demo totp_secret=[A-Z2-7]{32} portals=initech$/m);
    assert.match(first.stdout, /^anna@example\.com password=multidesk-demo portals=acme,globex,initech$/m);
    assert.equal(cli('seed-demo').stdout, first.stdout);
  });

  test('enabling TOTP prints a secret and ten recovery codes', () => {
    const result = cli('user', 'totp', 'enable', '--email', 'gavin@example.com');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^totp_secret=[A-Z2-7]{32}$/m);
    assert.equal(result.stdout.match(/^[a-z0-9]{5}-[a-z0-9]{5}$/gm)?.length, 10);
  });
});
