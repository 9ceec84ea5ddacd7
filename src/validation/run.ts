import type { Pair } from '../contracts/pair.ts';
import type { ModelRef } from '../contracts/providers.ts';
import type { Source } from '../contracts/source.ts';
import type { Probe, ValidationConfig } from '../contracts/validation.ts';
import type { Embedder } from '../embeddings/minilm.ts';
import { BudgetExceededError } from '../errors/index.ts';
import type { Project } from '../project.ts';
import { DeferredCall, runInBatchRounds } from '../providers/batch/plan.ts';
import type { BatchRunSummary } from '../providers/batch/run.ts';
import { modelName } from '../providers/model-ref.ts';
import type { ProviderRegistry } from '../providers/registry.ts';
import { getPair } from '../store/pairs.ts';
import { hasVerdict, listProbes, putVerdict } from '../store/probes.ts';
import { createRun, finishRun, isCancelRequested, setRunMessage, updateRunProgress } from '../store/runs.ts';
import { getSource } from '../store/sources.ts';
import { pool } from '../util/pool.ts';
import { runPythonTests, sameProgram } from './code-checks.ts';
import { answer, ensureProbes, judgeProbe } from './probe-calls.ts';
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

/** One validation run in progress: its plan, progress in calls, summary so far, and why it stops. */
interface ValidationRun {
  project: Project;
  opts: ValidateOptions;
  runId: number;
  models: string[];
  summary: ValidationSummary;
  plan: CallPlan;
  progress: CallProgress;
  /** Sources whose probes the live pass has counted (their guess replaced by the real number). */
  countedSources: Set<number>;
  stop: 'budget' | 'cancelled' | null;
}

/**
 * Progress in calls. The unit of work is a call: per source without stored probes one probe call;
 * per pair, validator and probe two answers and a judgement. Sources whose probes are not written
 * yet count the configured number of probes until the prober has answered.
 */
interface CallProgress {
  /** The planned total (adjusted as probes become known and tasks end early). */
  total: number;
  calls: number;
  report(label: string): void;
  /** One call done. */
  call(label: string): void;
  /** A task ended early (no pair, an error, a stop): its remaining calls leave the plan. */
  endTask(pairId: number, ref: ModelRef, callsDone: number): void;
}

function callProgress(project: Project, opts: ValidateOptions, runId: number, plan: CallPlan): CallProgress {
  const p: CallProgress = {
    total: plan.total,
    calls: 0,
    report(label) {
      updateRunProgress(project.db, runId, p.calls, p.total);
      opts.onProgress?.(p.calls, p.total, `${p.calls} / ${p.total} calls · ${label}`);
    },
    call(label) {
      p.calls++;
      p.report(label);
    },
    endTask(pairId, ref, callsDone) {
      const left = plan.perTask(pairId, ref) - callsDone;
      if (left > 0) {
        p.total -= left;
        p.report(`skipped pair ${pairId} on ${modelName(ref)}`);
      }
    },
  };
  return p;
}

function startValidationRun(project: Project, opts: ValidateOptions): ValidationRun {
  const models = opts.validators.map(modelName);
  const runId = createRun(
    project.db,
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
    scores: computeScores(project.db, [], [], 0),
    code: [],
  };
  const plan = planCalls(project, opts);
  const progress = callProgress(project, opts, runId, plan);
  progress.report('starting');
  return { project, opts, runId, models, summary, plan, progress, countedSources: new Set(), stop: null };
}

function shouldStop(run: ValidationRun): boolean {
  if (!run.stop && (run.opts.signal?.aborted || isCancelRequested(run.project.db, run.runId))) run.stop = 'cancelled';
  return run.stop !== null;
}

/**
 * Validates pairs: probes from the original, each validator answering every probe with the
 * original and with the compression, answers compared (match, then judge), verdicts stored.
 * Resumable: stored probes, answers and verdicts are reused, and the response cache answers
 * every call already made, so a restarted run pays only for what it had not done.
 */
export async function runValidation(project: Project, opts: ValidateOptions): Promise<ValidationSummary> {
  const run = startValidationRun(project, opts);
  const { db } = project;
  try {
    if (opts.batch) {
      // Rounds: probes, then answers, then judgements, each round's calls in one batch per
      // provider and model. A call a batch could not answer is made live in the last pass.
      run.summary.batches = await runInBatchRounds({
        registry: opts.registry,
        db,
        runId: run.runId,
        ...(opts.signal ? { signal: opts.signal } : {}),
        stopRequested: () => shouldStop(run),
        onStatus: (message) => {
          setRunMessage(db, run.runId, message);
          opts.onStatus?.(message);
        },
        pass: (registry) => runTasks(run, { ...opts, registry }, 'plan'),
      });
      setRunMessage(db, run.runId, null);
    }
    if (!shouldStop(run)) await runTasks(run, opts, 'live');
    await checkCodePairs(run);
  } catch (error) {
    finishRun(
      db,
      run.runId,
      'failed',
      { issues: run.summary.issues.slice(0, 50) },
      error instanceof Error ? error.message : String(error),
    );
    throw error;
  }
  return finishValidation(run);
}

type Task = { pairId: number; ref: ModelRef };

/**
 * One pass over the tasks (pair × validator). "live" is the run itself. "plan" is a round of a
 * batched run: calls not in the cache are deferred (recorded for a batch), the work that needed
 * them skipped, and nothing is counted or reported, since the live pass that follows does that.
 */
async function runTasks(run: ValidationRun, o: ValidateOptions, mode: 'plan' | 'live'): Promise<void> {
  const tasks: Task[] = [];
  for (const pairId of run.opts.pairIds) for (const ref of run.opts.validators) tasks.push({ pairId, ref });
  const probesBySource = new Map<number, Promise<Probe[]>>();
  await pool(
    tasks,
    o.concurrency ?? o.config.concurrency,
    () => shouldStop(run),
    async (task) => {
      const { pairId, ref } = task;
      const pair = getPair(run.project.db, pairId);
      const source = pair && getSource(run.project.db, pair.sourceId);
      if (!pair || !source) {
        if (mode === 'live') {
          run.summary.issues.push({ pairId, message: 'no such pair' });
          run.progress.endTask(pairId, ref, 0);
        }
        return;
      }
      const counter = { calls: 0 };
      try {
        let probes = probesBySource.get(source.id);
        if (!probes) {
          probes = ensureProbes(run.project, source.id, o, run.runId);
          probesBySource.set(source.id, probes);
        }
        const list = await probes;
        if (mode === 'live') countProbes(run, task, source.id, list);
        await judgeTask(run, o, mode, task, { pair, source, probes: list }, counter);
      } catch (error) {
        taskFailed(run, mode, task, counter.calls, error);
      }
    },
  );
}

/** The live pass's first look at a source's probes: the plan's guess becomes the real number. */
function countProbes(run: ValidationRun, { pairId, ref }: Task, sourceId: number, list: Probe[]): void {
  const { plan, progress, opts } = run;
  if (!run.countedSources.has(sourceId)) {
    run.countedSources.add(sourceId);
    const hadProbes = plan.sourcesWithProbes.has(sourceId);
    if (!hadProbes) progress.call(`probes written for source ${sourceId}`);
    const guess = hadProbes ? list.length : opts.config.probes.perSource;
    const tasksOfSource = plan.tasksBySource.get(sourceId) ?? 0;
    progress.total += (list.length - guess) * 3 * tasksOfSource;
    plan.probesBySource.set(sourceId, list.length);
    progress.report(`probes ready for source ${sourceId}`);
  }
  if (!list.length)
    run.summary.issues.push({
      pairId,
      model: modelName(ref),
      message: 'no usable probes for this source (the prober wrote none): edit or add probes, or use a stronger prober',
    });
}

const DEFERRED = Symbol('deferred');
function orDeferred<T>(p: Promise<T>): Promise<T | typeof DEFERRED> {
  return p.catch((error: unknown) => {
    if (error instanceof DeferredCall) return DEFERRED;
    throw error;
  });
}

/** Each probe of one task: both answers, the judgement, the verdict stored. Stored verdicts are reused. */
async function judgeTask(
  run: ValidationRun,
  o: ValidateOptions,
  mode: 'plan' | 'live',
  { pairId, ref }: Task,
  { pair, source, probes }: { pair: Pair; source: Source; probes: Probe[] },
  counter: { calls: number },
): Promise<void> {
  const { db } = run.project;
  const model = modelName(ref);
  const live = (label: string) => {
    if (mode !== 'live') return;
    counter.calls++;
    run.progress.call(label);
  };
  for (const [i, probe] of probes.entries()) {
    if (shouldStop(run)) {
      if (mode === 'live') run.progress.endTask(pairId, ref, counter.calls);
      return;
    }
    const where = `probe ${i + 1}/${probes.length} of pair ${pairId} on ${model}`;
    if (hasVerdict(db, pairId, probe.id, model, 'judge')) {
      for (const what of ['answer', 'answer', 'verdict (stored)']) live(`${what} · ${where}`);
      continue;
    }
    if (mode === 'live') run.progress.report(`answering with the original · ${where}`);
    // Both answers are asked for even when one is deferred, so a planning round collects
    // every call it can in one go.
    const a = await orDeferred(answer(run.project, o, ref, probe, source.text, run.runId));
    live(`answering with the compression · ${where}`);
    const b = await orDeferred(answer(run.project, o, ref, probe, pair.compressed, run.runId));
    if (a === DEFERRED || b === DEFERRED) continue;
    live(`judging · ${where}`);
    const v = await orDeferred(judgeProbe(o, probe, a, b, run.runId));
    if (v === DEFERRED) continue;
    putVerdict(db, { pairId, probeId: probe.id, model, method: 'judge', ...v, runId: run.runId });
    live(`judged · ${where}`);
  }
}

/** A budget stops the run; any other error is the task's issue (a planning round ignores them). */
function taskFailed(
  run: ValidationRun,
  mode: 'plan' | 'live',
  { pairId, ref }: Task,
  callsDone: number,
  error: unknown,
) {
  if (mode === 'plan' && !(error instanceof BudgetExceededError)) return;
  if (error instanceof BudgetExceededError) {
    run.stop = 'budget';
    run.summary.issues.push({ pairId, model: modelName(ref), message: error.message });
    return;
  }
  if (mode === 'live') run.progress.endTask(pairId, ref, callsDone);
  if (run.opts.signal?.aborted) return;
  run.summary.issues.push({
    pairId,
    model: modelName(ref),
    message: error instanceof Error ? error.message : String(error),
  });
}

/** Model-independent checks for code: same syntax tree; the dataset's tests on the compression. */
async function checkCodePairs(run: ValidationRun): Promise<void> {
  const { db } = run.project;
  for (const pairId of run.opts.pairIds) {
    if (run.stop) break;
    const pair = getPair(db, pairId);
    const source = pair && getSource(db, pair.sourceId);
    if (!pair || !source || source.domain !== 'code') continue;
    run.progress.report(`checking code pair ${pairId}: syntax tree and tests`);
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
      runId: run.runId,
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
        runId: run.runId,
      });
    }
    run.summary.code.push({ pairId, sameAst: ast.method === 'none' ? null : ast.same, testsPassed });
  }
}

/** Scores the stored verdicts and closes the run (a budget stop is a cancel with its reason). */
function finishValidation(run: ValidationRun): ValidationSummary {
  const { summary, opts } = run;
  // A stop that aborted calls in flight ended their tasks quietly: record it as the cancel it was.
  if (opts.signal?.aborted) run.stop ??= 'cancelled';
  const stop = run.stop;
  summary.stoppedBy = stop ?? 'done';
  summary.scores = computeScores(run.project.db, opts.pairIds, run.models, opts.config.thresholds.taskEquivalence);
  const status = stop === 'cancelled' ? 'cancelled' : stop === 'budget' ? 'cancelled' : 'succeeded';
  finishRun(run.project.db, run.runId, status, {
    stoppedBy: summary.stoppedBy,
    issues: summary.issues.slice(0, 50),
    byModel: summary.scores.byModel,
    transfer: summary.scores.transfer,
    code: summary.code,
    ...(summary.batches ? { batches: summary.batches } : {}),
  });
  return summary;
}
