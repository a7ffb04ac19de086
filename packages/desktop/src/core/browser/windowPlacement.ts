import type { WindowBounds } from '@multidesk/protocol';

/** A DevTools call to the browser (devtoolsPipe.ts). */
export type DevToolsSend = <T>(method: string, params?: Record<string, unknown>) => Promise<T>;

export type WindowKindName = 'workspace' | 'messenger';

/** Where each window's place is kept (the settings file). */
export interface PlacementStore {
  get(kind: WindowKindName): WindowBounds | undefined;
  set(kind: WindowKindName, bounds: WindowBounds): void;
}

interface CdpBounds {
  left?: number;
  top?: number;
  width?: number;
  height?: number;
  windowState?: 'normal' | 'minimized' | 'maximized' | 'fullscreen';
}

/** How often the windows' places are read: a move or resize is kept within this long. */
const POLL_MS = 1_000;

/** The app window a page is, by its address (`/workspace`, `/messenger`); others are not ours. */
function kindOf(url: string): WindowKindName | null {
  const path = URL.parse(url)?.pathname;
  return path === '/workspace' ? 'workspace' : path === '/messenger' ? 'messenger' : null;
}

/**
 * Remembers each window's size and place, and gives it back when the window opens again (this run
 * or the next). Chromium says where a page's window is (`Browser.getWindowForTarget`) but not when it
 * moves, so the windows are read once a second and a change is stored; a window that appears is put
 * where its kind was last (`Browser.setWindowBounds`), maximized again if it was.
 */
export class WindowPlacement {
  readonly #send: DevToolsSend;
  readonly #store: PlacementStore;
  readonly #pollMs: number;
  /** Pages seen, with their kind; a new one is placed before it is read. */
  readonly #seen = new Map<string, WindowKindName>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  constructor(send: DevToolsSend, store: PlacementStore, pollMs = POLL_MS) {
    this.#send = send;
    this.#store = store;
    this.#pollMs = pollMs;
  }

  start(): void {
    this.#stopped = false;
    const tick = () => {
      if (this.#stopped) return;
      void this.poll()
        .catch(() => undefined)
        .finally(() => {
          if (!this.#stopped) this.#timer = setTimeout(tick, this.#pollMs);
        });
    };
    tick();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  /** One look at the windows: place the new ones, keep where the others are. */
  async poll(): Promise<void> {
    const { targetInfos } = await this.#send<{ targetInfos: { targetId: string; type: string; url: string }[] }>('Target.getTargets');
    const live = new Set<string>();
    for (const target of targetInfos) {
      const kind = target.type === 'page' ? kindOf(target.url) : null;
      if (!kind) continue;
      live.add(target.targetId);
      const { windowId, bounds } = await this.#send<{ windowId: number; bounds: CdpBounds }>('Browser.getWindowForTarget', {
        targetId: target.targetId,
      });
      if (!this.#seen.has(target.targetId)) {
        this.#seen.set(target.targetId, kind);
        const saved = this.#store.get(kind);
        if (saved) {
          await this.#place(windowId, saved);
          continue;
        }
      }
      this.#record(kind, bounds);
    }
    for (const id of this.#seen.keys()) if (!live.has(id)) this.#seen.delete(id);
  }

  async #place(windowId: number, saved: WindowBounds): Promise<void> {
    // A maximized or minimized window takes no size: it is made normal first.
    await this.#send('Browser.setWindowBounds', { windowId, bounds: { windowState: 'normal' } });
    const { left, top, width, height } = saved;
    await this.#send('Browser.setWindowBounds', { windowId, bounds: { left, top, width, height } });
    if (saved.maximized) await this.#send('Browser.setWindowBounds', { windowId, bounds: { windowState: 'maximized' } });
  }

  #record(kind: WindowKindName, bounds: CdpBounds): void {
    const state = bounds.windowState ?? 'normal';
    // Minimized or full screen says nothing about where the window should open.
    if (state === 'minimized' || state === 'fullscreen') return;
    const previous = this.#store.get(kind);
    let next: WindowBounds;
    if (state === 'maximized') {
      if (!previous) return;
      // The size to go back to when it is no longer maximized stays the one it had before.
      next = { ...previous, maximized: true };
    } else {
      const { left, top, width, height } = bounds;
      if (left === undefined || top === undefined || width === undefined || height === undefined) return;
      if (width < 200 || height < 150) return;
      next = { left, top, width, height };
    }
    if (previous && sameBounds(previous, next)) return;
    this.#store.set(kind, next);
  }
}

function sameBounds(a: WindowBounds, b: WindowBounds): boolean {
  return a.left === b.left && a.top === b.top && a.width === b.width && a.height === b.height && !!a.maximized === !!b.maximized;
}

/** Chromium's flags for the first window, where its kind was last: it opens there rather than jumping. */
export function windowFlags(bounds: WindowBounds | undefined): string[] {
  if (!bounds) return ['--window-size=1280,800'];
  return [
    `--window-size=${bounds.width},${bounds.height}`,
    `--window-position=${bounds.left},${bounds.top}`,
    ...(bounds.maximized ? ['--start-maximized'] : []),
  ];
}
