import type { Pricing } from '../contracts/providers.ts';
import type { Usage } from './spec.ts';

export interface Price {
  input: number;
  cachedInput?: number | undefined;
  output: number;
}

/** The price of a model, exact name first, then the provider's "*" entry; undefined if unknown. */
export function priceOf(pricing: Pricing, provider: string, model: string): Price | undefined {
  const table = pricing[provider];
  return table?.[model] ?? table?.['*'];
}

/** US dollars for one call; null when the price is unknown (never 0 by default). */
export function costOf(price: Price | undefined, usage: Usage): number | null {
  if (!price) return null;
  const cached = Math.min(usage.cachedInputTokens, usage.inputTokens);
  const fresh = usage.inputTokens - cached;
  return (
    (fresh * price.input + cached * (price.cachedInput ?? price.input) + usage.outputTokens * price.output) / 1_000_000
  );
}
