import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

export const RESULTS = new URL('./RESULTS.md', import.meta.url);

export function machine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${process.arch}, ${cpus().length} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

export function stamp(): string {
  return `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machine()}`;
}

const HEADER = `# Benchmark results

Written by \`npm run bench\` (all sections) or \`npm run bench -- <section>\` (one). Each section says
when and on what machine it was measured, and the command that reproduces it.
`;

/**
 * Replaces one section of RESULTS.md (between its markers), keeping the others as they were. Only
 * `npm run bench` writes (it sets STUDIO_BENCH=1): a test that measures on the way, such as the
 * Pairs-page scale test, must leave the tracked file and a clone's `git status` as they were.
 */
export function writeSection(name: string, body: string): void {
  if (process.env.STUDIO_BENCH !== '1') {
    console.log(`bench:${name}: measured, not written to bench/RESULTS.md (only \`npm run bench\` writes it)`);
    return;
  }
  const path = RESULTS;
  let text = existsSync(path) ? readFileSync(path, 'utf8') : HEADER;
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const block = `${start}\n${body.trim()}\n${end}`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  text = i >= 0 && j > i ? text.slice(0, i) + block + text.slice(j + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(path, text);
}

export function table(head: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const fmt = (c: string | number) => (typeof c === 'number' ? c.toLocaleString('en-US') : c);
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(fmt).join(' | ')} |`),
  ].join('\n');
}

export const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
