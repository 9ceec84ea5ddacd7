import { z } from 'zod';
import {
  DisagreementSchema,
  LabelerSchema,
  QueueOrderSchema,
  QueueStatusSchema,
  ReviewProgressSchema,
  ReviewSubmitManySchema,
  ReviewSubmitSchema,
} from '../review.ts';
import { PairDetailSchema, PairViewQuerySchema } from '../view.ts';
import { contract, None, Ok } from './contract.ts';

const Labeler = z.object({ labeler: LabelerSchema });

/** A pair in Bulk: both texts (cut when long), their hashes, counts and each model's score. */
export const BulkRowSchema = z.object({
  id: z.number(),
  title: z.string().nullable(),
  domain: z.string(),
  strategy: z.string(),
  model: z.string(),
  original: z.string(),
  compressed: z.string(),
  truncated: z.boolean(),
  compressedHash: z.string(),
  originalHash: z.string(),
  tokensOriginal: z.number().nullable(),
  tokensCompressed: z.number().nullable(),
  ratio: z.number().nullable(),
  scores: z.array(z.object({ model: z.string(), equivalence: z.number().nullable(), judged: z.number() })),
});

export const reviewContracts = {
  // The view's filters (the Pairs page's PairViewQuery) stay the queue until the labeler leaves it.
  'review-next': contract(
    Labeler.extend({ query: PairViewQuerySchema.prefault({}), order: QueueOrderSchema.optional() }),
    z.object({ pairId: z.number().nullable() }),
  ),
  'review-bulk': contract(
    Labeler.extend({
      query: PairViewQuerySchema.prefault({}),
      order: QueueOrderSchema.optional(),
      limit: z.number().int().min(1).max(100).default(20),
      offset: z.number().int().min(0).default(0),
    }),
    z.object({ rows: z.array(BulkRowSchema), total: z.number(), threshold: z.number() }),
  ),
  'review-claim': contract(
    Labeler.extend({ pairId: z.number().int().positive() }),
    z.object({ ok: z.boolean(), heldBy: z.string().optional() }),
  ),
  // A label names the texts that were on the screen; a mismatch is a 409, never a label on other text.
  // With `next`, the same call serves the queue's next pair and its detail: one round trip per key.
  'review-submit': contract(
    ReviewSubmitSchema,
    z.object({
      labelId: z.number(),
      next: z.object({ pairId: z.number().nullable(), detail: PairDetailSchema.nullable() }).optional(),
    }),
  ),
  'review-submit-many': contract(ReviewSubmitManySchema, z.object({ labelIds: z.array(z.number()) })),
  'review-undo': contract(Labeler, z.object({ pairId: z.number() }).nullable()),
  'review-release': contract(Labeler, Ok),
  'review-queue': contract(
    Labeler.extend({ status: QueueStatusSchema }),
    z.array(
      z.object({
        pairId: z.number(),
        decision: z.string().nullable(),
        updatedAt: z.string().nullable(),
        title: z.string().nullable(),
      }),
    ),
  ),
  'review-progress': contract(Labeler, ReviewProgressSchema),
  'review-disagreements': contract(None, z.array(DisagreementSchema)),
};
