/**
 * Desktop footprint and responsiveness (issue 14), all in one run against a real portal with the
 * demo data. Prints JSON, then a table with the goals beside the figures. Needs a display:
 *
 *   xvfb-run -a -s "-screen 0 1280x800x24" npx node bench/desktop.ts [--switches 100] [--quiet-wait 180]
 *
 * - Baseline: the bare browser, started the way the app starts it (AppWindows itself, so the same
 *   binary, the same flags, a fresh `<profile>/browser` user-data dir and a DevTools port), opening
 *   two `--app` windows, the second a second later (as main.ts does), on two tiny pages served from
 *   a local HTTP server. Playwright attaches over CDP and sets the viewport, as for the app.
 * - Multidesk with 1, 5 and 10 connected accounts: the real app (core process + both windows),
 *   launched as the E2E tests launch it, with `--vault file`.
 * - PSS: the sum of `Pss` in /proc/<pid>/smaps_rollup over the process tree (the browser and every
 *   process below it; for Multidesk also the core's Node process, the root of its tree), the median
 *   of five samples once every window has loaded and settled. PSS splits shared file pages (the
 *   browser's code) with every process mapping them, other people's test browsers too: the bench
 *   waits up to --quiet-wait seconds for none to run and prints how many did. Beside PSS, its
 *   anonymous and shared-memory part (Pss_Anon + Pss_Shmem), which other processes do not move.
 * - Cold start: spawn (of the core; of the browser for the baseline) to the frame in which the first
 *   account tab painted (the Workspace's FIRST_TAB_MARK, set in a requestAnimationFrame callback);
 *   the baseline's pages set the same kind of mark in their first animation frame.
 * - Tab switch (10 accounts): Ctrl+1…9 sent as CDP Input.dispatchKeyEvent to the Workspace (brought
 *   to the front), timed in the page from the keydown's timeStamp (when the browser received the
 *   key) to the frame that shows the chosen tab, painted. The browser times that frame itself: with
 *   the key, the bench puts a small probe text into the tab's panel, and Element Timing reports the
 *   probe's first paint with the frame's paintTime (its rendering phase done, style and layout
 *   included: the browser starts painting it) and presentationTime (the frame on the display, after
 *   raster and the display compositor; Chromium gives it in 4 ms steps here). These two bracket
 *   what "painted" can mean; the goal is on the first, the second is printed beside it. Chromium
 *   144 added both (the PaintTimingMixin).
 *   Beside them, the page's own view of the same frame: the key until the Workspace's keydown
 *   handling is done (React has updated the DOM), and until that frame's rAF callback; a task posted
 *   from that callback ("produced"), which can run a frame late: in Chromium traces of the app's
 *   switches (Chromium 156), a MessageChannel task, a setTimeout and a user-blocking postTask posted
 *   there all waited, the main thread idle, until the next BeginMainFrame had run (in two traced
 *   runs of 40 switches, the frame showing the tab was done at a median of 8.6 and 9.2 ms from the
 *   key, the task ran at 17.8 and 15.7); the next rAF callback (double rAF), which also waits for
 *   the next vsync tick; and Chromium's Event Timing for the same keydowns (key to presentation in
 *   8 ms steps, reported only from 16 ms).
 *   One unmeasured round visits each tab first (its first mount loads its data), then the measured
 *   switches cycle 1…9 with a short, jittered pause between. The baseline's first window is timed the
 *   same way, on a page with the same tab strip whose keydown only swaps one-line panels: the least a
 *   switch costs in this browser on this display (the key's wait for the vsync and a frame), which
 *   no app can go under.
 *
 * Figures only: nothing here asserts a timing.
 */
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FIRST_TAB_MARK } from '@multidesk/protocol';
import { chromium, type Page } from 'playwright-core';
import { freePort, launchDesktop, waitFor } from '../e2e/desktopApp.ts';
import { AppWindows } from '../packages/desktop/src/core/browser/appWindows.ts';
import { findBrowser } from '../packages/desktop/src/core/browser/findBrowser.ts';
import { openCore } from '../packages/desktop/src/core/core.ts';
import { FileVault } from '../packages/desktop/src/core/vault/fileVault.ts';
import { startTestPortal } from '../packages/portal/test/harness.ts';
import { DEMO_SIGN_INS } from './demoSignIns.ts';
import type { ElementTimingEntry } from './elementTiming.ts';
import { percentile } from './percentile.ts';

const { values: args } = parseArgs({
  options: { switches: { type: 'string', default: '100' }, 'quiet-wait': { type: 'string', default: '180' } },
});
const SWITCHES = Number(args.switches);
const QUIET_WAIT_MS = Number(args['quiet-wait']) * 1000;
const ACCOUNT_COUNTS = [1, 5, 10] as const;
const GOAL_RATIO = 1.3;
const GOAL_SWITCH_P95_MS = 16;

if (!process.env.DISPLAY) {
  console.error('bench/desktop needs a display: run it as  xvfb-run -a -s "-screen 0 1280x800x24" npx node bench/desktop.ts');
  process.exit(2);
}

// The browser e2e/desktopApp.ts passes to the app with --browser; the app runs it if it can be run.
const BROWSER = findBrowser(process.env.CHROME_PATH ?? '/usr/bin/chromium');
if (!BROWSER) {
  console.error(`bench/desktop: no browser can be run at ${process.env.CHROME_PATH ?? '/usr/bin/chromium'}`);
  process.exit(2);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round1 = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;

// ---------------------------------------------------------------------------------------------
// Memory

/** A process and all its descendants (Linux /proc). */
function processTree(rootPid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {}
  }
  const tree = new Set([rootPid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parents) {
      if (tree.has(ppid) && !tree.has(pid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  return [...tree];
}

interface Memory {
  /** Proportional set size, MiB. */
  pss: number;
  /**
   * The anonymous and shared-memory part of PSS (Pss_Anon + Pss_Shmem), MiB: what the run allocated,
   * without file pages (the browser's and Node's code), whose PSS drops while other programs map them.
   */
  pssAlloc: number;
  processes: number;
  /** Processes of the same browser binary outside the tree (other runs), the most seen while sampling. */
  others: number;
}

const exeOf = (pid: number | string): string | undefined => {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return undefined;
  }
};

/** Processes running a browser binary of the tree (not Node) that are not in the tree. */
function othersOfSameBrowser(pids: readonly number[]): number {
  const node = exeOf(process.pid);
  const browserExes = new Set(pids.map(exeOf).filter((exe) => exe !== undefined && exe !== node));
  const tree = new Set(pids);
  let others = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || tree.has(Number(entry))) continue;
    const exe = exeOf(entry);
    if (exe !== undefined && browserExes.has(exe)) others++;
  }
  return others;
}

function memoryOf(pids: readonly number[]): Memory {
  let pss = 0;
  let pssAlloc = 0;
  let processes = 0;
  for (const pid of pids) {
    let rollup: string;
    try {
      rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0);
    pss += kib('Pss');
    pssAlloc += kib('Pss_Anon') + kib('Pss_Shmem');
    processes++;
  }
  return { pss: pss / 1024, pssAlloc: pssAlloc / 1024, processes, others: othersOfSameBrowser(pids) };
}

/**
 * The median (by PSS) of five samples half a second apart. PSS splits shared file pages with every
 * process that maps them, so while other runs of the same browser are up (tests of other people on
 * this machine) it waits, up to --quiet-wait seconds, for five samples without any.
 */
async function sampleMemory(pids: () => number[]): Promise<Memory> {
  const deadline = Date.now() + QUIET_WAIT_MS;
  for (;;) {
    const samples: Memory[] = [];
    for (let i = 0; i < 5; i++) {
      if (i > 0) await sleep(500);
      samples.push(memoryOf(pids()));
    }
    const others = Math.max(...samples.map((m) => m.others));
    if (others === 0 || Date.now() > deadline) {
      samples.sort((a, b) => a.pss - b.pss);
      const median = samples[2] as Memory;
      return { pss: round1(median.pss), pssAlloc: round1(median.pssAlloc), processes: median.processes, others };
    }
    await sleep(2_000);
  }
}

// ---------------------------------------------------------------------------------------------
// Paint marks

/** Epoch ms of a performance mark in the page, once it is there. */
async function markTime(page: Page, mark: string): Promise<number> {
  const handle = await page.waitForFunction(
    (name) => {
      const entry = performance.getEntriesByName(name)[0];
      return entry ? performance.timeOrigin + entry.startTime : undefined;
    },
    mark,
    { timeout: 60_000 },
  );
  return (await handle.jsonValue()) as number;
}

// ---------------------------------------------------------------------------------------------
// Baseline: the bare browser, two --app windows on blank local pages

const BASELINE_MARK = 'bench:baseline-painted';
const BASELINE_PAGES = ['/one.html', '/two.html'];

/**
 * A blank page that marks its first frame. The first window's page also has the least a tab switch
 * can be: the Workspace's tab strip (My tasks and nine tabs, the same ARIA, so the same timing code
 * drives it) and Ctrl+0…9 swapping which one-line panel shows, with nothing else to do or paint.
 */
function baselinePage(title: string, withTabs: boolean): string {
  const tabs = withTabs
    ? `<div role="tablist" aria-label="Accounts">${Array.from(
        { length: 10 },
        (_, i) => `<button role="tab" id="t${i}" aria-controls="p${i}" aria-selected="${i === 1}">Tab ${i}</button>`,
      ).join('')}</div>${Array.from(
        { length: 10 },
        (_, i) => `<section role="tabpanel" id="p${i}" aria-labelledby="t${i}"${i === 1 ? '' : ' hidden'}>Panel ${i}</section>`,
      ).join('')}<script>addEventListener('keydown', (event) => {
  const digit = /^Digit(\\d)$/.exec(event.code)?.[1];
  if (!event.ctrlKey || digit === undefined) return;
  event.preventDefault();
  for (let i = 0; i < 10; i++) {
    document.getElementById('t' + i).setAttribute('aria-selected', String(i === Number(digit)));
    document.getElementById('p' + i).hidden = i !== Number(digit);
  }
});</script>`
    : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body>${tabs}<script>requestAnimationFrame(() => performance.mark('${BASELINE_MARK}'));</script></body></html>`;
}

async function runBaseline(switches: number) {
  const server = createServer((request, response) => {
    const index = BASELINE_PAGES.indexOf(request.url ?? '');
    if (index < 0) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(baselinePage(`Baseline ${index + 1}`, index === 0));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const profileDir = mkdtempSync(join(tmpdir(), 'multidesk-bench-baseline-'));
  const debugPort = await freePort();
  // The same user-data dir layout as a profile's (`<profile>/browser`), fresh as the app's is here.
  const windows = new AppWindows({ browser: BROWSER as string, userDataDir: join(profileDir, 'browser'), remoteDebuggingPort: debugPort });
  const spawnedAt = Date.now();
  windows.open(`http://127.0.0.1:${port}${BASELINE_PAGES[0]}`);
  // main.ts opens the second window a second after the first, into the running browser.
  const second = setTimeout(() => windows.open(`http://127.0.0.1:${port}${BASELINE_PAGES[1]}`), 1_000);
  try {
    const browser = await waitFor('the baseline browser to accept DevTools connections', () =>
      chromium.connectOverCDP(`http://127.0.0.1:${debugPort}`, { timeout: 2_000 }),
    );
    const pages: Page[] = [];
    for (const path of BASELINE_PAGES) {
      pages.push(
        await waitFor(`the baseline window ${path}`, async () => {
          for (const context of browser.contexts()) {
            const found = context.pages().find((p) => new URL(p.url()).pathname === path);
            if (found) return found;
          }
          return undefined;
        }),
      );
    }
    for (const page of pages) await page.setViewportSize({ width: 1280, height: 800 });
    const paintedAt = await markTime(pages[0] as Page, BASELINE_MARK);
    await markTime(pages[1] as Page, BASELINE_MARK);
    await sleep(3_000);
    // The browser is this process's only child tree (the portal runs in this process).
    const memory = await sampleMemory(() => processTree(process.pid).filter((pid) => pid !== process.pid));
    const switching = switches > 0 ? await measureSwitches(pages[0] as Page, switches) : undefined;
    await browser.close().catch(() => {});
    return { memory, spawnToPaintMs: Math.round(paintedAt - spawnedAt), switching };
  } finally {
    clearTimeout(second);
    await windows.close();
    await new Promise((resolve) => server.close(resolve));
    rmSync(profileDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Tab switch

interface SwitchTiming {
  /** The keydown's timeStamp: when the browser received the key (page ms, as performance.now()). */
  pressedAt: number;
  /** This listener ran: after the Workspace's own keydown listener and React's update of the DOM. */
  handledAt: number;
  /** The chosen tab's panel was shown already when this listener ran. */
  updatedByKeydown: boolean;
  /** The rAF callback of the first frame that shows the chosen tab. */
  frameAt: number;
  /** A task posted from that callback: runs once that frame has been produced (or later: an upper bound). */
  producedAt: number;
  /** Element Timing's paintTime of a probe put into the tab's panel with the key: that frame's paint, on the main thread. */
  paintedAt: number;
  /** Element Timing's presentationTime of that probe: that frame on the display, after raster (coarsened by the browser). */
  presentedAt: number;
  /** The rAF callback after it (double rAF): the next frame's start, at a vsync tick after that one. */
  nextFrameAt: number;
  /** Animation frames from the key to the one showing the tab (1 = the first frame after the key). */
  frames: number;
}

/**
 * Runs in the Workspace (serialised by Playwright, so self-contained): waits for Ctrl+<digit>, then
 * times the frames that show its tab. The result waits in `window.benchSwitch`.
 */
function armSwitch(digit: number): void {
  const slot = window as unknown as { benchSwitch?: Promise<SwitchTiming | string> };
  const tabs = document.querySelectorAll('[role="tablist"][aria-label="Accounts"] [role="tab"]');
  // My tasks is the first tab (Ctrl+0); Ctrl+N selects the N-th tab after it.
  const tab = tabs[digit];
  const panel = tab ? document.getElementById(tab.getAttribute('aria-controls') ?? '') : null;
  if (!tab || !panel) {
    slot.benchSwitch = Promise.resolve(`the Workspace has no tab for Ctrl+${digit}`);
    return;
  }
  if (tab.getAttribute('aria-selected') === 'true') {
    slot.benchSwitch = Promise.resolve(`the tab for Ctrl+${digit} is selected already`);
    return;
  }
  slot.benchSwitch = new Promise((resolve) => {
    // Element Timing reports a text's first paint with the frame's paint and presentation times.
    // A probe text put into the panel with the key is painted first in the frame that shows the
    // panel: those times are the switch's, measured by the browser (a task posted from rAF is not).
    const probeId = `bench-switch-${performance.now()}`;
    const probe = document.createElement('div');
    probe.setAttribute('elementtiming', probeId);
    probe.textContent = 'switched';
    probe.style.cssText = 'position:absolute;left:0;top:0;font:2px/2px sans-serif;pointer-events:none';
    let painted: { paintedAt: number; presentedAt: number } | undefined;
    let framed: Omit<SwitchTiming, 'paintedAt' | 'presentedAt'> | undefined;
    const settle = () => {
      if (!painted || !framed) return;
      observer.disconnect();
      probe.remove();
      resolve({ ...framed, ...painted });
    };
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as ElementTimingEntry[]) {
        if (entry.identifier !== probeId) continue;
        painted = { paintedAt: entry.paintTime, presentedAt: entry.presentationTime };
        settle();
      }
    });
    observer.observe({ type: 'element' });
    const onKey = (event: KeyboardEvent) => {
      if (!event.ctrlKey || event.code !== `Digit${digit}`) return;
      window.removeEventListener('keydown', onKey, true);
      const pressedAt = event.timeStamp;
      const handledAt = performance.now();
      const updatedByKeydown = !panel.hidden;
      panel.append(probe);
      let frames = 0;
      const onFrame = () => {
        frames++;
        if (panel.hidden || tab.getAttribute('aria-selected') !== 'true') {
          if (frames < 600) requestAnimationFrame(onFrame);
          else resolve(`the tab for Ctrl+${digit} did not show within 600 frames`);
          return;
        }
        const frameAt = performance.now();
        let producedAt = 0;
        let nextFrameAt = 0;
        const done = () => {
          if (producedAt && nextFrameAt) {
            framed = { pressedAt, handledAt, updatedByKeydown, frameAt, producedAt, nextFrameAt, frames };
            settle();
          }
        };
        const channel = new MessageChannel();
        channel.port1.onmessage = () => {
          producedAt = performance.now();
          done();
        };
        channel.port2.postMessage(null);
        requestAnimationFrame(() => {
          nextFrameAt = performance.now();
          done();
          // The probe's entry comes with the frame's presentation, well within a second.
          setTimeout(() => {
            if (!painted) resolve(`no Element Timing entry for the tab of Ctrl+${digit} within a second`);
          }, 1_000);
        });
      };
      requestAnimationFrame(onFrame);
    };
    window.addEventListener('keydown', onKey, true);
  });
}

/**
 * Runs in the Workspace: keeps Chromium's Event Timing entries for keydowns (startTime is the
 * event's timeStamp; duration runs to the presentation of the next frame painted after the
 * handlers, in 8 ms steps). Only events of 16 ms or more are reported, the least the API allows.
 */
function recordKeydownTiming(): void {
  const slot = window as unknown as { benchKeydowns: { startTime: number; duration: number }[] };
  slot.benchKeydowns = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.name === 'keydown') slot.benchKeydowns.push({ startTime: entry.startTime, duration: entry.duration });
    }
  }).observe({ type: 'event', durationThreshold: 16 } as PerformanceObserverInit);
}

interface Figures {
  p50_ms: number;
  p95_ms: number;
  max_ms: number;
}

function figures(values: number[]): Figures {
  const sorted = Float64Array.from(values).sort();
  return { p50_ms: round1(percentile(sorted, 50)), p95_ms: round1(percentile(sorted, 95)), max_ms: round1(sorted.at(-1) ?? Number.NaN) };
}

/** Ctrl+1…9 in the Workspace: one unmeasured round that visits every tab, then `count` measured switches. */
async function measureSwitches(page: Page, count: number) {
  // The user is in the Workspace window when pressing its shortcuts.
  await page.bringToFront();
  const visibility = await page.evaluate(() => document.visibilityState);
  if (visibility !== 'visible') throw new Error(`the Workspace is ${visibility}: its frames would be throttled`);
  const cdp = await page.context().newCDPSession(page);
  const press = async (digit: number): Promise<SwitchTiming> => {
    await page.evaluate(armSwitch, digit);
    const key = { modifiers: 2 /* Ctrl */, key: String(digit), code: `Digit${digit}`, windowsVirtualKeyCode: 48 + digit };
    await cdp.send('Input.dispatchKeyEvent', { type: 'rawKeyDown', ...key, nativeVirtualKeyCode: 48 + digit });
    await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', ...key, nativeVirtualKeyCode: 48 + digit });
    const result = await page.evaluate(() => (window as unknown as { benchSwitch: Promise<SwitchTiming | string> }).benchSwitch);
    if (typeof result === 'string') throw new Error(result);
    return result;
  };
  // The first account (Ctrl+1) is selected at start: go 2, 3, … 9, 1, 2, … so every key changes tab.
  const digitAt = (i: number) => ((i + 1) % 9) + 1;
  const firstVisits: SwitchTiming[] = [];
  for (let i = 0; i < 9; i++) {
    firstVisits.push(await press(digitAt(i)));
    await sleep(300);
  }
  // Let the data the first visits asked for arrive and render before timing.
  await sleep(3_000);
  await page.evaluate(recordKeydownTiming);
  const loadBefore = loadavg()[0] as number;
  const timings: SwitchTiming[] = [];
  for (let i = 9; i < 9 + count; i++) {
    timings.push(await press(digitAt(i)));
    // A short pause, jittered over a frame so the keys land at every phase of the frame clock.
    await sleep(100 + Math.random() * 17);
  }
  await cdp.detach().catch(() => {});
  const loadAfter = loadavg()[0] as number;
  const keydowns = await page.evaluate(
    () => (window as unknown as { benchKeydowns: { startTime: number; duration: number }[] }).benchKeydowns,
  );
  // Each switch's Event Timing duration; one with no entry took under 16 ms (counted as 0 here).
  const presented = timings.map((t) => keydowns.find((k) => Math.abs(k.startTime - t.pressedAt) < 1)?.duration ?? 0);
  const presentedFigures = figures(presented);
  return {
    switches: timings.length,
    to_painted: figures(timings.map((t) => t.paintedAt - t.pressedAt)),
    to_presented: figures(timings.map((t) => t.presentedAt - t.pressedAt)),
    to_frame_produced: figures(timings.map((t) => t.producedAt - t.pressedAt)),
    to_next_frame_start_double_raf: figures(timings.map((t) => t.nextFrameAt - t.pressedAt)),
    to_keydown_handled: figures(timings.map((t) => t.handledAt - t.pressedAt)),
    to_frame_start: figures(timings.map((t) => t.frameAt - t.pressedAt)),
    shown_in_first_frame: timings.filter((t) => t.frames === 1).length,
    dom_updated_by_keydown: timings.filter((t) => t.updatedByKeydown).length,
    /** Chromium's Event Timing; 0 stands for "under 16 ms" (no entry). */
    event_timing_to_presented: presentedFigures,
    event_timing_under_16_ms: presented.filter((d) => d === 0).length,
    first_visit_to_painted: figures(firstVisits.map((t) => t.paintedAt - t.pressedAt)),
    /** Other people's work on this machine slows every figure above. */
    load_average_1min: [round2(loadBefore), round2(loadAfter)],
  };
}

// ---------------------------------------------------------------------------------------------
// Multidesk

async function runMultidesk(portalPort: number, count: number, switches: number) {
  const profileDir = mkdtempSync(join(tmpdir(), 'multidesk-bench-'));
  try {
    const vault = new FileVault(join(profileDir, 'vault.json'));
    const core = await openCore({ profileDir, vault, device: { name: 'bench', os: 'Linux', appVersion: '0.0.0' } });
    for (const [name, login] of DEMO_SIGN_INS.slice(0, count)) {
      const result = await core.signIns.password({ address: `${name}.localhost:${portalPort}`, login, password: 'multidesk-demo' });
      if (!result.ok) throw new Error(`sign-in ${login}@${name}: ${result.message}`);
    }
    await core.close();

    const launchedAt = Date.now();
    const app = await launchDesktop(profileDir, ['--vault', 'file']);
    try {
      const tabs = app.workspace.getByRole('tablist', { name: 'Accounts' }).getByRole('tab');
      await tabs.first().waitFor();
      // The Workspace marks the frame in which its first account tab painted.
      const paintedAt = await markTime(app.workspace, FIRST_TAB_MARK);
      // My tasks comes first, then one tab per account.
      await tabs.nth(count).waitFor();
      // Let every window finish loading and settle before measuring.
      await app.workspace.getByRole('tabpanel').getByText('People').first().waitFor();
      await sleep(3_000);
      const corePid = app.core.pid as number;
      const memory = await sampleMemory(() => processTree(corePid));
      const coreMemory = memoryOf([corePid]);
      const switching = switches > 0 ? await measureSwitches(app.workspace, switches) : undefined;
      return {
        accounts: count,
        memory,
        corePssMiB: round1(coreMemory.pss),
        launchToFirstTabMs: Math.round(paintedAt - launchedAt),
        switching,
      };
    } finally {
      await app.quit();
    }
  } finally {
    rmSync(profileDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Run and report

const portal = await startTestPortal();
let baseline: Awaited<ReturnType<typeof runBaseline>>;
const runs: Awaited<ReturnType<typeof runMultidesk>>[] = [];
try {
  baseline = await runBaseline(SWITCHES);
  for (const count of ACCOUNT_COUNTS) runs.push(await runMultidesk(portal.port, count, count === 10 ? SWITCHES : 0));
} finally {
  await portal.close();
}

const ratio = (pss: number) => round2(pss / baseline.memory.pss);
const allocRatio = (pss: number) => round2(pss / baseline.memory.pssAlloc);
const one = runs[0] as (typeof runs)[number];
const ten = runs.at(-1) as (typeof runs)[number];
const perExtraAccountMiB = round2((ten.memory.pss - one.memory.pss) / (ten.accounts - one.accounts));
const switching = ten.switching;
const bareSwitching = baseline.switching;

console.log(
  JSON.stringify(
    {
      browser: BROWSER,
      baseline: {
        what: 'the same browser and flags, two --app windows on blank local pages',
        pss_mib: baseline.memory.pss,
        pss_anon_shmem_mib: baseline.memory.pssAlloc,
        processes: baseline.memory.processes,
        other_browser_processes_running: baseline.memory.others,
        spawn_to_paint_ms: baseline.spawnToPaintMs,
        tab_switch: baseline.switching ?? null,
      },
      multidesk: runs.map((r) => ({
        accounts: r.accounts,
        pss_mib: r.memory.pss,
        pss_x_baseline: ratio(r.memory.pss),
        pss_anon_shmem_mib: r.memory.pssAlloc,
        pss_anon_shmem_x_baseline: allocRatio(r.memory.pssAlloc),
        core_pss_mib: r.corePssMiB,
        processes: r.memory.processes,
        other_browser_processes_running: r.memory.others,
        launch_to_first_painted_tab_ms: r.launchToFirstTabMs,
      })),
      per_extra_account_pss_mib: perExtraAccountMiB,
      tab_switch: switching ? { accounts: ten.accounts, ...switching } : null,
      goals: { pss_10_accounts_x_baseline_max: GOAL_RATIO, tab_switch_p95_ms_max: GOAL_SWITCH_P95_MS, per_extra_account_mib_under: 5 },
    },
    null,
    2,
  ),
);

/** Rows of cells as aligned text: the first column left, the others right. */
function table(rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
        .join('   ')
        .trimEnd(),
    )
    .join('\n');
}

console.log('');
console.log(
  table([
    ['memory and cold start', 'PSS MiB', 'x baseline', 'goal', 'anon+shmem MiB', 'x baseline', 'processes', 'others*', 'first paint'],
    [
      'bare browser, 2 --app windows',
      baseline.memory.pss.toFixed(1),
      '1.00',
      '',
      baseline.memory.pssAlloc.toFixed(1),
      '1.00',
      String(baseline.memory.processes),
      String(baseline.memory.others),
      `${baseline.spawnToPaintMs} ms`,
    ],
    ...runs.map((r) => [
      `Multidesk, ${r.accounts} account${r.accounts === 1 ? '' : 's'} (core ${r.corePssMiB.toFixed(1)})`,
      r.memory.pss.toFixed(1),
      ratio(r.memory.pss).toFixed(2),
      r.accounts === 10 ? `<= ${GOAL_RATIO.toFixed(2)}` : '',
      r.memory.pssAlloc.toFixed(1),
      allocRatio(r.memory.pssAlloc).toFixed(2),
      String(r.memory.processes),
      String(r.memory.others),
      `${r.launchToFirstTabMs} ms`,
    ]),
  ]),
);
console.log(`each extra connected account: ${perExtraAccountMiB} MiB PSS (goal: under 5 MiB)`);
for (const line of [
  '(PSS: summed over the whole process tree, for Multidesk the core and its browser; anon+shmem: its Pss_Anon + Pss_Shmem,',
  ' without file pages. First paint: the baseline from the browser spawn to the first frame of its first window, Multidesk',
  ' from the core spawn to the frame of its first account tab. *others: processes of the same browser binary running',
  ' outside the tree while sampling (other runs on this machine): PSS splits shared file pages with them, so a row with',
  ' others > 0 reads low; the bench waits for them to end, up to --quiet-wait seconds.)',
])
  console.log(line);
if (switching) {
  const row = (label: string, f: Figures, goal = '', show = (n: number) => n.toFixed(1)) => [
    label,
    show(f.p50_ms),
    show(f.p95_ms),
    show(f.max_ms),
    goal,
  ];
  // Event Timing has no entry under 16 ms: such a percentile can only be said to be under 16.
  const censored = (n: number) => (n === 0 ? '< 16' : n.toFixed(0));
  console.log('');
  console.log(
    table([
      [`tab switch, Ctrl+1..9, ${ten.accounts} accounts, ${switching.switches} switches`, 'p50 ms', 'p95 ms', 'max ms', 'goal'],
      row('key to its keydown handled (the app, DOM updated)', switching.to_keydown_handled),
      row('key to the frame showing the tab: its rAF', switching.to_frame_start),
      row('key to that frame painted (paintTime)', switching.to_painted, `p95 <= ${GOAL_SWITCH_P95_MS}`),
      row('key to that frame presented (raster, display; 4 ms steps)', switching.to_presented),
      row('key to that frame produced (a task from its rAF; can be late)', switching.to_frame_produced),
      row('key to the next frame (double rAF: + the vsync wait)', switching.to_next_frame_start_double_raf),
      row('Chromium Event Timing, key to presented (raster, display; 8 ms steps)', switching.event_timing_to_presented, '', censored),
      row('first visit of a tab (mounts it; not counted above)', switching.first_visit_to_painted),
      ...(bareSwitching
        ? [
            row('bare browser, same keys, a page swapping one-line panels: painted', bareSwitching.to_painted),
            row('  its frame presented', bareSwitching.to_presented),
            row('  its frame produced', bareSwitching.to_frame_produced),
            row('  its double rAF', bareSwitching.to_next_frame_start_double_raf),
            row('  its Chromium Event Timing', bareSwitching.event_timing_to_presented, '', censored),
          ]
        : []),
    ]),
  );
  console.log(
    `of ${switching.switches} switches: DOM updated by the keydown's end in ${switching.dom_updated_by_keydown}, ` +
      `tab shown in the first frame after the key in ${switching.shown_in_first_frame}, ` +
      `Event Timing under 16 ms in ${switching.event_timing_under_16_ms}; ` +
      `load average (1 min) ${switching.load_average_1min.join(' -> ')} on ${availableParallelism()} cores`,
  );
}
