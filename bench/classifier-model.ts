import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import type { TrainingEvent } from '../src/contracts/training.ts';
import { compressWithRules } from '../src/generation/rules/index.ts';
import { lockedUnits, renderKept } from '../src/generation/strategies/pruned/index.ts';
import { createTokenClassifier, INFO_SCALE, selectClassified, type WordScores } from '../src/inference/classifier.ts';
import { o200kCounter } from '../src/tokenizers/o200k-counter.ts';
import { getEncoder } from '../src/tokenizers/tiktoken.ts';
import { startClassifierTraining } from '../src/training/classifier.ts';
import { alignCompression } from '../src/training/classifier-labels.ts';
import { prefixTaker } from '../src/util/prefix-budget.ts';
import type { LocomoSample } from './answer-survival.ts';
import {
  checkTeacher,
  isScored,
  type LocomoSession,
  locomoSessions,
  TEACHER_RATIOS,
  type TeacherEntry,
  teacherCompressions,
} from './classifier-model-teacher.ts';
import { measureClassifierSpeed, speedLines } from './classifier-speed.ts';
import { survival as answerSurvival, peerCached } from './pruning.ts';
import { pct, stamp, table, writeSection } from './results-file.ts';

/**
 * `npm run bench -- classifier-model`: the token classifier trained on the teacher's (`pruned`)
 * labels of LoCoMo conversations 1-3 and measured on conversations 4-5: speed beside `pruned` and
 * the rules, answer survival and retention beside its teacher and LLMLingua, and what training
 * 500 and 2,000 pairs costs.
 */

const TRAIN_CONVERSATIONS = new Set([1, 2, 3]);
/** Turns per training pair: a pair is a few turns of a session with the teacher's labels. */
const TURNS_PER_PAIR = 3;
const BENCH_EPOCHS = Number(process.env.BENCH_CLASSIFIER_EPOCHS ?? 1);
/** Encoder layers kept of MiniLM's 6: half the layers, half the time per token (training and inference). */
const BENCH_LAYERS = Number(process.env.BENCH_CLASSIFIER_LAYERS ?? 3);
const PAIR_COUNTS = (process.env.BENCH_CLASSIFIER_PAIRS ?? '500,2000').split(',').map(Number);

interface Pair {
  words: string[];
  labels: number[];
  session: string;
}

/** The teacher's labels of each session, cut into pairs of a few turns (at line bounds). */
function teacherPairs(sessions: readonly LocomoSession[], teacher: Map<string, TeacherEntry>): Pair[] {
  const pairs: Pair[] = [];
  for (const s of sessions) {
    for (const ratio of TEACHER_RATIOS) {
      const compressed = teacher.get(s.text)?.[String(ratio) as '0.5' | '0.33'];
      if (!compressed) continue;
      const a = alignCompression(s.text, compressed);
      // Words per line, to cut at turn bounds.
      const lineOf: number[] = [];
      let line = 0;
      let at = 0;
      for (const w of a.words) {
        const pos = s.text.indexOf(w, at);
        line += (s.text.slice(at, pos).match(/\n/g) ?? []).length;
        lineOf.push(line);
        at = pos + w.length;
      }
      let start = 0;
      while (start < a.words.length) {
        const firstLine = lineOf[start] as number;
        let end = start;
        while (end < a.words.length && (lineOf[end] as number) < firstLine + TURNS_PER_PAIR) end++;
        const labels = Array.from(a.labels.slice(start, end));
        if (labels.some((l) => l === 1) && labels.some((l) => l === 0))
          pairs.push({ words: a.words.slice(start, end), labels, session: `${s.conversation}:${s.n}` });
        start = end;
      }
    }
  }
  return pairs;
}

/** QA of categories 1, 2, 4 whose evidence sessions are all in `sessions`: the share whose answer survives. */
const survival = (locomo: LocomoSample[], sessions: readonly LocomoSession[], texts: readonly string[]) =>
  answerSurvival(locomo, sessions, texts).share;

async function train(pairs: readonly Pair[], count: number, work: string) {
  const dir = join(work, `train-${count}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'data'), { recursive: true });
  // Pairs cycled to the count asked for; a tenth of the sessions held back for early stopping.
  const chosen = Array.from({ length: count }, (_v, i) => pairs[i % pairs.length] as Pair);
  const sessions = [...new Set(pairs.map((p) => p.session))];
  const validSessions = new Set(sessions.filter((_s, i) => i % 10 === 9));
  const line = (p: Pair) => JSON.stringify({ words: p.words, labels: p.labels });
  writeFileSync(
    join(dir, 'data', 'train.jsonl'),
    `${chosen
      .filter((p) => !validSessions.has(p.session))
      .map(line)
      .join('\n')}\n`,
  );
  writeFileSync(
    join(dir, 'data', 'valid.jsonl'),
    `${pairs
      .filter((p) => validSessions.has(p.session))
      .slice(0, 100)
      .map(line)
      .join('\n')}\n`,
  );
  let peak = 0;
  let steps = 0;
  let bestVal = Number.POSITIVE_INFINITY;
  const t0 = performance.now();
  const run = startClassifierTraining({
    dataDir: join(dir, 'data'),
    outDir: join(dir, 'out'),
    config: {
      epochs: BENCH_EPOCHS,
      layers: BENCH_LAYERS,
      batchSize: 8,
      stepsPerEval: 25,
      stepsPerReport: 10,
      threads: 1,
    },
    onEvent: (e: TrainingEvent) => {
      if (e.type === 'train') {
        peak = Math.max(peak, e.peakMemoryGb ?? 0);
        steps = e.iter;
        if (e.iter % 50 === 0)
          console.log(`classifier-model: ${count} pairs, step ${e.iter}, loss ${e.loss.toFixed(3)}`);
      }
      if (e.type === 'val') bestVal = Math.min(bestVal, e.loss);
      if (e.type === 'log') console.log(`classifier-model: ${e.message}`);
    },
  });
  const result = await run.done;
  return {
    count,
    seconds: (performance.now() - t0) / 1000,
    peakGb: peak,
    steps,
    bestVal,
    modelDir: result.adapterPath,
  };
}

/**
 * The classifier's own selection, for comparison: protected words, then the words of highest keep
 * probability to the ratio (no turn drops, no closed-class or given-word order).
 */
function ownTopK(text: string, scores: WordScores, ratio: number, o200k: (s: string) => number): string {
  const { units, keep: p } = scores;
  const locked = lockedUnits(text, units, { domain: 'chat' });
  const cost = units.map((u) => Math.max(1, o200k(text.slice(u.start, u.end))));
  const order = units
    .map((_u, i) => i)
    .filter((i) => !locked[i])
    .sort((a, b) => (p[b] as number) - (p[a] as number) || a - b);
  let budget = ratio * o200k(text);
  for (let i = 0; i < units.length; i++) if (locked[i]) budget -= cost[i] as number;
  const n = prefixTaker(order, cost)(Math.max(0, budget));
  const keep = Uint8Array.from(locked);
  for (let k = 0; k < n; k++) keep[order[k] as number] = 1;
  return renderKept(text, units, keep);
}

/** Information scales tried on the tuning conversations (the product's INFO_SCALE among them). */
const SCALES = [...new Set([0.5, 1, 2, 4, 8, INFO_SCALE])].sort((a, b) => a - b);

export async function benchClassifierModel(shared: string): Promise<void> {
  const work = resolve('bench', '.work', 'classifier-model');
  mkdirSync(work, { recursive: true });
  const { locomo, sessions } = locomoSessions(shared);
  // Sessions whose SmolLM2 scores are cached (BENCH_CLASSIFIER_TEACH_ALL=1 scores every one, ~30 s each).
  const all = process.env.BENCH_CLASSIFIER_TEACH_ALL === '1';
  const trainAll = sessions.filter((s) => TRAIN_CONVERSATIONS.has(s.conversation));
  const heldAll = sessions.filter((s) => !TRAIN_CONVERSATIONS.has(s.conversation));
  const trainSessions = all ? trainAll : trainAll.filter(isScored);
  const held = all ? heldAll : heldAll.filter(isScored);
  const log = (m: string) => console.log(`classifier-model: ${m}`);
  const teacher = await teacherCompressions([...trainSessions, ...held], { threads: 1, log });
  // The teacher is the product: the shortest held-out session pruned afresh through pruneAtRatios.
  const probe = [...held].sort((a, b) => a.text.length - b.text.length)[0] as LocomoSession;
  const mismatch = await checkTeacher(probe, teacher.get(probe.text) as TeacherEntry);
  if (mismatch.length) throw new Error(mismatch.join('; '));
  log(`teacher checked against pruneAtRatios on ${probe.sample.sample_id}-${probe.n}`);
  const enc = await getEncoder('o200k');
  const o200k = (s: string) => enc.encode(s, [], []).length;
  const count = await o200kCounter();
  const pairs = teacherPairs(trainSessions, teacher);
  log(`${pairs.length} teacher pairs of ${TURNS_PER_PAIR} turns from ${trainSessions.length} sessions`);

  // Training cost, and the model for the measurements: the largest run's (BENCH_CLASSIFIER_MODEL reuses one).
  const runs = [];
  if (!process.env.BENCH_CLASSIFIER_MODEL) for (const n of PAIR_COUNTS) runs.push(await train(pairs, n, work));
  const modelDir = process.env.BENCH_CLASSIFIER_MODEL ?? (runs.at(-1) as { modelDir: string }).modelDir;

  const clf = createTokenClassifier({ modelDir, threads: 1 });
  const scoresOf = async (list: readonly LocomoSession[]) => {
    const out: WordScores[] = [];
    for (const s of list) out.push(await clf.score(s.text));
    return out;
  };
  const trainScores = await scoresOf(trainSessions);
  const heldScores = await scoresOf(held);
  const selected = (list: readonly LocomoSession[], scores: readonly WordScores[], ratio: number, scale: number) =>
    list.map((s, i) => selectClassified(s.text, scores[i] as WordScores, { ratio, domain: 'chat' }, count, scale).text);
  const retention = (list: readonly LocomoSession[], texts: readonly string[]) =>
    survival(locomo, list, texts) /
    survival(
      locomo,
      list,
      list.map((s) => s.text),
    );
  const teacherTexts = (list: readonly LocomoSession[], ratio: number) =>
    list.map((s) => teacher.get(s.text)?.[String(ratio) as '0.5' | '0.33'] ?? s.text);

  // The information scale, on the tuning conversations only (in-sample for the classifier).
  const grid = SCALES.map((scale) => [
    scale,
    ...TEACHER_RATIOS.map((ratio) => retention(trainSessions, selected(trainSessions, trainScores, ratio, scale))),
  ]) as number[][];
  for (const g of grid)
    log(
      `tuning: scale ${g[0]}: retention ${g
        .slice(1)
        .map((x) => pct(x))
        .join(' / ')}`,
    );
  const bestScale = [...grid].sort(
    (a, b) => (b[1] as number) + (b[2] as number) - (a[1] as number) - (a[2] as number),
  )[0]?.[0];
  const sumAt = (scale: number) =>
    grid.filter((g) => g[0] === scale).reduce((a, g) => a + (g[1] as number) + (g[2] as number), 0);
  if (sumAt(bestScale as number) > sumAt(INFO_SCALE) + 1e-9)
    log(`the tuning set prefers scale ${bestScale} to INFO_SCALE ${INFO_SCALE}`);

  // Quality on the held-out conversations (and the same rows on the tuning ones).
  const qualityOf = (list: readonly LocomoSession[], scores: readonly WordScores[], peer: boolean) => {
    const before = list.reduce((a, s) => a + o200k(s.text), 0);
    const base = survival(
      locomo,
      list,
      list.map((s) => s.text),
    );
    const row = (name: string, texts: readonly string[]) => {
      const after = texts.reduce((a, t) => a + o200k(t), 0);
      const sv = survival(locomo, list, texts);
      return [name, pct(after / before), sv.toFixed(3), pct(sv / base)];
    };
    const rows: (string | number)[][] = [
      row(
        'original',
        list.map((s) => s.text),
      ),
    ];
    for (const ratio of TEACHER_RATIOS) {
      rows.push(row(`pruned keep ${ratio} (teacher)`, teacherTexts(list, ratio)));
      rows.push(row(`classifier keep ${ratio} (pruner's selection)`, selected(list, scores, ratio, INFO_SCALE)));
      rows.push(
        row(
          `classifier keep ${ratio} (own top-k)`,
          list.map((s, i) => ownTopK(s.text, scores[i] as WordScores, ratio, count)),
        ),
      );
      if (!peer || process.env.BENCH_CLASSIFIER_PEER === '0') continue;
      const p = peerCached(list, ratio, work);
      if ('texts' in p) rows.push(row(`LLMLingua rate ${ratio}`, p.texts));
      else rows.push([`LLMLingua rate ${ratio}`, p.skipped, '', '']);
    }
    return { rows, before };
  };
  const tuningQuality = qualityOf(trainSessions, trainScores, false);
  for (const r of tuningQuality.rows) log(`tuning: ${r.join(' | ')}`);
  const heldQuality = qualityOf(held, heldScores, true);
  for (const r of heldQuality.rows) log(`held out: ${r.join(' | ')}`);
  const rules: string[] = [];
  for (const s of held) rules.push((await compressWithRules(s.text, { domain: 'chat' })).text);
  const rulesAfter = rules.reduce((a, t) => a + o200k(t), 0);
  const rulesSurvival = survival(locomo, held, rules);
  heldQuality.rows.splice(1, 0, [
    'rules',
    pct(rulesAfter / heldQuality.before),
    rulesSurvival.toFixed(3),
    pct(
      rulesSurvival /
        survival(
          locomo,
          held,
          held.map((s) => s.text),
        ),
    ),
  ]);

  // Speed: texts of 256, 1k and 4k o200k tokens cut from the held-out sessions, in one run.
  const speed =
    process.env.BENCH_CLASSIFIER_SKIP_SPEED === '1'
      ? undefined
      : await measureClassifierSpeed(modelDir, held.map((s) => s.text).join('\n'));
  await clf.dispose();

  const meta = JSON.stringify(createTokenClassifier({ modelDir }).meta);
  writeSection(
    'classifier-model',
    [
      `### Token classifier (the fast compressor): ${stamp()}`,
      '',
      '`npm run bench -- classifier-model` (bench/classifier-model.ts). all-MiniLM-L6-v2 with a keep/drop head,',
      `fine-tuned by native/classifier on the labels of its teacher, \`pruned\` (SmolLM2-135M) at keep 0.5 and 0.33, over`,
      `LoCoMo conversations 1-3 (${trainSessions.length} sessions, ${pairs.length} pairs of ${TURNS_PER_PAIR} turns), the first ${BENCH_LAYERS} of its 6 layers, ${BENCH_EPOCHS} epoch(s), torch on 1 thread;`,
      `exported to ONNX with int8 weights and run by onnxruntime-node (${meta}). Held out: conversations 4-5,`,
      `${held.length} of their ${heldAll.length} sessions, ${heldQuality.before.toLocaleString('en-US')} o200k tokens. The teacher is the product's selection`,
      '(`selectWords`) over SmolLM2 scores cached per session (bench/score-cache.ts, shared with bench/memory.ts), run afresh',
      `each time, so it is always the current pruner (checked byte for byte against \`pruneAtRatios\` on ${probe.sample.sample_id}-${probe.n});`,
      'the sessions used are those scored (BENCH_CLASSIFIER_TEACH_ALL=1 scores the rest, ~30 s each).',
      '',
      ...(speed ? [...speedLines(speed), ''] : []),
      '**Quality** on the held-out sessions: answer survival (bench/answer-survival.ts: every content word of a',
      'LoCoMo answer of category 1, 2 or 4 still in the sessions holding its evidence) and retention (survival over',
      "the original's). \"pruner's selection\": the classifier's keep probability p turned into information",
      `(${INFO_SCALE} × log(p / (1 − p)) nats per token, src/inference/classifier.ts) and selected by the pruner's own`,
      '`selectWords` (small-talk turns, closed-class and already-said words first, turn drops below keep 0.45, bare labels,',
      'protected spans); "own top-k": protected words, then the highest p to the budget. LLMLingua outputs cached per',
      'session and rate in bench/.work/classifier-model/peer-cache.json.',
      '',
      table(['text', 'kept tokens', 'answer survival', 'retention'], heldQuality.rows),
      '',
      `The same on the tuning conversations 1-3 (the classifier's training sessions: in-sample), and the information scale`,
      `chosen there (retention at keep 0.5 / 0.33 by scale; INFO_SCALE = ${INFO_SCALE}):`,
      '',
      table(['text', 'kept tokens', 'answer survival', 'retention'], tuningQuality.rows),
      '',
      table(
        ['scale', 'keep 0.5', 'keep 0.33'],
        grid.map((g) => [String(g[0]), pct(g[1] as number), pct(g[2] as number)]),
      ),
      '',
      ...(runs.length
        ? [
            `**Training cost** (1 thread, ${BENCH_EPOCHS} epochs at most, early stopping on held-back sessions; pairs beyond the`,
            `${pairs.length} distinct ones repeat them, which costs the same as new pairs of the same size; load average ${loadavg()
              .map((x) => x.toFixed(1))
              .join(' / ')} at the end):`,
            '',
            table(
              ['pairs', 'wall time', 'steps', 'peak memory (worker)', 'best validation loss'],
              runs.map((r) => [
                r.count,
                `${(r.seconds / 60).toFixed(1)} min`,
                r.steps,
                `${r.peakGb.toFixed(2)} GB`,
                Number.isFinite(r.bestVal) ? r.bestVal.toFixed(3) : '–',
              ]),
            ),
          ]
        : [`(model reused from ${modelDir}: no training run)`]),
    ].join('\n'),
  );
}
