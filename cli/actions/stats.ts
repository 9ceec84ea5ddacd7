import { InputError } from '../../src/errors/index.ts';
import { computeStats } from '../../src/stats.ts';
import { TOKENIZER_IDS, type TokenizerId, TokenizerIdSchema } from '../../src/tokenizers/index.ts';
import type { StatsOptions } from '../commands/stats.ts';
import type { CliContext } from '../main.ts';
import { createProgress } from '../progress.ts';
import { percent, renderTable } from '../table.ts';
import { withProject } from '../with-project.ts';

export function parseTokenizers(list: string): TokenizerId[] {
  return list.split(',').map((t) => {
    const parsed = TokenizerIdSchema.safeParse(t.trim());
    if (!parsed.success) throw new InputError(`unknown tokenizer "${t}": one of ${TOKENIZER_IDS.join(', ')}`);
    return parsed.data;
  });
}

/** `studio stats`: sources, pairs and token totals per domain and tokenizer. */
export async function stats(ctx: CliContext, opts: StatsOptions): Promise<void> {
  const tokenizers = parseTokenizers(opts.tokenizers);
  await withProject(ctx, async (project) => {
    const progress = createProgress('Counting tokens', { enabled: !opts.json });
    const stats = await computeStats(project, tokenizers, (d, t) => progress.update(d, t)).finally(() =>
      progress.stop(),
    );
    if (opts.json) {
      ctx.out(JSON.stringify(stats, null, 2));
      return;
    }
    const methodLabel = (id: TokenizerId) => {
      const m = stats.tokenizers.find((t) => t.id === id)?.method;
      return m === 'exact' ? id : `${id} (${m})`;
    };
    ctx.out(`Project: ${project.dbPath}`);
    ctx.out(
      `${stats.sources.toLocaleString('en-US')} sources, ${stats.pairs.toLocaleString('en-US')} pairs, ${stats.labels} labels, ${stats.verdicts} verdicts\n`,
    );
    const rows = stats.byDomain.map((d) => [d.domain, d.sources, d.chars, ...tokenizers.map((t) => d.tokens[t] ?? 0)]);
    const totals = [
      'total',
      stats.sources,
      stats.byDomain.reduce((n, d) => n + d.chars, 0),
      ...tokenizers.map((t) => stats.byDomain.reduce((n, d) => n + (d.tokens[t] ?? 0), 0)),
    ];
    ctx.out(renderTable(['domain', 'sources', 'chars', ...tokenizers.map(methodLabel)], [...rows, totals]));
    if (stats.tokenizers.some((t) => t.method === 'estimate')) {
      ctx.out(
        '\n(estimate): no API key for that provider, so the count is the o200k count times a per-domain factor from configs/tokenizers.yaml.',
      );
    }
    if (stats.byStrategy.length) {
      ctx.out('');
      ctx.out(
        renderTable(
          ['strategy', 'pairs', 'tokenizer', 'tokens before', 'tokens after', 'reduction'],
          stats.byStrategy.map((s) => [
            s.strategy,
            s.pairs,
            s.tokenizer ?? '-',
            s.tokensOriginal,
            s.tokensCompressed,
            percent(s.reduction),
          ]),
        ),
      );
    }
  });
}
