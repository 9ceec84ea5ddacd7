import { availableParallelism } from 'node:os';
import type { ModelRef } from '../contracts/providers.ts';
import type { Domain } from '../contracts/source.ts';
import { BudgetExceededError, InputError } from '../errors/index.ts';
import type { Project } from '../project.ts';
import { DeferredCall, runInBatchRounds } from '../providers/batch/plan.ts';
import type { BatchRunSummary } from '../providers/batch/run.ts';
import { modelName } from '../providers/model-ref.ts';
import type { ProviderRegistry } from '../providers/registry.ts';
import { insertPairs } from '../store/pairs.ts';
import { createRun, finishRun, isCancelRequested, setRunMessage, updateRunProgress } from '../store/runs.ts';
import { getSource, type SourceSelection, selectSourceIds } from '../store/sources.ts';
import { TOKENIZER_IDS } from '../tokenizers/index.ts';
import { pool } from '../util/pool.ts';
import { runValidation, type ValidateOptions } from '../validation/run.ts';
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
   * Generate, then validate the candidates and keep, per source, the shortest one that passes
   * on every validator (the others made by this run are removed, unless someone labelled them).
   */
  validate?: Omit<ValidateOptions, 'pairIds' | 'signal' | 'onRun' | 'onProgress' | 'onStatus'>;
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

/**
 * Runs a strategy over a selection of sources and stores its candidates as pairs, with token
 * counts before and after for every tokenizer, the ratio and the cost. Resumable: a source whose
 * candidates are all stored is skipped, prompted calls come from the response cache, and the
 * pruned strategy is deterministic, so a rerun adds nothing and pays nothing.
 */
export async function runGeneration(project: Project, options: GenerateOptions): Promise<GenerateSummary> {
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

  const model =
    options.strategy === 'prompted' && options.generator
      ? `${options.generator.provider}/${options.generator.model}`
      : options.strategy === 'pruned'
        ? (options.prunerModelPath ?? '')
        : '';
  const runId = createRun(
    db,
    'generation',
    {
      strategy: options.strategy,
      ratios,
      ...(options.threshold !== undefined ? { threshold: options.threshold } : {}),
      ...(options.question ? { question: options.question } : {}),
      ...(options.protect?.length ? { protect: options.protect } : {}),
      model,
      sourceIds: ids,
      ...(options.batch ? { batch: true } : {}),
      ...(options.validate ? { validate: options.validate.validators.map((v) => `${v.provider}/${v.model}`) } : {}),
    },
    ids.length,
  );
  options.onRun?.(runId);
  const summary: GenerateSummary = {
    runId,
    strategy: options.strategy,
    sources: ids.length,
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
  let stop: 'budget' | 'cancelled' | null = null;
  const shouldStop = () => {
    if (!stop && (options.signal?.aborted || isCancelRequested(db, runId))) stop = 'cancelled';
    return stop !== null;
  };
  let done = 0;

  let pruner: Pruner | undefined;
  const needsPruner =
    options.strategy === 'pruned' &&
    (db
      .prepare(`SELECT count(*) FROM sources WHERE domain != 'code' AND id IN (${ids.map(() => '?').join(',')})`)
      .pluck()
      .get(...ids) as number) > 0;
  if (needsPruner) {
    if (!options.prunerModelPath) throw new InputError('pruned needs a local GGUF model: --model path/to.gguf');
    pruner = createPruner({ modelPath: options.prunerModelPath, threads: Math.max(1, availableParallelism()) });
  }
  const prunerModel = options.prunerModelPath ? modelName({ provider: 'local', model: options.prunerModelPath }) : '';

  // A source is done when every target it asks for is covered by a stored pair of this
  // strategy and model (one pair may cover several ratios).
  const covered = db.prepare(
    `SELECT DISTINCT j.value FROM pairs p, json_each(p.metadata, '$.covers') j
     WHERE p.source_id = ? AND p.strategy = ? AND p.model = ?`,
  );
  const targets =
    options.strategy === 'rules'
      ? [targetKey({})]
      : options.threshold !== undefined
        ? [targetKey({ threshold: options.threshold })]
        : ratios.map((ratio) => targetKey({ ratio }));
  /** The model a pair of this run records: the generator, the pruning model, or none. */
  const pairModel = (domain: Domain) =>
    options.strategy === 'prompted' && options.generator
      ? modelName(options.generator)
      : options.strategy === 'pruned' && domain !== 'code'
        ? prunerModel
        : options.strategy === 'classified' && domain !== 'code'
          ? (options.classifierModel ?? '')
          : '';

  const store = async (source: StrategySource, candidates: Candidate[]) => {
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
        runId,
        tokensOriginal: before.count,
        tokensCompressed: after,
        tokenizer: 'o200k',
        costUsd: c.costUsd,
        metadata: { ...c.metadata, tokens: counts, ratio: Number((after / Math.max(1, before.count)).toFixed(4)) },
      });
    }
    const res = insertPairs(db, rows);
    summary.candidates += candidates.length;
    summary.inserted += res.inserted;
    summary.existing += res.duplicates;
    summary.pairIds.push(...res.ids);
  };

  const processSource = async (id: number, registry: ProviderRegistry | undefined, mode: 'plan' | 'live') => {
    const s = getSource(db, id);
    if (!s) return;
    if (mode === 'live') {
      const have = new Set(covered.pluck().all(id, options.strategy, pairModel(s.domain)) as string[]);
      if (targets.every((t) => have.has(t))) {
        summary.skipped++;
        return;
      }
    }
    const source: StrategySource = { id, text: s.text, domain: s.domain, language: s.language, metadata: s.metadata };
    const out = await strategy(source, options, {
      ...(options.generator ? { generator: options.generator } : {}),
      ...(registry ? { registry } : {}),
      ...(pruner ? { pruner, prunerModel } : {}),
      ...(options.classifier ? { classifier: options.classifier, classifierModel: options.classifierModel ?? '' } : {}),
      runId,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (mode === 'plan') return;
    for (const r of out.rejected) summary.rejected.push({ sourceId: id, params: r.params, reason: r.reason });
    await store(source, out.candidates);
  };

  const pass = async (registry: ProviderRegistry | undefined, mode: 'plan' | 'live') => {
    const concurrency = options.strategy === 'prompted' ? (options.concurrency ?? 4) : 1;
    await pool(ids, concurrency, shouldStop, async (id) => {
      try {
        await processSource(id, registry, mode);
      } catch (error) {
        if (error instanceof DeferredCall) return;
        if (error instanceof BudgetExceededError) {
          stop = 'budget';
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
        done++;
        updateRunProgress(db, runId, done);
        options.onProgress?.(done, ids.length);
      }
    });
  };

  try {
    if (options.batch && options.strategy === 'prompted' && options.registry) {
      summary.batches = await runInBatchRounds({
        registry: options.registry,
        db,
        runId,
        ...(options.signal ? { signal: options.signal } : {}),
        stopRequested: shouldStop,
        onStatus: (message) => {
          setRunMessage(db, runId, message);
          options.onStatus?.(message);
        },
        pass: (registry) => pass(registry, 'plan'),
      });
      setRunMessage(db, runId, null);
    }
    if (!shouldStop()) await pass(options.registry, 'live');
    if (options.validate && !stop && summary.pairIds.length) await chain(project, options, summary);
  } catch (error) {
    finishRun(
      db,
      runId,
      'failed',
      { ...summary, pairIds: undefined },
      error instanceof Error ? error.message : String(error),
    );
    throw error;
  } finally {
    await pruner?.dispose();
  }
  summary.stoppedBy = stop ?? 'done';
  finishRun(db, runId, stop ? 'cancelled' : 'succeeded', {
    ...summary,
    pairIds: undefined,
    rejected: summary.rejected.slice(0, 50),
    rejectedCount: summary.rejected.length,
    // The Runs page lists these under the run.
    issues: summary.rejected.slice(0, 50).map((r) => ({
      file: `source ${r.sourceId}`,
      message: `${r.params.ratio !== undefined ? `ratio ${String(r.params.ratio)}: ` : ''}${r.reason}`,
    })),
  });
  return summary;
}

/** Generate-then-validate: per source, the shortest candidate that passes on every validator. */
async function chain(project: Project, options: GenerateOptions, summary: GenerateSummary): Promise<void> {
  if (!options.validate) return;
  const v = await runValidation(project, {
    ...options.validate,
    pairIds: [...new Set(summary.pairIds)],
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onStatus ? { onStatus: options.onStatus } : {}),
  });
  const passed = new Map<number, boolean>();
  for (const p of v.scores.pairs) passed.set(p.pairId, (passed.get(p.pairId) ?? true) && p.pass === true);
  const { db } = project;
  const rows = db
    .prepare(
      `SELECT id, source_id AS sourceId, tokens_compressed AS tokens, run_id AS runId,
        (SELECT count(*) FROM labels l WHERE l.pair_id = p.id) AS labels
       FROM pairs p WHERE id IN (${summary.pairIds.map(() => '?').join(',')})`,
    )
    .all(...summary.pairIds) as {
    id: number;
    sourceId: number;
    tokens: number;
    runId: number | null;
    labels: number;
  }[];
  const bySource = new Map<number, typeof rows>();
  for (const r of rows) bySource.set(r.sourceId, [...(bySource.get(r.sourceId) ?? []), r]);
  const kept: number[] = [];
  const withoutPass: number[] = [];
  const remove: number[] = [];
  for (const [sourceId, list] of bySource) {
    const best = list.filter((r) => passed.get(r.id)).sort((a, b) => a.tokens - b.tokens || a.id - b.id)[0];
    if (!best) withoutPass.push(sourceId);
    else kept.push(best.id);
    // Only this run's own, unlabelled candidates are removed: nobody's work is lost.
    for (const r of list) if (r.id !== best?.id && r.runId === summary.runId && r.labels === 0) remove.push(r.id);
  }
  const del = db.prepare('DELETE FROM pairs WHERE id = ?');
  db.transaction(() => {
    for (const id of remove) del.run(id);
  })();
  summary.pairIds = summary.pairIds.filter((id) => !remove.includes(id));
  summary.chained = { validationRunId: v.runId, kept, removed: remove.length, withoutPass };
}
