import { inviteLink, inviteOrigin } from '../../src/bridge/invite.ts';
import { addLabeler, listLabelers, revokeLabeler } from '../../src/store/labelers.ts';
import type { CliContext } from '../main.ts';
import { renderTable } from '../table.ts';
import { withProject } from '../with-project.ts';

export async function addLabelerCommand(ctx: CliContext, name: string, opts: { json?: boolean }): Promise<void> {
  await withProject(ctx, async (project) => {
    const added = addLabeler(project.db, name);
    const url = inviteLink(inviteOrigin(project.dir), added.token);
    if (opts.json) ctx.out(JSON.stringify({ name: added.name, token: added.token, url }));
    else {
      ctx.out(`Invited ${added.name}. Send them this link (it holds their token, shown only now):`);
      ctx.out(url);
    }
  });
}

export async function listLabelersCommand(ctx: CliContext, opts: { all?: boolean; json?: boolean }): Promise<void> {
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
}

export async function revokeLabelerCommand(ctx: CliContext, name: string, opts: { json?: boolean }): Promise<void> {
  await withProject(ctx, async (project) => {
    const r = revokeLabeler(project.db, name);
    if (opts.json) ctx.out(JSON.stringify(r));
    else ctx.out(`Revoked ${r.name}: their link no longer works. Their labels stay.`);
  });
}
