import { existsSync, readdirSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { compressWithRules } from '../src/generation/rules/index.ts';
import { createPruner } from '../src/generation/strategies/pruned/index.ts';
import { createTokenClassifier } from '../src/inference/classifier.ts';
import { ensureSmolLM2 } from '../src/providers/local/test-model.ts';
import { getEncoder } from '../src/tokenizers/tiktoken.ts';
import { locomoSessions } from './classifier-model-teacher.ts';
import { stamp, table, writeSection } from './results-file.ts';

/**
 * The token classifier's speed, ms per 1k o200k tokens at 256, 1k and 4k tokens with 1 and 2
 * threads, beside the rules and `pruned` in the same run. `classifier-model` measures it after
 * training; `npm run bench -- classifier-speed` measures an already trained model alone (the
 * newest under bench/.work/classifier-model/, or BENCH_CLASSIFIER_MODEL), so the speed can be taken
 * again on a quiet machine without the half hour of training and LLMLingua runs.
 */

export const SPEED_SIZES = [256, 1024, 4096] as const;

const quantile = (xs: readonly number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? Number.NaN;
};
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' / ');

export interface SpeedReport {
  /** One row per compressor: its name, then "p50 / p95 (cpu …; … x ref)" per size. */
  rows: string[][];
  referenceP50: number;
  loadBefore: string;
  loadAfter: string;
  windowTokens: number;
}

export async function measureClassifierSpeed(modelDir: string, heldText: string): Promise<SpeedReport> {
  const enc = await getEncoder('o200k');
  const o200k = (s: string) => enc.encode(s, [], []).length;
  const words = heldText.split(/(?<=\s)/);
  const cut = (n: number) => {
    let out = '';
    for (const w of words) {
      if (o200k(out + w) > n) break;
      out += w;
    }
    return out;
  };
  const texts = SPEED_SIZES.map((n) => ({ n, text: cut(n) }));
  const loadBefore = load();
  // A fixed computation timed before every measured call: its time moves only with the machine's
  // load, so "x reference" compares runs made under different loads (and before/after a change).
  const refText = cut(4096);
  const reference = () => {
    for (let i = 0; i < 3; i++) o200k(`${refText}${i}`);
  };
  const refTimes: number[] = [];
  const rows: string[][] = [];
  const measure = async (name: string, reps: (n: number) => number, fn: (t: string) => Promise<unknown>) => {
    const cells: string[] = [name];
    for (const { n, text } of texts) {
      await fn(text); // warm
      const per1k: number[] = [];
      const cpu1k: number[] = [];
      const ref: number[] = [];
      for (let i = 0; i < reps(n); i++) {
        const r0 = performance.now();
        reference();
        ref.push(performance.now() - r0);
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        await fn(text);
        const c = process.cpuUsage(c0);
        per1k.push(((performance.now() - t0) / o200k(text)) * 1000);
        cpu1k.push(((c.user + c.system) / 1000 / o200k(text)) * 1000);
      }
      refTimes.push(...ref);
      const p50 = quantile(per1k, 0.5);
      cells.push(
        `${p50.toFixed(0)} / ${quantile(per1k, 0.95).toFixed(0)} (cpu ${quantile(cpu1k, 0.5).toFixed(0)}; ${(p50 / quantile(ref, 0.5)).toFixed(2)} x ref)`,
      );
    }
    rows.push(cells);
    console.log(`classifier speed: ${cells.join(' | ')}`);
  };
  let windowTokens = 0;
  for (const threads of [1, 2]) {
    const c = createTokenClassifier({ modelDir, threads });
    windowTokens = c.settings.windowTokens;
    await measure(
      `classifier, ${threads} thread${threads > 1 ? 's' : ''}`,
      (n) => (n <= 1024 ? 40 : 12),
      (t) => c.compress(t, { ratio: 0.5, domain: 'chat' }),
    );
    await c.dispose();
  }
  await measure(
    'rules',
    () => 10,
    (t) => compressWithRules(t, { domain: 'chat' }),
  );
  for (const threads of [1, 2]) {
    const p = createPruner({ modelPath: ensureSmolLM2(), threads, contextSize: 2048 });
    await measure(
      `pruned (SmolLM2-135M), ${threads} thread${threads > 1 ? 's' : ''}`,
      (n) => (n <= 256 ? 5 : n <= 1024 ? 3 : 1),
      (t) => p.prune(t, { ratio: 0.5, domain: 'chat' }),
    );
    await p.dispose();
  }
  return { rows, referenceP50: quantile(refTimes, 0.5), loadBefore, loadAfter: load(), windowTokens };
}

/** The speed table with its explanation, as both benches print it. */
export function speedLines(r: SpeedReport): string[] {
  return [
    `**Speed**, ms per 1k o200k tokens (p50 / p95), the same texts in the same run, the model loaded, with the process's CPU time`,
    `per 1k tokens (p50) and the p50 over a fixed reference timed before each call (o200k-encoding a 4k-token text 3 times,`,
    `${r.referenceP50.toFixed(0)} ms p50 in this run): the load moves both, the ratio much less. The classifier scores windows of`,
    `whole turns of at most ${r.windowTokens} tokens, each at its own length. Load average before / after: ${r.loadBefore} / ${r.loadAfter} (2 cores):`,
    '',
    table(['compressor', ...SPEED_SIZES.map((n) => `${n} tokens`)], r.rows),
  ];
}

/** The newest model a `classifier-model` run trained, or BENCH_CLASSIFIER_MODEL. */
function trainedModel(): string | undefined {
  if (process.env.BENCH_CLASSIFIER_MODEL) return resolve(process.env.BENCH_CLASSIFIER_MODEL);
  const root = resolve('bench', '.work', 'classifier-model');
  if (!existsSync(root)) return undefined;
  const models = readdirSync(root)
    .filter((d) => d.startsWith('train-'))
    .map((d) => join(root, d, 'out', 'model'))
    .filter((d) => existsSync(join(d, 'model.onnx')));
  return models.sort((a, b) => statSync(join(b, 'model.onnx')).mtimeMs - statSync(join(a, 'model.onnx')).mtimeMs)[0];
}

export async function benchClassifierSpeed(shared: string): Promise<void> {
  const modelDir = trainedModel();
  if (!modelDir) {
    console.error(
      'classifier-speed: no trained model under bench/.work/classifier-model/ (run `npm run bench -- classifier-model` first, or set BENCH_CLASSIFIER_MODEL)',
    );
    process.exitCode = 1;
    return;
  }
  const { sessions } = locomoSessions(shared);
  const held = sessions.filter((s) => s.conversation >= 4);
  const report = await measureClassifierSpeed(modelDir, held.map((s) => s.text).join('\n'));
  const meta = JSON.stringify(createTokenClassifier({ modelDir }).meta);
  writeSection(
    'classifier-speed',
    [
      `### Token classifier speed alone: ${stamp()}`,
      '',
      '`npm run bench -- classifier-speed` (bench/classifier-speed.ts): the model the last `classifier-model` run trained',
      `(${meta}), on text cut from LoCoMo conversations 4-5 (held out), no training or peers in the same run.`,
      '',
      ...speedLines(report),
    ].join('\n'),
  );
}
