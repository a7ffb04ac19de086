import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { keepUnchanged } from '../src/ui/shared/keepUnchanged.ts';

describe('keepUnchanged', () => {
  test('a value equal to the previous one is the previous one, however deep', () => {
    const previous = { accounts: [{ id: 'a', unread: 1, scopes: ['im'] }], vault: { kind: 'file' } };
    const next = JSON.parse(JSON.stringify(previous)) as typeof previous;
    assert.equal(keepUnchanged(previous, next), previous);
  });

  test('what changed is new; its unchanged siblings and their parts are the previous objects', () => {
    const previous = {
      accounts: [
        { id: 'a', unread: 1 },
        { id: 'b', unread: 2, problem: { code: 'x' } },
      ],
      vault: { kind: 'file' },
    };
    const next = {
      accounts: [
        { id: 'a', unread: 5 },
        { id: 'b', unread: 2, problem: { code: 'x' } },
      ],
      vault: { kind: 'file' },
    };
    const kept = keepUnchanged(previous, next);
    assert.deepEqual(kept, next);
    assert.notEqual(kept, previous);
    assert.notEqual(kept.accounts, previous.accounts);
    assert.notEqual(kept.accounts[0], previous.accounts[0]);
    assert.equal(kept.accounts[1], previous.accounts[1]);
    assert.equal(kept.vault, previous.vault);
  });

  test('a field added or taken away, an item added or taken away, a changed kind of value: new', () => {
    const cases: [unknown, unknown][] = [
      [{ a: 1 }, { a: 1, b: 2 }],
      [{ a: 1, b: 2 }, { a: 1 }],
      [{ a: 1, b: undefined }, { a: 1 }],
      [
        [1, 2],
        [1, 2, 3],
      ],
      [
        [1, 2, 3],
        [1, 2],
      ],
      [{ a: [1] }, { a: { 0: 1 } }],
      [{ a: null }, { a: {} }],
      [{ a: 1 }, { a: '1' }],
    ];
    for (const [previous, next] of cases) {
      const kept = keepUnchanged(previous, next);
      assert.notEqual(kept, previous, JSON.stringify([previous, next]));
      assert.deepEqual(kept, next);
    }
  });

  test('items keep their previous objects by position', () => {
    const previous = [{ id: 'a' }, { id: 'b' }];
    const kept = keepUnchanged(previous, [{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
    assert.equal(kept[0], previous[0]);
    assert.equal(kept[1], previous[1]);
    assert.deepEqual(kept[2], { id: 'c' });
  });
});
