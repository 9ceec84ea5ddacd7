import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { percentile } from '../src/inference/http-util.ts';
import { readLocomo } from '../src/io/locomo.ts';
import { ensureSmolLM2 } from '../src/providers/local/test-model.ts';
import { chat, code, PROGRAMS, prose, SIZES, take } from './inference.ts';
import { stamp, table, writeSection } from './results-file.ts';

/**
 * Behaviour unchanged: this tree against an earlier commit (BENCH_BASELINE; by default the commit
 * at which the rules, pruning and inference sections were measured), both loaded into this one
 * process and called on the same inputs, calls interleaved and their order alternated, so the load
 * of a shared machine moves both sides alike. Absolute times from another day cannot say "within
 * noise" on a machine whose timings swing 10x; the ratio of two sides timed together can.
 */
const DEFAULT_BASELINE = 'b3d80bc';
/** Timed passes over each dataset (the median total is reported). */
const DATASET_ROUNDS = 5;

interface RulesResultLike {
  text: string;
}
interface CompressResultLike {
  text: string;
  tokensAfter: number;
}
interface Side {
  label: string;
  compressWithRules(text: string, options: { domain: string; language?: string | null }): Promise<RulesResultLike>;
  createCompressor(config: unknown): {
    compress(text: string, options: { domain: string }): Promise<CompressResultLike>;
    dispose(): Promise<void>;
  };
  parseInferenceConfig(raw: unknown): unknown;
  createPruner(options: { modelPath: string; threads: number; contextSize: number }): {
    score(text: string, options?: { domain?: string }): Promise<unknown>;
    dispose(): Promise<void>;
  };
}

/** The baseline's sources, extracted once into bench/.work (git archive), with this tree's packages. */
function checkoutBaseline(rev: string): string {
  const full = execFileSync('git', ['rev-parse', '--short', rev], { encoding: 'utf8' }).trim();
  const dir = resolve('bench', '.work', `baseline-${full}`);
  if (!existsSync(join(dir, 'src'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const tar = execFileSync('git', ['archive', '--format=tar', full], { maxBuffer: 512 * 2 ** 20 });
    execFileSync('tar', ['-x', '-C', dir], { input: tar });
    symlinkSync(resolve('node_modules'), join(dir, 'node_modules'));
  }
  return dir;
}

async function loadSide(root: string, label: string): Promise<Side> {
  const at = (p: string) => pathToFileURL(join(root, p)).href;
  const rules = await import(at('src/generation/rules/index.ts'));
  const inference = await import(at('src/inference/compress.ts'));
  const config = await import(at('src/inference/config.ts'));
  const prunedPath = existsSync(join(root, 'src/generation/strategies/pruned/index.ts'))
    ? 'src/generation/strategies/pruned/index.ts'
    : 'src/generation/strategies/pruned.ts';
  const pruned = await import(at(prunedPath));
  return {
    label,
    compressWithRules: rules.compressWithRules,
    createCompressor: inference.createCompressor,
    parseInferenceConfig: (raw) => config.parseInferenceConfig(raw),
    createPruner: pruned.createPruner,
  };
}

/** Calls `fn` for each side `runs` times, alternating which side goes first; ms per call per side. */
async function interleaved(
  sides: readonly Side[],
  runs: number,
  fn: (side: Side, run: number) => Promise<unknown>,
  offset = 0,
): Promise<number[][]> {
  const ms = sides.map(() => [] as number[]);
  for (let r = 0; r < runs; r++) {
    const order = (r + offset) % 2 ? [...sides.keys()].reverse() : [...sides.keys()];
    for (const k of order) {
      const t0 = performance.now();
      await fn(sides[k] as Side, r);
      (ms[k] as number[]).push(performance.now() - t0);
    }
  }
  return ms;
}

const f = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toFixed(3));

function rulesConfig(side: Side, cacheEntries: number): unknown {
  return side.parseInferenceConfig({
    models: {},
    pipelines: { nl: ['rules'], chat: ['rules'], code: ['rules', 'code-path'], mixed: ['rules'] },
    limits: { maxModelInputTokens: 6000, modelTimeoutMs: 600_000, maxTexts: 64 },
    cache: { entries: cacheEntries },
  });
}

export async function benchRegression(shared: string): Promise<void> {
  const rev = process.env.BENCH_BASELINE ?? DEFAULT_BASELINE;
  const baseDir = checkoutBaseline(rev);
  const baseRev = baseDir.slice(baseDir.lastIndexOf('baseline-') + 'baseline-'.length);
  const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { encoding: 'utf8' }).trim()
    ? ' with uncommitted changes'
    : '';
  const sides = [await loadSide(baseDir, `baseline ${baseRev}`), await loadSide(process.cwd(), `this tree ${head}`)];
  const load0 = loadavg()[0] ?? 0;

  // 1. The rules over the whole datasets: same bytes out, time per side.
  const locomoFile = join(shared, 'locomo-dev.json');
  const sessions: string[] = [];
  for (const item of readLocomo(JSON.parse(readFileSync(locomoFile, 'utf8')), {
    file: locomoFile,
    tags: [],
    mapping: {},
  }))
    if (item.kind === 'record') sessions.push(item.record.source.text);
  const programs = readFileSync(join(shared, 'humaneval-dev.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const p = JSON.parse(l) as { prompt: string; canonical_solution: string };
      return p.prompt + p.canonical_solution;
    });
  const datasetRows: string[][] = [];
  for (const [label, texts, domain, language] of [
    ['LoCoMo sessions (chat)', sessions, 'chat', null],
    ['HumanEval programs (code)', programs, 'code', 'python'],
  ] as const) {
    // A warm-up pass (grammars, encoders), then ROUNDS timed passes; each text's two calls side by
    // side, the side that goes first alternating from text to text and round to round.
    const outs = sides.map(() => [] as string[]);
    for (const [k, side] of sides.entries())
      for (const [i, text] of texts.entries())
        (outs[k] as string[])[i] = (await side.compressWithRules(text, { domain, language })).text;
    const rounds = sides.map(() => [] as number[]);
    for (let round = 0; round < DATASET_ROUNDS; round++) {
      const totals = sides.map(() => 0);
      for (const [i, text] of texts.entries()) {
        const ms = await interleaved(sides, 1, (side) => side.compressWithRules(text, { domain, language }), i + round);
        ms.forEach((m, k) => {
          totals[k] = (totals[k] as number) + (m[0] as number);
        });
      }
      for (const [k, t] of totals.entries()) (rounds[k] as number[]).push(t);
    }
    const same = texts.filter((_, i) => outs[0]?.[i] === outs[1]?.[i]).length;
    const [a, b] = rounds.map((r) => percentile(r, 50)) as [number, number];
    datasetRows.push([label, String(texts.length), `${same} / ${texts.length}`, f(a), f(b), (b / a).toFixed(2)]);
    console.log(`regression: rules ${label}: ${same}/${texts.length} identical, ${f(a)} vs ${f(b)} ms`);
  }

  // 2. compress() with the rules pipelines at 256, 1k and 4k tokens, and the cached repeat.
  const sources = { nl: prose(), chat: chat(shared), code: code(shared) };
  const compressors = sides.map((s) => s.createCompressor(rulesConfig(s, 0)));
  const cachedCompressors = sides.map((s) => s.createCompressor(rulesConfig(s, 100)));
  const callRows: string[][] = [];
  for (const size of SIZES) {
    for (const [domain, label, runs] of [
      ['nl', 'rules (prose)', 60],
      ['chat', 'rules (chat)', 60],
      ['code', 'rules + code-path (Python)', 10],
    ] as const) {
      const text = await take(sources[domain], size, domain === 'code' ? PROGRAMS : '\n');
      const outs: string[] = [];
      await interleaved(sides, 1, async (side) => {
        outs[sides.indexOf(side)] = (await compressors[sides.indexOf(side)]?.compress(text, { domain }))?.text ?? '';
      });
      const ms = await interleaved(sides, runs, (side, r) =>
        (compressors[sides.indexOf(side)] as ReturnType<Side['createCompressor']>).compress(`${text}\n${r}`, {
          domain,
        }),
      );
      callRows.push(row(label, size, ms, outs[0] === outs[1]));
    }
    const text = await take(sources.nl, size);
    await interleaved(sides, 1, (side) =>
      (cachedCompressors[sides.indexOf(side)] as ReturnType<Side['createCompressor']>).compress(text, { domain: 'nl' }),
    );
    const ms = await interleaved(sides, 200, (side) =>
      (cachedCompressors[sides.indexOf(side)] as ReturnType<Side['createCompressor']>).compress(text, { domain: 'nl' }),
    );
    callRows.push(row('cached repeat', size, ms, true));
  }
  for (const c of [...compressors, ...cachedCompressors]) await c.dispose();

  // 3. The pruner's scoring pass (what its time is made of), 1k chat tokens, one thread each.
  const modelPath = ensureSmolLM2();
  const pruners = sides.map((s) => s.createPruner({ modelPath, threads: 1, contextSize: 2048 }));
  const chat1k = await take(sources.chat, 1024);
  const chat256 = await take(sources.chat, 256);
  await interleaved(sides, 1, (side) =>
    (pruners[sides.indexOf(side)] as ReturnType<Side['createPruner']>).score(chat256),
  );
  const pruneMs = await interleaved(sides, 5, (side, r) =>
    (pruners[sides.indexOf(side)] as ReturnType<Side['createPruner']>).score(`${chat1k}\n${r}`, { domain: 'chat' }),
  );
  for (const p of pruners) await p.dispose();
  callRows.push(row('pruned: SmolLM2 scoring pass (chat, 1 thread)', 1024, pruneMs, undefined));
  const load1 = loadavg()[0] ?? 0;

  const [baseLabel, thisLabel] = sides.map((s) => s.label) as [string, string];
  writeSection(
    'regression',
    `## Behaviour and speed against a baseline commit (rules, inference, pruning)

${stamp()} · \`npm run bench -- regression\` (\`BENCH_BASELINE=<rev>\`, default ${DEFAULT_BASELINE}, the commit the
rules, pruning and inference sections above were measured at) · load average ${load0.toFixed(1)} → ${load1.toFixed(1)} on 2 cores

The baseline's sources (\`git archive\` into bench/.work) and this tree${dirty} loaded into one process and called on
the same inputs, each call of one side next to the same call of the other, the order alternated: the machine's load
moves both sides alike, so their ratio says whether the code got slower, which times measured on another day cannot.
"same output": the two sides returned the same bytes.

**The rules over the datasets** (as \`npm run bench -- rules\`; total ms over all texts):

${table(['dataset', 'texts', 'same output', `ms, ${baseLabel}`, `ms, ${thisLabel}`, 'this / baseline'], datasetRows)}

**\`compress()\` per call** (as \`npm run bench -- inference\`; a run number appended to each text, cache off except the
cached repeat; the pruner row times its SmolLM2 scoring pass, the part of its time the selection does not change):

${table(['call', 'input tokens', 'runs', 'same output', `p50 ms, ${baseLabel}`, `p50 ms, ${thisLabel}`, 'this / baseline (p50)', 'this / baseline (p95)'], callRows)}
`,
  );

  function row(label: string, size: number, ms: number[][], same: boolean | undefined): string[] {
    const [a, b] = ms as [number[], number[]];
    const r50 = percentile(b, 50) / percentile(a, 50);
    const r95 = percentile(b, 95) / percentile(a, 95);
    console.log(`regression: ${label} @${size}: ${f(percentile(a, 50))} vs ${f(percentile(b, 50))} ms`);
    return [
      label,
      String(size),
      String(a.length),
      same === undefined ? '(selection changed on purpose)' : same ? 'yes' : 'no',
      f(percentile(a, 50)),
      f(percentile(b, 50)),
      r50.toFixed(2),
      r95.toFixed(2),
    ];
  }
}
