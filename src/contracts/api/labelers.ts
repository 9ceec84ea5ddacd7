import { z } from 'zod';
import { LabelerSchema } from '../review.ts';
import { contract } from './contract.ts';

export const LabelerRecordSchema = z.object({
  name: z.string(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});

export const labelersContracts = {
  'labelers-list': contract(z.object({ includeRevoked: z.boolean().default(false) }), z.array(LabelerRecordSchema)),
  // The token is shown once, with the invite link that carries it.
  'labelers-add': contract(
    z.object({ name: LabelerSchema }),
    z.object({ name: z.string(), token: z.string(), url: z.string() }),
  ),
  'labelers-revoke': contract(z.object({ name: LabelerSchema }), LabelerRecordSchema),
};
