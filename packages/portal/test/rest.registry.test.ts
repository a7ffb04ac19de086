import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { phpArray } from '../src/rest/envelope.ts';
import { OperatingMeter } from '../src/rest/operating.ts';
import { parseRestPath } from '../src/rest/path.ts';
import { dispatch, normalizeMethodName, RestRegistry, type RestSession } from '../src/rest/registry.ts';

function sessionWith(registry: RestRegistry, logged: unknown[]): RestSession {
  const now = () => 1_800_000_000_000;
  return {
    ctx: { now } as RestSession['ctx'],
    portal: { id: 1 } as RestSession['portal'],
    auth: { memberId: 7, scopes: ['user'], via: 'webhook', user: {} as RestSession['auth']['user'] },
    registry,
    origin: 'https://acme.localhost',
    meter: new OperatingMeter(now),
    log: { error: (entry: unknown) => logged.push(entry) } as unknown as RestSession['log'],
  };
}

describe('REST dispatch', () => {
  test('a fault in a method answers only "Internal Server Error" and the details go to the log', async () => {
    const logged: unknown[] = [];
    const registry = new RestRegistry([
      {
        'broken.method': {
          scopes: null,
          handler: async () => {
            throw new Error('SQLITE_CORRUPT at /work/main/packages/portal/src/store/x.ts:12');
          },
        },
      },
    ]);
    const outcome = await dispatch(sessionWith(registry, logged), 'Broken.Method.json', {});
    assert.ok(!outcome.ok);
    assert.equal(outcome.failure.code, 'INTERNAL_SERVER_ERROR');
    assert.equal(outcome.failure.status, 500);
    assert.equal(outcome.failure.message, 'Internal Server Error');
    assert.equal(logged.length, 1);
    assert.match(JSON.stringify((logged[0] as { err: Error }).err.message), /SQLITE_CORRUPT/);
  });

  test('operating adds up the time one user spends in one method', async () => {
    const registry = new RestRegistry([{ slow: { scopes: null, handler: async () => ({ result: 1 }) } }]);
    const session = sessionWith(registry, []);
    const first = await dispatch(session, 'slow', {});
    const second = await dispatch(session, 'slow', {});
    assert.ok(first.ok && second.ok);
    assert.ok(second.time.operating >= first.time.operating);
    assert.equal(second.time.operating_reset_at, 1_800_000_600);
  });

  test('a method name is read in any case, spaces around it and one .json suffix dropped', () => {
    for (const [name, normal] of [
      ['user.current', 'user.current'],
      [' User.Current.JSON ', 'user.current'],
      ['a.json.json', 'a.json'],
      ['.json', ''],
      ['json', 'json'],
      ['a.jsonx', 'a.jsonx'],
    ]) {
      assert.equal(normalizeMethodName(name as string), normal, name);
    }
  });

  test('a method name is registered once, whatever its case', () => {
    const method = { scopes: null, handler: async () => ({ result: null }) };
    assert.throws(() => new RestRegistry([{ 'a.b': method }, { 'A.B': method }]), /registered twice/);
  });
});

describe('REST addresses and PHP arrays', () => {
  test('paths name a method, or a webhook and a method; other shapes are refused', () => {
    assert.deepEqual(parseRestPath('/rest/user.current.json?auth=x'), { method: 'user.current.json' });
    assert.deepEqual(parseRestPath('/rest//user.get/'), { method: 'user.get' });
    assert.deepEqual(parseRestPath('/rest/12/s3cret/profile'), {
      method: 'profile',
      webhook: { kind: 'webhook', memberId: 12, secret: 's3cret' },
    });
    for (const path of ['/rest/', '/rest/a/b', '/rest/x/secret/profile', '/rest/1/2/3/4', '/rest/%E0%A4%A']) {
      assert.equal(parseRestPath(path), null, path);
    }
  });

  test('maps keyed 0..n-1 encode as lists, empty ones as [], others as objects', () => {
    assert.deepEqual(phpArray([]), []);
    assert.deepEqual(
      phpArray([
        ['0', 'a'],
        ['1', 'b'],
      ]),
      ['a', 'b'],
    );
    assert.deepEqual(
      phpArray([
        ['1', 'b'],
        ['0', 'a'],
      ]),
      { 1: 'b', 0: 'a' },
    );
    assert.deepEqual(phpArray([['me', 1]]), { me: 1 });
  });
});
