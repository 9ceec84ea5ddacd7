import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { countTiktoken, getEncoder } from '../src/tokenizers/tiktoken.ts';
import { stamp, table, writeSection } from './results-file.ts';

/** Time to count 1 MB of text per encoding, after the rank table is loaded. */
export async function benchTokenizers(): Promise<void> {
  // 1 MB of real text: this repository's sources and the installed packages' READMEs.
  let text = '';
  for (const f of [
    'README.md',
    'src/io/import.ts',
    'node_modules/zod/README.md',
    'node_modules/openai/README.md',
    'node_modules/typescript/README.md',
  ]) {
    try {
      text += readFileSync(join(process.cwd(), f), 'utf8');
    } catch {
      // optional file
    }
  }
  while (text.length < 1_000_000) text += text;
  text = text.slice(0, 1_000_000);
  const rows: (string | number)[][] = [];
  for (const enc of ['o200k', 'cl100k'] as const) {
    const l0 = performance.now();
    await getEncoder(enc);
    const load = performance.now() - l0;
    const times: number[] = [];
    let count = 0;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      count = await countTiktoken(text, enc);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    rows.push([enc, count, Math.round(load), Math.round(times[1] as number)]);
  }
  writeSection(
    'tokenizers',
    `## Token counting speed

${stamp()} · \`npm run bench -- tokenizers\`

1,000,000 characters of English prose and code (this repository's README and sources, installed
packages' READMEs), counted with js-tiktoken; median of 3 runs. Target: well under a second.

${table(['encoding', 'tokens', 'rank table load (ms, once)', 'count 1 MB (ms)'], rows)}

Claude and Gemini counts are the provider endpoints (network bound, cached per text) or the o200k
count times a factor (the o200k time above).
`,
  );
  console.log(`tokenizers: ${rows.map((r) => `${r[0]} ${r[3]} ms`).join(', ')}`);
}
