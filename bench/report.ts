/**
 * Benchmarks write their results into docs/benchmarks.md themselves, each into its own section
 * between markers, so no figure is ever typed by hand and scripts never overwrite each other.
 */
import { execSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'docs', 'benchmarks.md');

function version(pkg: string): string {
  try {
    return (JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

/** One line naming the machine, the versions and the date, for every section. */
export function environmentLine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  let commit = '';
  try {
    commit = execSync('git rev-parse --short HEAD', { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    commit = 'uncommitted';
  }
  return (
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${os.cpus().length}× ${cpu}, ` +
    `${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, bitecs ${version('bitecs')}, ws ${version('ws')}, ` +
    `@colyseus/schema ${version('@colyseus/schema')}, tickwire at ${commit}.`
  );
}

/** A markdown table from a header row and data rows. */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/**
 * Replace (or append) the section named `name` in docs/benchmarks.md with `markdown`.
 * Skipped when `BENCH_NO_WRITE=1` (the smoke runs inside `npm test` must not rewrite the doc).
 */
export function writeSection(name: string, markdown: string): void {
  console.log(markdown);
  if (process.env.BENCH_NO_WRITE === '1') return;
  const begin = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  let doc = '';
  try {
    doc = readFileSync(target, 'utf8');
  } catch {
    doc = '# Benchmarks\n\nEvery figure below was written by the script named in its section, never by hand.\n';
  }
  const block = `${begin}\n${markdown.trim()}\n${end}`;
  const from = doc.indexOf(begin);
  const to = doc.indexOf(end);
  doc = from >= 0 && to > from ? doc.slice(0, from) + block + doc.slice(to + end.length) : `${doc.trimEnd()}\n\n${block}\n`;
  writeFileSync(target, doc);
}
