import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Pricing } from '../../contracts/providers.ts';
import { BudgetExceededError } from '../../errors/index.ts';
import { type CostRow, costRecorder } from '../../store/costs.ts';
import type { Db } from '../../store/db.ts';
import { costOf, priceOf } from '../pricing.ts';
import type { CompletionRequest, Middleware } from '../spec.ts';

/** What a job may still spend. Shared by every provider of the job. */
export interface Budget {
  readonly limitUsd: number;
  spentUsd: number;
}

export function createBudget(limitUsd: number, spentUsd = 0): Budget {
  return { limitUsd, spentUsd };
}

/** The most a call can cost: every input token uncached (~4 characters each) and every output token. */
export function worstCase(pricing: Pricing, provider: string, req: CompletionRequest): number | null {
  const chars =
    (req.system?.length ?? 0) +
    req.messages.reduce((n, m) => n + m.content.length, 0) +
    (req.json ? JSON.stringify(req.json.schema).length : 0);
  return costOf(priceOf(pricing, provider, req.model), {
    inputTokens: Math.ceil(chars / 3),
    outputTokens: req.maxTokens,
    cachedInputTokens: 0,
  });
}

/** One priced call, as logged to data/costs.log and the costs table. */
export interface CostEntry extends CostRow {
  /** Answered through the provider's batch endpoint (at its discount). */
  batch?: boolean;
}

/** Appends calls to the JSON-lines log and the costs table; the batch runner logs through it too. */
export function createCostLog(db: Db, logFile: string): (entry: CostEntry) => void {
  mkdirSync(dirname(logFile), { recursive: true });
  const record = costRecorder(db);
  return (entry) => {
    appendFileSync(logFile, `${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
    record(entry);
  };
}

/**
 * Prices every call, appends it to data/costs.log (JSON lines) and the costs table, and keeps a
 * job inside its budget: a call that could take the spend past the limit is not made.
 */
export function costMiddleware(options: { db: Db; pricing: Pricing; logFile: string; budget?: Budget }): Middleware {
  const { db, pricing, logFile, budget } = options;
  const log = createCostLog(db, logFile);
  return (next) => ({
    id: next.id,
    async complete(req, callOptions) {
      if (budget) {
        const worst = worstCase(pricing, next.id, req);
        if (worst === null) {
          throw new BudgetExceededError(
            `${next.id}/${req.model} has no price in configs/pricing.yaml, so a budget cannot be kept: add its price or run without a budget`,
          );
        }
        if (budget.spentUsd + worst > budget.limitUsd) {
          throw new BudgetExceededError(
            `budget reached: $${budget.spentUsd.toFixed(4)} of $${budget.limitUsd.toFixed(2)} spent, and the next call could cost up to $${worst.toFixed(4)}`,
          );
        }
      }
      const res = await next.complete(req, callOptions);
      const cost = res.cached ? 0 : costOf(priceOf(pricing, next.id, req.model), res.usage);
      if (budget && cost !== null) budget.spentUsd += cost;
      log({
        runId: callOptions?.runId ?? null,
        provider: next.id,
        model: req.model,
        purpose: callOptions?.purpose ?? null,
        inputTokens: res.usage.inputTokens,
        cachedInputTokens: res.usage.cachedInputTokens,
        outputTokens: res.usage.outputTokens,
        costUsd: cost,
        cached: res.cached,
      });
      return { ...res, costUsd: cost };
    },
  });
}
