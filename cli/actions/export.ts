import { InputError } from '../../src/errors/index.ts';
import { ExportKindSchema, exportJsonl, exportJsonlFile } from '../../src/io/export.ts';
import type { ExportOptions } from '../commands/export.ts';
import type { CliContext } from '../main.ts';
import { withProject } from '../with-project.ts';

/** `studio export KIND`: JSONL to stdout or a file. */
export async function exportData(ctx: CliContext, kindArg: string, opts: ExportOptions): Promise<void> {
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
}
