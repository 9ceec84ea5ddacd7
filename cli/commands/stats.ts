import type { Command } from 'commander';
import { TOKENIZER_CHOICES } from '../choices.ts';
import type { CliContext } from '../main.ts';

export interface StatsOptions {
  tokenizers: string;
  json?: boolean;
}

export function registerStats(program: Command, ctx: CliContext): void {
  program
    .command('stats')
    .description('sources, pairs and token totals per domain and tokenizer')
    .option('-T, --tokenizers <list>', `comma-separated: ${TOKENIZER_CHOICES.join(',')}`, TOKENIZER_CHOICES.join(','))
    .option('--json', 'print as JSON')
    .action(async (opts: StatsOptions) => (await import('../actions/stats.ts')).stats(ctx, opts));
}
