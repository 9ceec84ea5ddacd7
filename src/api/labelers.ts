import { inviteLink, inviteOrigin } from '../bridge/invite.ts';
import { labelersContracts } from '../contracts/api/labelers.ts';
import { addLabeler, listLabelers, revokeLabeler } from '../store/labelers.ts';
import { handlers } from './handler.ts';

export const labelersHandlers = handlers(labelersContracts, {
  'labelers-list': (ctx, a) => listLabelers(ctx.project.db, a),
  'labelers-add': (ctx, a) => {
    const { name, token } = addLabeler(ctx.project.db, a.name);
    return { name, token, url: inviteLink(ctx.inviteOrigin ?? inviteOrigin(ctx.project.dir), token) };
  },
  'labelers-revoke': (ctx, a) => revokeLabeler(ctx.project.db, a.name),
});
