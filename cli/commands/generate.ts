import type { Command } from 'commander';
import { STRATEGY_CHOICES } from '../choices.ts';
import type { CliContext } from '../main.ts';
import { collect } from '../options.ts';

export interface GenerateCliOptions {
  strategy: string;
  model?: string;
  ratio?: string;
  threshold?: string;
  question?: string;
  protect?: string[];
  sources?: string;
  domain?: string;
  tag?: string;
  query?: string;
  budget?: string;
  concurrency?: string;
  batch?: boolean;
  validate?: boolean;
  validators?: string;
  json?: boolean;
}

export function registerGenerate(program: Command, ctx: CliContext): void {
  program
    .command('generate')
    .description(
      'make compression candidates for sources with a strategy: rules, prompted (an LLM) or pruned (a local model)',
    )
    .requiredOption('-s, --strategy <name>', `one of ${STRATEGY_CHOICES.join(', ')}`)
    .option(
      '-m, --model <ref>',
      'prompted: provider/model (default: the generator in configs/providers.yaml); pruned: path/to.gguf (default: the pruner in configs/inference.yaml); classified: a classifier folder',
    )
    .option('-r, --ratio <ratios>', 'kept fraction of tokens, one candidate each: 0.5 or 0.3,0.5,0.7', '0.5')
    .option('--threshold <nats>', 'pruned: keep words scoring at least this, instead of a ratio')
    .option('-q, --question <text>', 'pruned: keep what bears on this question')
    .option('--protect <text>', 'pruned: a string that must survive verbatim (repeatable)', collect)
    .option('--sources <ids>', 'comma-separated source ids')
    .option('-d, --domain <domain>', 'only sources of this domain (nl, chat, code, mixed)')
    .option('-t, --tag <tag>', 'only sources with this tag')
    .option('--query <text>', 'only sources whose text contains this')
    .option('-b, --budget <usd>', 'stop before spending more than this many US dollars')
    .option('-c, --concurrency <n>', 'prompted: sources at once', '4')
    .option('--batch', "prompted: through the providers' batch endpoints (half price, answers within hours)")
    .option('--validate', 'then validate the candidates and keep, per source, the shortest one that passes')
    .option('--validators <refs>', 'with --validate: comma-separated provider/model (default: configs/providers.yaml)')
    .option('--json', 'print the summary as JSON')
    .action(async (opts: GenerateCliOptions) => (await import('../actions/generate.ts')).generate(ctx, opts));
}
