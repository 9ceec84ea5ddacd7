import type { Command } from 'commander';
import type { CliContext } from '../main.ts';
import { renderTable } from '../table.ts';
import { withProject } from '../with-project.ts';

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
    .action(async (name: string, opts: { json?: boolean }) => {
      const { addLabeler } = await import('../../src/store/labelers.ts');
      const { inviteLink, inviteOrigin } = await import('../../src/bridge/invite.ts');
      await withProject(ctx, async (project) => {
        const added = addLabeler(project.db, name);
        const url = inviteLink(inviteOrigin(project.dir), added.token);
        if (opts.json) ctx.out(JSON.stringify({ name: added.name, token: added.token, url }));
        else {
          ctx.out(`Invited ${added.name}. Send them this link (it holds their token, shown only now):`);
          ctx.out(url);
        }
      });
    });
  labelers
    .command('list', { isDefault: true })
    .description('list labelers (active; --all with revoked)')
    .option('--all', 'include revoked labelers')
    .option('--json', 'print as JSON')
    .action(async (opts: { all?: boolean; json?: boolean }) => {
      const { listLabelers } = await import('../../src/store/labelers.ts');
      await withProject(ctx, async (project) => {
        const rows = listLabelers(project.db, { includeRevoked: Boolean(opts.all) });
        if (opts.json) ctx.out(JSON.stringify(rows, null, 2));
        else if (!rows.length) ctx.out('No labelers yet: invite one with "studio labelers add NAME".');
        else
          ctx.out(
            renderTable(
              ['name', 'invited', 'revoked'],
              rows.map((r) => [r.name, r.createdAt, r.revokedAt ?? '-']),
            ),
          );
      });
    });
  labelers
    .command('revoke')
    .description('revoke a labeler’s token: their next request is refused')
    .argument('<name>', 'the labeler’s name')
    .option('--json', 'print the revoked labeler as JSON')
    .action(async (name: string, opts: { json?: boolean }) => {
      const { revokeLabeler } = await import('../../src/store/labelers.ts');
      await withProject(ctx, async (project) => {
        const r = revokeLabeler(project.db, name);
        if (opts.json) ctx.out(JSON.stringify(r));
        else ctx.out(`Revoked ${r.name}: their link no longer works. Their labels stay.`);
      });
    });
}
