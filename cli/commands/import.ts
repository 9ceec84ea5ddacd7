import type { Command } from 'commander';
import { IMPORT_FORMAT_CHOICES } from '../choices.ts';
import type { CliContext } from '../main.ts';
import { collect } from '../options.ts';

export interface ImportOptions {
  format: string;
  map: string[];
  tag: string[];
  strict?: boolean;
  json?: boolean;
}

export function registerImport(program: Command, ctx: CliContext): void {
  program
    .command('import')
    .description('import corpora: JSONL, CSV/TSV, JSON (LoCoMo), HumanEval, Markdown/text files, folders of code')
    .argument('<paths...>', 'files and folders')
    .option('-f, --format <format>', `force a format: ${IMPORT_FORMAT_CHOICES.join(', ')}`, 'auto')
    .option(
      '-m, --map <key=field>',
      'which field holds the text (text=body, original=..., compressed=..., messages=..., id=..., title=...)',
      collect,
      [],
    )
    .option('-t, --tag <tag>', 'tag every imported source (repeatable)', collect, [])
    .option('--strict', 'exit with an error when any record was rejected')
    .option('--json', 'print the summary as JSON')
    .action(async (paths: string[], opts: ImportOptions) =>
      (await import('../actions/import.ts')).importSources(ctx, paths, opts),
    );
}
