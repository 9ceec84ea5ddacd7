import type { Command } from 'commander';
import type { CliContext } from '../main.ts';

/**
 * `studio labelers add|list|revoke`: invite labelers to a shared project. Each gets their own
 * token (stored hashed) and an invite link to the running `studio serve` of this project (or the
 * default address, http://<this machine's address>:4317, when none runs).
 */
export function registerLabelers(program: Command, ctx: CliContext): void {
  const labelers = program
    .command('labelers')
    .description('invite labelers with their own tokens, list them, revoke them');
  labelers
    .command('add')
    .description('invite a labeler: prints their token and invite link (shown once)')
    .argument('<name>', 'the labeler’s name, recorded on every label they make')
    .option('--json', 'print {"name","token","url"} as JSON')
    .action(async (name: string, opts: { json?: boolean }) =>
      (await import('../actions/labelers.ts')).addLabelerCommand(ctx, name, opts),
    );
  labelers
    .command('list', { isDefault: true })
    .description('list labelers (active; --all with revoked)')
    .option('--all', 'include revoked labelers')
    .option('--json', 'print as JSON')
    .action(async (opts: { all?: boolean; json?: boolean }) =>
      (await import('../actions/labelers.ts')).listLabelersCommand(ctx, opts),
    );
  labelers
    .command('revoke')
    .description('revoke a labeler’s token: their next request is refused')
    .argument('<name>', 'the labeler’s name')
    .option('--json', 'print the revoked labeler as JSON')
    .action(async (name: string, opts: { json?: boolean }) =>
      (await import('../actions/labelers.ts')).revokeLabelerCommand(ctx, name, opts),
    );
}
