import './localhostDispatcher.ts';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, test } from 'node:test';
import { freePort, PORTAL_CLI } from './cliProcess.ts';
import { postgresEngine } from './storeEngines.ts';

function cli(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [PORTAL_CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the PORTAL_CLI on an embedded SQLite database it cannot use', () => {
  const env = { MULTIDESK_DATABASE: '', MULTIDESK_REDIS: '' };

  test('a folder that cannot be made, or a file that is not a database, is one line naming it', () => {
    const notFolder = cli(['serve', '--port', '0', '--data', '/dev/null/portal'], env);
    assert.equal(notFolder.status, 1);
    assert.match(notFolder.stderr, /^error: cannot open the SQLite database \/dev\/null\/portal\/portal\.sqlite: ENOTDIR[^\n]*\n$/);
    const data = mkdtempSync(join(tmpdir(), 'multidesk-cli-sqlite-'));
    try {
      writeFileSync(join(data, 'portal.sqlite'), 'this is not a database file, only text written where one should be\n');
      const garbage = cli(['seed-demo', '--data', data], env);
      assert.equal(garbage.status, 1);
      assert.equal(garbage.stderr, `error: cannot open the SQLite database ${join(data, 'portal.sqlite')}: file is not a database\n`);
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });

  test('a database a newer Multidesk migrated further is refused by serve, naming the migration', () => {
    const data = mkdtempSync(join(tmpdir(), 'multidesk-cli-newer-'));
    try {
      assert.equal(cli(['seed-demo', '--data', data], env).status, 0);
      const file = new DatabaseSync(join(data, 'portal.sqlite'));
      file.exec(`insert into kysely_migration (name, timestamp) values ('2999-01-01T00-from-the-future', '2999-01-01T00:00:00.000Z')`);
      file.close();
      const refused = cli(['serve', '--port', '0', '--data', data], env);
      assert.equal(refused.status, 1);
      assert.match(
        refused.stderr,
        /^error: the database was migrated by a newer Multidesk \(migration 2999-01-01T00-from-the-future\); this version knows migrations up to \S+: upgrade Multidesk\n$/,
      );
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });
});

describe('the PORTAL_CLI on a database named by --database or MULTIDESK_DATABASE', () => {
  test('what is not a PostgreSQL URL, or --data beside --database, is refused with one line', () => {
    const notUrl = cli(['portal', 'create', '--name', 'x', '--title', 'X', '--database', '/var/lib/portal']);
    assert.equal(notUrl.status, 2);
    assert.match(notUrl.stderr, /^error: --database takes a postgres:\/\/user:pass@host:port\/db URL; .*--data DIR\n$/);
    const both = cli(['seed-demo', '--database', 'postgres://u@127.0.0.1/db', '--data', '/tmp/x']);
    assert.equal(both.status, 2);
    assert.match(both.stderr, /give --database or --data, not both/);
    const fromEnv = cli(['seed-demo'], { MULTIDESK_DATABASE: 'mysql://u@127.0.0.1/db' });
    assert.equal(fromEnv.status, 2);
    assert.match(fromEnv.stderr, /^error: \$MULTIDESK_DATABASE takes a postgres:/);
  });

  test('an unreachable database is one line naming it, without its password, and no stack trace', async () => {
    const port = await freePort();
    for (const command of [['seed-demo'], ['serve', '--port', '0']]) {
      const result = cli([...command, '--database', `postgres://multidesk:s3cret@127.0.0.1:${port}/portal`]);
      assert.equal(result.status, 1, result.stderr);
      assert.equal(
        result.stderr,
        `error: cannot open the PostgreSQL database postgres://multidesk@127.0.0.1:${port}/portal: connect ECONNREFUSED 127.0.0.1:${port}\n`,
      );
    }
  });

  test('a wrong --redis, or one that does not answer, is one line and no stack trace', () => {
    const data = mkdtempSync(join(tmpdir(), 'multidesk-cli-redis-'));
    try {
      const env = { MULTIDESK_DATABASE: '', MULTIDESK_REDIS: '' };
      const unreachable = cli(['serve', '--port', '0', '--data', data, '--redis', 'redis://127.0.0.1:1'], env);
      assert.equal(unreachable.status, 1);
      assert.equal(unreachable.stderr, 'error: cannot reach Redis at 127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1\n');
      const fromEnv = cli(['serve', '--port', '0', '--data', data], { ...env, MULTIDESK_REDIS: 'localhost:6379' });
      assert.equal(fromEnv.status, 1);
      assert.equal(fromEnv.stderr, 'error: --redis takes a redis://host:port URL, not "localhost:6379"\n');
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });

  const engine = postgresEngine();
  describe('on PostgreSQL', { skip: engine.skip ?? false }, () => {
    let database: Awaited<ReturnType<typeof engine.create>> | undefined;
    before(async () => {
      database = await engine.create();
    });
    after(async () => {
      await database?.remove();
      engine.close();
    });

    test('the admin commands and serve work on it: a webhook made by the PORTAL_CLI answers through the server', async () => {
      const url = database?.location ?? '';
      const seeded = cli(['seed-demo', '--database', url]);
      assert.equal(seeded.status, 0, seeded.stderr);
      assert.match(seeded.stdout, /^anna@example\.com password=multidesk-demo portals=acme,globex,initech$/m);
      assert.equal(cli(['seed-demo'], { MULTIDESK_DATABASE: url }).stdout, seeded.stdout, 'seeding again changes nothing');
      const created = cli(['portal', 'create', '--name', 'hooli', '--title', 'Hooli'], { MULTIDESK_DATABASE: url });
      assert.equal(created.status, 0, created.stderr);
      assert.equal(cli(['member', 'add', '--portal', 'hooli', '--email', 'anna@example.com', '--database', url]).status, 0);
      const app = cli([
        'app',
        'create',
        '--portal',
        'hooli',
        '--name',
        'Desk',
        '--redirect-uri',
        'http://127.0.0.1:8765/cb',
        '--database',
        url,
      ]);
      assert.match(app.stdout, /^client_id=local\./m);
      const sso = cli(['sso', 'set', '--portal', 'hooli', '--issuer', 'http://127.0.0.1:1', '--client-id', 'a', '--client-secret', 'b'], {
        MULTIDESK_DATABASE: url,
      });
      assert.equal(sso.status, 0, sso.stderr);

      const port = await freePort();
      const hook = cli([
        'webhook',
        'create',
        '--portal',
        'hooli',
        '--email',
        'anna@example.com',
        '--scope',
        'user',
        '--database',
        url,
        '--public-url',
        `http://localhost:${port}`,
      ]);
      const webhook = hook.stdout.trim().split('\n').at(-1) ?? '';
      assert.match(webhook, /^http:\/\/hooli\.localhost:\d+\/rest\/\d+\/[0-9a-f]+\/$/);

      const server = spawn(process.execPath, [PORTAL_CLI, 'serve', '--port', String(port), '--log-level', 'warn'], {
        env: { ...process.env, MULTIDESK_DATABASE: url },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      server.stderr.on('data', (chunk) => {
        stderr += chunk;
      });
      try {
        let answer: Response | undefined;
        for (let i = 0; i < 100 && !answer; i++) {
          answer = await fetch(`${webhook}user.current`).catch(() => undefined);
          if (!answer) await new Promise((resolve) => setTimeout(resolve, 100));
        }
        assert.equal(answer?.status, 200, stderr);
        const body = (await answer?.json()) as { result: { EMAIL: string } };
        assert.equal(body.result.EMAIL, 'anna@example.com');
      } finally {
        server.kill('SIGTERM');
        await once(server, 'exit');
      }
    });
  });
});
