import type { Command } from 'commander';
import { LABEL_FILTER_CHOICES, VERDICT_FILTER_CHOICES } from '../choices.ts';
import type { CliContext } from '../main.ts';

export interface ValidateOptions {
  pairs?: string;
  all?: boolean;
  domain?: string;
  strategy?: string;
  verdict?: string;
  label?: string;
  search?: string;
  regex?: boolean;
  input?: string;
  models?: string;
  judge?: string;
  prober?: string;
  budget?: string;
  concurrency?: string;
  batch?: boolean;
  json?: boolean;
}

export function registerValidate(program: Command, ctx: CliContext): void {
  program
    .command('validate')
    .description(
      'cross-model validation: do the validator models answer the same with the compression as with the original?',
    )
    .option('--pairs <ids>', 'comma-separated pair ids')
    .option('--all', 'every pair in the store (or those matching the filters below)')
    .option('-d, --domain <domain>', 'only pairs whose source is nl, chat, code or mixed')
    .option('-s, --strategy <name>', 'only pairs made by this strategy')
    .option('--verdict <filter>', `as the Pairs page: ${VERDICT_FILTER_CHOICES.join(', ')}`)
    .option('--label <filter>', `as the Pairs page: ${LABEL_FILTER_CHOICES.join(', ')}`)
    .option('--search <text>', 'as the Pairs page: the compression, source text or title contains this')
    .option('--regex', 'with --search: the text is a regular expression (RE2 syntax)')
    .option('-i, --input <file>', 'a JSONL of {original, compressed} pairs: imported, then validated')
    .option('-m, --models <refs>', 'validators, comma-separated provider/model (default: configs/providers.yaml)')
    .option('--judge <ref>', 'the judge model (default: configs/providers.yaml)')
    .option('--prober <ref>', 'the model that writes probes (default: configs/providers.yaml)')
    .option('-b, --budget <usd>', 'stop before spending more than this many US dollars')
    .option('-c, --concurrency <n>', 'validator tasks at once (default: configs/validation.yaml)')
    .option(
      '--batch',
      "send the calls through the providers' batch endpoints: half price, answers within hours; safe to stop and run again",
    )
    .option('--json', 'print the summary as JSON')
    .action(async (opts: ValidateOptions) => (await import('../actions/validate.ts')).validate(ctx, opts));
}
