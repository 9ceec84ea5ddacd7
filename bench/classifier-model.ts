import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TrainingEvent } from '../src/contracts/training.ts';
import { compressWithRules } from '../src/generation/rules/index.ts';
import { createTokenClassifier } from '../src/inference/classifier.ts';
import { getEncoder } from '../src/tokenizers/tiktoken.ts';
import { startClassifierTraining } from '../src/training/classifier.ts';
import { alignCompression } from '../src/training/classifier-labels.ts';
import { answerSurvives, type LocomoSample } from './answer-survival.ts';
import {
  type LocomoSession,
  locomoSessions,
  readTeacherCache,
  TEACHER_RATIOS,
  type TeacherEntry,
  teacherCompressions,
} from './classifier-model-teacher.ts';
import { measureClassifierSpeed, speedLines } from './classifier-speed.ts';
import { runPeer } from './pruning.ts';
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

function survival(locomo: LocomoSample[], sessions: readonly LocomoSession[], texts: readonly string[]) {
  let kept = 0;
  let n = 0;
  for (const sample of locomo) {
    for (const qa of sample.qa) {
      if (![1, 2, 4].includes(qa.category) || qa.answer === undefined) continue;
      const ns = [...new Set(qa.evidence.map((e) => Number(/^D(\d+):/.exec(e)?.[1])))];
      const held = ns.map((k) => sessions.findIndex((s) => s.sample === sample && s.n === k));
      if (held.some((i) => i < 0)) continue;
      n++;
      if (answerSurvives(String(qa.answer), held.map((i) => texts[i]).join('\n'))) kept++;
    }
  }
  return kept / Math.max(1, n);
}

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

export async function benchClassifierModel(shared: string): Promise<void> {
  const work = resolve('bench', '.work', 'classifier-model');
  mkdirSync(work, { recursive: true });
  const { locomo, sessions } = locomoSessions(shared);
  const trainSessions = sessions.filter((s) => TRAIN_CONVERSATIONS.has(s.conversation));
  // Held-out sessions: those the teacher has scored (BENCH_CLASSIFIER_TEACH_ALL=1 scores every one).
  const cached = readTeacherCache();
  const heldAll = sessions.filter((s) => !TRAIN_CONVERSATIONS.has(s.conversation));
  const held = process.env.BENCH_CLASSIFIER_TEACH_ALL ? heldAll : heldAll.filter((s) => cached[s.text]);
  const teacher = await teacherCompressions([...trainSessions, ...held], {
    threads: 1,
    log: (m) => console.log(`classifier-model: ${m}`),
  });
  const enc = await getEncoder('o200k');
  const o200k = (s: string) => enc.encode(s, [], []).length;
  const pairs = teacherPairs(trainSessions, teacher);
  console.log(
    `classifier-model: ${pairs.length} teacher pairs of ${TURNS_PER_PAIR} turns from ${trainSessions.length} sessions`,
  );

  // Training cost, and the model for the measurements: the largest run's.
  const runs = [];
  for (const count of PAIR_COUNTS) runs.push(await train(pairs, count, work));
  const modelDir = (runs.at(-1) as { modelDir: string }).modelDir;

  // Quality on the held-out conversations.
  const before = held.reduce((a, s) => a + o200k(s.text), 0);
  const base = survival(
    locomo,
    held,
    held.map((s) => s.text),
  );
  const clf = createTokenClassifier({ modelDir, threads: 1 });
  const quality: (string | number)[][] = [];
  const row = (name: string, texts: readonly string[]) => {
    const after = texts.reduce((a, t) => a + o200k(t), 0);
    const s = survival(locomo, held, texts);
    return [name, pct(after / before), s.toFixed(3), pct(s / base)];
  };
  quality.push(
    row(
      'original',
      held.map((s) => s.text),
    ),
  );
  const rules: string[] = [];
  for (const s of held) rules.push((await compressWithRules(s.text, { domain: 'chat' })).text);
  quality.push(row('rules', rules));
  for (const ratio of TEACHER_RATIOS) {
    const outs: string[] = [];
    for (const s of held) outs.push((await clf.compress(s.text, { ratio, domain: 'chat' })).text);
    quality.push(row(`classifier keep ${ratio}`, outs));
    quality.push(
      row(
        `pruned keep ${ratio} (teacher)`,
        held.map((s) => teacher.get(s.text)?.[String(ratio) as '0.5' | '0.33'] ?? s.text),
      ),
    );
    const peer = runPeer(held, ratio, work);
    if ('texts' in peer) quality.push(row(`LLMLingua rate ${ratio}`, peer.texts));
    else quality.push([`LLMLingua rate ${ratio}`, peer.skipped, '', '']);
  }

  // Speed: texts of 256, 1k and 4k o200k tokens cut from the held-out sessions, in one run.
  const speed = await measureClassifierSpeed(modelDir, held.map((s) => s.text).join('\n'));
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
      `${held.length} of their ${heldAll.length} sessions (those the cached teacher has scored: pruning the rest would take`,
      `~3 s per 1k tokens on this shared CPU; teacher outputs cached in .cache/classifier-bench/), ${before.toLocaleString('en-US')} o200k tokens.`,
      '',
      ...speedLines(speed),
      '',
      '**Quality** on the held-out sessions: answer survival (bench/answer-survival.ts: every content word of a',
      'LoCoMo answer of category 1, 2 or 4 still in the sessions holding its evidence) and retention (survival over',
      "the original's):",
      '',
      table(['text', 'kept tokens', 'answer survival', 'retention'], quality),
      '',
      `**Training cost** (1 thread, ${BENCH_EPOCHS} epochs at most, early stopping on held-back sessions; pairs beyond the`,
      `${pairs.length} distinct ones repeat them, which costs the same as new pairs of the same size):`,
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
    ].join('\n'),
  );
}
