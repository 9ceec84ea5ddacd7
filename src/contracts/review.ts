import { z } from 'zod';
import { PairViewQuerySchema } from './view.ts';

export const LabelerSchema = z
  .string()
  .trim()
  .min(1, 'a labeler name is required')
  .max(80)
  .regex(/^[\p{L}\p{N} ._@-]+$/u, 'letters, digits, spaces and . _ @ - only');

export const DecisionSchema = z.enum(['approve', 'reject', 'edit', 'skip']);
export type Decision = z.infer<typeof DecisionSchema>;

/** A sha256 hex digest: the identity of a text the labeler saw. */
export const TextHashSchema = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 hex digest of the text');

const LabelFields = z.object({
  pairId: z.number().int().positive(),
  labeler: LabelerSchema,
  decision: DecisionSchema,
  editedText: z.string().max(2_000_000).optional(),
  comment: z.string().max(10_000).optional(),
  /** draft: saved, not yet counted; submitted: final. */
  status: z.enum(['draft', 'submitted']).default('submitted'),
});

function labelRules(
  v: { decision: Decision; comment?: string | undefined; editedText?: string | undefined },
  ctx: z.RefinementCtx,
) {
  if (v.decision === 'reject' && !v.comment?.trim()) {
    ctx.addIssue({ code: 'custom', path: ['comment'], message: 'a comment is required when rejecting' });
  }
  if (v.decision === 'edit' && !v.editedText?.trim()) {
    ctx.addIssue({ code: 'custom', path: ['editedText'], message: 'an edit needs the edited text' });
  }
}

/**
 * A label as the domain records it. The hashes name the texts the labeler saw; programmatic callers
 * (tests, benches) may leave them out, and the pair's current texts are recorded.
 */
export const SubmitLabelSchema = LabelFields.extend({
  compressedHash: TextHashSchema.optional(),
  originalHash: TextHashSchema.optional(),
}).superRefine(labelRules);
export type SubmitLabel = z.input<typeof SubmitLabelSchema>;

/**
 * A label from a person (review-submit): it must name the texts that were on the screen, so a
 * label can never land on a pair whose text the labeler was not reading.
 */
export const ReviewSubmitSchema = LabelFields.extend({
  compressedHash: TextHashSchema,
  originalHash: TextHashSchema,
  /** Also serve the next pair of this queue (its filters and order) in the answer. */
  next: z
    .object({ query: PairViewQuerySchema.prefault({}), order: z.lazy(() => QueueOrderSchema).optional() })
    .optional(),
}).superRefine(labelRules);

/** One decision for several pairs (Bulk), each named with the texts that were on the screen. */
export const ReviewSubmitManySchema = z
  .object({
    labeler: LabelerSchema,
    decision: z.enum(['approve', 'reject', 'skip']),
    comment: z.string().max(10_000).optional(),
    items: z
      .array(
        z.object({ pairId: z.number().int().positive(), compressedHash: TextHashSchema, originalHash: TextHashSchema }),
      )
      .min(1)
      .max(500),
  })
  .superRefine(labelRules);
export type ReviewSubmitMany = z.input<typeof ReviewSubmitManySchema>;

/**
 * The order the queue serves pairs in. `informative` (the default): pairs whose evidence says
 * something is wrong or unsure (failing on a validator, models or labelers disagreeing) first,
 * then the most compressed, where a label decides the most.
 */
export const QueueOrderSchema = z.enum(['informative', 'compressed', 'failing', 'disputed', 'id']);
export type QueueOrder = z.infer<typeof QueueOrderSchema>;
export const QUEUE_ORDER_LABELS: Record<QueueOrder, string> = {
  informative: 'most informative first',
  compressed: 'most compressed first',
  failing: 'failing first',
  disputed: 'disputed first',
  id: 'by id',
};

export const QueueStatusSchema = z.enum(['pending', 'draft', 'submitted', 'discarded']);
export type QueueStatus = z.infer<typeof QueueStatusSchema>;

export const ProjectSettingsSchema = z.object({
  guidelines: z.string().max(200_000),
  /** How many labelers label each pair. */
  labelOverlap: z.number().int().min(1).max(10),
  /** How long a pair stays reserved for the labeler who opened it. */
  leaseMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60),
  /** The order the Review queue serves pairs in, unless a queue says otherwise. */
  queueOrder: QueueOrderSchema,
});
export type ProjectSettings = z.infer<typeof ProjectSettingsSchema>;

export const DEFAULT_SETTINGS: ProjectSettings = {
  guidelines: `# Labeling guidelines

Approve a compression when a model reading it would answer every question about the original the
same way: all names, numbers, dates and decisions are there, and nothing is added.

- **Approve** (a): nothing that matters is lost.
- **Reject** (r): something that matters is lost, wrong or invented. Say what in the comment.
- **Edit** (e): close, but you can fix it. Edit the compressed text, then save.
- **Skip** (s): you cannot judge it (domain you do not know, unreadable source).
`,
  labelOverlap: 1,
  leaseMinutes: 15,
  queueOrder: 'informative',
};

export const ReviewProgressSchema = z.object({
  labeler: z.string(),
  mine: z.object({ approve: z.number(), reject: z.number(), edit: z.number(), skip: z.number(), draft: z.number() }),
  overall: z.object({
    pairs: z.number(),
    done: z.number(),
    pending: z.number(),
    labels: z.number(),
    labelers: z.number(),
  }),
});
export type ReviewProgress = z.infer<typeof ReviewProgressSchema>;

export const DisagreementSchema = z.object({
  pairId: z.number(),
  title: z.string().nullable(),
  decisions: z.array(z.object({ labeler: z.string(), decision: z.string(), comment: z.string().nullable() })),
});
export type Disagreement = z.infer<typeof DisagreementSchema>;
