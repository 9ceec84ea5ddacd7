import type { ModelRef, Pricing, ProviderSettings } from '../../contracts/providers.ts';
import { BudgetExceededError } from '../../errors/index.ts';
import { batchStore } from '../../store/batches.ts';
import type { Db } from '../../store/db.ts';
import { responseCache } from '../../store/response-cache.ts';
import { cacheKey } from '../middleware/cache.ts';
import { type Budget, createCostLog, worstCase } from '../middleware/cost.ts';
import { costOf, priceOf } from '../pricing.ts';
import type { CompletionRequest } from '../spec.ts';
import type { BatchApi, BatchProviderId, BatchResult } from './spec.ts';

/** One call a job wants made, as it would have made it live. */
export interface PlannedCall {
  ref: ModelRef;
  request: CompletionRequest;
  purpose: string;
}

export interface BatchRunOptions {
  db: Db;
  runId: number;
  logFile: string;
  pricing: Pricing;
  apiFor: (provider: BatchProviderId) => BatchApi;
  settingsFor: (provider: BatchProviderId) => ProviderSettings;
  budget?: Budget;
  signal?: AbortSignal;
  /** True when the job was asked to stop (from this or another process). */
  stopRequested?: () => boolean;
  /** Human-readable progress: "anthropic batch msgbatch_1: 40/120". */
  onStatus?: (message: string) => void;
}

export interface BatchRunSummary {
  submitted: number;
  resumed: number;
  requests: number;
  succeeded: number;
  failed: number;
  /** Calls left for the live pass: over budget, or failed in the batch. */
  leftLive: number;
  stoppedEarly: boolean;
}

export function emptyBatchSummary(): BatchRunSummary {
  return { submitted: 0, resumed: 0, requests: 0, succeeded: 0, failed: 0, leftLive: 0, stoppedEarly: false };
}

interface OpenBatch {
  id: number;
  provider: BatchProviderId;
  externalId: string;
  purpose: string;
}

/** Waits, or less if the job is stopped; leaves no listener behind either way. */
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * Sends planned calls through the providers' batch endpoints and files every answer in the
 * response cache under the key the live call would use, with its cost (at the batch price) in the
 * costs table and log. The job then runs as usual and finds each answer in the cache, so results
 * land in the same tables as live calls. Batches are recorded before polling: a job killed while
 * it waits polls the same batches when it restarts, and never submits a request twice.
 */
export async function completeInBatches(
  calls: readonly PlannedCall[],
  options: BatchRunOptions,
): Promise<BatchRunSummary> {
  const { db } = options;
  const summary = emptyBatchSummary();
  const cache = responseCache(db);
  const batches = batchStore(db);

  // What is still needed: not cached, not already waiting in an open batch, not already failed
  // in a batch (those go live, where the retry middleware and the error messages live).
  const open = new Map<number, OpenBatch>();
  const pending = new Map<string, PlannedCall & { provider: BatchProviderId }>();
  for (const call of calls) {
    if (call.ref.provider === 'local') continue;
    const provider = call.ref.provider;
    const key = cacheKey(provider, call.request);
    if (pending.has(key) || cache.has(key)) continue;
    const waiting = batches.openFor(key) as OpenBatch[];
    if (waiting.length) {
      for (const b of waiting) open.set(b.id, b);
      continue;
    }
    if (batches.failed(key)) {
      summary.leftLive++;
      continue;
    }
    pending.set(key, { ...call, provider });
  }
  summary.resumed = open.size;

  // Group by provider and model (Gemini batches are per model), cut to the configured size.
  const groups = new Map<string, { provider: BatchProviderId; purpose: string; items: [string, PlannedCall][] }>();
  for (const [key, call] of pending) {
    const g = `${call.provider}\u0000${call.request.model}\u0000${call.purpose}`;
    const group = groups.get(g) ?? { provider: call.provider, purpose: call.purpose, items: [] };
    group.items.push([key, call]);
    groups.set(g, group);
  }
  const reserved = new Map<number, number>();
  for (const group of groups.values()) {
    const settings = options.settingsFor(group.provider);
    for (let i = 0; i < group.items.length; i += settings.batch.maxRequests) {
      if (options.signal?.aborted || options.stopRequested?.()) {
        summary.stoppedEarly = true;
        break;
      }
      let chunk = group.items.slice(i, i + settings.batch.maxRequests);
      // A budget holds the worst case of what is submitted, settled when the results come.
      let reserve = 0;
      if (options.budget) {
        const fits: typeof chunk = [];
        for (const item of chunk) {
          const worst = worstCase(options.pricing, group.provider, item[1].request);
          if (worst === null)
            throw new BudgetExceededError(
              `${group.provider}/${item[1].request.model} has no price in configs/pricing.yaml, so a budget cannot be kept: add its price or run without a budget`,
            );
          const cost = worst * settings.batch.priceFactor;
          if (options.budget.spentUsd + reserve + cost > options.budget.limitUsd) break;
          reserve += cost;
          fits.push(item);
        }
        summary.leftLive += chunk.length - fits.length;
        chunk = fits;
        if (!chunk.length) continue;
      }
      const api = options.apiFor(group.provider);
      const externalId = await api.submit(
        chunk.map(([key, call]) => ({ key, request: call.request })),
        options.signal,
      );
      const id = batches.record(
        { runId: options.runId, provider: group.provider, externalId, purpose: group.purpose },
        chunk.map(([key, call]) => ({ key, model: call.request.model })),
      );
      if (options.budget) {
        options.budget.spentUsd += reserve;
        reserved.set(id, reserve);
      }
      open.set(id, { id, provider: group.provider, externalId, purpose: group.purpose });
      summary.submitted++;
      summary.requests += chunk.length;
      options.onStatus?.(`${group.provider}: submitted batch ${externalId} (${chunk.length} requests)`);
    }
  }

  await waitAndCollect([...open.values()], options, summary, reserved);
  return summary;
}

async function waitAndCollect(
  batches: OpenBatch[],
  options: BatchRunOptions,
  summary: BatchRunSummary,
  reserved: Map<number, number>,
): Promise<void> {
  const { db } = options;
  const log = createCostLog(db, options.logFile);
  const cache = responseCache(db);
  const store = batchStore(db);
  let waiting = batches;
  while (waiting.length) {
    const still: OpenBatch[] = [];
    for (const b of waiting) {
      if (options.signal?.aborted || options.stopRequested?.()) {
        // Left open on purpose: the provider keeps working, and a resumed job collects the results.
        summary.stoppedEarly = true;
        return;
      }
      const api = options.apiFor(b.provider);
      const status = await api.status(b.externalId, options.signal);
      if (status.state === 'running') {
        options.onStatus?.(`${b.provider} batch ${b.externalId}: ${status.done}/${status.total || '?'} done`);
        still.push(b);
        continue;
      }
      const models = store.itemModels(b.id);
      const results: BatchResult[] =
        status.state === 'failed' ? [] : await api.results(b.externalId, models, options.signal);
      const settings = options.settingsFor(b.provider);
      let ok = 0;
      let bad = 0;
      let spent = 0;
      db.transaction(() => {
        for (const r of results) {
          if (!models.has(r.key)) continue; // not ours: ignore rather than trust
          if (r.outcome === 'succeeded' && r.response.text.trim()) {
            const { cached: _c, costUsd: _cost, ...keep } = r.response;
            const model = models.get(r.key) ?? r.response.model;
            cache.put(r.key, b.provider, model, JSON.stringify(keep));
            const live = costOf(priceOf(options.pricing, b.provider, model), r.response.usage);
            const cost = live === null ? null : live * settings.batch.priceFactor;
            if (cost !== null) spent += cost;
            log({
              runId: options.runId,
              provider: b.provider,
              model,
              purpose: b.purpose,
              inputTokens: r.response.usage.inputTokens,
              cachedInputTokens: r.response.usage.cachedInputTokens,
              outputTokens: r.response.usage.outputTokens,
              costUsd: cost,
              cached: false,
              batch: true,
            });
            store.markItem(b.id, r.key, 'succeeded', null);
            models.delete(r.key);
            ok++;
          } else {
            const error = r.outcome === 'succeeded' ? 'empty answer' : r.error;
            store.markItem(b.id, r.key, r.outcome === 'succeeded' ? 'errored' : r.outcome, error);
            models.delete(r.key);
            bad++;
          }
        }
        // Requests the provider never answered count as failed: the live pass makes them.
        for (const key of models.keys()) {
          store.markItem(
            b.id,
            key,
            status.state === 'expired' ? 'expired' : 'errored',
            status.error ?? 'no result returned',
          );
          bad++;
        }
        const state = status.state === 'ended' ? 'ended' : status.state;
        store.finish(b.id, state, ok, bad, status.error ?? null);
      })();
      if (options.budget) options.budget.spentUsd += spent - (reserved.get(b.id) ?? 0);
      summary.succeeded += ok;
      summary.failed += bad;
      summary.leftLive += bad;
      options.onStatus?.(
        `${b.provider} batch ${b.externalId} ${status.state}: ${ok} answered${bad ? `, ${bad} failed (made live instead)` : ''}`,
      );
    }
    waiting = still;
    if (waiting.length) {
      const interval = Math.min(...waiting.map((b) => options.settingsFor(b.provider).batch.pollIntervalMs));
      await sleep(interval, options.signal);
    }
  }
}
