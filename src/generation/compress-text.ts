import type { Domain } from '../contracts/source.ts';
import type { TokenCount, TokenCounter, TokenizerId } from '../tokenizers/index.ts';
import { compressWithRules, type RulesResult } from './rules/index.ts';

export interface CompressReport {
  original: string;
  compressed: string;
  domain: Domain;
  language: string | null;
  strategy: 'rules';
  verified: RulesResult['verified'];
  stats: Record<string, number>;
  notes: string[];
  tokens: { tokenizer: TokenizerId; method: TokenCount['method']; before: number; after: number; reduction: number }[];
  ms: number;
}

/** Before and after counts of a compression for each tokenizer asked. */
export async function measureTokens(
  counter: TokenCounter,
  original: string,
  compressed: string,
  tokenizers: readonly TokenizerId[],
  domain: Domain,
): Promise<CompressReport['tokens']> {
  const tokens: CompressReport['tokens'] = [];
  for (const t of tokenizers) {
    const before = await counter.count(original, t, { domain });
    const after = await counter.count(compressed, t, { domain });
    tokens.push({
      tokenizer: t,
      method: before.method,
      before: before.count,
      after: after.count,
      reduction: before.count ? 1 - after.count / before.count : 0,
    });
  }
  return tokens;
}

/** Compresses one text with the rules and measures it with each tokenizer asked. */
export async function compressText(
  text: string,
  counter: TokenCounter,
  options: { domain?: Domain; language?: string | null; path?: string; tokenizers?: readonly TokenizerId[] } = {},
): Promise<CompressReport> {
  const t0 = performance.now();
  const result = await compressWithRules(text, {
    ...(options.domain ? { domain: options.domain } : {}),
    ...(options.language !== undefined ? { language: options.language } : {}),
    ...(options.path ? { path: options.path } : {}),
  });
  const ms = performance.now() - t0;
  const tokens = await measureTokens(counter, text, result.text, options.tokenizers ?? ['o200k'], result.domain);
  return {
    original: text,
    compressed: result.text,
    domain: result.domain,
    language: result.language,
    strategy: 'rules',
    verified: result.verified,
    stats: result.stats,
    notes: result.notes,
    tokens,
    ms,
  };
}
