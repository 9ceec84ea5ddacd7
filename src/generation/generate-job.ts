import { availableParallelism } from 'node:os';
import type { ModelRef } from '../contracts/providers.ts';
import type { Domain } from '../contracts/source.ts';
import { BudgetExceededError, InputError } from '../errors/index.ts';
import type { Project } from '../project.ts';
import { DeferredCall, runInBatchRounds } from '../providers/batch/plan.ts';
import type { BatchRunSummary } from '../providers/batch/run.ts';
import { modelName } from '../providers/model-ref.ts';
import type { ProviderRegistry } from '../providers/registry.ts';
import { countNonCodeSources, coveredTargets } from '../store/generation.ts';
import { insertPairs } from '../store/pairs.ts';
import { createRun, finishRun, isCancelRequested, setRunMessage, updateRunProgress } from '../store/runs.ts';
import { getSource, type SourceSelection, selectSourceIds } from '../store/sources.ts';
import { TOKENIZER_IDS } from '../tokenizers/index.ts';
import { pool } from '../util/pool.ts';
import { STRATEGIES, type StrategyName, type StrategyOptions, type StrategySource } from './strategies/index.ts';
import { createPruner, type Pruner } from './strategies/pruned/index.ts';
import { type Candidate, type ClassifierDep, targetKey } from './strategies/spec.ts';

export interface GenerateOptions extends SourceSelection, StrategyOptions {
  strategy: StrategyName;
  /** prompted: the generator model and a registry (with its budget) to call it through. */
  generator?: ModelRef;
  registry?: ProviderRegistry;
  /** pruned: the local GGUF that scores words. */
  prunerModelPath?: string;
  /** classified: a loaded token classifier (src/inference/classifier.ts) and its name on the pairs. */
  classifier?: ClassifierDep;
  classifierModel?: string;
  concurrency?: number;
  /** prompted: through the providers' batch endpoints. */
  batch?: boolean;
  /**
   * Work chained after generation inside the same run (the jobs layer validates the candidates
   * here, src/jobs/generate-validate.ts): it runs when the run was not stopped and stored pairs,
   * its `config` is recorded with the run, and its failure fails the run.
   */
  afterGenerate?: AfterGenerate;
  signal?: AbortSignal;
  onRun?: (runId: number) => void;
  onProgress?: (done: number, total: number) => void;
  onStatus?: (message: string) => void;
}

export interface GenerateSummary {
  runId: number;
  strategy: StrategyName;
  sources: number;
  /** Sources skipped because every candidate this run would make was already stored. */
  skipped: number;
  candidates: number;
  inserted: number;
  existing: number;
  rejected: { sourceId: number; params: Record<string, unknown>; reason: string }[];
  tokens: { before: number; after: number };
  costUsd: number;
  unpricedCandidates: number;
  pairIds: number[];
  stoppedBy: 'done' | 'budget' | 'cancelled';
  batches?: BatchRunSummary;
  chained?: { validationRunId: number; kept: number[]; removed: number; withoutPass: number[] };
}

export interface AfterGenerate {
  /** Recorded in the run's config (e.g. the validators). */
  config: Record<string, unknown>;
  /** May change the summary (e.g. drop removed pairs, add `chained`). */
  run: (summary: GenerateSummary) => Promise<void>;
}

/** What a generation run will do, checked before anything is stored. */
interface GenerationPlan {
  strategy: NonNullable<(typeof STRATEGIES)[StrategyName]>;
  ids: number[];
  ratios: number[];
  /** The target keys each source must have covered (one per ratio, or the threshold). */
  targets: string[];
  needsPruner: boolean;
  prunerModel: string;
  /** The run's stored config. */
  config: Record<string, unknown>;
}

/** Checks the options against the store and decides the work; throws InputError before any run exists. */
function planGeneration(project: Project, options: GenerateOptions): GenerationPlan {
  const { db } = project;
  const strategy = STRATEGIES[options.strategy];
  if (!strategy) throw new InputError(`unknown strategy "${options.strategy}"`);
  const ratios = options.strategy === 'rules' ? [] : [...options.ratios];
  for (const r of ratios)
    if (!(r > 0 && r < 1)) throw new InputError(`a ratio is the kept fraction of tokens, between 0 and 1: got ${r}`);
  if (options.strategy !== 'rules' && !ratios.length && options.threshold === undefined)
    throw new InputError('say how much to keep: --ratio (e.g. 0.5) or, for pruned, --threshold');
  if (options.strategy === 'prompted' && (!options.generator || !options.registry))
    throw new InputError('prompted generation needs a generator model (--model provider/model)');
  const ids = selectSourceIds(db, options);
  if (!ids.length) throw new InputError('no sources match the selection');
  const needsPruner = options.strategy === 'pruned' && countNonCodeSources(db, ids) > 0;
  if (needsPruner && !options.prunerModelPath)
    throw new InputError('pruned needs a local GGUF model: --model path/to.gguf');
  const model =
    options.strategy === 'prompted' && options.generator
      ? `${options.generator.provider}/${options.generator.model}`
      : options.strategy === 'pruned'
        ? (options.prunerModelPath ?? '')
        : '';
  const targets =
    options.strategy === 'rules'
      ? [targetKey({})]
      : options.threshold !== undefined
        ? [targetKey({ threshold: options.threshold })]
        : ratios.map((ratio) => targetKey({ ratio }));
  const config = {
    strategy: options.strategy,
    ratios,
    ...(options.threshold !== undefined ? { threshold: options.threshold } : {}),
    ...(options.question ? { question: options.question } : {}),
    ...(options.protect?.length ? { protect: options.protect } : {}),
    model,
    sourceIds: ids,
    ...(options.batch ? { batch: true } : {}),
    ...(options.afterGenerate?.config ?? {}),
  };
  const prunerModel = options.prunerModelPath ? modelName({ provider: 'local', model: options.prunerModelPath }) : '';
  return { strategy, ids, ratios, targets, needsPruner, prunerModel, config };
}

/** One run in progress: its plan, its summary so far, and whether and why it stops. */
interface GenerationRun {
  project: Project;
  options: GenerateOptions;
  plan: GenerationPlan;
  runId: number;
  summary: GenerateSummary;
  stop: 'budget' | 'cancelled' | null;
  done: number;
  pruner?: Pruner;
  /** Which targets stored pairs already cover, per source, strategy and model. */
  covered: (sourceId: number, strategy: string, model: string) => string[];
}

function startRun(project: Project, options: GenerateOptions, plan: GenerationPlan): GenerationRun {
  const runId = createRun(project.db, 'generation', plan.config, plan.ids.length);
  options.onRun?.(runId);
  const summary: GenerateSummary = {
    runId,
    strategy: options.strategy,
    sources: plan.ids.length,
    skipped: 0,
    candidates: 0,
    inserted: 0,
    existing: 0,
    rejected: [],
    tokens: { before: 0, after: 0 },
    costUsd: 0,
    unpricedCandidates: 0,
    pairIds: [],
    stoppedBy: 'done',
  };
  return { project, options, plan, runId, summary, stop: null, done: 0, covered: coveredTargets(project.db) };
}

function shouldStop(run: GenerationRun): boolean {
  if (!run.stop && (run.options.signal?.aborted || isCancelRequested(run.project.db, run.runId)))
    run.stop = 'cancelled';
  return run.stop !== null;
}

/** The model a pair of this run records: the generator, the pruning model, or none. */
function pairModel(run: GenerationRun, domain: Domain): string {
  const { options } = run;
  if (options.strategy === 'prompted' && options.generator) return modelName(options.generator);
  if (options.strategy === 'pruned' && domain !== 'code') return run.plan.prunerModel;
  if (options.strategy === 'classified' && domain !== 'code') return options.classifierModel ?? '';
  return '';
}

/**
 * Runs a strategy over a selection of sources and stores its candidates as pairs, with token
 * counts before and after for every tokenizer, the ratio and the cost. Resumable: a source whose
 * candidates are all stored is skipped, prompted calls come from the response cache, and the
 * pruned strategy is deterministic, so a rerun adds nothing and pays nothing.
 */
export async function runGeneration(project: Project, options: GenerateOptions): Promise<GenerateSummary> {
  const plan = planGeneration(project, options);
  const run = startRun(project, options, plan);
  try {
    if (plan.needsPruner)
      run.pruner = createPruner({
        modelPath: options.prunerModelPath ?? '',
        threads: Math.max(1, availableParallelism()),
      });
    await executeGeneration(run);
    if (options.afterGenerate && !run.stop && run.summary.pairIds.length) await options.afterGenerate.run(run.summary);
  } catch (error) {
    failRun(run, error);
    throw error;
  } finally {
    await run.pruner?.dispose();
  }
  return finishGeneration(run);
}

/** Batch rounds first when asked (answers land in the cache), then the live pass that stores pairs. */
async function executeGeneration(run: GenerationRun): Promise<void> {
  const { options, runId } = run;
  const { db } = run.project;
  if (options.batch && options.strategy === 'prompted' && options.registry) {
    run.summary.batches = await runInBatchRounds({
      registry: options.registry,
      db,
      runId,
      ...(options.signal ? { signal: options.signal } : {}),
      stopRequested: () => shouldStop(run),
      onStatus: (message) => {
        setRunMessage(db, runId, message);
        options.onStatus?.(message);
      },
      pass: (registry) => pass(run, registry, 'plan'),
    });
    setRunMessage(db, runId, null);
  }
  if (!shouldStop(run)) await pass(run, options.registry, 'live');
}

/**
 * One pass over the sources. A planning pass only lets the strategy ask (its calls are deferred to
 * a batch); a live pass stores what comes back. A budget stops the pass; other errors are the
 * source's rejection, except bad input, which fails the run.
 */
async function pass(run: GenerationRun, registry: ProviderRegistry | undefined, mode: 'plan' | 'live'): Promise<void> {
  const { options, summary } = run;
  const concurrency = options.strategy === 'prompted' ? (options.concurrency ?? 4) : 1;
  await pool(
    run.plan.ids,
    concurrency,
    () => shouldStop(run),
    async (id) => {
      try {
        await processSource(run, id, registry, mode);
      } catch (error) {
        if (error instanceof DeferredCall) return;
        if (error instanceof BudgetExceededError) {
          run.stop = 'budget';
          if (mode === 'live') summary.rejected.push({ sourceId: id, params: {}, reason: error.message });
          return;
        }
        if (mode === 'plan') return;
        if (error instanceof InputError) throw error;
        summary.rejected.push({
          sourceId: id,
          params: {},
          reason: error instanceof Error ? error.message : String(error),
        });
      }
      if (mode === 'live') {
        run.done++;
        updateRunProgress(run.project.db, run.runId, run.done);
        options.onProgress?.(run.done, run.plan.ids.length);
      }
    },
  );
}

async function processSource(
  run: GenerationRun,
  id: number,
  registry: ProviderRegistry | undefined,
  mode: 'plan' | 'live',
): Promise<void> {
  const { options, summary } = run;
  const s = getSource(run.project.db, id);
  if (!s) return;
  if (mode === 'live') {
    const have = new Set(run.covered(id, options.strategy, pairModel(run, s.domain)));
    if (run.plan.targets.every((t) => have.has(t))) {
      summary.skipped++;
      return;
    }
  }
  const source: StrategySource = { id, text: s.text, domain: s.domain, language: s.language, metadata: s.metadata };
  const out = await run.plan.strategy(source, options, {
    ...(options.generator ? { generator: options.generator } : {}),
    ...(registry ? { registry } : {}),
    ...(run.pruner ? { pruner: run.pruner, prunerModel: run.plan.prunerModel } : {}),
    ...(options.classifier ? { classifier: options.classifier, classifierModel: options.classifierModel ?? '' } : {}),
    runId: run.runId,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (mode === 'plan') return;
  for (const r of out.rejected) summary.rejected.push({ sourceId: id, params: r.params, reason: r.reason });
  await persistCandidates(run, source, out.candidates);
}

/** Stores a source's candidates as pairs with counts for every tokenizer, and adds them up. */
async function persistCandidates(run: GenerationRun, source: StrategySource, candidates: Candidate[]): Promise<void> {
  const { project, summary } = run;
  const before = await project.tokens.count(source.text, 'o200k', { domain: source.domain });
  const rows = [];
  for (const c of candidates) {
    const counts: Record<string, { before: number; after: number; method: string }> = {};
    for (const t of TOKENIZER_IDS) {
      const b = await project.tokens.count(source.text, t, { domain: source.domain });
      const a = await project.tokens.count(c.compressed, t, { domain: source.domain });
      counts[t] = { before: b.count, after: a.count, method: a.method };
    }
    const after = counts.o200k?.after ?? 0;
    summary.tokens.before += before.count;
    summary.tokens.after += after;
    if (c.costUsd === null) summary.unpricedCandidates++;
    else summary.costUsd += c.costUsd;
    rows.push({
      sourceId: source.id,
      compressed: c.compressed,
      strategy: c.strategy,
      strategyVersion: c.strategyVersion,
      params: c.params,
      model: c.model,
      runId: run.runId,
      tokensOriginal: before.count,
      tokensCompressed: after,
      tokenizer: 'o200k',
      costUsd: c.costUsd,
      metadata: { ...c.metadata, tokens: counts, ratio: Number((after / Math.max(1, before.count)).toFixed(4)) },
    });
  }
  const res = insertPairs(project.db, rows);
  summary.candidates += candidates.length;
  summary.inserted += res.inserted;
  summary.existing += res.duplicates;
  summary.pairIds.push(...res.ids);
}

function failRun(run: GenerationRun, error: unknown): void {
  finishRun(
    run.project.db,
    run.runId,
    'failed',
    { ...run.summary, pairIds: undefined },
    error instanceof Error ? error.message : String(error),
  );
}

/** Closes the run with its summary (the first 50 rejections, listed by the Runs page as issues). */
function finishGeneration(run: GenerationRun): GenerateSummary {
  const { summary, stop } = run;
  summary.stoppedBy = stop ?? 'done';
  finishRun(run.project.db, run.runId, stop ? 'cancelled' : 'succeeded', {
    ...summary,
    pairIds: undefined,
    rejected: summary.rejected.slice(0, 50),
    rejectedCount: summary.rejected.length,
    issues: summary.rejected.slice(0, 50).map((r) => ({
      file: `source ${r.sourceId}`,
      message: `${r.params.ratio !== undefined ? `ratio ${String(r.params.ratio)}: ` : ''}${r.reason}`,
    })),
  });
  return summary;
}
