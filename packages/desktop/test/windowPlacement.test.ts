import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { WindowBounds } from '@multidesk/protocol';
import { type PlacementStore, WindowPlacement, windowFlags } from '../src/core/browser/windowPlacement.ts';
import { moveSecrets } from '../src/core/vault/createVault.ts';
import { MemoryVault } from '../src/core/vault/memoryVault.ts';

/** A browser with pages in windows, answering the DevTools calls WindowPlacement makes. */
function fakeBrowser(pages: { targetId: string; url: string; windowId: number }[]) {
  const windows = new Map<number, Record<string, unknown>>(
    pages.map((p) => [p.windowId, { left: 0, top: 0, width: 1280, height: 800, windowState: 'normal' }]),
  );
  const calls: [string, Record<string, unknown> | undefined][] = [];
  const send = async <T>(method: string, params?: Record<string, unknown>): Promise<T> => {
    calls.push([method, params]);
    if (method === 'Target.getTargets') return { targetInfos: pages.map((p) => ({ ...p, type: 'page' })) } as T;
    if (method === 'Browser.getWindowForTarget') {
      const page = pages.find((p) => p.targetId === params?.targetId);
      assert.ok(page);
      return { windowId: page.windowId, bounds: { ...windows.get(page.windowId) } } as T;
    }
    if (method === 'Browser.setWindowBounds') {
      const id = params?.windowId as number;
      windows.set(id, { ...windows.get(id), ...(params?.bounds as object) });
      return {} as T;
    }
    throw new Error(method);
  };
  return { send, windows, calls, pages };
}

function memoryStore(initial: Partial<Record<'workspace' | 'messenger', WindowBounds>> = {}): PlacementStore & { saved: typeof initial } {
  const saved = { ...initial };
  return {
    saved,
    get: (kind) => saved[kind],
    set: (kind, bounds) => {
      saved[kind] = bounds;
    },
  };
}

describe('window places', () => {
  test('a window is put where its kind was last; a move is kept; other pages are not ours', async () => {
    const browser = fakeBrowser([
      { targetId: 'a', url: 'http://127.0.0.1:5/workspace', windowId: 1 },
      { targetId: 'b', url: 'http://127.0.0.1:5/messenger', windowId: 2 },
      { targetId: 'c', url: 'https://example.com/', windowId: 3 },
    ]);
    const store = memoryStore({ messenger: { left: 50, top: 60, width: 900, height: 700 } });
    const placement = new WindowPlacement(browser.send, store);
    await placement.poll();
    assert.deepEqual(browser.windows.get(2), { left: 50, top: 60, width: 900, height: 700, windowState: 'normal' });
    assert.deepEqual(store.saved.workspace, { left: 0, top: 0, width: 1280, height: 800 }, 'the Workspace had no place: where it is now');
    assert.equal(
      browser.calls.some(([m, p]) => m === 'Browser.getWindowForTarget' && p?.targetId === 'c'),
      false,
    );

    browser.windows.set(2, { left: 10, top: 20, width: 800, height: 600, windowState: 'normal' });
    await placement.poll();
    assert.deepEqual(store.saved.messenger, { left: 10, top: 20, width: 800, height: 600 });

    // Maximized: kept as such, with the size to go back to; minimized says nothing.
    browser.windows.set(2, { left: 0, top: 0, width: 1280, height: 800, windowState: 'maximized' });
    await placement.poll();
    assert.deepEqual(store.saved.messenger, { left: 10, top: 20, width: 800, height: 600, maximized: true });
    browser.windows.set(2, { left: 0, top: 0, width: 1280, height: 800, windowState: 'minimized' });
    await placement.poll();
    assert.deepEqual(store.saved.messenger, { left: 10, top: 20, width: 800, height: 600, maximized: true });
  });

  test('a window that opens again (a new page) is placed, maximized again if it was', async () => {
    const browser = fakeBrowser([{ targetId: 'm1', url: 'http://127.0.0.1:5/messenger', windowId: 7 }]);
    const store = memoryStore({ messenger: { left: 5, top: 6, width: 700, height: 500, maximized: true } });
    await new WindowPlacement(browser.send, store).poll();
    const sets = browser.calls.filter(([m]) => m === 'Browser.setWindowBounds').map(([, p]) => p?.bounds);
    assert.deepEqual(sets, [{ windowState: 'normal' }, { left: 5, top: 6, width: 700, height: 500 }, { windowState: 'maximized' }]);
  });

  test("the first window's flags say its last place", () => {
    assert.deepEqual(windowFlags(undefined), ['--window-size=1280,800']);
    assert.deepEqual(windowFlags({ left: 3, top: 4, width: 1000, height: 700 }), ['--window-size=1000,700', '--window-position=3,4']);
    assert.deepEqual(windowFlags({ left: 3, top: 4, width: 1000, height: 700, maximized: true }).at(-1), '--start-maximized');
  });
});

describe('where sign-ins are kept', () => {
  test('moving to another vault copies each account’s secret there and removes it from the old one', async () => {
    const from = new MemoryVault();
    const to = new MemoryVault();
    await from.set('acc-1', 'secret-1');
    await from.set('acc-2', 'secret-2');
    await to.set('acc-2', 'older');
    assert.equal(await moveSecrets(from, to, ['acc-1', 'acc-2', 'acc-3']), 2);
    assert.equal(await to.get('acc-1'), 'secret-1');
    assert.equal(await to.get('acc-2'), 'secret-2', 'the place used last holds the newest');
    assert.equal(await from.get('acc-1'), null);
    assert.equal(await from.get('acc-2'), null);
  });
});
