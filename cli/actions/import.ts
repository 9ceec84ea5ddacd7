import { z } from 'zod';
import { InputError } from '../../src/errors/index.ts';
import { assertPaths, type ImportFormat, importPaths } from '../../src/io/import.ts';
import { type FieldMapping, formatIssue } from '../../src/io/types.ts';
import { IMPORT_FORMAT_CHOICES } from '../choices.ts';
import type { ImportOptions } from '../commands/import.ts';
import type { CliContext } from '../main.ts';
import { createProgress } from '../progress.ts';
import { renderTable } from '../table.ts';
import { withProject } from '../with-project.ts';

const MAPPABLE = ['text', 'original', 'compressed', 'messages', 'title', 'id', 'language', 'domain'] as const;
const FormatSchema = z.enum(IMPORT_FORMAT_CHOICES);

export function parseMapping(entries: readonly string[]): FieldMapping {
  const mapping: FieldMapping = {};
  for (const entry of entries) {
    const [key, field] = entry.split('=', 2);
    if (!key || !field) throw new InputError(`--map takes KEY=FIELD (e.g. text=article.body), got "${entry}"`);
    if (!(MAPPABLE as readonly string[]).includes(key)) {
      throw new InputError(`--map: unknown key "${key}"; one of ${MAPPABLE.join(', ')}`);
    }
    mapping[key as (typeof MAPPABLE)[number]] = field;
  }
  return mapping;
}

/** `studio import PATHS...`: read corpora into sources (and pairs, when a file holds both sides). */
export async function importSources(ctx: CliContext, paths: string[], opts: ImportOptions): Promise<void> {
  assertPaths(paths);
  const format = FormatSchema.safeParse(opts.format);
  if (!format.success)
    throw new InputError(`--format must be one of ${FormatSchema.options.join(', ')}, got "${opts.format}"`);
  const mapping = parseMapping(opts.map);
  await withProject(ctx, async (project) => {
    const progress = createProgress('Importing', { unit: 'bytes', enabled: !opts.json });
    let summary: Awaited<ReturnType<typeof importPaths>>;
    try {
      summary = await importPaths(project.db, paths, {
        config: project.config.import,
        tags: opts.tag,
        mapping,
        format: format.data as ImportFormat,
        onProgress: (p) => progress.update(p.bytesDone, p.bytesTotal, `${p.records.toLocaleString('en-US')} records`),
      });
    } finally {
      progress.stop();
    }
    if (opts.json) {
      ctx.out(JSON.stringify(summary, null, 2));
    } else {
      if (summary.files.length) {
        const shown = summary.files.length > 25 ? summary.files.slice(0, 25) : summary.files;
        ctx.out(
          renderTable(
            ['file', 'format', 'records', 'new', 'already there', 'pairs', 'rejected'],
            shown.map((f) => [f.file, f.format, f.records, f.inserted, f.duplicates, f.pairsInserted, f.issues]),
          ),
        );
        if (shown.length < summary.files.length) ctx.out(`... and ${summary.files.length - shown.length} more files`);
      }
      ctx.out(
        `\n${summary.records.toLocaleString('en-US')} records read: ${summary.inserted.toLocaleString('en-US')} new sources, ${summary.duplicates.toLocaleString('en-US')} already there, ${summary.pairsInserted} new pairs, ${summary.issueCount} rejected (${(summary.durationMs / 1000).toFixed(1)} s).`,
      );
      const domains = Object.entries(summary.byDomain).filter(([, n]) => n > 0);
      if (domains.length) ctx.out(`New sources by domain: ${domains.map(([d, n]) => `${d} ${n}`).join(', ')}`);
      if (summary.skipped.length)
        ctx.logger.info(`Skipped ${summary.skipped.length} files (not code or text, or too large).`);
      for (const issue of summary.issues) ctx.logger.warn(formatIssue(issue));
      if (summary.issueCount > summary.issues.length) {
        ctx.logger.warn(`... and ${summary.issueCount - summary.issues.length} more rejected records`);
      }
    }
    if ((opts.strict && summary.issueCount > 0) || (summary.records === 0 && summary.issueCount > 0))
      process.exitCode = 1;
  });
}
