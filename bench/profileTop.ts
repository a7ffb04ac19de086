/**
 * Reads a `.cpuprofile` (from `node --cpu-prof`, e.g. `bench/rest.ts --profile DIR`) and prints the
 * functions with the most self time, and with the most total time (self plus what they call).
 *
 *   npx node bench/profileTop.ts FILE.cpuprofile [--top 30]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values: args, positionals } = parseArgs({ options: { top: { type: 'string', default: '30' } }, allowPositionals: true });
const file = positionals[0];
if (!file) throw new Error('usage: node bench/profileTop.ts FILE.cpuprofile [--top 30]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const top = Number(args.top);

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const label = (node: ProfileNode) => {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? `${url.replace(/^file:\/\/.*?node_modules\//, '').replace(/^file:\/\/.*?\/packages\//, '')}:${lineNumber + 1}` : '';
  return `${functionName || '(anonymous)'} ${where}`.trim();
};

const self = new Map<string, number>();
const total = new Map<string, number>();
let all = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i] ?? 0;
  const leaf = byId.get(profile.samples[i] as number);
  if (!leaf) continue;
  all += dt;
  self.set(label(leaf), (self.get(label(leaf)) ?? 0) + dt);
  // Each function counts once per sample even when it recurses.
  const seen = new Set<string>();
  for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
    const name = label(byId.get(id) as ProfileNode);
    if (seen.has(name)) continue;
    seen.add(name);
    total.set(name, (total.get(name) ?? 0) + dt);
  }
}

const print = (title: string, figures: Map<string, number>) => {
  console.log(`${title} (of ${(all / 1e6).toFixed(2)} s sampled)`);
  for (const [name, us] of [...figures].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((us / all) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`);
  }
};
print('self time', self);
console.log('');
print('total time', total);
