import { resolve } from 'node:path';
import type { Command } from 'commander';
import { openProject, projectExists } from '../../src/project.ts';
import type { CliContext } from '../main.ts';

export function registerInit(program: Command, ctx: CliContext): void {
  program
    .command('init')
    .description('create a project (data/studio.db) in a folder; safe to run again')
    .argument('[dir]', 'project folder (default: --project or the working directory)')
    .option('--json', 'print the result as JSON')
    .action(async (dir: string | undefined, opts: { json?: boolean }) => {
      const target = resolve(dir ?? ctx.projectDir());
      const existed = projectExists(target);
      const project = openProject({ dir: target, create: true });
      project.close();
      if (opts.json) {
        ctx.out(JSON.stringify({ project: target, database: project.dbPath, created: !existed }));
        return;
      }
      ctx.out(existed ? `Project already set up: ${project.dbPath}` : `Created project: ${project.dbPath}`);
      ctx.logger.info(`Next: studio --project ${target} import <files or folders>`);
    });
}
