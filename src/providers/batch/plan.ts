import type { ModelRef } from '../../contracts/providers.ts';
import { StudioError } from '../../errors/index.ts';
import { batchStore } from '../../store/batches.ts';
import type { Db } from '../../store/db.ts';
import { responseCache } from '../../store/response-cache.ts';
import { cacheKey } from '../middleware/cache.ts';
import type { ProviderRegistry } from '../registry.ts';
import type { Provider } from '../spec.ts';
import {
  type BatchRunOptions,
  type BatchRunSummary,
  completeInBatches,
  emptyBatchSummary,
  type PlannedCall,
} from './run.ts';

/**
 * Thrown by a planning provider instead of making a call: the job notes the call, skips the work
 * that needed its answer, and comes back once the batch has put the answer in the cache.
 */
export class DeferredCall extends StudioError {
  override name = 'DeferredCall';
  constructor() {
    super('deferred to a batch');
  }
}

export interface Planner {
  registry: ProviderRegistry;
  /** Calls asked for in this round that a batch could answer. */
  take(): PlannedCall[];
}

/**
 * A registry for the planning rounds of a batched job: answers already in the cache (and every
 * local model) are served as usual, any other call is recorded and deferred. A call that already
 * failed in a batch is deferred without being recorded, so the rounds end and the live pass
 * makes it (with retries and a clear error).
 */
export function planningRegistry(inner: ProviderRegistry, db: Db): Planner {
  const cache = responseCache(db);
  const batches = batchStore(db);
  let planned = new Map<string, PlannedCall>();
  const wrap = (ref: ModelRef): Provider => {
    const real = inner.get(ref);
    if (ref.provider === 'local') return real;
    return {
      id: real.id,
      async complete(request, options) {
        const key = cacheKey(ref.provider, request);
        if (cache.has(key)) return real.complete(request, options);
        if (!batches.tried(key) && !planned.has(key))
          planned.set(key, { ref, request, purpose: options?.purpose ?? 'call' });
        throw new DeferredCall();
      },
    };
  };
  return {
    registry: { ...inner, get: wrap },
    take() {
      const out = [...planned.values()];
      planned = new Map();
      return out;
    },
  };
}

export interface BatchRoundsOptions
  extends Pick<BatchRunOptions, 'db' | 'runId' | 'signal' | 'stopRequested' | 'onStatus'> {
  registry: ProviderRegistry;
  /** One planning pass of the job over its work, with the planning registry. */
  pass: (registry: ProviderRegistry) => Promise<void>;
  /** Most rounds (a job whose calls depend on earlier answers needs one round per step). */
  maxRounds?: number;
}

/**
 * Runs a job's planning passes until it asks for nothing new: each pass's deferred calls go out
 * as batches and come back into the cache before the next pass. The caller then runs the job
 * live, which finds the answers cached and makes the rest (failed in a batch) as live calls.
 */
export async function runInBatchRounds(options: BatchRoundsOptions): Promise<BatchRunSummary> {
  const planner = planningRegistry(options.registry, options.db);
  const total = emptyBatchSummary();
  for (let round = 0; round < (options.maxRounds ?? 8); round++) {
    if (options.signal?.aborted || options.stopRequested?.()) break;
    await options.pass(planner.registry);
    const calls = planner.take();
    if (!calls.length) break;
    const { registry, pass: _pass, maxRounds: _max, ...rest } = options;
    const r = await completeInBatches(calls, { ...registry.batching, ...rest });
    total.submitted += r.submitted;
    total.resumed += r.resumed;
    total.requests += r.requests;
    total.succeeded += r.succeeded;
    total.failed += r.failed;
    total.leftLive += r.leftLive;
    total.stoppedEarly ||= r.stoppedEarly;
  }
  return total;
}
