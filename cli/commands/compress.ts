import type { Command } from 'commander';
import type { CliContext } from '../main.ts';
import { parseIntStrict } from '../options.ts';

export interface CompressOptions {
  source?: number;
  all?: boolean;
  domain?: string;
  language?: string;
  tag?: string;
  save?: boolean;
  tokenizers: string;
  model?: string;
  ratio?: string;
  protect?: string[];
  json?: boolean;
  query?: string;
  maxTokens?: string;
  jsonl?: string;
}

export function registerCompress(program: Command, ctx: CliContext): void {
  program
    .command('compress')
    .description(
      'compress a text: a file or stdin through the configured pipeline (the rules, then a model stage, or query-aware selection with --query; the stage that ran is reported), a stored source or the whole store with the rules',
    )
    .argument('[file]', 'file to compress ("-" or nothing: stdin)')
    .option('-s, --source <id>', 'compress a stored source', parseIntStrict('--source'))
    .option('--all', 'compress every stored source (or those matching --domain/--tag) and store the pairs')
    .option('-d, --domain <domain>', 'treat the text as nl, chat, code or mixed (with --all: only this domain)')
    .option('-l, --language <lang>', 'programming language for code (python, typescript, ...)')
    .option('-t, --tag <tag>', 'with --all: only sources with this tag')
    .option('--save', 'with --source: store the result as a pair')
    .option('-T, --tokenizers <list>', 'tokenizers to report', 'o200k')
    .option(
      '-m, --model <name>',
      'text mode: the model stage to use (a name in configs/inference.yaml), or "none" for rules only',
    )
    .option(
      '-r, --ratio <kept>',
      'text mode: kept fraction of o200k tokens, 0-1: for the model stage (default: ratio in configs/inference.yaml, 0.5 as shipped) or, with --query, the budget selection fills (default: query.ratio, 0.1 as shipped); for code, the bodies the module uses least give way to their signatures and docstrings, only when a ratio is asked (without one, the code path removes only comments, docstrings, blank lines and unused blocks)',
    )
    .option(
      '--protect <text>',
      'text mode: a string that must survive verbatim (repeatable)',
      (v: string, p: string[] = []) => [...p, v],
    )
    .option(
      '-q, --query <text>',
      'text mode: keep what this query needs (query-aware selection: the relevant turns under their session headers, sentences under their headings, or the records of a JSON memory, as JSON; telegraphic by default, query.style in configs/inference.yaml)',
    )
    .option('--max-tokens <n>', 'text mode: budget in o200k tokens instead of --ratio')
    .option(
      '--jsonl <file>',
      'batch: one JSON object a line {"id","text","query"?,"ratio"?,"maxTokens"?,"domain"?,"language"?,"path"?} ("-": stdin); one result line each',
    )
    .option('--json', 'print the full report as JSON')
    .action(async (file: string | undefined, opts: CompressOptions) =>
      (await import('../actions/compress.ts')).compress(ctx, file, opts),
    );
}
