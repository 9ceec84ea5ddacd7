import { pairsContracts } from '../contracts/api/pairs.ts';
import { TOKENIZER_IDS } from '../contracts/tokenizer.ts';
import { ForbiddenError } from '../errors/index.ts';
import { compressText } from '../generation/compress-text.ts';
import { exportView } from '../io/export-view.ts';
import { listPairView, pairFacets } from '../store/pair-view.ts';
import { handlers } from './handler.ts';
import { pairDetailOf } from './pair-detail.ts';

export const pairsHandlers = handlers(pairsContracts, {
  'pairs-list': (ctx, q) => listPairView(ctx.project.db, q),
  'pairs-facets': (ctx) => pairFacets(ctx.project.db),
  'pairs-get': (ctx, a) => pairDetailOf(ctx, a.id),
  'pairs-export': (ctx, a) => exportView(ctx.project.db, a.query, a.format),
  'tokens-count': async (ctx, a, caller) => {
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
  'compress-try': (ctx, a) =>
    compressText(a.text, ctx.project.tokens, {
      ...(a.domain ? { domain: a.domain } : {}),
      tokenizers: [...TOKENIZER_IDS],
    }),
});
