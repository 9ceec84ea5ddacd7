import { existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { loadPricing, loadProvidersConfig } from '../config.ts';
import type { ModelRef } from '../contracts/providers.ts';
import type { Domain } from '../contracts/source.ts';
import type { PairViewQuery } from '../contracts/view.ts';
import { targetKey } from '../generation/strategies/spec.ts';
import { loadInferenceConfig } from '../inference/config.ts';
import type { Project } from '../project.ts';
import { modelName, parseModelRef } from '../providers/model-ref.ts';
import { costOf, priceOf } from '../providers/pricing.ts';
import { coveredTargets } from '../store/generation.ts';
import { pairIdsForView } from '../store/pair-view.ts';
import { getPair } from '../store/pairs.ts';
import { listRuns } from '../store/runs.ts';
import { getSource, selectSourceIds } from '../store/sources.ts';
import { listModels } from '../store/training.ts';

export type GenerateStrategy = 'rules' | 'prompted' | 'pruned';

export interface GgufChoice {
  path: string;
  name: string;
  /** Where the app knows it from. */
  origin: 'pruner (configs/inference.yaml)' | 'project model' | 'used by an earlier run';
  exists: boolean;
  bytes: number | null;
}

const sizeOf = (p: string) => {
  try {
    return statSync(p).size;
  } catch {
    return null;
  }
};

/**
 * Every GGUF the project uses: the pruner of configs/inference.yaml (or STUDIO_PRUNER_MODEL), the
 * project's registered GGUFs, and the ones earlier pruned runs were given. One entry per path.
 */
export function knownGgufs(project: Project): GgufChoice[] {
  const out = new Map<string, GgufChoice>();
  const add = (path: string, name: string, origin: GgufChoice['origin']) => {
    if (!path.endsWith('.gguf') || out.has(path)) return;
    out.set(path, { path, name, origin, exists: existsSync(path), bytes: sizeOf(path) });
  };
  for (const [name, m] of Object.entries(loadInferenceConfig().models))
    if (m.kind === 'prune') add(m.path, name, 'pruner (configs/inference.yaml)');
  for (const m of listModels(project.db)) if (m.kind === 'gguf') add(m.path, m.name, 'project model');
  for (const r of listRuns(project.db, { kind: 'generation', limit: 200 })) {
    const arg = r.config.modelArg ?? r.config.model;
    if (r.config.strategy === 'pruned' && typeof arg === 'string') add(arg, basename(arg), 'used by an earlier run');
  }
  return [...out.values()];
}

export interface GenerateSelection {
  domain?: Domain;
  tag?: string;
  query?: string;
  sourceIds?: number[];
  /** The sources of the pairs a Pairs view shows. */
  pairQuery?: PairViewQuery;
}

export interface GenerateEstimate {
  strategy: GenerateStrategy;
  sources: number;
  /** The selected source ids (a Pairs view's sources), to start the job with exactly these. */
  sourceIds: number[];
  /** o200k tokens of the selected originals (exact for up to 2,000 sources, then extrapolated). */
  tokens: number;
  tokensExact: boolean;
  candidates: number;
  /**
   * Selected sources the job will skip, as every candidate it would make is stored already (a
   * rerun, or a second ratio list overlapping the first): not in `candidates`, `calls`, cost or time.
   */
  stored: number;
  /** Model calls the job makes (prompted: one per source and ratio; cached ones cost nothing). */
  calls: number;
  /** US dollars from configs/pricing.yaml; null when the model has no price there. */
  costUsd: number | null;
  seconds: number;
  /** What `seconds` was reckoned from: a speed and where it comes from. */
  secondsBasis: string;
  /** Whether the job can start now, and if not why (a missing key, no GGUF file). */
  canRun: { ok: boolean; reason?: string; missingKeys?: string[] };
  model: string | null;
}

const EXACT_LIMIT = 2000;
/**
 * Rough speeds on a 2-core machine (bench/RESULTS.md): rules ~50k tokens/s; pruning with SmolLM2
 * ~300 o200k tokens of the sources a second (the pruning bench: ~2.9 s per 1k tokens, everything
 * included), whatever the number of ratios: a source is scored once and cut at each (pruned/
 * candidates.ts). It was 1,500 a ratio, ~5x low (review). A project's own pruned runs with the
 * same model replace it (measuredPruneSpeed).
 */
const RULES_TOKENS_PER_SEC = 50_000;
const PRUNE_TOKENS_PER_SEC = 300;
/** Pruned runs read for their speed: the latest this many that qualify. */
const SPEED_RUNS = 5;
/** A run shorter than this, or over fewer tokens, says more of its start-up than of its speed. */
const SPEED_MIN_SECONDS = 5;
const SPEED_MIN_TOKENS = 2_000;
/** A hosted model writes ~80 tokens/s per call; the job runs calls 4 at a time. */
const OUTPUT_TOKENS_PER_SEC = 80;
const CONCURRENCY = 4;
/** The domain prompt and the tags around the answer, in tokens. */
const PROMPT_OVERHEAD = 350;

/**
 * The pruning speed of this project's latest finished pruned runs with `model` (o200k tokens of the
 * sources per second, model load included): the median of up to SPEED_RUNS. A run's summary counts
 * a source's tokens once per candidate, so they are divided by its ratios (a source is scored once
 * for them all). Runs that were stopped, chained a validation (its time is in theirs), or too short
 * to tell are left out.
 */
export function measuredPruneSpeed(project: Project, model: string): { tokensPerSec: number; runs: number } | null {
  const speeds: number[] = [];
  for (const r of listRuns(project.db, { kind: 'generation', limit: 200 })) {
    if (speeds.length >= SPEED_RUNS) break;
    const arg = r.config.modelArg ?? r.config.model;
    if (r.status !== 'succeeded' || r.config.strategy !== 'pruned' || arg !== model || !r.finishedAt) continue;
    const summary = r.summary as { stoppedBy?: unknown; chained?: unknown; tokens?: { before?: unknown } };
    const perCandidate = summary.tokens?.before;
    const ratios = Array.isArray(r.config.ratios) && r.config.ratios.length ? r.config.ratios.length : 1;
    if (summary.stoppedBy !== 'done' || summary.chained !== undefined || typeof perCandidate !== 'number') continue;
    const tokens = perCandidate / ratios;
    const seconds = (Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 1000;
    if (!(seconds >= SPEED_MIN_SECONDS) || tokens < SPEED_MIN_TOKENS) continue;
    speeds.push(tokens / seconds);
  }
  if (!speeds.length) return null;
  speeds.sort((a, b) => a - b);
  const mid = Math.floor(speeds.length / 2);
  const median =
    speeds.length % 2 ? (speeds[mid] as number) : ((speeds[mid - 1] as number) + (speeds[mid] as number)) / 2;
  return { tokensPerSec: median, runs: speeds.length };
}

const perSec = (n: number) => `${Math.round(n).toLocaleString('en-US')} tokens/s`;

function selectedSources(project: Project, sel: GenerateSelection): number[] {
  if (sel.pairQuery) {
    const ids = new Set<number>();
    for (const pairId of pairIdsForView(project.db, sel.pairQuery)) {
      const p = getPair(project.db, pairId);
      if (p) ids.add(p.sourceId);
    }
    return [...ids];
  }
  return selectSourceIds(project.db, {
    ...(sel.domain ? { domain: sel.domain } : {}),
    ...(sel.tag ? { tag: sel.tag } : {}),
    ...(sel.query ? { query: sel.query } : {}),
    ...(sel.sourceIds?.length ? { sourceIds: sel.sourceIds } : {}),
  });
}

/**
 * Whether a source's candidates for this job are all stored, so the job skips it (generate-job.ts
 * processSource: the same target keys, strategy and model). The rules are always run (their own job,
 * at ~50k tokens/s); a prompted or pruned job whose model cannot be named stores under no model.
 */
function storedCheck(
  project: Project,
  args: { strategy: GenerateStrategy; model?: string },
  ratios: readonly number[],
): (id: number, domain: Domain) => boolean {
  if (args.strategy === 'rules') return () => false;
  const covered = coveredTargets(project.db);
  const targets = ratios.map((ratio) => targetKey({ ratio }));
  let model: string;
  try {
    model =
      args.strategy === 'pruned'
        ? args.model
          ? modelName({ provider: 'local', model: args.model })
          : ''
        : modelName(args.model ? parseModelRef(args.model) : loadProvidersConfig().models.generator);
  } catch {
    return () => false;
  }
  return (id, domain) => {
    // A pruned job stores a code source's candidates under no model (generate-job.ts pairModel).
    const have = new Set(covered(id, args.strategy, args.strategy === 'pruned' && domain === 'code' ? '' : model));
    return targets.every((t) => have.has(t));
  };
}

/**
 * What a generation job would do before it is started: how many sources and tokens, how many
 * candidates and calls, what it costs at configs/pricing.yaml's prices and roughly how long it
 * takes, and whether it can run now (keys, model files).
 */
export async function estimateGeneration(
  project: Project,
  args: GenerateSelection & { strategy: GenerateStrategy; ratios: number[]; model?: string },
  hasKey: (envName: string) => boolean,
): Promise<GenerateEstimate> {
  const ids = selectedSources(project, args);
  const ratios = args.strategy === 'rules' ? [1] : args.ratios.length ? args.ratios : [0.5];
  const isStored = storedCheck(project, args, ratios);
  let tokens = 0;
  let chars = 0;
  let countedChars = 0;
  // The same of the sources the job will work on (not stored), and how many.
  let work = 0;
  let pendingChars = 0;
  let pendingCounted = 0;
  let pending = 0;
  for (const [i, id] of ids.entries()) {
    const s = getSource(project.db, id);
    if (!s) continue;
    const todo = !isStored(id, s.domain);
    chars += s.text.length;
    if (todo) {
      pending++;
      pendingChars += s.text.length;
    }
    if (i < EXACT_LIMIT) {
      const n = (await project.tokens.count(s.text, 'o200k')).count;
      tokens += n;
      countedChars += s.text.length;
      if (todo) {
        work += n;
        pendingCounted += s.text.length;
      }
    }
  }
  const tokensExact = ids.length <= EXACT_LIMIT;
  if (!tokensExact && countedChars) tokens = Math.round((tokens * chars) / countedChars);
  if (!tokensExact)
    work = pendingCounted
      ? Math.round((work * pendingChars) / pendingCounted)
      : Math.round((tokens * pendingChars) / (chars || 1));
  const candidates = pending * ratios.length;
  let calls = 0;
  let costUsd: number | null = 0;
  let seconds = 0;
  let secondsBasis = '';
  let model: string | null = null;
  let canRun: GenerateEstimate['canRun'] = {
    ok: ids.length > 0,
    ...(ids.length ? {} : { reason: 'no sources match the selection' }),
  };
  if (args.strategy === 'rules') {
    seconds = work / RULES_TOKENS_PER_SEC;
    secondsBasis = `at ~${perSec(RULES_TOKENS_PER_SEC)} (the rules on a 2-core machine)`;
  } else if (args.strategy === 'pruned') {
    model = args.model ?? null;
    const measured = model ? measuredPruneSpeed(project, model) : null;
    // Scored once, cut at every ratio: the ratios cost next to nothing.
    seconds = work / (measured?.tokensPerSec ?? PRUNE_TOKENS_PER_SEC);
    secondsBasis = measured
      ? `at ${perSec(measured.tokensPerSec)}, ${measured.runs === 1 ? 'the speed of the last pruned run' : `the median of the last ${measured.runs} pruned runs`} with this model`
      : `at ~${perSec(PRUNE_TOKENS_PER_SEC)} (SmolLM2 on a 2-core machine, every ratio from one scoring); the first run with this model measures its own`;
    if (!model) canRun = { ok: false, reason: 'pick a GGUF model for the pruner' };
    else if (!model.endsWith('.gguf')) canRun = { ok: false, reason: `${model} is not a .gguf file` };
    else if (!existsSync(model)) canRun = { ok: false, reason: `no GGUF file at ${model}` };
  } else {
    const providers = loadProvidersConfig();
    let ref: ModelRef;
    try {
      ref = args.model ? parseModelRef(args.model) : providers.models.generator;
    } catch (error) {
      return {
        strategy: args.strategy,
        sources: ids.length,
        sourceIds: ids,
        tokens,
        tokensExact,
        candidates,
        stored: ids.length - pending,
        calls: 0,
        costUsd: null,
        seconds: 0,
        secondsBasis: '',
        canRun: { ok: false, reason: error instanceof Error ? error.message : String(error) },
        model: args.model ?? null,
      };
    }
    model = `${ref.provider}/${ref.model}`;
    calls = candidates;
    const output = ratios.reduce((n, r) => n + work * r, 0);
    const input = (work + PROMPT_OVERHEAD * pending) * ratios.length;
    // No call, no cost, priced or not (every candidate stored already).
    costUsd = calls
      ? costOf(priceOf(loadPricing(), ref.provider, ref.model), {
          inputTokens: input,
          outputTokens: Math.round(output),
          cachedInputTokens: 0,
        })
      : 0;
    seconds = output / OUTPUT_TOKENS_PER_SEC / CONCURRENCY + calls * 0.5;
    secondsBasis = `at ~${perSec(OUTPUT_TOKENS_PER_SEC)} written a call, ${CONCURRENCY} calls at a time`;
    if (ref.provider !== 'local') {
      const env = providers[ref.provider].apiKeyEnv;
      if (!hasKey(env)) canRun = { ok: false, reason: `${ref.provider} needs ${env}`, missingKeys: [env] };
    } else if (!existsSync(ref.model)) canRun = { ok: false, reason: `no GGUF file at ${ref.model}` };
  }
  return {
    strategy: args.strategy,
    sources: ids.length,
    sourceIds: ids.length <= 10_000 ? ids : [],
    tokens,
    tokensExact,
    candidates,
    stored: ids.length - pending,
    calls,
    costUsd,
    seconds,
    secondsBasis,
    canRun,
    model,
  };
}

/**
 * The strategy a new generation should default to: one that can run now. The configured
 * generator when its key is set, else pruning with a GGUF that is on disk, else the rules.
 */
export function defaultStrategy(project: Project, hasKey: (envName: string) => boolean) {
  const providers = loadProvidersConfig();
  const gen = providers.models.generator;
  const generator = `${gen.provider}/${gen.model}`;
  const generatorKey = gen.provider === 'local' ? null : providers[gen.provider].apiKeyEnv;
  const ggufs = knownGgufs(project);
  const pruner = ggufs.find((g) => g.exists);
  const strategy: GenerateStrategy =
    generatorKey === null || hasKey(generatorKey) ? 'prompted' : pruner ? 'pruned' : 'rules';
  return {
    strategy,
    generator,
    generatorKeyMissing: generatorKey !== null && !hasKey(generatorKey) ? generatorKey : null,
    pruner: pruner?.path ?? null,
    ggufs,
  };
}
