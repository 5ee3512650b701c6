/**
 * Summarise a V8 `.cpuprofile` (from `node --cpu-prof`): the top functions by self time and by
 * inclusive time (time with the function anywhere on the stack, counted once per sample even
 * when it recurses), as shares of all samples.
 *
 *   npx tsx bench/load/profile-summary.ts <file.cpuprofile> [--top 30] [--match server-connection]
 *
 * `--match` also lists, for functions whose url contains the text, who calls them (by self time).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string' }, match: { type: 'string' } } });
const file = positionals[0];
if (!file) {
  console.error('usage: profile-summary <file.cpuprofile> [--top 30] [--match text]');
  process.exit(2);
}
const top = Number(values.top ?? 30);
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;

/** One name per function: where it is defined, so two closures of one name stay apart. */
function nameOf(frame: CallFrame): string {
  const url = frame.url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules|engine-plugin|server|bench|shared)\//, '$1/');
  const where = url === '' ? '' : ` ${url}:${frame.lineNumber + 1}`;
  return `${frame.functionName || '(anonymous)'}${where}`;
}

const byId = new Map<number, ProfileNode>();
const parent = new Map<number, number>();
for (const node of profile.nodes) {
  byId.set(node.id, node);
  for (const child of node.children ?? []) parent.set(child, node.id);
}

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
const callers = new Map<string, Map<string, number>>();
const match = values.match;
let total = 0;
let idle = 0;
for (const sample of profile.samples) {
  total++;
  const leaf = byId.get(sample)!;
  const leafName = nameOf(leaf.callFrame);
  if (leaf.callFrame.functionName === '(idle)') idle++;
  self.set(leafName, (self.get(leafName) ?? 0) + 1);
  const seen = new Set<string>();
  let previous: string | undefined;
  for (let id: number | undefined = sample; id !== undefined; id = parent.get(id)) {
    const frame = byId.get(id)!.callFrame;
    const name = nameOf(frame);
    if (match && previous?.includes(match) && !name.includes(match)) {
      const counts = callers.get(previous) ?? new Map<string, number>();
      counts.set(name, (counts.get(name) ?? 0) + 1);
      callers.set(previous, counts);
      previous = undefined;
    } else if (match && name.includes(match) && previous === undefined) previous = name;
    if (seen.has(name)) continue;
    seen.add(name);
    inclusive.set(name, (inclusive.get(name) ?? 0) + 1);
  }
}

const seconds = (profile.endTime - profile.startTime) / 1e6;
const percent = (n: number) => `${((n / total) * 100).toFixed(1).padStart(5)} %`;
console.log(`${file}: ${total} samples over ${seconds.toFixed(1)} s; idle ${percent(idle)}, busy ${percent(total - idle)}`);
const show = (title: string, counts: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [name, n] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${percent(n)}  ${name}`);
};
show('self time', self);
show('inclusive time', inclusive);
if (match) {
  for (const [name, counts] of callers) {
    console.log(`\ncallers of ${name}`);
    for (const [caller, n] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`${percent(n)}  ${caller}`);
  }
}
