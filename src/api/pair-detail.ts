import { loadValidationConfig } from '../config.ts';
import { DomainSchema } from '../contracts/source.ts';
import { TOKENIZER_IDS } from '../contracts/tokenizer.ts';
import { NotFoundError } from '../errors/index.ts';
import { droppedSpans } from '../review/dropped-spans.ts';
import { getPairDetail } from '../store/pair-view.ts';
import type { ApiContext } from './context.ts';

/** A pair as Review shows it: texts, hashes, token counts per tokenizer, scores, lost protected spans. */
export async function pairDetailOf(ctx: ApiContext, id: number) {
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
