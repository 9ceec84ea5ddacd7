import type { Command } from 'commander';
import { EXPORT_KIND_CHOICES } from '../choices.ts';
import type { CliContext } from '../main.ts';

export interface ExportOptions {
  out?: string;
}

export function registerExport(program: Command, ctx: CliContext): void {
  program
    .command('export')
    .description('export pairs (with labels and verdicts), labels, verdicts or sources as JSONL')
    .argument('<kind>', EXPORT_KIND_CHOICES.join(' | '))
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .action(async (kind: string, opts: ExportOptions) =>
      (await import('../actions/export.ts')).exportData(ctx, kind, opts),
    );
}
