import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { acquireInstance, instanceSocketPath } from '../src/core/singleInstance.ts';

const MODULE = fileURLToPath(new URL('../src/core/singleInstance.ts', import.meta.url));

const profile = () => mkdtempSync(join(tmpdir(), 'multidesk-instance-'));

/** Another process that acquires the profile's instance and says "first" or "second" on stdout. */
function otherStart(dir: string, holdMs = 60_000): { child: ChildProcess; said: Promise<string> } {
  const script = `
    const { acquireInstance } = await import(${JSON.stringify(MODULE)});
    const instance = await acquireInstance(${JSON.stringify(dir)}, ['--from-child'], async () => ['child answers']);
    console.log(instance.first ? 'first' : 'second');
    if (instance.first) setTimeout(() => {}, ${holdMs});`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const said = new Promise<string>((resolve) => {
    let out = '';
    child.stdout?.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('exit', () => resolve(out.trim()));
  });
  return { child, said };
}

const exited = (child: ChildProcess) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));

describe('one instance per profile', () => {
  test('the first start holds the profile; a second one hands it its command line and prints its answer', async () => {
    const dir = profile();
    const asked: string[][] = [];
    const first = await acquireInstance(dir, [], async (argv) => {
      asked.push(argv);
      return ['brought forward', 'second line'];
    });
    assert.equal(first.first, true);
    assert.equal(JSON.parse(readFileSync(join(dir, 'instance.lock'), 'utf8')).pid, process.pid);
    const second = await acquireInstance(dir, ['--profile', dir], async () => ['not me']);
    assert.deepEqual(second, { first: false, lines: ['brought forward', 'second line'] });
    assert.deepEqual(asked, [['--profile', dir]]);
    if (first.first) first.release();
  });

  test('a released profile is free again, and its lock and socket are gone', async () => {
    const dir = profile();
    const first = await acquireInstance(dir, [], async () => []);
    assert.ok(first.first);
    first.release();
    assert.equal(existsSync(join(dir, 'instance.lock')), false);
    assert.equal(existsSync(instanceSocketPath(dir)), false);
    const again = await acquireInstance(dir, [], async () => []);
    assert.equal(again.first, true);
    if (again.first) again.release();
  });

  test('a process of another start is reached too, and a SIGKILLed one leaves no lock that blocks', async () => {
    const dir = profile();
    const other = otherStart(dir);
    assert.equal(await other.said, 'first');
    const second = await acquireInstance(dir, ['again'], async () => []);
    assert.deepEqual(second, { first: false, lines: ['child answers'] });

    other.child.kill('SIGKILL');
    await exited(other.child);
    // Its lock file and socket file are still there, and lead nowhere.
    assert.ok(existsSync(join(dir, 'instance.lock')));
    const started = Date.now();
    const after = await acquireInstance(dir, [], async () => []);
    assert.equal(after.first, true);
    assert.ok(Date.now() - started < 1_000, `took ${Date.now() - started} ms`);
    if (after.first) after.release();
  });

  test('a lock whose pid was reused by another program is taken over once older than any start', async () => {
    const dir = profile();
    const unrelated = spawn('sleep', ['30']);
    try {
      writeFileSync(join(dir, 'instance.lock'), JSON.stringify({ pid: unrelated.pid }));
      const old = new Date(Date.now() - 60_000);
      utimesSync(join(dir, 'instance.lock'), old, old);
      const instance = await acquireInstance(dir, [], async () => []);
      assert.equal(instance.first, true);
      if (instance.first) instance.release();
    } finally {
      unrelated.kill();
    }
  });

  test('a young lock of a live process is waited for (it is starting), then taken over when stale', async () => {
    const dir = profile();
    const starting = spawn('sleep', ['30']);
    try {
      writeFileSync(join(dir, 'instance.lock'), JSON.stringify({ pid: starting.pid }));
      const started = Date.now();
      const instance = await acquireInstance(dir, [], async () => [], { staleAfterMs: 800 });
      assert.equal(instance.first, true);
      assert.ok(Date.now() - started >= 700, `waited only ${Date.now() - started} ms`);
      if (instance.first) instance.release();
    } finally {
      starting.kill();
    }
  });

  test('an unreadable lock (a crash while writing it) does not block', async () => {
    const dir = profile();
    writeFileSync(join(dir, 'instance.lock'), '{"pi');
    const old = new Date(Date.now() - 5_000);
    utimesSync(join(dir, 'instance.lock'), old, old);
    const instance = await acquireInstance(dir, [], async () => []);
    assert.equal(instance.first, true);
    if (instance.first) instance.release();
  });

  test('of several starts at once, exactly one holds the profile and the others reach it', async () => {
    const dir = profile();
    const starts = [otherStart(dir, 4_000), otherStart(dir, 4_000), otherStart(dir, 4_000), otherStart(dir, 4_000)];
    const said = (await Promise.all(starts.map((s) => s.said))).sort();
    assert.deepEqual(said, ['first', 'second', 'second', 'second']);
    for (const { child } of starts) child.kill();
    await Promise.all(starts.map(({ child }) => exited(child)));
  });

  test('a profile too deep for a socket path still works', async () => {
    const dir = join(profile(), 'a'.repeat(60), 'b'.repeat(60));
    mkdirSync(dir, { recursive: true });
    assert.ok(!instanceSocketPath(dir).startsWith(dir));
    const first = await acquireInstance(dir, [], async () => ['deep']);
    assert.ok(first.first);
    assert.deepEqual(await acquireInstance(dir, [], async () => []), { first: false, lines: ['deep'] });
    first.release();
  });
});
