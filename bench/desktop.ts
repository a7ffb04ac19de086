/**
 * Desktop footprint: PSS of the core and its whole browser (every Chromium process) with 1, 5 and
 * 10 connected accounts, and the time from launch to the first painted tab, all in one run against
 * a real portal. Prints JSON, then one line a figure. Needs a display: run under Xvfb, e.g.
 *
 *   xvfb-run -a npx node bench/desktop.ts
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIRST_TAB_MARK } from '@multidesk/protocol';
import { launchDesktop } from '../e2e/desktopApp.ts';
import { openCore } from '../packages/desktop/src/core/core.ts';
import { FileVault } from '../packages/desktop/src/core/vault/fileVault.ts';
import { startTestPortal } from '../packages/portal/test/harness.ts';
import { DEMO_SIGN_INS } from './demoSignIns.ts';

if (!process.env.DISPLAY) {
  console.error('bench/desktop needs a display: run it as  xvfb-run -a npx node bench/desktop.ts');
  process.exit(2);
}

/** Proportional set size of a process and all its descendants, in KiB (Linux /proc). */
function treePssKib(rootPid: number): number {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
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
  let total = 0;
  for (const pid of tree) {
    try {
      const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      total += Number(match?.[1] ?? 0);
    } catch {}
  }
  return total;
}

const portal = await startTestPortal();
const results: { accounts: number; pssMiB: number; firstTabMs: number }[] = [];
try {
  for (const count of [1, 5, 10]) {
    const profileDir = mkdtempSync(join(tmpdir(), 'multidesk-bench-'));
    const vault = new FileVault(join(profileDir, 'vault.json'));
    const core = await openCore({ profileDir, vault, device: { name: 'bench', os: 'Linux', appVersion: '0.0.0' } });
    for (const [name, login] of DEMO_SIGN_INS.slice(0, count)) {
      const result = await core.signIns.password({ address: `${name}.localhost:${portal.port}`, login, password: 'multidesk-demo' });
      if (!result.ok) throw new Error(`sign-in ${login}@${name}: ${result.message}`);
    }
    await core.close();

    const launchedAt = Date.now();
    const app = await launchDesktop(profileDir, ['--vault', 'file']);
    const tabs = app.workspace.getByRole('tablist', { name: 'Accounts' }).getByRole('tab');
    await tabs.first().waitFor();
    // The Workspace marks the frame in which its first account tab painted (epoch ms via timeOrigin).
    const paintedAt = await app.workspace.waitForFunction((mark) => {
      const entry = performance.getEntriesByName(mark)[0];
      return entry ? performance.timeOrigin + entry.startTime : undefined;
    }, FIRST_TAB_MARK);
    const firstTabMs = ((await paintedAt.jsonValue()) as number) - launchedAt;
    // My tasks comes first, then one tab per account.
    await tabs.nth(count).waitFor();
    // Let every window finish loading and settle before measuring.
    await app.workspace.getByRole('tabpanel').getByText('People').first().waitFor();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const pssMiB = treePssKib(app.core.pid as number) / 1024;
    results.push({ accounts: count, pssMiB: Math.round(pssMiB * 10) / 10, firstTabMs: Math.round(firstTabMs) });
    await app.quit();
    rmSync(profileDir, { recursive: true, force: true });
  }
} finally {
  await portal.close();
}

const one = results[0] as (typeof results)[number];
const ten = results[2] as (typeof results)[number];
const perExtraAccountMiB = Math.round(((ten.pssMiB - one.pssMiB) / 9) * 100) / 100;
console.log(JSON.stringify({ results, perExtraAccountMiB }, null, 2));
for (const r of results) console.log(`PSS core + browser, ${r.accounts} account(s): ${r.pssMiB} MiB`);
for (const r of results) console.log(`launch to first painted tab, ${r.accounts} account(s): ${r.firstTabMs} ms`);
console.log(`each extra connected account: ${perExtraAccountMiB} MiB (goal: under 5 MiB)`);
