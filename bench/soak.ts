/**
 * The long versions of issue 17's reliability suites, one after another, with the figures each
 * prints. The test command runs the same suites bounded; `MULTIDESK_SOAK=1` makes each its full size:
 * - fuzzing: ten times the cases of every area (REST, web pages and OAuth, Pull frames, the bridge);
 * - forced drops: 1,000 messages through 100 cut connections and 10 portal kills;
 * - crash mid-write: 50 rounds of SIGKILL while accounts change and messages are queued;
 * - hostile neighbours: 2,000 unauthenticated sockets and 2,000 slow clients;
 * - two hundred days of tokens (the same size in both).
 *
 *   xvfb-run -a npx node bench/soak.ts [--only fuzz,drops,...]
 *
 * Each suite runs as its own `node --test` process (as the test command runs it); its figure lines
 * are printed as they come and again together at the end, with whether the suite passed. A suite
 * that fails (a 5xx, a lost message, an unreadable profile) makes the run exit 1: these are
 * correctness figures, not timings. Takes about 15 minutes here.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

interface Suite {
  name: string;
  files: string[];
  /** The lines of its output that carry its figures. */
  figures: RegExp;
}

const SUITES: Suite[] = [
  {
    name: 'fuzz',
    files: [
      'packages/portal/test/fuzz.rest.test.ts',
      'packages/portal/test/fuzz.web.test.ts',
      'packages/portal/test/fuzz.pull.test.ts',
      'packages/desktop/test/fuzz.bridge.test.ts',
    ],
    figures: /^fuzz /,
  },
  { name: 'drops', files: ['packages/desktop/test/forcedDrops.test.ts'], figures: /^forced drops/ },
  { name: 'crash', files: ['packages/desktop/test/crashMidWrite.test.ts'], figures: /^crash mid-write/ },
  { name: 'neighbours', files: ['packages/portal/test/hostileNeighbours.test.ts'], figures: /^hostile neighbours/ },
  { name: 'tokens', files: ['packages/desktop/test/tokenLifetime.test.ts'], figures: /^200 days/ },
];

const { values: args } = parseArgs({ options: { only: { type: 'string' } } });
const only = args.only?.split(',').map((name) => name.trim());
const root = join(import.meta.dirname, '..');

/** Runs one suite's files; resolves to its figure lines and whether it passed. */
function run(suite: Suite): Promise<{ figures: string[]; passed: boolean; seconds: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...suite.files], {
    cwd: root,
    env: { ...process.env, MULTIDESK_SOAK: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const figures: string[] = [];
  let rest = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      const text = line.trim();
      if (suite.figures.test(text)) figures.push(text);
      if (suite.figures.test(text) || /^[✔✖] /.test(text)) console.log(`  ${text}`);
    }
  });
  return new Promise((resolve) => {
    child.on('close', (code) => resolve({ figures, passed: code === 0, seconds: Math.round((performance.now() - started) / 1000) }));
  });
}

const results: { suite: string; passed: boolean; seconds: number; figures: string[] }[] = [];
for (const suite of SUITES) {
  if (only && !only.includes(suite.name)) continue;
  console.log(`== ${suite.name} (${suite.files.length} file${suite.files.length > 1 ? 's' : ''})`);
  const result = await run(suite);
  results.push({ suite: suite.name, ...result });
}

console.log(JSON.stringify({ bench: 'soak', node: process.version, results }, null, 2));
for (const result of results) {
  console.log(`${result.suite}: ${result.passed ? 'passed' : 'FAILED'} in ${result.seconds} s`);
  for (const figure of result.figures) console.log(`  ${figure}`);
}
if (results.some((result) => !result.passed)) process.exitCode = 1;
