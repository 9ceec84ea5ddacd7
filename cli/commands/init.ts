import type { Command } from 'commander';
import type { CliContext } from '../main.ts';

export interface InitOptions {
  json?: boolean;
  sample?: boolean;
}

export function registerInit(program: Command, ctx: CliContext): void {
  program
    .command('init')
    .description('create a project (data/studio.db) in a folder; safe to run again')
    .argument('[dir]', 'project folder (default: --project or the working directory)')
    .option(
      '--sample',
      'also copy the sample data (conversations with QA, programs with tests, notes) into samples/ and import it',
    )
    .option('--json', 'print the result as JSON')
    .action(async (dir: string | undefined, opts: InitOptions) =>
      (await import('../actions/init.ts')).init(ctx, dir, opts),
    );
}
