import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startTestPortal, type TestPortal } from '../../portal/test/harness.ts';
import { restAs } from '../../portal/test/tokens.ts';

/**
 * Issue 17, part 3: the desktop core (its own process, file vault) is killed with SIGKILL at random
 * moments while accounts are added, disconnected, reconnected and deleted and messages are queued.
 * After each kill the profile is opened again: the account list and every outbox must be readable,
 * and nothing a call had answered (as the bridge answers a window) may be lost: an account added
 * stays, a disconnect or a delete holds, a queued message is still queued or on the portal, once.
 */

const SOAK = process.env.MULTIDESK_SOAK === '1';
const ROUNDS = SOAK ? 50 : 15;
const SEED = Number(process.env.MULTIDESK_SEED ?? Date.now() % 1_000_000);
const CHILD = fileURLToPath(new URL('./crashMidWriteChild.ts', import.meta.url));
const PORTALS = ['acme', 'globex', 'initech'];

let portal: TestPortal;
const profileDir = mkdtempSync(join(tmpdir(), 'multidesk-crash-'));

before(async () => {
  // Dozens of messages a round from one user: no REST budget in the way.
  portal = await startTestPortal({ limits: { restBurst: 100_000 } });
});
after(async () => {
  rmSync(profileDir, { recursive: true, force: true });
  await portal?.close();
});

type Line = [kind: string, ...rest: any[]];
interface Opened {
  id: string;
  portal: string;
  state: string;
  outbox: string[];
}

/** Runs the child core on the profile; kills it `killAfterMs` after it opened (never, in check mode). */
async function runChild(
  dialogs: Record<string, string>,
  seed: number,
  mode: 'run' | 'check',
  killAfterMs: number,
): Promise<{ lines: Line[]; stderr: string; code: number | null; signal: string | null }> {
  const child = spawn(process.execPath, [CHILD, profileDir, String(portal.port), JSON.stringify(dialogs), String(seed), mode], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Line[] = [];
  let buffer = '';
  let stderr = '';
  let timer: NodeJS.Timeout | undefined;
  child.stdout.on('data', (chunk) => {
    buffer += chunk;
    for (let at = buffer.indexOf('\n'); at >= 0; at = buffer.indexOf('\n')) {
      const line = JSON.parse(buffer.slice(0, at)) as Line;
      buffer = buffer.slice(at + 1);
      lines.push(line);
      if (line[0] === 'open' && mode === 'run') timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    }
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
  clearTimeout(timer);
  clearTimeout(guard);
  return { lines, stderr, code, signal };
}

test(`crash mid-write: the core killed at random moments in ${ROUNDS} rounds of account changes and queued messages keeps its account list and outbox readable and loses nothing it acknowledged`, async () => {
  let rand = SEED >>> 0;
  const next = () => {
    rand = (Math.imul(rand, 1_103_515_245) + 12_345) >>> 0;
    return rand / 4294967296;
  };
  // Anna's group chat on each portal: where queued messages go.
  const dialogs: Record<string, string> = {};
  for (const name of PORTALS) {
    const recent = await restAs(portal, name, 'anna@example.com', 'im.recent.list', {});
    const chat = (recent.items as { id: string; type: string }[]).find((item) => item.type === 'chat');
    assert.ok(chat, `a group chat of anna's on ${name}`);
    dialogs[name] = String(chat.id);
  }

  /** What the calls answered: each account's state ('deleted' too), or unknown where a call was cut short. */
  const expected = new Map<string, { state: string; portal: string; unsure: boolean }>();
  /** Queued messages acknowledged, by account: still queued, or sent. */
  const queued = new Map<string, Map<string, string>>();
  /** Messages that left the outbox: they must be on the portal, once. */
  const mustBeSent = new Map<string, string>();
  let lost = 0;
  let unreadable = 0;
  const problems: string[] = [];
  const problem = (what: string) => {
    if (problems.length < 30) problems.push(what);
  };
  let acks = 0;

  /** Checks what a reopened profile holds against what was acknowledged before; then it is what the next round starts from. */
  const verify = (round: number, opened: Opened[]) => {
    const found = new Map(opened.map((a) => [a.id, a]));
    for (const [id, want] of expected) {
      const got = found.get(id);
      if (want.unsure) continue;
      if (want.state === 'deleted') {
        if (got) {
          lost++;
          problem(`round ${round}: account ${id} was deleted, and is back (${got.state})`);
        }
      } else if (!got) {
        lost++;
        problem(`round ${round}: account ${id} (${want.portal}, ${want.state}) is gone`);
      } else if (got.state !== want.state) {
        lost++;
        problem(`round ${round}: account ${id} is ${got.state}, was ${want.state}`);
      }
    }
    for (const [id, messages] of queued) {
      const got = found.get(id);
      const want = expected.get(id);
      if (!got) {
        // Deleted (or its deletion was cut short, which may take its outbox): nothing to send any more.
        if (want && want.state !== 'deleted' && !want.unsure) {
          lost += messages.size;
          problem(`round ${round}: ${messages.size} queued messages went with account ${id}`);
        }
        queued.delete(id);
        continue;
      }
      if (want?.unsure && want.state === 'deleted') {
        queued.delete(id);
        continue;
      }
      for (const [clientId, name] of messages) {
        if (got.outbox.includes(clientId)) continue;
        mustBeSent.set(clientId, name);
        messages.delete(clientId);
      }
    }
    expected.clear();
    for (const a of opened) expected.set(a.id, { state: a.state, portal: a.portal, unsure: false });
  };

  const readable = (round: number, result: Awaited<ReturnType<typeof runChild>>): Opened[] | null => {
    const open = result.lines.find((l) => l[0] === 'open');
    const asideFiles = readdirSync(profileDir).filter((f) => f.includes('unreadable'));
    if (!open || asideFiles.length > 0) {
      unreadable++;
      problem(
        `round ${round}: the profile did not open: ${JSON.stringify(result.lines.find((l) => l[0] === 'unreadable'))} ${asideFiles} ${result.stderr.slice(0, 500)}`,
      );
      return null;
    }
    return open[1] as Opened[];
  };

  const started = Date.now();
  for (let round = 1; round <= ROUNDS; round++) {
    const killAfterMs = 200 + next() * 2_300;
    const result = await runChild(dialogs, (SEED + round) >>> 0, 'run', killAfterMs);
    const failed = result.lines.find((l) => l[0] === 'error');
    assert.ok(!failed, `round ${round}: ${failed?.[1]}`);
    assert.equal(result.signal, 'SIGKILL', `round ${round} ended by itself (${result.code}): ${result.stderr.slice(0, 2_000)}`);
    const opened = readable(round, result);
    if (opened) verify(round, opened);
    // What this round's calls answered, in order; a call begun and not answered leaves its account unsure.
    const begun = new Map<number, { op: string; id: string | null }>();
    for (const line of result.lines) {
      if (line[0] === 'begin') begun.set(line[1], { op: line[2], id: line[3] });
      if (line[0] !== 'ack') continue;
      acks++;
      begun.delete(line[1]);
      const [, , op, id, answer] = line as [string, number, string, string | null, any];
      if (op === 'add') expected.set(answer.id, { state: answer.state, portal: answer.portal, unsure: false });
      else if (op === 'disconnect') expected.set(id as string, { ...(expected.get(id as string) as any), state: 'disconnected' });
      else if (op === 'delete') expected.set(id as string, { ...(expected.get(id as string) as any), state: 'deleted' });
      else if (op === 'connect') expected.set(id as string, { ...(expected.get(id as string) as any), state: answer.state });
      else if (op === 'send') {
        const messages = queued.get(id as string) ?? new Map<string, string>();
        messages.set(answer.clientId, answer.portal);
        queued.set(id as string, messages);
      }
    }
    for (const { op, id } of begun.values()) {
      if (op === 'add') {
        // An account may have come of it, or renewed that portal's: the next open tells.
        for (const entry of expected.values()) if (entry.portal === id) entry.unsure = true;
      } else if (id && op !== 'send') {
        const was = expected.get(id);
        expected.set(id, { state: op === 'delete' ? 'deleted' : (was?.state ?? 'unknown'), portal: was?.portal ?? '', unsure: true });
      }
    }
  }
  // The last kill, checked by opening the profile once more.
  const last = await runChild(dialogs, SEED, 'check', 0);
  const opened = readable(ROUNDS + 1, last);
  if (opened) verify(ROUNDS + 1, opened);

  // Messages that left the outbox are on the portal, each once (under the client id it was queued with).
  const seen = new Map<string, number>();
  for (const name of PORTALS) {
    let lastId: number | undefined;
    for (;;) {
      const page = await restAs(portal, name, 'anna@example.com', 'im.dialog.messages.get', {
        DIALOG_ID: dialogs[name],
        LIMIT: 50,
        ...(lastId ? { LAST_ID: lastId } : {}),
      });
      const messages = page.messages as { id: number; uuid: string | null }[];
      for (const m of messages) if (m.uuid) seen.set(m.uuid, (seen.get(m.uuid) ?? 0) + 1);
      if (messages.length < 50) break;
      lastId = Math.min(...messages.map((m) => m.id));
    }
  }
  let duplicated = 0;
  for (const [clientId, name] of mustBeSent) {
    const n = seen.get(clientId) ?? 0;
    if (n === 0) {
      lost++;
      problem(`queued message ${clientId} (${name}) left the outbox and is not on the portal`);
    }
    if (n > 1) duplicated += n - 1;
  }
  console.log(`crash mid-write: ${ROUNDS} rounds, lost ${lost}, unreadable ${unreadable}`);
  console.log(
    `crash mid-write: ${acks} calls answered, ${mustBeSent.size} queued messages sent, ${duplicated} duplicated, ${Date.now() - started} ms, seed ${SEED}`,
  );
  assert.deepEqual(problems, [], 'nothing acknowledged is lost and the profile always opens');
  assert.equal(duplicated, 0, 'a message sent again after a crash is posted once');
});
