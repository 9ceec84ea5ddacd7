import type { Command } from 'commander';
import { InputError } from '../../src/errors/index.ts';
import { ExportKindSchema, exportJsonl, exportJsonlFile } from '../../src/io/export.ts';
import type { CliContext } from '../main.ts';
import { withProject } from '../with-project.ts';

export function registerExport(program: Command, ctx: CliContext): void {
  program
    .command('export')
    .description('export pairs (with labels and verdicts), labels, verdicts or sources as JSONL')
    .argument('<kind>', ExportKindSchema.options.join(' | '))
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .action(async (kindArg: string, opts: { out?: string }) => {
      const kind = ExportKindSchema.safeParse(kindArg);
      if (!kind.success)
        throw new InputError(`export: kind must be one of ${ExportKindSchema.options.join(', ')}, got "${kindArg}"`);
      await withProject(ctx, async (project) => {
        if (opts.out) {
          const n = await exportJsonlFile(project.db, kind.data, opts.out);
          ctx.logger.info(`Wrote ${n.toLocaleString('en-US')} ${kind.data} to ${opts.out}`);
        } else {
          await exportJsonl(project.db, kind.data, process.stdout);
        }
      });
    });
}
