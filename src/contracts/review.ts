import { z } from 'zod';

export const LabelerSchema = z
  .string()
  .trim()
  .min(1, 'a labeler name is required')
  .max(80)
  .regex(/^[\p{L}\p{N} ._@-]+$/u, 'letters, digits, spaces and . _ @ - only');

export const DecisionSchema = z.enum(['approve', 'reject', 'edit', 'skip']);
export type Decision = z.infer<typeof DecisionSchema>;

export const SubmitLabelSchema = z
  .object({
    pairId: z.number().int().positive(),
    labeler: LabelerSchema,
    decision: DecisionSchema,
    editedText: z.string().max(2_000_000).optional(),
    comment: z.string().max(10_000).optional(),
    /** draft: saved, not yet counted; submitted: final. */
    status: z.enum(['draft', 'submitted']).default('submitted'),
  })
  .superRefine((v, ctx) => {
    if (v.decision === 'reject' && !v.comment?.trim()) {
      ctx.addIssue({ code: 'custom', path: ['comment'], message: 'a comment is required when rejecting' });
    }
    if (v.decision === 'edit' && !v.editedText?.trim()) {
      ctx.addIssue({ code: 'custom', path: ['editedText'], message: 'an edit needs the edited text' });
    }
  });
export type SubmitLabel = z.input<typeof SubmitLabelSchema>;

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
};

export interface ReviewProgress {
  labeler: string;
  mine: { approve: number; reject: number; edit: number; skip: number; draft: number };
  overall: { pairs: number; done: number; pending: number; labels: number; labelers: number };
}

export interface Disagreement {
  pairId: number;
  title: string | null;
  decisions: { labeler: string; decision: string; comment: string | null }[];
}
