/**
 * The desktop core in a child process for crashMidWrite.test.ts: opens the profile as the app does
 * (file vault), says what it found (`open`), then adds, disconnects, reconnects and deletes
 * accounts and queues messages until it is killed, writing `begin` before each call and `ack` once
 * the call returned, as a window learns it from the bridge. `check` only opens and reports.
 *
 * argv: profileDir, portal port, JSON {portal name: dialog id}, seed, mode (`run` | `check`)
 */
import { writeSync } from 'node:fs';
import { openCore } from '../src/core/core.ts';
import { createVault } from '../src/core/vault/createVault.ts';

const [profileDir, port, dialogsJson, seedText, mode] = process.argv.slice(2) as [string, string, string, string, string];
const dialogs = JSON.parse(dialogsJson) as Record<string, string>;

/** Synchronous, so that what was said before a SIGKILL is never lost in a buffer. */
const say = (line: unknown[]) => writeSync(1, `${JSON.stringify(line)}\n`);

let core: Awaited<ReturnType<typeof openCore>>;
try {
  core = await openCore({
    profileDir,
    vault: await createVault('file', profileDir),
    device: { name: 'Multidesk crash test', os: 'Linux test', appVersion: '0.0.0' },
    openUrl: async () => {},
  });
} catch (error) {
  say(['unreadable', String((error as Error).stack ?? error)]);
  process.exit(3);
}
const origins = Object.fromEntries(Object.keys(dialogs).map((name) => [`http://${name}.localhost:${port}`, name]));
say([
  'open',
  core.manager.list().map((a) => ({
    id: a.id,
    portal: origins[a.portalUrl] ?? a.portalUrl,
    state: a.state,
    outbox: core.manager
      .cacheOf(a.id)
      .outbox.list()
      .map((e) => e.clientId),
  })),
]);
if (mode === 'check') {
  await core.close();
  process.exit(0);
}

let seed = Number(seedText) >>> 0;
const rand = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = <T>(items: T[]): T | undefined => items[Math.floor(rand() * items.length)];
let seq = 0;

/** Accounts a lane is changing now: the other lane leaves them alone, as two clicks on one account would wait. */
const busy = new Set<string>();

async function step(op: string, subject: string, call: () => Promise<unknown>): Promise<void> {
  const n = ++seq;
  busy.add(subject);
  say(['begin', n, op, subject]);
  try {
    say(['ack', n, op, subject, (await call()) ?? null]);
  } finally {
    busy.delete(subject);
  }
}

/** Account changes, as a user clicks through the Workspace; two lanes, so that changes to two accounts overlap. */
async function accountLane(): Promise<void> {
  for (;;) {
    // An account being changed, or of a portal being signed in to (which may renew it), is left alone.
    const accounts = core.manager.list().filter((a) => !busy.has(a.id) && !busy.has(origins[a.portalUrl] as string));
    const roll = rand();
    const name = pick(Object.keys(dialogs)) as string;
    const renewing = core.manager.list().some((a) => origins[a.portalUrl] === name && busy.has(a.id));
    const connected = accounts.filter((a) => a.state === 'connected');
    const disconnected = accounts.filter((a) => a.state !== 'connected');
    if ((roll < 0.35 || core.manager.list().length === 0) && !busy.has(name) && !renewing) {
      await step('add', name, async () => {
        const result = await core.signIns.password({
          address: `${name}.localhost:${port}`,
          login: 'anna@example.com',
          password: 'multidesk-demo',
        });
        if (!result.ok) throw new Error(`sign-in refused: ${JSON.stringify(result)}`);
        return { id: result.account.id, portal: name, state: result.account.state };
      });
    } else if (roll < 0.55 && connected.length > 0) {
      const a = pick(connected) as (typeof connected)[number];
      await step('disconnect', a.id, () => core.manager.disconnect(a.id));
    } else if (roll < 0.75 && disconnected.length > 0) {
      const a = pick(disconnected) as (typeof disconnected)[number];
      await step('connect', a.id, async () => {
        await core.manager.connect(a.id);
        return { state: core.manager.list().find((x) => x.id === a.id)?.state };
      });
    } else if (roll < 0.9 && accounts.length > 0) {
      const a = pick(accounts) as (typeof accounts)[number];
      await step('delete', a.id, () => core.manager.remove(a.id));
    }
    await new Promise((resolve) => setTimeout(resolve, rand() * 30));
  }
}

/** Messages written meanwhile, as fast as a (very quick) typist, to whichever account is connected. */
async function sendLane(): Promise<void> {
  for (let i = 0; ; i++) {
    const a = pick(core.manager.list().filter((x) => x.state === 'connected'));
    if (a) {
      const name = origins[a.portalUrl] as string;
      const n = ++seq;
      say(['begin', n, 'send', a.id]);
      try {
        const result = await core.chats.send({ id: a.id, dialogId: dialogs[name] as string, text: `crash test ${seedText} ${i}` });
        if (result.ok) say(['ack', n, 'send', a.id, { clientId: result.pending.clientId, portal: name }]);
        else say(['ack', n, 'send-refused', a.id, result]);
      } catch (error) {
        // Deleted meanwhile by an account lane: the bridge answers with this error.
        say(['ack', n, 'send-failed', a.id, String(error)]);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, rand() * 20));
  }
}

await Promise.all([accountLane(), accountLane(), sendLane()]).catch((error: unknown) => {
  say(['error', String((error as Error).stack ?? error)]);
  process.exit(4);
});
