import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compressCodePath } from '../src/generation/strategies/code-path.ts';
import { countTiktoken } from '../src/tokenizers/tiktoken.ts';
import { runPythonTests } from '../src/validation/code-checks.ts';
import { runPeer } from './pruning.ts';
import { stamp, writeSection } from './results-file.ts';

/**
 * Code side by side: the first 15 HumanEval programs (prompt + canonical solution) through our
 * code path (`pruned` on code) and the LLMLingua peer at the same rates, with the dataset's tests
 * run on every compression. The peer deletes tokens; the code path only whole comments,
 * docstrings, blank lines and unused blocks.
 */
export async function benchPruningCode(shared: string): Promise<void> {
  const programs = readFileSync(join(shared, 'humaneval-dev.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .slice(0, 15)
    .map((l) => JSON.parse(l) as { prompt: string; canonical_solution: string; test: string; entry_point: string })
    .map((p) => ({ text: `${p.prompt}${p.canonical_solution}`, test: p.test, entry: p.entry_point }));
  const work = join(process.cwd(), 'bench', '.work', 'pruning-code');
  mkdirSync(work, { recursive: true });
  const before = (await Promise.all(programs.map((p) => countTiktoken(p.text, 'o200k')))).reduce((a, b) => a + b, 0);
  const rows: string[][] = [];
  const measure = async (label: string, texts: string[], ms: number | null) => {
    let after = 0;
    let pass = 0;
    for (const [i, p] of programs.entries()) {
      after += await countTiktoken(texts[i] ?? '', 'o200k');
      if ((await runPythonTests(texts[i] ?? '', p.test, p.entry)).passed) pass++;
    }
    rows.push([
      label,
      `${((1 - after / before) * 100).toFixed(1)} %`,
      `${pass}/${programs.length}`,
      ms === null ? '–' : ms.toFixed(1),
    ]);
  };
  await measure(
    'uncompressed',
    programs.map((p) => p.text),
    null,
  );
  for (const ratio of [0.3, 0.5, 0.7]) {
    const t0 = performance.now();
    const ours: string[] = [];
    for (const p of programs)
      ours.push((await compressCodePath(p.text, { language: 'python', ratio, protect: [p.entry] })).text);
    await measure(`code path (pruned on code), ratio ${ratio}`, ours, ((performance.now() - t0) * 1000) / before);
    const peer = runPeer(programs, ratio, work);
    if ('skipped' in peer) rows.push([`llmlingua rate ${ratio} (peer)`, peer.skipped, '', '']);
    else
      await measure(`llmlingua rate ${ratio}, segment 200 (peer)`, peer.texts, (peer.seconds * 1000 * 1000) / before);
  }
  writeSection(
    'pruning-code',
    `## Code: the code path against the LLMLingua peer (HumanEval)

${stamp()} · \`npm run bench -- pruning-code\`

The first 15 HumanEval programs (prompt + canonical solution, ${before.toLocaleString('en-US')} o200k tokens), the same
texts and rates for both; the dataset's tests run on every compression in a child Python.

| compressor | reduction (o200k) | tests pass | ms per 1k o200k tokens |
|---|---|---|---|
${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}

The code path stops where only whole comments, docstrings, blank lines and unused blocks are left to
remove, so its reduction is the same at every ratio once those are gone; every result parses and
passes. Token deletion inside lines breaks programs on a single dropped \`:\` or \`)\`.`,
  );
}
