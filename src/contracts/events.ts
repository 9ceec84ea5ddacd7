import { z } from 'zod';

/**
 * Events the domain emits for the UI and the CLI. The same names travel over IPC and SSE:
 * `<noun>-<action>`, discriminated on `type`. The domain's bus (src/events.ts) is typed from these.
 */
export const RunProgressEventSchema = z.object({
  type: z.literal('run-progress'),
  runId: z.number().int(),
  kind: z.string(),
  done: z.number(),
  total: z.number(),
  label: z.string().optional(),
});

export const RunFinishedEventSchema = z.object({
  type: z.literal('run-finished'),
  runId: z.number().int(),
  kind: z.string(),
  status: z.enum(['succeeded', 'failed', 'cancelled']),
  error: z.string().optional(),
});

/** Something in the project changed (a label, a run, a write by the CLI): views reload. */
export const StoreChangedEventSchema = z.object({ type: z.literal('store-changed'), reason: z.string() });

export const StudioEventSchema = z.discriminatedUnion('type', [
  RunProgressEventSchema,
  RunFinishedEventSchema,
  StoreChangedEventSchema,
]);
export type StudioEvent = z.infer<typeof StudioEventSchema>;
export type RunProgressEvent = z.infer<typeof RunProgressEventSchema>;
