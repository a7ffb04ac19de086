import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { REST_SCOPES } from '@multidesk/protocol';
import { addColleagues, call, postJson, restPortal, signInAs, webhookFor } from './tokens.ts';

/** The seeded members of acme, then 60 colleagues added here so that lists cross a page. */
const ACME_DEMO = ['anna@example.com', 'ben@example.com', 'olivia@example.com', 'marcus@example.com'];
const EXTRA = 60;

const { portal, acme, token: anna } = await restPortal({ signIn: 'anna@example.com' });
const ben = (await signInAs(portal, 'acme', 'ben@example.com')).access_token;
await addColleagues(portal, 'acme', EXTRA, 'colleague', (i) => (i % 2 ? 'Odd' : 'Even'));

const get = (query: string, token = anna) => call(`${acme}/rest/user.get?auth=${token}&${query}`);
const emails = (result: { EMAIL: string }[]) => result.map((u) => u.EMAIL);

describe('user.current and profile', () => {
  test('user.current shows the caller with Bitrix24 user fields', async () => {
    const reply = await call(`${acme}/rest/user.current?auth=${anna}`);
    const user = reply.body.result;
    assert.match(user.ID, /^\d+$/);
    assert.equal(user.ACTIVE, true);
    assert.equal(user.NAME, 'Anna');
    assert.equal(user.LAST_NAME, 'Smirnova');
    assert.equal(user.EMAIL, 'anna@example.com');
    assert.equal(user.WORK_POSITION, 'Project manager');
    assert.equal(user.USER_TYPE, 'employee');
    assert.equal(user.IS_ONLINE, 'N');
    for (const field of ['SECOND_NAME', 'PERSONAL_PHOTO', 'PERSONAL_GENDER', 'TIME_ZONE'])
      assert.equal(typeof user[field], 'string', field);
    assert.ok(Array.isArray(user.UF_DEPARTMENT));
  });

  test('the same person has a different user ID on each portal', async () => {
    const globex = await signInAs(portal, 'globex', 'anna@example.com');
    const there = await call(`${portal.url('globex')}/rest/user.current?auth=${globex.access_token}`);
    const here = await call(`${acme}/rest/user.current?auth=${anna}`);
    assert.equal(there.body.result.EMAIL, 'anna@example.com');
    assert.notEqual(there.body.result.ID, here.body.result.ID);
    assert.equal(there.body.result.ID, String(globex.user_id));
  });

  test('profile says whether the caller administers the portal', async () => {
    const admin = await call(`${acme}/rest/profile?auth=${anna}`);
    const user = await call(`${acme}/rest/profile?auth=${ben}`);
    assert.deepEqual(Object.keys(admin.body.result).sort(), [
      'ADMIN',
      'ID',
      'LAST_NAME',
      'NAME',
      'PERSONAL_GENDER',
      'PERSONAL_PHOTO',
      'TIME_ZONE',
      'TIME_ZONE_OFFSET',
    ]);
    assert.equal(admin.body.result.ADMIN, true);
    assert.equal(user.body.result.ADMIN, false);
    assert.equal(user.body.result.NAME, 'Ben');
  });
});

describe('user.get', () => {
  test('lists only members of the requesting portal', async () => {
    const everyone = [...ACME_DEMO, 'chen@example.com', 'sofia@example.com', 'priya@example.com'];
    const reply = await postJson(`${acme}/rest/user.get`, { auth: anna, filter: { EMAIL: everyone } });
    assert.deepEqual(emails(reply.body.result), ACME_DEMO);
    const outsiderId = (await signInAs(portal, 'initech', 'priya@example.com')).user_id;
    assert.deepEqual((await get(`ID=${outsiderId}`)).body.result, []);
  });

  test('filters by ID, one or several, in FILTER, filter or at the top level', async () => {
    const annaId = (await call(`${acme}/rest/user.current?auth=${anna}`)).body.result.ID;
    const benId = (await call(`${acme}/rest/user.current?auth=${ben}`)).body.result.ID;
    assert.deepEqual(emails((await get(`FILTER[ID]=${benId}`)).body.result), ['ben@example.com']);
    assert.deepEqual(emails((await get(`ID=${annaId}`)).body.result), ['anna@example.com']);
    const both = await postJson(`${acme}/rest/user.get`, { auth: anna, filter: { ID: [annaId, Number(benId)] } });
    assert.deepEqual(emails(both.body.result), ['anna@example.com', 'ben@example.com']);
    assert.equal(both.body.total, 2);
  });

  test('filters by EMAIL, NAME and LAST_NAME without regard to case', async () => {
    assert.deepEqual(emails((await get('filter[EMAIL]=Olivia@Example.com')).body.result), ['olivia@example.com']);
    assert.deepEqual(emails((await get('filter[NAME]=marcus')).body.result), ['marcus@example.com']);
    assert.deepEqual(emails((await get('filter[LAST_NAME]=SMIRNOVA')).body.result), ['anna@example.com']);
    assert.equal((await get('filter[LAST_NAME]=Odd')).body.total, EXTRA / 2);
  });

  test('filters by ACTIVE and shows a deactivated member as ACTIVE false', async () => {
    const [olivia] = (await get('filter[EMAIL]=olivia@example.com')).body.result;
    await portal.db.updateTable('members').set({ active: 0 }).where('id', '=', Number(olivia.ID)).execute();
    try {
      const inactive = await get('filter[ACTIVE]=N');
      assert.deepEqual(emails(inactive.body.result), ['olivia@example.com']);
      assert.equal(inactive.body.result[0].ACTIVE, false);
      const active = await get('filter[ACTIVE]=true&start=-1');
      assert.ok(!emails(active.body.result).includes('olivia@example.com'));
    } finally {
      await portal.db.updateTable('members').set({ active: 1 }).where('id', '=', Number(olivia.ID)).execute();
    }
  });

  test('takes Bitrix24 operator prefixes: >ID, !ID, %NAME', async () => {
    const all = await get('sort=ID&start=-1');
    const ids = all.body.result.map((u: { ID: string }) => Number(u.ID));
    const above = await get(`filter[>ID]=${ids[2]}&start=-1`);
    assert.deepEqual(above.body.result.map((u: { ID: string }) => Number(u.ID)).slice(0, 10), ids.slice(3, 13));
    const notFirst = await get(`filter[!ID]=${ids[0]}&filter[%NAME]=an`);
    assert.ok(!notFirst.body.result.some((u: { ID: string }) => Number(u.ID) === ids[0]));
    assert.deepEqual(emails((await get('filter[%NAME]=LIVI')).body.result), ['olivia@example.com']);
  });

  test('sorts by sort and order, or by an order object', async () => {
    const desc = await get('sort=ID&order=DESC');
    const ids = desc.body.result.map((u: { ID: string }) => Number(u.ID));
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => b - a),
    );
    const byName = await postJson(`${acme}/rest/user.get`, { auth: anna, order: { NAME: 'ASC' }, filter: { EMAIL: ACME_DEMO } });
    assert.deepEqual(
      byName.body.result.map((u: { NAME: string }) => u.NAME),
      ['Anna', 'Ben', 'Marcus', 'Olivia'],
    );
  });

  test('an unknown sort field or direction is 400', async () => {
    for (const query of ['sort=PASSWORD_HASH', 'sort=ID&order=sideways', 'sort=ID;DROP TABLE users']) {
      const reply = await get(query);
      assert.equal(reply.status, 400, query);
      assert.equal(reply.body.error, 'INVALID_ARG_VALUE', query);
    }
  });

  test('a sort that is not a field name (an object, a list, an object with a toString that is not a function, a long text) is 400 and names it briefly', async () => {
    const long = 'x'.repeat(10_000);
    for (const sort of [{ toString: 1 }, [{ toString: 1 }], [['ID']], long]) {
      const reply = await postJson(`${acme}/rest/user.get`, { auth: anna, sort });
      assert.equal(reply.status, 400, JSON.stringify(sort).slice(0, 40));
      assert.equal(reply.body.error, 'INVALID_ARG_VALUE');
      assert.ok(reply.body.error_description.length < 300, reply.body.error_description.slice(0, 300));
    }
  });

  test('pages by 50 from start, with total, and next except on the last page', async () => {
    const total = ACME_DEMO.length + EXTRA;
    const first = await get('');
    assert.equal(first.body.result.length, 50);
    assert.equal(first.body.total, total);
    assert.equal(first.body.next, 50);
    const second = await get(`start=${first.body.next}`);
    assert.equal(second.body.result.length, total - 50);
    assert.equal(second.body.total, total);
    assert.equal('next' in second.body, false);
    const seen = new Set([...emails(first.body.result), ...emails(second.body.result)]);
    assert.equal(seen.size, total);
  });

  test('start=-1 skips counting: neither total nor next', async () => {
    const reply = await get('start=-1');
    assert.equal(reply.body.result.length, 50);
    assert.equal('total' in reply.body, false);
    assert.equal('next' in reply.body, false);
  });

  test('SQL metacharacters in filters are only values', async () => {
    const attacks: [string, string][][] = [
      [['filter[NAME]', "'; DROP TABLE users; --"]],
      [['filter[EMAIL]', "anna@example.com' OR '1'='1"]],
      [['filter[%NAME]', '%']],
      [['filter[%LAST_NAME]', '_']],
      [['filter[LAST_NAME]', '" OR ""="']],
      [
        ['filter[ID) OR (1=1]', '1'],
        ['filter[NAME]', 'nobody'],
      ],
    ];
    for (const pairs of attacks) {
      const reply = await get(new URLSearchParams(pairs).toString());
      assert.equal(reply.status, 200, String(pairs));
      assert.deepEqual(reply.body.result, [], String(pairs));
    }
    const numeric = await get(`filter[ID]=${encodeURIComponent('1 OR 1=1')}`);
    assert.equal(numeric.status, 400);
    assert.equal(numeric.body.error, 'INVALID_ARG_VALUE');
    assert.equal((await call(`${acme}/rest/user.current?auth=${anna}`)).body.result.EMAIL, 'anna@example.com');
  });
});

describe('methods and scope', () => {
  test('methods lists what this auth may call, and full=true lists everything', async () => {
    const hook = await webhookFor(portal, 'acme', 'anna@example.com', ['profile']);
    const mine = (await call(`${hook.url}/methods`)).body.result;
    assert.ok(mine.includes('profile') && mine.includes('batch') && mine.includes('server.time'));
    assert.ok(!mine.includes('user.get'));
    const full = (await call(`${hook.url}/methods?full=true`)).body.result;
    assert.ok(full.includes('user.get') && full.includes('user.current'));
    const ofScope = (await call(`${acme}/rest/methods?auth=${anna}&scope=user`)).body.result;
    assert.deepEqual(ofScope.sort(), ['profile', 'user.current', 'user.get']);
  });

  test('scope lists the scopes of this auth, and full=true every scope', async () => {
    const hook = await webhookFor(portal, 'acme', 'anna@example.com', ['user', 'profile']);
    assert.deepEqual((await call(`${hook.url}/scope`)).body.result, ['user', 'profile']);
    assert.deepEqual((await call(`${hook.url}/scope?full=true`)).body.result, [...REST_SCOPES]);
    const token = (await call(`${acme}/rest/scope?auth=${anna}`)).body.result;
    assert.ok(token.includes('user') && token.includes('im'));
  });

  test('user_basic is enough for user.current and user.get', async () => {
    const hook = await webhookFor(portal, 'acme', 'ben@example.com', ['user_basic']);
    assert.equal((await call(`${hook.url}/user.current`)).body.result.EMAIL, 'ben@example.com');
    assert.equal((await call(`${hook.url}/user.get?ID=1`)).status, 200);
  });
});
