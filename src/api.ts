import { basename, join } from 'node:path';
import { z } from 'zod';
import { createAllowedRoots } from './bridge/allowed-roots.ts';
import { inviteLink, inviteOrigin } from './bridge/invite.ts';
import { loadProvidersConfig, loadValidationConfig } from './config.ts';
import { API_NAMES, type ApiNameLiteral } from './contracts/api-names.ts';
import { type Caller, mayCall, OWNER } from './contracts/api-roles.ts';
import type { DownloadPolicy } from './contracts/config.ts';
import {
  LabelerSchema,
  ProjectSettingsSchema,
  QueueOrderSchema,
  QueueStatusSchema,
  ReviewSubmitManySchema,
  ReviewSubmitSchema,
} from './contracts/review.ts';
import { DomainSchema, SourceQuerySchema } from './contracts/source.ts';
import { ExportFormatSchema, PairViewQuerySchema } from './contracts/view.ts';
import { ForbiddenError, InputError, KeyMissingError, NotFoundError } from './errors/index.ts';
import type { EventBus } from './events.ts';
import { compressText } from './generation/compress-text.ts';
import { configuredPrunerPath } from './inference/classifier-install.ts';
import { createModelManager, type ModelManager } from './inference/model-manager.ts';
import { exportView } from './io/export-view.ts';
import { defaultStrategy, estimateGeneration } from './jobs/generate-estimate.ts';
import { ggufsInUse, isGgufKey, loadGguf, tryGguf, unloadGguf } from './jobs/gguf-in-use.ts';
import type { Jobs } from './jobs/jobs.ts';
import { resumability } from './jobs/resumable.ts';
import type { Project } from './project.ts';
import { bulkRows } from './review/bulk.ts';
import { droppedSpans } from './review/dropped-spans.ts';
import {
  claimPair,
  disagreements,
  nextPair,
  queueItems,
  queuePage,
  releaseLease,
  reviewProgress,
  submitAndNext,
  submitLabel,
  submitLabels,
  undoLast,
} from './review/queue.ts';
import { computeStats } from './stats.ts';
import { addLabeler, listLabelers, revokeLabeler } from './store/labelers.ts';
import { countAcceptedPairs } from './store/labels.ts';
import { getPairDetail, listPairView, pairFacets, pairIdsForView } from './store/pair-view.ts';
import { listProbes, updateProbe } from './store/probes.ts';
import { getRun, listRuns, type Run, requestCancel } from './store/runs.ts';
import { getSettings, updateSettings } from './store/settings.ts';
import { allTags, sourcePairs, sourceTags } from './store/source-pairs.ts';
import { countSources, getSource, listSources } from './store/sources.ts';
import { listModels, listTrainingEvents } from './store/training.ts';
import { TOKENIZER_IDS, TokenizerIdSchema } from './tokenizers/index.ts';
import { trainingPreflight } from './training/preflight.ts';
import { loadTrainingConfig } from './training/train-job.ts';
import { keyFrom } from './util/env.ts';

/** Stores provider keys where the platform can keep them secret (Electron: safeStorage). */
export interface KeyStore {
  set(envName: string, value: string): void;
  clear(envName: string): void;
  has(envName: string): boolean;
}

export interface ApiContext {
  project: Project;
  bus: EventBus;
  jobs: Jobs;
  /** Absent in browser mode: keys then come from the environment of `studio serve`. */
  keys?: KeyStore;
  env?: Readonly<Record<string, string | undefined>>;
  /** Local models for the Models page; created at its first use. */
  models?: ModelManager;
  /** Download limits for `models-download` (default: configs/security.yaml). */
  downloadPolicy?: DownloadPolicy;
  /**
   * What `sources-import` may read: default the project folder and its upload folder; `studio
   * serve --allow` and the desktop app's file picker add more.
   */
  importRoots?: import('./bridge/allowed-roots.ts').AllowedRoots;
  /** The origin invite links point at (the running bridge); default: see src/bridge/invite.ts. */
  inviteOrigin?: string;
}

interface DownloadState {
  url: string;
  done: number;
  total: number;
  status: 'running' | 'done' | 'failed' | 'cancelled';
  error?: string;
  controller: AbortController;
}
/** Model downloads of this process, polled by the Models page (progress, cancel). */
const downloads = new Map<string, DownloadState>();

function modelsOf(ctx: ApiContext): ModelManager {
  ctx.models ??= createModelManager(
    ctx.project.db,
    ctx.project.dir,
    ctx.downloadPolicy ? { downloads: ctx.downloadPolicy } : {},
  );
  return ctx.models;
}

function importRootsOf(ctx: ApiContext) {
  ctx.importRoots ??= createAllowedRoots([ctx.project.dir, join(ctx.project.dir, 'data', 'uploads')]);
  return ctx.importRoots;
}

/** Whether a provider key is set for the API's process: its environment, or the desktop key store. */
function hasKeyIn(ctx: ApiContext): (envName: string) => boolean {
  const env = ctx.env ?? process.env;
  return (name) => Boolean(keyFrom(env, name)?.trim()) || Boolean(ctx.keys?.has(name));
}

/** The manager's models and every other GGUF the project uses (a pruner given by path). */
function withGgufsInUse(ctx: ApiContext) {
  const listed = modelsOf(ctx).list();
  return [...listed, ...ggufsInUse(ctx.project, listed)];
}

/** Runs with whether "Resume" can succeed (never for a key that is still missing). */
function withResume(ctx: ApiContext, runs: Run[]) {
  const hasKey = hasKeyIn(ctx);
  return runs.map((r) => ({ ...r, resume: resumability(ctx.project.db, r, hasKey) }));
}

/** A pair as Review shows it: texts, hashes, token counts per tokenizer, scores, lost protected spans. */
async function pairDetailOf(ctx: ApiContext, id: number) {
  const detail = getPairDetail(ctx.project.db, id);
  if (!detail) throw new NotFoundError(`no pair with id ${id}`);
  const domain = DomainSchema.parse(detail.source.domain);
  const tokens = [];
  for (const t of TOKENIZER_IDS) {
    const before = await ctx.project.tokens.count(detail.original, t, { domain });
    const after = await ctx.project.tokens.count(detail.compressed, t, { domain });
    tokens.push({ tokenizer: t, method: before.method, before: before.count, after: after.count });
  }
  return {
    ...detail,
    tokens,
    threshold: loadValidationConfig().thresholds.taskEquivalence,
    dropped: droppedSpans(detail.original, detail.compressed, domain),
  };
}

/** One handler: its argument schema (checked at every edge) and the function it runs. */
function handler<S extends z.ZodType, R>(
  args: S,
  run: (ctx: ApiContext, args: z.output<S>, caller: Caller) => Promise<R> | R,
) {
  return { args, run };
}

const None = z.object({}).strict().default({});
const Id = z.object({ id: z.number().int().positive() });
const Labeler = z.object({ labeler: LabelerSchema });

const PROVIDERS = [
  { name: 'Anthropic', keyEnv: 'ANTHROPIC_API_KEY', baseUrlEnv: 'ANTHROPIC_BASE_URL' },
  { name: 'OpenAI', keyEnv: 'OPENAI_API_KEY', baseUrlEnv: 'OPENAI_BASE_URL' },
  { name: 'Gemini', keyEnv: 'GEMINI_API_KEY', baseUrlEnv: 'GEMINI_BASE_URL' },
  { name: 'Tinker', keyEnv: 'TINKER_API_KEY', baseUrlEnv: 'TINKER_BASE_URL' },
] as const;

/**
 * The one typed surface over the domain. IPC, the HTTP bridge and tests all call `dispatch`,
 * which parses the arguments with the handler's schema first.
 */
export const api = {
  'project-info': handler(None, async (ctx, _a, caller) => ({
    // A labeler sees the project's name, not where it lives on the server.
    dir: caller.role === 'owner' ? ctx.project.dir : basename(ctx.project.dir),
    dbPath: caller.role === 'owner' ? ctx.project.dbPath : '',
    stats: await computeStats(ctx.project, ['o200k'], undefined, { count: false }),
  })),
  'stats-get': handler(z.object({ tokenizers: z.array(TokenizerIdSchema).default([...TOKENIZER_IDS]) }), (ctx, a) =>
    computeStats(ctx.project, a.tokenizers),
  ),

  'sources-list': handler(SourceQuerySchema, (ctx, q) => ({
    rows: listSources(ctx.project.db, q).map(({ text, ...s }) => ({ ...s, preview: text.slice(0, 200) })),
    total: countSources(ctx.project.db, {
      ...(q.domain ? { domain: q.domain } : {}),
      ...(q.tag ? { tag: q.tag } : {}),
      ...(q.search ? { search: q.search } : {}),
    }),
  })),
  'sources-detail': handler(Id, (ctx, a) => {
    const source = getSource(ctx.project.db, a.id);
    if (!source) throw new NotFoundError(`no source with id ${a.id}`);
    return {
      source,
      tags: sourceTags(ctx.project.db, a.id),
      probes: listProbes(ctx.project.db, a.id),
      pairs: sourcePairs(ctx.project.db, a.id),
    };
  }),
  'sources-get': handler(Id, (ctx, a) => {
    const s = getSource(ctx.project.db, a.id);
    if (!s) throw new NotFoundError(`no source with id ${a.id}`);
    return s;
  }),
  'sources-import': handler(
    z.object({
      paths: z.array(z.string().min(1)).min(1),
      tags: z.array(z.string().min(1).max(100)).default([]),
      format: z.enum(['auto', 'jsonl', 'csv', 'tsv', 'json', 'text', 'folder']).default('auto'),
    }),
    (ctx, a) => ctx.jobs.startImport({ ...a, paths: importRootsOf(ctx).check(a.paths) }),
  ),

  'pairs-list': handler(PairViewQuerySchema, (ctx, q) => listPairView(ctx.project.db, q)),
  'pairs-facets': handler(None, (ctx) => pairFacets(ctx.project.db)),
  'pairs-get': handler(Id, (ctx, a) => pairDetailOf(ctx, a.id)),
  // Live counts for an edit in progress (the renderer cannot load tokenizers itself).
  'tokens-count': handler(
    z.object({
      text: z.string().max(5_000_000),
      domain: DomainSchema.optional(),
      tokenizers: z.array(TokenizerIdSchema).min(1).default(['o200k']),
    }),
    async (ctx, a, caller) => {
      // A labeler's counts never spend the owner's keys on a provider's count-tokens endpoint.
      const paid = a.tokenizers.filter((t) => ctx.project.tokens.methodFor(t) === 'api');
      if (caller.role === 'labeler' && paid.length)
        throw new ForbiddenError(`a labeler's token cannot count with ${paid.join(', ')} (a paid endpoint)`);
      const out = [];
      for (const t of a.tokenizers) {
        const c = await ctx.project.tokens.count(a.text, t, a.domain ? { domain: a.domain } : {});
        out.push({ tokenizer: t, count: c.count, method: c.method });
      }
      return out;
    },
  ),
  'pairs-export': handler(z.object({ query: PairViewQuerySchema.prefault({}), format: ExportFormatSchema }), (ctx, a) =>
    exportView(ctx.project.db, a.query, a.format),
  ),
  'compress-try': handler(
    z.object({ text: z.string().min(1).max(5_000_000), domain: DomainSchema.optional() }),
    (ctx, a) =>
      compressText(a.text, ctx.project.tokens, {
        ...(a.domain ? { domain: a.domain } : {}),
        tokenizers: [...TOKENIZER_IDS],
      }),
  ),

  // The view's filters (the Pairs page's PairViewQuery) stay the queue until the labeler leaves it.
  'review-next': handler(
    Labeler.extend({ query: PairViewQuerySchema.prefault({}), order: QueueOrderSchema.optional() }),
    (ctx, a) => ({
      pairId: nextPair(ctx.project.db, a.labeler, a.query, {
        ...(a.order ? { order: a.order } : {}),
        threshold: loadValidationConfig().thresholds.taskEquivalence,
      }),
    }),
  ),
  'review-bulk': handler(
    Labeler.extend({
      query: PairViewQuerySchema.prefault({}),
      order: QueueOrderSchema.optional(),
      limit: z.number().int().min(1).max(100).default(20),
      offset: z.number().int().min(0).default(0),
    }),
    (ctx, a) => {
      const threshold = loadValidationConfig().thresholds.taskEquivalence;
      const page = queuePage(ctx.project.db, a.labeler, a.query, {
        ...(a.order ? { order: a.order } : {}),
        threshold,
        limit: a.limit,
        offset: a.offset,
      });
      return { rows: bulkRows(ctx.project.db, page.ids), total: page.total, threshold };
    },
  ),
  'review-claim': handler(Labeler.extend({ pairId: z.number().int().positive() }), (ctx, a) =>
    claimPair(ctx.project.db, a.pairId, a.labeler),
  ),
  // A label names the texts that were on the screen; a mismatch is a 409, never a label on other text.
  // With `next`, the same call serves the queue's next pair and its detail: one round trip per key.
  'review-submit': handler(ReviewSubmitSchema, async (ctx, a) => {
    const { next, ...label } = a;
    if (!next) {
      const r = submitLabel(ctx.project.db, label);
      ctx.bus.emit({ type: 'store-changed', reason: 'labels' });
      return { ...r, next: undefined };
    }
    const r = submitAndNext(ctx.project.db, label, next.query, {
      ...(next.order ? { order: next.order } : {}),
      threshold: loadValidationConfig().thresholds.taskEquivalence,
    });
    ctx.bus.emit({ type: 'store-changed', reason: 'labels' });
    const pairId = r.next;
    return {
      labelId: r.labelId,
      next: { pairId, detail: pairId === null ? null : await pairDetailOf(ctx, pairId) },
    };
  }),
  'review-submit-many': handler(ReviewSubmitManySchema, (ctx, a) => {
    const r = submitLabels(ctx.project.db, a);
    ctx.bus.emit({ type: 'store-changed', reason: 'labels' });
    return r;
  }),
  'review-undo': handler(Labeler, (ctx, a) => {
    const r = undoLast(ctx.project.db, a.labeler);
    ctx.bus.emit({ type: 'store-changed', reason: 'labels' });
    return r;
  }),
  'review-release': handler(Labeler, (ctx, a) => {
    releaseLease(ctx.project.db, a.labeler);
    return { ok: true };
  }),
  'review-queue': handler(Labeler.extend({ status: QueueStatusSchema }), (ctx, a) =>
    queueItems(ctx.project.db, a.labeler, a.status, 200, {
      threshold: loadValidationConfig().thresholds.taskEquivalence,
    }),
  ),
  'review-progress': handler(Labeler, (ctx, a) => reviewProgress(ctx.project.db, a.labeler)),
  'review-disagreements': handler(None, (ctx) => disagreements(ctx.project.db)),

  'probes-update': handler(
    z.object({
      id: z.number().int().positive(),
      question: z.string().trim().min(3).max(2000).optional(),
      reference: z.string().max(2000).nullable().optional(),
    }),
    (ctx, a) => {
      const probe = updateProbe(ctx.project.db, a.id, {
        ...(a.question === undefined ? {} : { question: a.question }),
        ...(a.reference === undefined ? {} : { reference: a.reference }),
      });
      if (!probe) throw new NotFoundError(`no probe with id ${a.id}`);
      ctx.bus.emit({ type: 'store-changed', reason: 'probes' });
      return probe;
    },
  ),
  'runs-list': handler(z.object({ limit: z.number().int().min(1).max(500).default(100) }), (ctx, a) =>
    withResume(ctx, listRuns(ctx.project.db, { limit: a.limit })),
  ),
  'runs-get': handler(Id, (ctx, a) => {
    const run = getRun(ctx.project.db, a.id);
    if (!run) throw new NotFoundError(`no run with id ${a.id}`);
    return run;
  }),
  'runs-cancel': handler(Id, (ctx, a) => {
    const requested = requestCancel(ctx.project.db, a.id);
    // Every window shows "cancelling" at once, before the job reaches its next check.
    if (requested) ctx.bus.emit({ type: 'store-changed', reason: 'run-cancelling' });
    return { requested };
  }),
  // Jobs are idempotent (content-keyed rows, cached calls), so resuming is starting the same job
  // again: what was done is found done and costs nothing.
  'runs-resume': handler(Id, (ctx, a) => {
    const run = getRun(ctx.project.db, a.id);
    if (!run) throw new NotFoundError(`no run with id ${a.id}`);
    if (run.status === 'running') throw new InputError(`run ${a.id} is still running`);
    const resume = resumability(ctx.project.db, run, hasKeyIn(ctx));
    // Rerunning a finished run is allowed (it finds its work done); what cannot succeed is refused.
    if (!resume.possible && resume.reason) throw new InputError(`run ${a.id} cannot be resumed: ${resume.reason}`);
    const c = run.config;
    if (run.kind === 'import') {
      const paths = Array.isArray(c.paths) ? c.paths.filter((p): p is string => typeof p === 'string') : [];
      if (!paths.length) throw new InputError(`run ${a.id} has no paths to import again`);
      return ctx.jobs.startImport({
        paths: importRootsOf(ctx).check(paths),
        tags: Array.isArray(c.tags) ? c.tags.filter((t): t is string => typeof t === 'string') : [],
      });
    }
    if (run.kind === 'generation' && c.strategy === 'rules') {
      const domain = DomainSchema.safeParse(c.domain);
      return ctx.jobs.startRules({
        ...(domain.success ? { domain: domain.data } : {}),
        ...(typeof c.tag === 'string' ? { tag: c.tag } : {}),
        ...(Array.isArray(c.sourceIds)
          ? { sourceIds: c.sourceIds.filter((x): x is number => typeof x === 'number') }
          : {}),
      });
    }
    if (run.kind === 'generation' && (c.strategy === 'prompted' || c.strategy === 'pruned')) {
      const numbers = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : []);
      return ctx.jobs.startGeneration({
        strategy: c.strategy,
        ratios: numbers(c.ratios),
        sourceIds: numbers(c.sourceIds),
        ...(typeof c.modelArg === 'string' ? { model: c.modelArg } : {}),
        ...(typeof c.threshold === 'number' ? { threshold: c.threshold } : {}),
        ...(typeof c.question === 'string' ? { question: c.question } : {}),
        ...(Array.isArray(c.protect) ? { protect: c.protect.filter((x): x is string => typeof x === 'string') } : {}),
        ...(typeof c.budgetUsd === 'number' ? { budgetUsd: c.budgetUsd } : {}),
        ...(c.batch === true ? { batch: true } : {}),
        ...(Array.isArray(c.validate)
          ? { validate: true, validators: c.validate.filter((x): x is string => typeof x === 'string') }
          : {}),
      });
    }
    if (run.kind === 'training' && c.runner === 'classifier')
      return ctx.jobs.startTraining({ runner: 'classifier', resumeRunId: run.id });
    if (run.kind === 'training') {
      return ctx.jobs.startTraining({
        runner: c.runner === 'tinker' ? 'tinker' : 'local',
        ...(c.overrides && typeof c.overrides === 'object'
          ? { overrides: c.overrides as Record<string, unknown> }
          : {}),
        ...(c.runner === 'tinker' ? {} : { resumeRunId: run.id }),
        // The run's pre-flight warnings were accepted when it was first started.
        confirmed: true,
      });
    }
    if (run.kind === 'validation') {
      const ids = Array.isArray(c.pairIds) ? c.pairIds.filter((x): x is number => typeof x === 'number') : [];
      const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
      return ctx.jobs.startValidation({
        pairIds: ids,
        models: strings(c.validatorRefs),
        ...(typeof c.judgeRef === 'string' ? { judge: c.judgeRef } : {}),
        ...(typeof c.proberRef === 'string' ? { prober: c.proberRef } : {}),
        ...(typeof c.budgetUsd === 'number' ? { budgetUsd: c.budgetUsd } : {}),
        ...(c.batch === true ? { batch: true } : {}),
      });
    }
    throw new InputError(`runs of kind "${run.kind}" cannot be resumed from here yet`);
  }),
  'jobs-validate': handler(
    z.object({
      query: PairViewQuerySchema.prefault({}),
      pairIds: z.array(z.number().int().positive()).optional(),
      models: z.array(z.string().min(3)).optional(),
      judge: z.string().optional(),
      prober: z.string().optional(),
      budgetUsd: z.number().positive().optional(),
      batch: z.boolean().optional(),
    }),
    (ctx, a) => {
      const pairIds = a.pairIds ?? pairIdsForView(ctx.project.db, a.query);
      if (!pairIds.length) throw new InputError('no pairs in this view to validate');
      return ctx.jobs.startValidation({
        pairIds,
        ...(a.models ? { models: a.models } : {}),
        ...(a.judge ? { judge: a.judge } : {}),
        ...(a.prober ? { prober: a.prober } : {}),
        ...(a.budgetUsd ? { budgetUsd: a.budgetUsd } : {}),
        ...(a.batch ? { batch: true } : {}),
      });
    },
  ),
  'jobs-generate': handler(
    z.object({
      strategy: z.enum(['rules', 'prompted', 'pruned']),
      ratios: z.array(z.number().gt(0).lt(1)).max(10).default([0.5]),
      model: z.string().min(1).optional(),
      threshold: z.number().optional(),
      question: z.string().min(1).optional(),
      protect: z.array(z.string().min(1)).optional(),
      domain: DomainSchema.optional(),
      tag: z.string().optional(),
      query: z.string().optional(),
      sourceIds: z.array(z.number().int().positive()).optional(),
      budgetUsd: z.number().positive().optional(),
      batch: z.boolean().optional(),
      validate: z.boolean().optional(),
      validators: z.array(z.string().min(3)).optional(),
    }),
    (ctx, a) => ctx.jobs.startGeneration(a),
  ),
  'jobs-train': handler(
    z.object({
      runner: z.enum(['local', 'tinker', 'classifier']),
      /** classifier: also learn from unlabelled candidates of these strategies. */
      strategies: z.array(z.enum(['pruned', 'prompted', 'classified'])).optional(),
      /** classifier: label the prose and dialogue sources with pruned (the configured pruner) first. */
      distil: z.object({ ratios: z.array(z.number().gt(0).lt(1)).min(1) }).optional(),
      overrides: z.record(z.string(), z.unknown()).optional(),
      resumeRunId: z.number().int().positive().optional(),
      confirmed: z.boolean().optional(),
    }),
    (ctx, { distil, ...a }) =>
      ctx.jobs.startTraining({
        ...a,
        ...(distil ? { distil: { ratios: distil.ratios, prunerModelPath: configuredPrunerPath() } } : {}),
      }),
  ),
  'training-preflight': handler(
    z.object({
      runner: z.enum(['local', 'tinker']),
      overrides: z.record(z.string(), z.unknown()).optional(),
    }),
    (ctx, a) =>
      trainingPreflight(ctx.project, {
        runner: a.runner,
        ...(a.overrides ? { overrides: a.overrides } : {}),
        hasKey: hasKeyIn(ctx),
      }),
  ),
  'generate-options': handler(None, (ctx) => ({
    ...defaultStrategy(ctx.project, hasKeyIn(ctx)),
    tags: allTags(ctx.project.db),
  })),
  'generate-estimate': handler(
    z.object({
      strategy: z.enum(['rules', 'prompted', 'pruned']),
      ratios: z.array(z.number().gt(0).lt(1)).max(10).default([0.5]),
      model: z.string().min(1).optional(),
      domain: DomainSchema.optional(),
      tag: z.string().optional(),
      query: z.string().optional(),
      sourceIds: z.array(z.number().int().positive()).optional(),
      pairQuery: PairViewQuerySchema.optional(),
    }),
    (ctx, a) => estimateGeneration(ctx.project, a, hasKeyIn(ctx)),
  ),
  'training-events': handler(
    z.object({ runId: z.number().int().positive(), afterSeq: z.number().int().min(0).default(0) }),
    (ctx, a) => listTrainingEvents(ctx.project.db, a.runId, a.afterSeq),
  ),
  'training-info': handler(None, (ctx) => ({
    config: loadTrainingConfig(),
    approvedPairs: countAcceptedPairs(ctx.project.db),
    runs: withResume(ctx, listRuns(ctx.project.db, { kind: 'training', limit: 20 })),
  })),
  'models-list': handler(None, (ctx) => listModels(ctx.project.db)),
  'models-overview': handler(None, (ctx) => ({
    models: withGgufsInUse(ctx),
    downloads: [...downloads.entries()].map(([id, d]) => ({
      id,
      url: d.url,
      done: d.done,
      total: d.total,
      status: d.status,
      ...(d.error ? { error: d.error } : {}),
    })),
  })),
  'models-load': handler(z.object({ key: z.string().min(1) }), async (ctx, a) => {
    if (!isGgufKey(a.key)) return modelsOf(ctx).load(a.key);
    await loadGguf(a.key);
    return withGgufsInUse(ctx).find((m) => m.key === a.key);
  }),
  'models-unload': handler(z.object({ key: z.string().min(1) }), async (ctx, a) => {
    if (!isGgufKey(a.key)) return modelsOf(ctx).unload(a.key);
    await unloadGguf(a.key);
    return withGgufsInUse(ctx).find((m) => m.key === a.key);
  }),
  'models-fit': handler(
    z.object({ key: z.string().min(1), contextSize: z.number().int().min(256).max(1_048_576).default(4096) }),
    (ctx, a) => modelsOf(ctx).fit(a.key, a.contextSize),
  ),
  'models-try': handler(
    z.object({
      key: z.string().min(1).nullable(),
      text: z.string().min(1).max(200_000),
      domain: DomainSchema.optional(),
      ratio: z.number().gt(0).lte(1).optional(),
    }),
    (ctx, a) => {
      const options = { ...(a.domain ? { domain: a.domain } : {}), ...(a.ratio ? { ratio: a.ratio } : {}) };
      return isGgufKey(a.key) ? tryGguf(a.key, a.text, options) : modelsOf(ctx).tryCompress(a.key, a.text, options);
    },
  ),
  'models-download': handler(z.object({ url: z.string().min(4).max(4096) }), (ctx, a) => {
    const id = String(downloads.size + 1);
    const controller = new AbortController();
    const d: DownloadState = { url: a.url, done: 0, total: 0, status: 'running', controller };
    downloads.set(id, d);
    modelsOf(ctx)
      .download(a.url, {
        signal: controller.signal,
        onProgress: (done, total) => {
          d.done = done;
          d.total = total;
        },
      })
      .then(
        () => {
          d.status = 'done';
          ctx.bus.emit({ type: 'store-changed', reason: 'models' });
        },
        (error: unknown) => {
          d.status = controller.signal.aborted ? 'cancelled' : 'failed';
          d.error = error instanceof Error ? error.message : String(error);
        },
      );
    return { id };
  }),
  'models-download-cancel': handler(z.object({ id: z.string() }), (_ctx, a) => {
    const d = downloads.get(a.id);
    if (!d) throw new NotFoundError(`no download ${a.id}`);
    d.controller.abort();
    return { cancelled: true };
  }),
  'jobs-rules': handler(
    z.object({
      domain: DomainSchema.optional(),
      tag: z.string().optional(),
      sourceIds: z.array(z.number().int().positive()).optional(),
    }),
    (ctx, a) => ctx.jobs.startRules(a),
  ),

  'settings-get': handler(None, (ctx, _a, caller) => {
    const env = ctx.env ?? process.env;
    if (caller.role === 'labeler') {
      // What the Review page needs (guidelines, overlap, thresholds, model roles); nothing about
      // keys, endpoints or tokenizer setup.
      return {
        project: getSettings(ctx.project.db),
        keysWritable: false,
        providers: [],
        tokenizers: [],
        models: loadProvidersConfig().models,
        thresholds: loadValidationConfig().thresholds,
      };
    }
    return {
      project: getSettings(ctx.project.db),
      keysWritable: Boolean(ctx.keys),
      providers: PROVIDERS.map((p) => ({
        ...p,
        hasKey: Boolean(keyFrom(env, p.keyEnv)) || Boolean(ctx.keys?.has(p.keyEnv)),
        baseUrl: env[p.baseUrlEnv] ?? null,
      })),
      tokenizers: TOKENIZER_IDS.map((id) => ({ id, method: ctx.project.tokens.methodFor(id) })),
      models: loadProvidersConfig().models,
      thresholds: loadValidationConfig().thresholds,
    };
  }),
  'settings-update': handler(ProjectSettingsSchema.partial(), (ctx, patch) => updateSettings(ctx.project.db, patch)),
  'keys-set': handler(
    z.object({ keyEnv: z.enum(PROVIDERS.map((p) => p.keyEnv) as [string, ...string[]]), value: z.string().max(500) }),
    (ctx, a) => {
      if (!ctx.keys) {
        throw new InputError(
          `keys can only be stored by the desktop app; for the browser, set ${a.keyEnv} in the environment of "studio serve"`,
        );
      }
      if (a.value) ctx.keys.set(a.keyEnv, a.value);
      else ctx.keys.clear(a.keyEnv);
      // Never echo a key back: say only whether one is set.
      return { keyEnv: a.keyEnv, hasKey: Boolean(a.value) };
    },
  ),

  whoami: handler(None, (_ctx, _a, caller) => ({
    role: caller.role,
    name: caller.role === 'labeler' ? caller.name : null,
  })),
  'labelers-list': handler(z.object({ includeRevoked: z.boolean().default(false) }), (ctx, a) =>
    listLabelers(ctx.project.db, a),
  ),
  'labelers-add': handler(z.object({ name: LabelerSchema }), (ctx, a) => {
    const { name, token } = addLabeler(ctx.project.db, a.name);
    return { name, token, url: inviteLink(ctx.inviteOrigin ?? inviteOrigin(ctx.project.dir), token) };
  }),
  'labelers-revoke': handler(z.object({ name: LabelerSchema }), (ctx, a) => revokeLabeler(ctx.project.db, a.name)),
};

export type StudioApi = typeof api;
export type ApiName = keyof StudioApi;

// The name list in contracts (used by the preload) and this map must be the same set.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const namesMatch: Same<ApiName, ApiNameLiteral> = true;
void namesMatch;
export type ApiArgs<N extends ApiName> = z.input<StudioApi[N]['args']>;
export type ApiResult<N extends ApiName> = Awaited<ReturnType<StudioApi[N]['run']>>;
export { API_NAMES };

export function isApiName(name: string): name is ApiName {
  return Object.hasOwn(api, name);
}

/** Whether a handler's arguments have a top-level `labeler` field (through defaults and wrappers). */
function takesLabeler(schema: z.ZodType): boolean {
  let s: z.ZodType = schema;
  for (let i = 0; i < 8; i++) {
    if (s instanceof z.ZodObject) return Object.hasOwn(s.shape, 'labeler');
    const def = (s as unknown as { def: { innerType?: z.ZodType; in?: z.ZodType } }).def;
    const inner = def.innerType ?? def.in;
    if (!inner) return false;
    s = inner;
  }
  return false;
}

/**
 * A labeler acts only as themselves: whatever `labeler` the request names, the token's name is
 * used. Done here, once, so no handler can forget it.
 */
function asCaller(schema: z.ZodType, rawArgs: unknown, caller: Caller): unknown {
  if (caller.role !== 'labeler') return rawArgs;
  const args = rawArgs ?? {};
  if (typeof args !== 'object' || Array.isArray(args)) return args;
  if (!Object.hasOwn(args, 'labeler') && !takesLabeler(schema)) return args;
  return { ...(args as Record<string, unknown>), labeler: caller.name };
}

/**
 * Checks the caller's role, parses the arguments with the handler's schema, then runs it. Bad
 * arguments name their field. IPC and tests call as the owner; the HTTP bridge passes who the
 * token belongs to.
 */
export async function dispatch(
  ctx: ApiContext,
  name: string,
  rawArgs: unknown,
  caller: Caller = OWNER,
): Promise<unknown> {
  if (!isApiName(name)) throw new NotFoundError(`unknown API function "${name}"`);
  if (!mayCall(caller, name)) throw new ForbiddenError(`a labeler's token cannot call "${name}"`);
  const h = api[name] as { args: z.ZodType; run: (ctx: ApiContext, args: unknown, caller: Caller) => unknown };
  const parsed = h.args.safeParse(asCaller(h.args, rawArgs, caller));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(issue?.message ?? 'invalid arguments', { field: issue?.path.join('.') || undefined });
  }
  try {
    return await h.run(ctx, parsed.data, caller);
  } catch (error) {
    // Where keys can be set depends on the mode: the desktop app stores them (Settings); a browser on
    // `studio serve` cannot, so it is told which variables to set for the server.
    if (error instanceof KeyMissingError) throw error.withAdvice(ctx.keys ? 'desktop' : 'browser');
    throw error;
  }
}
