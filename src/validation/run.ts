import { z } from 'zod';
import type { ModelRef } from '../contracts/providers.ts';
import type { Probe, ValidationConfig } from '../contracts/validation.ts';
import type { Embedder } from '../embeddings/minilm.ts';
import { BudgetExceededError, StudioError } from '../errors/index.ts';
import type { Project } from '../project.ts';
import { DeferredCall, runInBatchRounds } from '../providers/batch/plan.ts';
import type { BatchRunSummary } from '../providers/batch/run.ts';
import { cacheKey } from '../providers/middleware/cache.ts';
import { modelName } from '../providers/model-ref.ts';
import type { ProviderRegistry } from '../providers/registry.ts';
import { getPair } from '../store/pairs.ts';
import { getAnswer, hasVerdict, insertProbes, listProbes, putAnswer, putVerdict } from '../store/probes.ts';
import { createRun, finishRun, isCancelRequested, setRunMessage, updateRunProgress } from '../store/runs.ts';
import { getSource } from '../store/sources.ts';
import { sha256 } from '../util/hash.ts';
import { pool } from '../util/pool.ts';
import { runPythonTests, sameProgram } from './code-checks.ts';
import { exactMatch, saysUnknown, tokenF1 } from './match.ts';
import {
  ANSWER_SYSTEM,
  answerPrompt,
  JUDGE_SCHEMA,
  JUDGE_SYSTEM,
  judgePrompt,
  PROBE_SYSTEM,
  probePrompt,
  probeSchema,
} from './prompts.ts';
import { computeScores, type Scores } from './scores.ts';

export { modelName };

export interface ValidateOptions {
  pairIds: readonly number[];
  validators: readonly ModelRef[];
  prober: ModelRef;
  judge: ModelRef;
  registry: ProviderRegistry;
  config: ValidationConfig;
  concurrency?: number;
  /**
   * Send the provider calls through the providers' batch endpoints (half price, answers within
   * hours) instead of live calls. Local models still answer live.
   */
  batch?: boolean;
  signal?: AbortSignal;
  onRun?: (runId: number) => void;
  /**
   * Progress in model calls (probes written, answers, judgements), stored or made, with what the
   * run is doing now: a run waiting on slow answers still moves.
   */
  onProgress?: (done: number, total: number, label?: string) => void;
  /** What a batched run is waiting for. */
  onStatus?: (message: string) => void;
  /** Sentence embeddings for answer similarity (a first signal and a tie-breaker); optional. */
  embedder?: Embedder;
}

export interface ValidationIssue {
  pairId: number;
  model?: string;
  message: string;
}

export interface ValidationSummary {
  runId: number;
  pairs: number;
  tasks: number;
  stoppedBy: 'done' | 'budget' | 'cancelled';
  issues: ValidationIssue[];
  /** Batched runs: what went through the providers' batch endpoints. */
  batches?: Omit<BatchRunSummary, 'stoppedEarly'>;
  scores: Scores;
  /** Code pairs: syntax tree equality and unit tests, independent of any model. */
  code: { pairId: number; sameAst: boolean | null; testsPassed: boolean | null }[];
}

const ProbeListSchema = z.object({ probes: z.array(z.object({ question: z.string(), answer: z.string() })) });
const JudgeSchema = z.object({ equivalent: z.boolean(), reason: z.string() });

/** Probes for a source: stored ones, else the dataset's QA, else (and to fill up) the prober's. */
async function ensureProbes(
  project: Project,
  sourceId: number,
  opts: ValidateOptions,
  runId: number,
): Promise<Probe[]> {
  const existing = listProbes(project.db, sourceId);
  if (existing.length) return existing;
  const source = getSource(project.db, sourceId);
  if (!source) return [];
  const want = opts.config.probes.perSource;
  const dataset = Array.isArray(source.metadata.qa)
    ? (source.metadata.qa as { question?: unknown; answer?: unknown }[])
    : [];
  const fromData = dataset
    .filter((q) => typeof q.question === 'string' && (typeof q.answer === 'string' || typeof q.answer === 'number'))
    .slice(0, want)
    .map((q) => ({
      kind: 'qa' as const,
      question: String(q.question),
      reference: String(q.answer),
      origin: 'dataset',
    }));
  // The dataset's probes and the prober's are stored together, after the prober answered: a call
  // deferred to a batch (or failed) must not leave a source with only part of its probes.
  const fromModel: Parameters<typeof insertProbes>[2] = [];
  if (fromData.length < want) {
    const prober = opts.registry.get(opts.prober);
    const res = await prober.complete(
      {
        model: opts.prober.model,
        system: PROBE_SYSTEM,
        messages: [{ role: 'user', content: probePrompt(source.text, want - fromData.length, source.domain) }],
        maxTokens: opts.config.probes.maxTokens,
        temperature: 0,
        json: { name: 'probes', schema: probeSchema(want - fromData.length) },
      },
      { runId, purpose: 'probe', ...(opts.signal ? { signal: opts.signal } : {}) },
    );
    const parsed = ProbeListSchema.safeParse(JSON.parse(res.text));
    if (!parsed.success)
      throw new StudioError(`the prober ${modelName(opts.prober)} returned probes in the wrong shape`);
    fromModel.push(
      ...parsed.data.probes
        .filter((p) => p.question.trim().length >= 8)
        .slice(0, want - fromData.length)
        .map((p) => ({
          kind: source.domain === 'code' ? ('behaviour' as const) : ('qa' as const),
          question: p.question,
          reference: p.answer,
          origin: `model:${modelName(opts.prober)}`,
        })),
    );
  }
  insertProbes(project.db, sourceId, [...fromData, ...fromModel]);
  return listProbes(project.db, sourceId);
}

async function answer(
  project: Project,
  opts: ValidateOptions,
  ref: ModelRef,
  probe: Probe,
  context: string,
  runId: number,
): Promise<string> {
  const contextHash = sha256(context);
  const model = modelName(ref);
  const stored = getAnswer(project.db, probe.id, model, contextHash);
  if (stored !== undefined) return stored;
  const request = {
    model: ref.model,
    system: ANSWER_SYSTEM,
    messages: [{ role: 'user' as const, content: answerPrompt(context, probe.question) }],
    maxTokens: opts.config.answer.maxTokens,
    temperature: 0,
  };
  const res = await opts.registry
    .get(ref)
    .complete(request, { runId, purpose: 'answer', ...(opts.signal ? { signal: opts.signal } : {}) });
  putAnswer(project.db, {
    probeId: probe.id,
    model,
    contextHash,
    text: res.text,
    requestHash: cacheKey(ref.provider, request),
    runId,
  });
  return res.text;
}

/**
 * Equivalent answers: the same words, both "not in the context", answers whose embeddings are
 * nearly identical, or the judge says so. The similarity is kept on every verdict it was computed
 * for, including judge errors, where it is the tie-breaker a reviewer can look at.
 */
async function judgeProbe(opts: ValidateOptions, probe: Probe, a: string, b: string, runId: number) {
  const f1 = tokenF1(a, b);
  if (exactMatch(a, b) || f1 >= opts.config.judge.f1Shortcut || (saysUnknown(a) && saysUnknown(b))) {
    return { outcome: 'equivalent' as const, score: f1, judge: null, details: { via: 'match', f1 } };
  }
  let similarity: number | undefined;
  if (opts.embedder) {
    try {
      similarity = Number((await opts.embedder.similarity(a, b)).toFixed(4));
    } catch {
      similarity = undefined; // the embedder is a helper, never a reason to fail a verdict
    }
    if (similarity !== undefined && similarity >= opts.config.similarity.equivalentAbove)
      return { outcome: 'equivalent' as const, score: f1, judge: null, details: { via: 'similarity', f1, similarity } };
  }
  const sim = similarity === undefined ? {} : { similarity };
  const judge = opts.registry.get(opts.judge);
  try {
    const res = await judge.complete(
      {
        model: opts.judge.model,
        system: JUDGE_SYSTEM,
        messages: [{ role: 'user', content: judgePrompt(probe.question, probe.reference, a, b) }],
        maxTokens: opts.config.judge.maxTokens,
        temperature: 0,
        json: { name: 'verdict', schema: JUDGE_SCHEMA as unknown as Record<string, unknown> },
      },
      { runId, purpose: 'judge', ...(opts.signal ? { signal: opts.signal } : {}) },
    );
    const parsed = JudgeSchema.safeParse(JSON.parse(res.text));
    if (!parsed.success)
      return {
        outcome: 'judge-error' as const,
        score: f1,
        judge: modelName(opts.judge),
        details: { via: 'judge', f1, ...sim, error: `unparseable verdict: ${res.text.slice(0, 200)}` },
      };
    return {
      outcome: parsed.data.equivalent ? ('equivalent' as const) : ('different' as const),
      score: f1,
      judge: modelName(opts.judge),
      details: { via: 'judge', f1, ...sim, reason: parsed.data.reason },
    };
  } catch (error) {
    if (error instanceof BudgetExceededError || error instanceof DeferredCall || opts.signal?.aborted) throw error;
    // A judge that errs is recorded as such, never as "different".
    return {
      outcome: 'judge-error' as const,
      score: f1,
      judge: modelName(opts.judge),
      details: { via: 'judge', f1, ...sim, error: error instanceof Error ? error.message : String(error) },
    };
  }
}

interface CallPlan {
  total: number;
  sourcesWithProbes: Set<number>;
  probesBySource: Map<number, number>;
  /** Pair × validator tasks per source (each costs 3 calls per probe). */
  tasksBySource: Map<number, number>;
  /** The calls one task is planned to make now (3 per probe of its source). */
  perTask(pairId: number, ref: ModelRef): number;
}

/** How many calls a run will make, from what is stored: the total its progress counts toward. */
function planCalls(project: Project, opts: ValidateOptions): CallPlan {
  const sourceOf = new Map<number, number>();
  const probesBySource = new Map<number, number>();
  const tasksBySource = new Map<number, number>();
  const sourcesWithProbes = new Set<number>();
  let total = 0;
  for (const pairId of opts.pairIds) {
    const pair = getPair(project.db, pairId);
    if (!pair) continue;
    sourceOf.set(pairId, pair.sourceId);
    if (!probesBySource.has(pair.sourceId)) {
      const stored = listProbes(project.db, pair.sourceId).length;
      if (stored) sourcesWithProbes.add(pair.sourceId);
      else total++; // the prober's call
      probesBySource.set(pair.sourceId, stored || opts.config.probes.perSource);
    }
    tasksBySource.set(pair.sourceId, (tasksBySource.get(pair.sourceId) ?? 0) + opts.validators.length);
    total += 3 * (probesBySource.get(pair.sourceId) ?? 0) * opts.validators.length;
  }
  return {
    total,
    sourcesWithProbes,
    probesBySource,
    tasksBySource,
    perTask: (pairId) => {
      const sourceId = sourceOf.get(pairId);
      return sourceId === undefined ? 0 : 3 * (probesBySource.get(sourceId) ?? 0);
    },
  };
}

/**
 * Validates pairs: probes from the original, each validator answering every probe with the
 * original and with the compression, answers compared (match, then judge), verdicts stored.
 * Resumable: stored probes, answers and verdicts are reused, and the response cache answers
 * every call already made, so a restarted run pays only for what it had not done.
 */
export async function runValidation(project: Project, opts: ValidateOptions): Promise<ValidationSummary> {
  const { db } = project;
  const models = opts.validators.map(modelName);
  const runId = createRun(
    db,
    'validation',
    {
      pairIds: opts.pairIds,
      validators: models,
      prober: modelName(opts.prober),
      judge: modelName(opts.judge),
      // As given, so a resume names the same models (local ones by their full path).
      validatorRefs: opts.validators.map((r) => `${r.provider}/${r.model}`),
      judgeRef: `${opts.judge.provider}/${opts.judge.model}`,
      proberRef: `${opts.prober.provider}/${opts.prober.model}`,
      ...(opts.batch ? { batch: true } : {}),
    },
    0,
  );
  opts.onRun?.(runId);
  const summary: ValidationSummary = {
    runId,
    pairs: opts.pairIds.length,
    tasks: opts.pairIds.length * opts.validators.length,
    stoppedBy: 'done',
    issues: [],
    scores: computeScores(db, [], [], 0),
    code: [],
  };
  // The unit of work is a call: per source without stored probes one probe call; per pair,
  // validator and probe two answers and a judgement. Sources whose probes are not written yet
  // count the configured number of probes until the prober has answered.
  const plan = planCalls(project, opts);
  let total = plan.total;
  let calls = 0;
  const countedSources = new Set<number>();
  const report = (label: string) => {
    updateRunProgress(db, runId, calls, total);
    opts.onProgress?.(calls, total, `${calls} / ${total} calls · ${label}`);
  };
  const call = (label: string) => {
    calls++;
    report(label);
  };
  report('starting');
  let stop: 'budget' | 'cancelled' | null = null;
  const shouldStop = () => {
    if (!stop && (opts.signal?.aborted || isCancelRequested(db, runId))) stop = 'cancelled';
    return stop !== null;
  };
  /** A task ended early (no pair, an error, a stop): its remaining calls leave the plan. */
  const endTask = (pairId: number, ref: ModelRef, callsDone: number) => {
    const left = plan.perTask(pairId, ref) - callsDone;
    if (left > 0) {
      total -= left;
      report(`skipped pair ${pairId} on ${modelName(ref)}`);
    }
  };

  const tasks: { pairId: number; ref: ModelRef }[] = [];
  for (const pairId of opts.pairIds) for (const ref of opts.validators) tasks.push({ pairId, ref });

  /**
   * One pass over the tasks. "live" is the run itself. "plan" is a round of a batched run: calls
   * not in the cache are deferred (recorded for a batch), the work that needed them skipped, and
   * nothing is counted or reported, since the live pass that follows does that.
   */
  const runTasks = async (o: ValidateOptions, mode: 'plan' | 'live') => {
    const probesBySource = new Map<number, Promise<Probe[]>>();
    const deferred = Symbol('deferred');
    const orDeferred = <T>(p: Promise<T>): Promise<T | typeof deferred> =>
      p.catch((error: unknown) => {
        if (error instanceof DeferredCall) return deferred;
        throw error;
      });
    await pool(tasks, o.concurrency ?? o.config.concurrency, shouldStop, async ({ pairId, ref }) => {
      const pair = getPair(db, pairId);
      const source = pair && getSource(db, pair.sourceId);
      if (!pair || !source) {
        if (mode === 'live') {
          summary.issues.push({ pairId, message: 'no such pair' });
          endTask(pairId, ref, 0);
        }
        return;
      }
      let taskCalls = 0;
      const live = (label: string) => {
        if (mode !== 'live') return;
        taskCalls++;
        call(label);
      };
      try {
        let probes = probesBySource.get(source.id);
        if (!probes) {
          probes = ensureProbes(project, source.id, o, runId);
          probesBySource.set(source.id, probes);
        }
        const model = modelName(ref);
        const hadProbes = plan.sourcesWithProbes.has(source.id);
        const list = await probes;
        if (mode === 'live' && !countedSources.has(source.id)) {
          countedSources.add(source.id);
          if (!hadProbes) call(`probes written for source ${source.id}`);
          // The plan guessed the number of probes; now it is known.
          const guess = hadProbes ? list.length : o.config.probes.perSource;
          const tasksOfSource = plan.tasksBySource.get(source.id) ?? 0;
          total += (list.length - guess) * 3 * tasksOfSource;
          plan.probesBySource.set(source.id, list.length);
          report(`probes ready for source ${source.id}`);
        }
        if (!list.length && mode === 'live')
          summary.issues.push({
            pairId,
            model,
            message:
              'no usable probes for this source (the prober wrote none): edit or add probes, or use a stronger prober',
          });
        for (const [i, probe] of list.entries()) {
          if (shouldStop()) {
            if (mode === 'live') endTask(pairId, ref, taskCalls);
            return;
          }
          const where = `probe ${i + 1}/${list.length} of pair ${pairId} on ${model}`;
          if (hasVerdict(db, pairId, probe.id, model, 'judge')) {
            for (const what of ['answer', 'answer', 'verdict (stored)']) live(`${what} · ${where}`);
            continue;
          }
          if (mode === 'live') report(`answering with the original · ${where}`);
          // Both answers are asked for even when one is deferred, so a planning round collects
          // every call it can in one go.
          const a = await orDeferred(answer(project, o, ref, probe, source.text, runId));
          live(`answering with the compression · ${where}`);
          const b = await orDeferred(answer(project, o, ref, probe, pair.compressed, runId));
          if (a === deferred || b === deferred) continue;
          live(`judging · ${where}`);
          const v = await orDeferred(judgeProbe(o, probe, a, b, runId));
          if (v === deferred) continue;
          putVerdict(db, { pairId, probeId: probe.id, model, method: 'judge', ...v, runId });
          live(`judged · ${where}`);
        }
      } catch (error) {
        if (mode === 'plan' && !(error instanceof BudgetExceededError)) return;
        if (error instanceof BudgetExceededError) {
          stop = 'budget';
          summary.issues.push({ pairId, model: modelName(ref), message: error.message });
          return;
        }
        if (mode === 'live') endTask(pairId, ref, taskCalls);
        if (opts.signal?.aborted) return;
        summary.issues.push({
          pairId,
          model: modelName(ref),
          message: error instanceof Error ? error.message : String(error),
        });
      }
    });
  };

  try {
    if (opts.batch) {
      // Rounds: probes, then answers, then judgements, each round's calls in one batch per
      // provider and model. A call a batch could not answer is made live in the last pass.
      summary.batches = await runInBatchRounds({
        registry: opts.registry,
        db,
        runId,
        ...(opts.signal ? { signal: opts.signal } : {}),
        stopRequested: shouldStop,
        onStatus: (message) => {
          setRunMessage(db, runId, message);
          opts.onStatus?.(message);
        },
        pass: (registry) => runTasks({ ...opts, registry }, 'plan'),
      });
      setRunMessage(db, runId, null);
    }
    if (!shouldStop()) await runTasks(opts, 'live');

    // Model-independent checks for code: same syntax tree; the dataset's tests on the compression.
    for (const pairId of opts.pairIds) {
      if (stop) break;
      const pair = getPair(db, pairId);
      const source = pair && getSource(db, pair.sourceId);
      if (!pair || !source || source.domain !== 'code') continue;
      report(`checking code pair ${pairId}: syntax tree and tests`);
      const ast = await sameProgram(source.text, pair.compressed, source.language);
      putVerdict(db, {
        pairId,
        probeId: null,
        model: '-',
        method: 'ast',
        outcome: ast.same ? 'equivalent' : 'different',
        score: null,
        judge: ast.method,
        details: { ...(ast.detail ? { detail: ast.detail } : {}) },
        runId,
      });
      let testsPassed: boolean | null = null;
      const m = source.metadata;
      if (source.language === 'python' && typeof m.test === 'string' && typeof m.entryPoint === 'string') {
        const t = await runPythonTests(pair.compressed, m.test, m.entryPoint);
        testsPassed = t.passed;
        putVerdict(db, {
          pairId,
          probeId: null,
          model: '-',
          method: 'tests',
          outcome: t.passed ? 'equivalent' : 'different',
          score: null,
          judge: 'python',
          details: { timedOut: t.timedOut, stderr: t.stderrTail },
          runId,
        });
      }
      summary.code.push({ pairId, sameAst: ast.method === 'none' ? null : ast.same, testsPassed });
    }
  } catch (error) {
    finishRun(
      db,
      runId,
      'failed',
      { issues: summary.issues.slice(0, 50) },
      error instanceof Error ? error.message : String(error),
    );
    throw error;
  }
  // A stop that aborted calls in flight ended their tasks quietly: record it as the cancel it was.
  if (opts.signal?.aborted) stop ??= 'cancelled';
  summary.stoppedBy = stop ?? 'done';
  summary.scores = computeScores(db, opts.pairIds, models, opts.config.thresholds.taskEquivalence);
  const status = stop === 'cancelled' ? 'cancelled' : stop === 'budget' ? 'cancelled' : 'succeeded';
  finishRun(db, runId, status, {
    stoppedBy: summary.stoppedBy,
    issues: summary.issues.slice(0, 50),
    byModel: summary.scores.byModel,
    transfer: summary.scores.transfer,
    code: summary.code,
    ...(summary.batches ? { batches: summary.batches } : {}),
  });
  return summary;
}
