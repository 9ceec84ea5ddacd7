import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compressWithRules } from '../src/generation/rules/index.ts';
import { readLocomo } from '../src/io/locomo.ts';
import { countTiktoken } from '../src/tokenizers/tiktoken.ts';
import { pythonAsts } from '../src/validation/code-ast/python.ts';
import { answerSurvives, type LocomoSample } from './answer-survival.ts';
import { pct, stamp, table, writeSection } from './results-file.ts';

function runHumanEvalTests(program: string, test: string, entry: string): boolean {
  const code = `${program}\n\n${test}\n\ncheck(${entry})\n`;
  const r = spawnSync(process.env.STUDIO_PYTHON ?? 'python3', ['-c', code], { timeout: 10_000, encoding: 'utf8' });
  return r.status === 0;
}

/** Rule-based compression on the shared datasets: reduction per domain, and what it keeps. */
export async function benchRules(shared: string): Promise<void> {
  const locomoFile = join(shared, 'locomo-dev.json');
  const heFile = join(shared, 'humaneval-dev.jsonl');
  if (!existsSync(locomoFile) || !existsSync(heFile)) {
    console.log('rules: ../shared/data not found, skipped');
    return;
  }
  const locomo = JSON.parse(readFileSync(locomoFile, 'utf8')) as LocomoSample[];
  const sessions: { sample: LocomoSample; n: number; text: string; compressed: string }[] = [];
  let chatMs = 0;
  // The sessions exactly as the importer renders them.
  for (const item of readLocomo(locomo, { file: locomoFile, tags: [], mapping: {} })) {
    if (item.kind !== 'record') continue;
    const { text, metadata } = item.record.source;
    const sample = locomo.find((s) => s.sample_id === metadata.sampleId) as LocomoSample;
    const t0 = performance.now();
    const r = await compressWithRules(text, { domain: 'chat' });
    chatMs += performance.now() - t0;
    sessions.push({ sample, n: metadata.session as number, text, compressed: r.text });
  }
  const tok = async (texts: string[]) => {
    let n = 0;
    for (const t of texts) n += await countTiktoken(t, 'o200k');
    return n;
  };
  const chatBefore = await tok(sessions.map((s) => s.text));
  const chatAfter = await tok(sessions.map((s) => s.compressed));

  // Answer survival over QA of categories 1, 2 and 4 (answers present in the conversation).
  const survival = (subset: typeof sessions) => {
    let kept = 0;
    let base = 0;
    let n = 0;
    for (const sample of locomo) {
      for (const qa of sample.qa) {
        if (![1, 2, 4].includes(qa.category) || qa.answer === undefined) continue;
        const ns = [...new Set(qa.evidence.map((e) => Number(/^D(\d+):/.exec(e)?.[1])))];
        const held = ns.map((n) => subset.find((s) => s.sample === sample && s.n === n));
        if (held.some((h) => !h)) continue;
        n++;
        if (answerSurvives(String(qa.answer), held.map((h) => h?.text).join('\n'))) base++;
        if (answerSurvives(String(qa.answer), held.map((h) => h?.compressed).join('\n'))) kept++;
      }
    }
    return { n, base: base / Math.max(1, n), kept: kept / Math.max(1, n) };
  };
  const allSurvival = survival(sessions);
  const first15 = sessions.slice(0, 15);
  const first15Survival = survival(first15);

  const he = readFileSync(heFile, 'utf8')
    .trim()
    .split('\n')
    .map(
      (l) =>
        JSON.parse(l) as {
          task_id: string;
          prompt: string;
          canonical_solution: string;
          test: string;
          entry_point: string;
        },
    );
  const programs = he.map((p) => p.prompt + p.canonical_solution);
  let codeMs = 0;
  const compressed: string[] = [];
  let verified = 0;
  for (const p of programs) {
    const t0 = performance.now();
    const r = await compressWithRules(p, { domain: 'code', language: 'python' });
    codeMs += performance.now() - t0;
    compressed.push(r.text);
    if (r.verified === 'ast') verified++;
  }
  const asts = await pythonAsts([...programs, ...compressed]);
  let sameAst = 0;
  for (let i = 0; i < programs.length; i++) {
    const a = asts[i];
    const b = asts[i + programs.length];
    if (a?.ok && b?.ok && a.dump === b.dump) sameAst++;
  }
  let passOriginal = 0;
  let passCompressed = 0;
  he.forEach((p, i) => {
    if (runHumanEvalTests(programs[i] as string, p.test, p.entry_point)) passOriginal++;
    if (runHumanEvalTests(compressed[i] as string, p.test, p.entry_point)) passCompressed++;
  });
  const codeBefore = await tok(programs);
  const codeAfter = await tok(compressed);
  const code15Before = await tok(programs.slice(0, 15));
  const code15After = await tok(compressed.slice(0, 15));
  const chat15Before = await tok(first15.map((s) => s.text));
  const chat15After = await tok(first15.map((s) => s.compressed));
  const pass15 = he
    .slice(0, 15)
    .filter((p, i) => runHumanEvalTests(compressed[i] as string, p.test, p.entry_point)).length;

  const body = `## Rule-based compressor v0 on the shared datasets

${stamp()} · \`npm run bench -- rules\`

o200k tokens, exact. LoCoMo: every session of the 5 conversations rendered as the importer does
(dated header, one line per turn). HumanEval: prompt + canonical solution of the 100 problems.

${table(
  ['dataset (domain)', 'texts', 'tokens before', 'tokens after', 'reduction', 'ms per 1k tokens'],
  [
    [
      'LoCoMo sessions (chat)',
      sessions.length,
      chatBefore,
      chatAfter,
      pct(1 - chatAfter / chatBefore),
      (chatMs / (chatBefore / 1000)).toFixed(2),
    ],
    [
      'HumanEval programs (code)',
      programs.length,
      codeBefore,
      codeAfter,
      pct(1 - codeAfter / codeBefore),
      (codeMs / (codeBefore / 1000)).toFixed(2),
    ],
  ],
)}

What survives:
- HumanEval: ${verified}/${programs.length} compressions verified by the compressor's own tree-sitter check;
  ${sameAst}/${programs.length} have a Python \`ast.dump\` identical to the original's with docstrings removed;
  unit tests pass on ${passCompressed}/${programs.length} compressed programs (${passOriginal}/${programs.length} originals).
- LoCoMo answer survival (QA of categories 1, 2, 4 whose answer's content words all remain in the
  sessions that hold the evidence; ${allSurvival.n} questions): ${allSurvival.base.toFixed(3)} uncompressed,
  ${allSurvival.kept.toFixed(3)} after the rules.

Side by side with the LLMLingua peer's reference figures (../shared/peers/llmlingua/README.md: first 15
LoCoMo sessions, first 15 HumanEval programs, same metrics):

${table(
  ['compressor', 'LoCoMo reduction', 'answer survival', 'HumanEval reduction', 'tests pass'],
  [
    [
      'rules v0 (this)',
      pct(1 - chat15After / chat15Before),
      `${first15Survival.kept.toFixed(3)} (uncompressed ${first15Survival.base.toFixed(3)})`,
      pct(1 - code15After / code15Before),
      `${pass15}/15`,
    ],
    ['llmlingua rate 0.5, segment 200 (peer)', '47.3 %', '0.154', '16.1 %', '7/15'],
    ['llmlingua rate 0.33, segment 200 (peer)', '61.2 %', '0.115', '22.3 %', '7/15'],
  ],
)}

The rules are the safe floor: on conversations they remove only filler and merge turns (small
reduction, answers intact); on code they remove docstrings, comments and blank lines and prove the
program unchanged. The 40 % target belongs to the model-based strategies (generation issue).
`;
  writeSection('rules', body);
  console.log(
    `rules: chat ${pct(1 - chatAfter / chatBefore)}, code ${pct(1 - codeAfter / codeBefore)}, tests ${passCompressed}/${programs.length}, survival ${allSurvival.kept.toFixed(3)}/${allSurvival.base.toFixed(3)}`,
  );
}
