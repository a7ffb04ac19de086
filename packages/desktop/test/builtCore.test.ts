import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BUILT_CORE_DIR, coreEnvironment, takeBackLauncherEnvironment } from '../src/core/builtCore.ts';

describe("the built core's environment", () => {
  test("the launcher adds two arenas, glibc's initial trim threshold and a compile cache beside the built core, and names what it added", () => {
    const env = coreEnvironment({ PATH: '/usr/bin' });
    assert.equal(env.PATH, '/usr/bin');
    assert.equal(env.MALLOC_ARENA_MAX, '2');
    assert.equal(env.MALLOC_TRIM_THRESHOLD_, '131072');
    assert.ok(env.NODE_COMPILE_CACHE?.startsWith(BUILT_CORE_DIR), env.NODE_COMPILE_CACHE);
    assert.equal(env.MULTIDESK_LAUNCHER_ADDED, 'MALLOC_ARENA_MAX,MALLOC_TRIM_THRESHOLD_,NODE_COMPILE_CACHE');
  });

  test("what the user set is kept, and not taken back: only the launcher's own additions are", () => {
    const given = { MALLOC_ARENA_MAX: '4', MALLOC_TRIM_THRESHOLD_: '1048576', NODE_COMPILE_CACHE: '/home/me/.cache/node' };
    assert.deepEqual(coreEnvironment(given), given);
    const env = coreEnvironment({ NODE_COMPILE_CACHE: '/home/me/.cache/node' });
    assert.equal(env.MULTIDESK_LAUNCHER_ADDED, 'MALLOC_ARENA_MAX,MALLOC_TRIM_THRESHOLD_');

    const saved = { ...process.env };
    try {
      Object.assign(process.env, env);
      takeBackLauncherEnvironment();
      assert.equal(process.env.MALLOC_ARENA_MAX, saved.MALLOC_ARENA_MAX);
      assert.equal(process.env.MALLOC_TRIM_THRESHOLD_, saved.MALLOC_TRIM_THRESHOLD_);
      assert.equal(process.env.NODE_COMPILE_CACHE, '/home/me/.cache/node', "the user's own setting reaches the browser");
      assert.equal(process.env.MULTIDESK_LAUNCHER_ADDED, undefined);
    } finally {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
    }
  });
});
