import type { Domain } from './contracts/source.ts';
import type { Project } from './project.ts';
import {
  domainTotals,
  rowCounts,
  sourceCount,
  sourcesAfter,
  storedTokenTotals,
  strategyTotals,
} from './store/stats.ts';
import type { CountMethod, TokenizerId } from './tokenizers/index.ts';

export interface DomainStats {
  domain: Domain;
  sources: number;
  chars: number;
  tokens: Partial<Record<TokenizerId, number>>;
  /** Sources whose count is known per tokenizer: all of them unless counting was skipped. */
  counted: Partial<Record<TokenizerId, number>>;
}

export interface StrategyStats {
  strategy: string;
  pairs: number;
  tokenizer: string | null;
  tokensOriginal: number;
  tokensCompressed: number;
  /** 1 - compressed/original over the pairs that have counts; null when none do. */
  reduction: number | null;
}

export interface Stats {
  sources: number;
  pairs: number;
  labels: number;
  verdicts: number;
  tokenizers: { id: TokenizerId; method: CountMethod }[];
  byDomain: DomainStats[];
  byStrategy: StrategyStats[];
}

const PAGE = 500;

/**
 * Counts and token totals per domain for every tokenizer asked. Each text is counted once per
 * tokenizer and the count is kept, so a second call is a few SQL sums.
 */
export async function computeStats(
  project: Project,
  tokenizers: readonly TokenizerId[],
  onProgress?: (done: number, total: number) => void,
  options: { count?: boolean } = {},
): Promise<Stats> {
  const { db, tokens } = project;
  const total = sourceCount(db);
  const byDomain = new Map<Domain, DomainStats>();
  if (options.count === false) {
    // Only what is known: counts already in the store, summed in SQL. Never tokenizes, so the
    // app's header stays instant on a project of any size.
    for (const row of domainTotals(db)) {
      byDomain.set(row.domain, { domain: row.domain, sources: row.n, chars: row.chars, tokens: {}, counted: {} });
    }
    for (const t of tokenizers) {
      const key = tokens.methodFor(t) === 'estimate' ? null : t;
      for (const r of storedTokenTotals(db, key, t)) {
        const d = byDomain.get(r.domain);
        if (!d) continue;
        d.tokens[t] = r.tokens;
        d.counted[t] = r.counted;
      }
    }
    return finish(project, tokenizers, total, byDomain);
  }
  let done = 0;
  let lastId = 0;
  // Paged rather than iterated: counts are written as we go, and a better-sqlite3 connection
  // cannot write while a read cursor is open.
  for (;;) {
    const page = sourcesAfter(db, lastId, PAGE);
    if (!page.length) break;
    for (const row of page) {
      let d = byDomain.get(row.domain);
      if (!d) {
        d = { domain: row.domain, sources: 0, chars: 0, tokens: {}, counted: {} };
        byDomain.set(row.domain, d);
      }
      d.sources++;
      d.chars += row.chars;
      for (const t of tokenizers) {
        const c = await tokens.count(row.text, t, { domain: row.domain });
        d.tokens[t] = (d.tokens[t] ?? 0) + c.count;
        d.counted[t] = (d.counted[t] ?? 0) + 1;
      }
      done++;
      lastId = row.id;
    }
    onProgress?.(done, total);
  }
  return finish(project, tokenizers, total, byDomain);
}

function finish(
  project: Project,
  tokenizers: readonly TokenizerId[],
  total: number,
  byDomain: Map<Domain, DomainStats>,
): Stats {
  const { db, tokens } = project;
  const byStrategy = strategyTotals(db);
  const order: Domain[] = ['nl', 'chat', 'code', 'mixed'];
  return {
    sources: total,
    ...rowCounts(db),
    tokenizers: tokenizers.map((id) => ({ id, method: tokens.methodFor(id) })),
    byDomain: order.flatMap((d) => (byDomain.has(d) ? [byDomain.get(d) as DomainStats] : [])),
    byStrategy: byStrategy.map(({ counted, ...s }) => ({
      ...s,
      reduction: counted && s.tokensOriginal ? 1 - s.tokensCompressed / s.tokensOriginal : null,
    })),
  };
}
