import { resolve } from 'node:path';
import { importPaths } from '../../src/io/import.ts';
import { openProject, projectExists } from '../../src/project.ts';
import { copySamples } from '../../src/samples.ts';
import type { InitOptions } from '../commands/init.ts';
import type { CliContext } from '../main.ts';

/** `studio init`: create the project (and with --sample, copy and import the sample data). */
export async function init(ctx: CliContext, dir: string | undefined, opts: InitOptions): Promise<void> {
  const target = resolve(dir ?? ctx.projectDir());
  const existed = projectExists(target);
  const project = openProject({ dir: target, create: true });
  let sample: { dir: string; records: number; inserted: number; issues: number } | undefined;
  try {
    if (opts.sample) {
      const samples = copySamples(target);
      const summary = await importPaths(project.db, samples.files, { config: project.config.import });
      sample = {
        dir: samples.dir,
        records: summary.records,
        inserted: summary.inserted,
        issues: summary.issueCount,
      };
    }
  } finally {
    project.close();
  }
  if (opts.json) {
    ctx.out(
      JSON.stringify({
        project: target,
        database: project.dbPath,
        created: !existed,
        ...(sample ? { sample } : {}),
      }),
    );
    return;
  }
  ctx.out(existed ? `Project already set up: ${project.dbPath}` : `Created project: ${project.dbPath}`);
  if (sample) {
    ctx.out(
      `Sample data in ${sample.dir}: ${sample.records} records read, ${sample.inserted} new sources${sample.issues ? `, ${sample.issues} rejected` : ''}.`,
    );
    ctx.logger.info('Next: studio stats, studio compress --all, studio serve');
  } else ctx.logger.info(`Next: studio --project ${target} import <files or folders> (or studio init --sample)`);
}
