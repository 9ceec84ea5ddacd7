import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadInferenceConfig } from '../src/inference/index.ts';
import { createEmbeddingStore, type EmbeddingStore } from '../src/inference/query/embedding-store.ts';
import { RANK_FEATURES, type RankModel, rankFeatures, rankLogit } from '../src/inference/query/rank-features.ts';
import { handScores, prepare, relevanceSignals } from '../src/inference/query/relevance.ts';
import {
  DEFAULT_WEIGHTS,
  type SelectOptions,
  type SelectWeights,
  selectForQuery,
} from '../src/inference/query/select.ts';
import { o200kCounter, type TokenCounter } from '../src/tokenizers/o200k-counter.ts';
import { fitLogistic, solve, standardise, unscale } from './logistic-fit.ts';
import { type Conversation, conversations, type Qa, questions, sectionsOf, survives, unitDialogIds } from './memory.ts';
import { adapterName } from './memory-adapter.ts';

/**
 * `tsx bench/query-rank-fit.ts [--write]`: fits the learned ranker of query-aware selection
 * (src/inference/query/rank-features.ts) on LoCoMo conversations 1-3 only: one example per
 * (question, unit) for every QA of category 1, 2 or 4, labelled 1 when the QA names the unit's turn
 * as evidence. An L2-regularised logistic regression on standardised features, Newton's method, as
 * bench/turn-value-fit.ts does for the no-question turn model. Reports, leaving each conversation
 * out in turn (fitted on the other two): the AUC of evidence units within each question, and the
 * memory bench's answer survival at 5x / 10x / 20x with the fold's model against the hand weights,
 * through the product's selectForQuery with the product's settings. Then fits on all three;
 * --write puts the constants in src/inference/query/rank-model.ts. Conversations 4-5 are never read.
 * QUERY_FIT_LAMBDA sets the L2 strength (default 30), QUERY_FIT_LOSS=softmax fits a listwise model
 * (a softmax over each question's units), QUERY_FIT_DEBUG=1 lists the QA the model and the weights
 * disagree on at 10x, QUERY_FIT_FAILS=1 the QA the model loses at 10x, QUERY_FIT_LABEL=answer also labels the units of an evidence session that say
 * a content word of the answer, QUERY_FIT_WEIGHTS (JSON) changes the weights of the model's selection
 * (verbatimShare, say) against the same hand weights, QUERY_FIT_DROP=a,b fits without those features,
 * QUERY_FIT_TRAIN=3,5 trains on the QA of those categories too (evidence only; scored on 1, 2, 4),
 * QUERY_FIT_ADAPTED=bench/.work/memory-adapter ranks with the memory adapters (see embedders()).
 */

const LAMBDA = Number(process.env.QUERY_FIT_LAMBDA ?? 30);
/** QUERY_FIT_DROP=a,b: features held at 0 (so fitted at weight 0), to measure a model without them. */
const DROPPED = (process.env.QUERY_FIT_DROP ?? '')
  .split(',')
  .filter(Boolean)
  .map((f) => {
    const k = (RANK_FEATURES as readonly string[]).indexOf(f);
    if (k < 0) throw new Error(`QUERY_FIT_DROP: no feature "${f}"`);
    return k;
  });
const RATIOS = [0.2, 0.1, 0.05] as const;
/** QUERY_FIT_TRAIN=3,5: QA of these categories train the model too (scored on 1, 2, 4 as ever). */
const TRAIN = [1, 2, 4, ...(process.env.QUERY_FIT_TRAIN ?? '').split(',').filter(Boolean).map(Number)];

interface Example {
  conv: number;
  question: number;
  x: Float64Array;
  y: number;
}

/** Small words an answer's content is not (as bench/answer-survival.ts counts it). */
const ANSWER_STOP = new Set(
  'a an the of in on at to for and or but is are was were be been with by from as that this it its his her their they he she i you we my your our me him them into about over after before than then so not no yes do does did has have had will would can could'.split(
    ' ',
  ),
);

/** The (question, unit) examples of one conversation (index `c`), its features computed with `store`. */
async function examplesOf(
  conv: Conversation,
  c: number,
  store: EmbeddingStore,
  weights: Partial<SelectWeights>,
): Promise<Example[]> {
  const out: Example[] = [];
  // Question ids unique across conversations: the AUC groups by them.
  let question = c * 10_000;
  const ids = unitDialogIds(conv);
  const prep = prepare(conv.memory);
  for (const qa of questions([conv], TRAIN)) {
    const evidence = new Set(qa.evidence.flatMap((e) => e.match(/D\d+:\d+/g) ?? []));
    const signals = await relevanceSignals(prep, qa.question, store);
    const hand = handScores(prep, qa.question, signals, { ...DEFAULT_WEIGHTS, ...weights }).score;
    // QUERY_FIT_LABEL=answer: also positive, a unit of an evidence session that says a content
    // word of the answer (what answer survival counts), not only the turns LoCoMo names.
    const answerWords = (qa.answer.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((w) => !ANSWER_STOP.has(w));
    rankFeatures(prep, qa.question, signals, hand).forEach((x, i) => {
      for (const k of DROPPED) x[k] = 0;
      const id = ids[i] as string;
      const inSession = qa.sessions.includes(Number(/^D(\d+):/.exec(id)?.[1]));
      const words = new Set(prep.bodies[i]?.toLowerCase().match(/[a-z0-9]+/g) ?? []);
      const says = inSession && answerWords.some((w) => words.has(w));
      const y = evidence.has(id) || (process.env.QUERY_FIT_LABEL === 'answer' && says);
      out.push({ conv: c, question, x, y: y ? 1 : 0 });
    });
    question++;
  }
  return out;
}

/** The logistic model as a RankModel. */
function fitPointwise(data: readonly Example[]): RankModel {
  const fit = fitLogistic(
    data.map((e) => e.x),
    data.map((e) => e.y),
    LAMBDA,
  );
  return asModel(fit.bias, fit.weights);
}

function asModel(bias: number, w: readonly number[]): RankModel {
  const weights = {} as Record<(typeof RANK_FEATURES)[number], number>;
  RANK_FEATURES.forEach((f, j) => {
    weights[f] = w[j] as number;
  });
  return { bias, weights };
}

/**
 * Listwise: a softmax over each question's units (a conditional logit), the loss minus the log
 * probability of each evidence unit; only the order within a question counts, so no bias.
 */
function fitSoftmax(data: readonly Example[]): RankModel {
  const d = RANK_FEATURES.length;
  const { mean, sd } = standardise(data.map((e) => e.x));
  const groups = new Map<number, { z: Float64Array; y: number }[]>();
  for (const e of data) {
    const list = groups.get(e.question) ?? [];
    list.push({ z: Float64Array.from(e.x, (v, j) => (v - (mean[j] as number)) / (sd[j] as number)), y: e.y });
    groups.set(e.question, list);
  }
  const w = new Array<number>(d).fill(0);
  for (let iter = 0; iter < 40; iter++) {
    const g = w.map((wi) => LAMBDA * wi);
    const h = w.map((_, a) => w.map((__, b) => (a === b ? LAMBDA : 0)));
    let loss = 0;
    for (const list of groups.values()) {
      const pos = list.filter((e) => e.y).length;
      if (!pos) continue;
      const s = list.map((e) => e.z.reduce((acc, v, j) => acc + v * (w[j] as number), 0));
      const top = Math.max(...s);
      const ex = s.map((v) => Math.exp(v - top));
      const total = ex.reduce((a, b) => a + b, 0);
      list.forEach((e, i) => {
        if (e.y) loss -= (s[i] as number) - top - Math.log(total);
      });
      const m = new Float64Array(d);
      list.forEach((e, i) => {
        const p = (ex[i] as number) / total;
        for (let a = 0; a < d; a++) {
          const za = e.z[a] as number;
          m[a] = (m[a] as number) + p * za;
          const row = h[a] as number[];
          for (let b = a; b < d; b++) row[b] = (row[b] as number) + pos * p * za * (e.z[b] as number);
        }
        if (e.y) for (let a = 0; a < d; a++) g[a] = (g[a] as number) - (e.z[a] as number);
      });
      for (let a = 0; a < d; a++) {
        g[a] = (g[a] as number) + pos * (m[a] as number);
        const row = h[a] as number[];
        for (let b = a; b < d; b++) row[b] = (row[b] as number) - pos * (m[a] as number) * (m[b] as number);
      }
    }
    for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) (h[a] as number[])[b] = (h[b] as number[])[a] as number;
    const step = solve(h, g);
    // Damped: a full Newton step from far away can overshoot a softmax's loss.
    const big = Math.max(...step.map(Math.abs));
    const scale = big > 1 ? 1 / big : 1;
    if (process.env.QUERY_FIT_DEBUG) console.log(`iter ${iter} loss ${loss.toFixed(2)} step ${big.toFixed(4)}`);
    step.forEach((s, j) => {
      w[j] = (w[j] as number) - scale * s;
    });
    if (big < 1e-8) break;
  }
  const fit = unscale({ mean, sd }, 0, w);
  return asModel(fit.bias, fit.weights);
}

const fitModel = (data: readonly Example[]) =>
  process.env.QUERY_FIT_LOSS === 'softmax' ? fitSoftmax(data) : fitPointwise(data);

/** Mean over questions of the probability that an evidence unit outranks another unit of the same memory. */
function auc(m: RankModel, data: readonly Example[]): number {
  const byQuestion = new Map<number, { v: number; y: number }[]>();
  for (const e of data) {
    const list = byQuestion.get(e.question) ?? [];
    list.push({ v: rankLogit(m, e.x), y: e.y });
    byQuestion.set(e.question, list);
  }
  let sum = 0;
  let count = 0;
  for (const list of byQuestion.values()) {
    list.sort((a, b) => a.v - b.v);
    let rankSum = 0;
    let pos = 0;
    list.forEach((e, i) => {
      if (e.y) {
        rankSum += i + 1;
        pos++;
      }
    });
    const neg = list.length - pos;
    if (!pos || !neg) continue;
    sum += (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
    count++;
  }
  return sum / Math.max(1, count);
}

/** Answers kept at each ratio (of the QA whose answer survives uncompressed), by category too. */
async function retention(
  qas: readonly Qa[],
  select: Omit<SelectOptions, 'query' | 'budget' | 'count'>,
  count: TokenCounter,
): Promise<{ kept: number[]; base: number; byCategory: Map<number, number[]> }> {
  const kept = RATIOS.map(() => 0);
  const byCategory = new Map<number, number[]>();
  let base = 0;
  for (const qa of qas) {
    if (!survives(qa, qa.conv.sessions)) continue;
    base++;
    const c = byCategory.get(qa.category) ?? [0, ...RATIOS.map(() => 0)];
    c[0] = (c[0] as number) + 1;
    const tokens = count(qa.conv.memory);
    for (const [k, ratio] of RATIOS.entries()) {
      const budget = Math.max(1, Math.floor(ratio * tokens));
      const r = await selectForQuery(qa.conv.memory, { ...select, query: qa.question, budget, count });
      if (survives(qa, sectionsOf(r.text))) {
        kept[k] = (kept[k] as number) + 1;
        c[k + 1] = (c[k + 1] as number) + 1;
      }
    }
    byCategory.set(qa.category, c);
  }
  return { kept, base, byCategory };
}

/** Where each of a QA's evidence units ranks in a selection's scores (0 = best), and whether it was kept. */
function evidenceRanks(qa: Qa, r: { scores: Float64Array; keptUnits: readonly number[] }) {
  const ids = unitDialogIds(qa.conv);
  const ev = new Set(qa.evidence.flatMap((e) => e.match(/D\d+:\d+/g) ?? []));
  const order = Array.from(r.scores.keys()).sort((x, y) => (r.scores[y] as number) - (r.scores[x] as number));
  return ids.flatMap((id, i) => (ev.has(id) ? [{ id, rank: order.indexOf(i), kept: r.keptUnits.includes(i) }] : []));
}

/** The QA the model loses at 10x that the weights keep, and the reverse (QUERY_FIT_DEBUG). */
async function diff(
  qas: readonly Qa[],
  product: Omit<SelectOptions, 'query' | 'budget' | 'count'>,
  m: RankModel,
  count: TokenCounter,
) {
  for (const qa of qas) {
    if (!survives(qa, qa.conv.sessions)) continue;
    const budget = Math.max(1, Math.floor(0.1 * count(qa.conv.memory)));
    const a = await selectForQuery(qa.conv.memory, {
      ...product,
      ranker: 'weights',
      query: qa.question,
      budget,
      count,
    });
    const b = await selectForQuery(qa.conv.memory, {
      ...product,
      ranker: 'learned',
      model: m,
      query: qa.question,
      budget,
      count,
    });
    const ka = survives(qa, sectionsOf(a.text));
    const kb = survives(qa, sectionsOf(b.text));
    if (ka === kb) continue;
    const rank = (r: typeof a) =>
      evidenceRanks(qa, r)
        .map((e) => `${e.rank}${e.kept ? 'k' : ''}`)
        .join(',');
    console.log(
      `${ka ? 'LOST' : 'WON '} c${qa.category} ${qa.question} -> ${qa.answer} | weights ${rank(a)} model ${rank(b)} kept ${a.keptUnits.length}/${b.keptUnits.length}`,
    );
  }
}

/** QUERY_FIT_FAILS=1: the QA the fold's model loses at 10x, with where its evidence units rank. */
async function fails(
  qas: readonly Qa[],
  product: Omit<SelectOptions, 'query' | 'budget' | 'count'>,
  m: RankModel,
  count: TokenCounter,
) {
  for (const qa of qas) {
    if (!survives(qa, qa.conv.sessions)) continue;
    const budget = Math.max(1, Math.floor(0.1 * count(qa.conv.memory)));
    const r = await selectForQuery(qa.conv.memory, {
      ...product,
      ranker: 'learned',
      model: m,
      query: qa.question,
      budget,
      count,
    });
    if (survives(qa, sectionsOf(r.text))) continue;
    const ranks = evidenceRanks(qa, r).map((e) => `${e.id}@${e.rank}${e.kept ? 'k' : ''}`);
    console.log(`FAIL c${qa.category} ${qa.question} -> ${qa.answer} | ${ranks.join(' ')} kept ${r.keptUnits.length}`);
  }
}

const fmt = (m: RankModel) => RANK_FEATURES.map((f) => `${f} ${m.weights[f].toFixed(3)}`).join(', ');
const CATEGORY = new Map([
  [1, 'multi-hop'],
  [2, 'temporal'],
  [4, 'single-hop'],
]);
const cats = (b: Map<number, number[]>, k: number) =>
  [...b.entries()]
    .sort((x, y) => x[0] - y[0])
    .map(([c, v]) => `${CATEGORY.get(c)} ${v[k + 1]}/${v[0]}`)
    .join(', ');

/**
 * Which embedder computes a conversation's features. Stock MiniLM for all by default. With
 * QUERY_FIT_ADAPTED (bench/memory-adapter.ts --folds), memory adapters trained on LoCoMo: a
 * conversation's features for fitting come from an adapter trained on neither it nor the fold's
 * test conversation (the final fit: not on it), and a test conversation is ranked with the adapter
 * trained on the other two, so the ranker learns how far to trust an adapter's cosine on a memory
 * it never saw, which is how the shipped adapter meets a user's.
 */
function embedders(config: ReturnType<typeof loadInferenceConfig>) {
  const adapted = process.env.QUERY_FIT_ADAPTED;
  const stores = new Map<string, EmbeddingStore>();
  const at = (name: string) => {
    let store = stores.get(name);
    if (!store) {
      store = createEmbeddingStore({
        modelPath: adapted && name !== 'stock' ? resolve(adapted, `${name}.onnx`) : config.query.embedder,
        dbPath: resolve('bench', '.work', 'memory', 'embeddings.db'),
      });
      stores.set(name, store);
    }
    return store;
  };
  const without = (...convs: (number | undefined)[]) =>
    adapted ? adapterName([0, 1, 2].filter((j) => !convs.includes(j))) : 'stock';
  return {
    /** For the features of conversation `k` in a fit tested on `test` (the final fit: none). */
    fit: (k: number, test?: number) => without(k, test),
    /** For ranking conversation `c` when it is the test. */
    test: (c: number) => without(c),
    at,
    dispose: () => Promise.all([...stores.values()].map((s) => s.dispose())),
  };
}

async function main() {
  const tuning = conversations(join('/work/shared/data', 'locomo-dev.json')).slice(0, 3);
  const config = loadInferenceConfig({});
  const embed = embedders(config);
  const count = await o200kCounter();
  const cache = new Map<string, Example[]>();
  const examplesWith = async (k: number, name: string) => {
    const key = `${k}/${name}`;
    let got = cache.get(key);
    if (!got) {
      got = await examplesOf(tuning[k] as Conversation, k, embed.at(name), config.query.weights);
      cache.set(key, got);
    }
    return got;
  };
  try {
    const totals = { hand: RATIOS.map(() => 0), model: RATIOS.map(() => 0), base: 0 };
    const handCats = new Map<number, number[]>();
    const modelCats = new Map<number, number[]>();
    const add = (into: Map<number, number[]>, from: Map<number, number[]>) => {
      for (const [c, v] of from)
        into.set(
          c,
          v.map((x, i) => x + (into.get(c)?.[i] ?? 0)),
        );
    };
    const aucs: number[] = [];
    for (let c = 0; c < tuning.length; c++) {
      const train: Example[] = [];
      for (let k = 0; k < tuning.length; k++) if (k !== c) train.push(...(await examplesWith(k, embed.fit(k, c))));
      const m = fitModel(train);
      const testName = embed.test(c);
      const test = await examplesWith(c, testName);
      const product = { store: embed.at(testName), weights: config.query.weights, style: config.query.style } as const;
      const qas = questions([tuning[c] as Conversation]);
      const hand = await retention(qas, { ...product, ranker: 'weights' }, count);
      // QUERY_FIT_WEIGHTS (JSON): weights for the model's selection only, e.g. another verbatimShare.
      const over = JSON.parse(process.env.QUERY_FIT_WEIGHTS ?? '{}') as Partial<SelectWeights>;
      const learned = await retention(
        qas,
        { ...product, weights: { ...product.weights, ...over }, ranker: 'learned', model: m },
        count,
      );
      if (process.env.QUERY_FIT_DEBUG) await diff(qas, product, m, count);
      if (process.env.QUERY_FIT_FAILS)
        await fails(qas, { ...product, weights: { ...product.weights, ...over } }, m, count);
      totals.base += hand.base;
      RATIOS.forEach((_, k) => {
        totals.hand[k] = (totals.hand[k] as number) + (hand.kept[k] as number);
        totals.model[k] = (totals.model[k] as number) + (learned.kept[k] as number);
      });
      add(handCats, hand.byCategory);
      add(modelCats, learned.byCategory);
      aucs.push(auc(m, test));
      console.log(
        `fold ${c + 1} (${tuning[c]?.id}, ranked with ${testName}): AUC ${auc(m, test).toFixed(4)}; kept at 5x / 10x / 20x: weights ${hand.kept.join(' / ')}, model ${learned.kept.join(' / ')} of ${hand.base}\n  ${fmt(m)}`,
      );
    }
    console.log(
      `cross-validated, kept at 5x / 10x / 20x: weights ${totals.hand.join(' / ')}, model ${totals.model.join(' / ')} of ${totals.base}; mean AUC ${(aucs.reduce((a, b) => a + b, 0) / aucs.length).toFixed(4)}`,
    );
    for (const [k, r] of RATIOS.entries())
      console.log(`  ${1 / r}x: weights ${cats(handCats, k)}; model ${cats(modelCats, k)}`);
    const data: Example[] = [];
    for (let k = 0; k < tuning.length; k++) data.push(...(await examplesWith(k, embed.fit(k))));
    console.log(
      `${data.length} (question, unit) pairs, ${data.filter((e) => e.y).length} evidence; features: ${RANK_FEATURES.join(', ')}`,
    );
    const final = fitModel(data);
    console.log(
      `all three: in-sample AUC ${auc(final, data).toFixed(3)}; bias ${final.bias.toFixed(3)}, ${fmt(final)}`,
    );
    if (process.argv.includes('--write')) writeModel(final, data, totals);
  } finally {
    await embed.dispose();
  }
}

function writeModel(
  final: RankModel,
  data: readonly Example[],
  totals: { hand: number[]; model: number[]; base: number },
) {
  const w = RANK_FEATURES.map((f) => `    ${f}: ${Number(final.weights[f].toFixed(4))},`).join('\n');
  writeFileSync(
    'src/inference/query/rank-model.ts',
    `// biome-ignore-all lint/suspicious/noApproximativeNumericConstant: fitted weights, one may land near a named constant (0.7071).
import type { RankModel } from './rank-features.ts';

/**
 * Which units of a memory a question's answer lies in: fitted by \`tsx bench/query-rank-fit.ts --write\`
 * (a logistic regression, L2 ${LAMBDA} on standardised features) on LoCoMo conversations 1-3 only,
 * ${data.length} (question, unit) pairs of QA categories 1, 2, 4 (${data.filter((e) => e.y).length} evidence).
 * Each conversation ranked by a model fitted on the other two, answers kept at 5x / 10x / 20x:
 * ${totals.model.join(' / ')} of ${totals.base} (the hand weights: ${totals.hand.join(' / ')}). Regenerate rather than edit.
 */
export const RANK_MODEL: RankModel | null = {
  bias: ${Number(final.bias.toFixed(4))},
  weights: {
${w}
  },
};
`,
  );
}

await main();
