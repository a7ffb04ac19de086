import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

/**
 * The layer rules are checks that run (tsc per runtime, Biome's import bans), not conventions:
 * each is shown failing on a deliberate violation, written into the layer for the moment of the
 * check and removed again.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = (name: string) => join(ROOT, 'node_modules', '.bin', name);

function withViolation(dir: string, source: string, check: (file: string) => ReturnType<typeof spawnSync>) {
  const file = join(ROOT, dir, `__layer_violation_${process.pid}.ts`);
  writeFileSync(file, source);
  try {
    const run = check(file);
    return { status: run.status, output: `${run.stdout ?? ''}${run.stderr ?? ''}`, name: relative(ROOT, file) };
  } finally {
    rmSync(file, { force: true });
  }
}

const tsc = (project: string) => () => spawnSync(BIN('tsc'), ['-p', project], { cwd: ROOT, encoding: 'utf8' });
const biomeLint = (file: string) => spawnSync(BIN('biome'), ['lint', file], { cwd: ROOT, encoding: 'utf8' });

describe('each runtime is type-checked on its own', () => {
  const cases: [string, string, string, string, RegExp][] = [
    [
      'protocol (neither DOM nor Node)',
      'packages/protocol/src',
      'packages/protocol',
      'export const here = window.location.href;\n',
      /Cannot find name 'window'/,
    ],
    [
      'protocol (neither DOM nor Node)',
      'packages/protocol/src',
      'packages/protocol',
      'export const pid = process.pid;\n',
      /Cannot find name 'process'/,
    ],
    [
      'the UI (DOM only)',
      'packages/desktop/src/ui',
      'packages/desktop/src/ui',
      'export const pid = process.pid;\n',
      /Cannot find name 'process'/,
    ],
    [
      'the core (Node only)',
      'packages/desktop/src/core',
      'tsconfig.node.json',
      'export const title = document.title;\n',
      /Cannot find name 'document'/,
    ],
    [
      'the portal (Node only)',
      'packages/portal/src',
      'tsconfig.node.json',
      'export const width = window.innerWidth;\n',
      /Cannot find name 'window'/,
    ],
  ];
  for (const [layer, dir, project, source, expected] of cases) {
    test(`${layer}: ${source.trim()} fails`, () => {
      const result = withViolation(dir, source, tsc(project));
      assert.notEqual(result.status, 0, `tsc -p ${project} passed with ${result.name}`);
      assert.match(result.output, expected);
      assert.ok(result.output.includes(result.name), 'the error names the file');
    });
  }
});

describe('imports across layers are refused by lint', () => {
  const cases: [string, string, string][] = [
    ['the UI imports a Node-only package', 'packages/desktop/src/ui', "import WebSocket from 'ws';\nexport const socket = WebSocket;\n"],
    [
      'the UI imports a Node module',
      'packages/desktop/src/ui',
      "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n",
    ],
    ['the UI imports the core', 'packages/desktop/src/ui', "import { openCore } from '../core/core.ts';\nexport const core = openCore;\n"],
    ['the core imports the UI', 'packages/desktop/src/core', "import { call } from '../ui/bridgeClient.ts';\nexport const ui = call;\n"],
    ['the core imports React', 'packages/desktop/src/core', "import { useState } from 'react';\nexport const hook = useState;\n"],
    ['protocol imports Node', 'packages/protocol/src', "import { randomUUID } from 'node:crypto';\nexport const id = randomUUID;\n"],
    [
      'the portal imports the desktop',
      'packages/portal/src',
      "import { openCore } from '../../desktop/src/core/core.ts';\nexport const core = openCore;\n",
    ],
  ];
  for (const [what, dir, source] of cases) {
    test(`${what}: refused`, () => {
      const result = withViolation(dir, source, biomeLint);
      assert.notEqual(result.status, 0, `biome lint passed ${result.name}`);
      assert.match(result.output, /noRestrictedImports/);
    });
  }
});
