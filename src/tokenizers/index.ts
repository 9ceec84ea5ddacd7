import type { TokenizersConfig } from '../contracts/config.ts';
import type { Domain } from '../contracts/source.ts';
import type { CountMethod, TokenizerId } from '../contracts/tokenizer.ts';
import type { Db } from '../store/db.ts';
import { getTokenCount, putTokenCount } from '../store/token-counts.ts';
import { sha256 } from '../util/hash.ts';
import { estimateFromO200k } from './estimate.ts';
import { createAnthropicCounter, createGeminiCounter, type Env, hasKey } from './remote.ts';
import { countTiktoken } from './tiktoken.ts';

// The ids and methods are part of the wire (src/contracts/tokenizer.ts); re-exported for the domain.
export { type CountMethod, TOKENIZER_IDS, type TokenizerId, TokenizerIdSchema } from '../contracts/tokenizer.ts';

export interface TokenCount {
  tokenizer: TokenizerId;
  count: number;
  method: CountMethod;
}

export const TOKENIZER_LABELS: Record<TokenizerId, string> = {
  o200k: 'OpenAI o200k_base (GPT-4o, GPT-4.1, o-series, GPT-5)',
  cl100k: 'OpenAI cl100k_base (GPT-4, GPT-3.5)',
  claude: 'Anthropic Claude',
  gemini: 'Google Gemini',
};

export interface TokenCounter {
  count(text: string, tokenizer: TokenizerId, options?: { domain?: Domain }): Promise<TokenCount>;
  /** The method a count for this tokenizer will use with the current keys. */
  methodFor(tokenizer: TokenizerId): CountMethod;
}

export interface TokenCounterOptions {
  config: TokenizersConfig;
  env?: Env;
  /** With a database, counts are cached by text hash: each text is counted once per tokenizer. */
  db?: Db;
}

export function createTokenCounter(options: TokenCounterOptions): TokenCounter {
  const env = options.env ?? process.env;
  const { config, db } = options;
  const remote = {
    claude: hasKey(config.claude, env) ? createAnthropicCounter(config.claude, env) : undefined,
    gemini: hasKey(config.gemini, env) ? createGeminiCounter(config.gemini, env) : undefined,
  };

  const methodFor = (tokenizer: TokenizerId): CountMethod => {
    if (tokenizer === 'o200k' || tokenizer === 'cl100k') return 'exact';
    return remote[tokenizer] ? 'api' : 'estimate';
  };

  const estimate = async (text: string, tokenizer: 'claude' | 'gemini', domain: Domain) =>
    estimateFromO200k(await countTiktoken(text, 'o200k'), config[tokenizer], domain);
  const compute = async (text: string, tokenizer: TokenizerId, domain: Domain): Promise<number> => {
    if (tokenizer === 'o200k' || tokenizer === 'cl100k') return countTiktoken(text, tokenizer);
    const counter = remote[tokenizer];
    if (counter) return counter(text);
    return estimate(text, tokenizer, domain);
  };

  return {
    methodFor,
    async count(text, tokenizer, opts = {}) {
      const method = methodFor(tokenizer);
      const domain = opts.domain ?? 'nl';
      if (!db) return { tokenizer, count: await compute(text, tokenizer, domain), method };
      const hash = sha256(text);
      // An estimate is never kept once a real count can be had; estimates depend on the domain,
      // so they are cached under a key that names it.
      const key = method === 'estimate' ? `${tokenizer}~${domain}` : tokenizer;
      const cached = getTokenCount(db, hash, key);
      if (cached && cached.method === method) return { tokenizer, count: cached.count, method };
      let count: number;
      try {
        count = await compute(text, tokenizer, domain);
      } catch (error) {
        // The endpoint is down or the key is refused: a view must not break over a count. Show
        // the estimate, labelled as such, and do not keep it (the next call asks again).
        if (tokenizer !== 'claude' && tokenizer !== 'gemini') throw error;
        return { tokenizer, count: await estimate(text, tokenizer, domain), method: 'estimate' };
      }
      putTokenCount(db, { textHash: hash, tokenizer: key, count, method });
      return { tokenizer, count, method };
    },
  };
}

/** "1,234 (estimate)" for outputs where the method must be visible. */
/**
 * A whole number with en-US digit grouping, written out: the first toLocaleString call of a
 * process sets up ICU (~40 ms), more than the rest of a one-line `studio compress`.
 */
function groupDigits(n: number): string {
  return Number.isSafeInteger(n) ? String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',') : n.toLocaleString('en-US');
}

export function formatCount(c: Pick<TokenCount, 'count' | 'method'>): string {
  const n = groupDigits(c.count);
  return c.method === 'exact' ? n : `${n} (${c.method})`;
}
