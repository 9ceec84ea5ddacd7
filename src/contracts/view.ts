import { z } from 'zod';
import { DomainSchema } from './source.ts';
import { CountMethodSchema } from './tokenizer.ts';
import { OutcomeSchema } from './validation.ts';

/** Verdict filters as promptfoo's viewer offers them. */
export const VerdictFilterSchema = z.enum([
  'all',
  'failures',
  'passes',
  'judge-errors',
  'models-disagree',
  'unvalidated',
]);
export type VerdictFilter = z.infer<typeof VerdictFilterSchema>;

export const LabelFilterSchema = z.enum(['all', 'unlabelled', 'approve', 'reject', 'edit', 'skip', 'disagree']);
export type LabelFilter = z.infer<typeof LabelFilterSchema>;

export const PairSortSchema = z.enum(['id', 'ratio', 'tokens', 'created']);

/** The Pairs table's filters: every one survives a round trip through the URL. */
export const PairViewQuerySchema = z.object({
  domain: DomainSchema.optional(),
  strategy: z.string().max(200).optional(),
  model: z.string().max(200).optional(),
  ratioMin: z.number().min(0).max(10).optional(),
  ratioMax: z.number().min(0).max(10).optional(),
  verdict: VerdictFilterSchema.default('all'),
  label: LabelFilterSchema.default('all'),
  search: z.string().max(500).optional(),
  regex: z.boolean().default(false),
  sort: PairSortSchema.default('id'),
  desc: z.boolean().default(false),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(1000).default(100),
  /**
   * Count every match of a search, however many (the "count all" action). Off, a search's count
   * stops a little past the page (see PairPage.totalExact): its cost grows with the matches.
   */
  exactTotal: z.boolean().default(false),
});
export type PairViewQuery = z.input<typeof PairViewQuerySchema>;
export type PairViewFilters = Omit<z.output<typeof PairViewQuerySchema>, 'offset' | 'limit' | 'exactTotal'>;

export const PairRowSchema = z.object({
  id: z.number(),
  sourceId: z.number(),
  title: z.string().nullable(),
  domain: z.string(),
  language: z.string().nullable(),
  strategy: z.string(),
  model: z.string(),
  tokensOriginal: z.number().nullable(),
  tokensCompressed: z.number().nullable(),
  ratio: z.number().nullable(),
  /** Verdict summary: counts of probe verdicts by outcome. */
  equivalent: z.number(),
  different: z.number(),
  judgeErrors: z.number(),
  /** The latest submitted decision of each labeler, e.g. ["approve", "reject"]. */
  decisions: z.array(z.string()),
  preview: z.string(),
  createdAt: z.string(),
});
export type PairRow = z.infer<typeof PairRowSchema>;

export const PairPageSchema = z.object({
  rows: z.array(PairRowSchema),
  /** How many pairs match: the exact count, or a lower bound when `totalExact` is false. */
  total: z.number(),
  /**
   * False when the view has a search (text or regex) with more matches than were counted: at least
   * `total` pairs match, and more do. `total` is then a multiple of 10,000 (1,000 when a regex is
   * tested row by row) past the page's end, so the next pages can be asked for; the query with
   * `exactTotal` counts them all.
   */
  totalExact: z.boolean(),
  offset: z.number(),
  ms: z.number(),
});
export type PairPage = z.infer<typeof PairPageSchema>;

export const TokenComparisonSchema = z.object({
  tokenizer: z.string(),
  method: CountMethodSchema,
  before: z.number(),
  after: z.number(),
});
export type TokenComparison = z.infer<typeof TokenComparisonSchema>;

export const ProbeCellSchema = z.object({
  probeId: z.number(),
  question: z.string(),
  outcome: OutcomeSchema.nullable(),
  answerOriginal: z.string().nullable(),
  answerCompressed: z.string().nullable(),
  score: z.number().nullable(),
  /** The dataset's answer to the probe, when it has one. */
  reference: z.string().nullable(),
  /** How the verdict was reached (match, similarity, judge) and the judge's reason. */
  via: z.string().nullable(),
  reason: z.string().nullable(),
  /** Token F1 and embedding similarity between the two answers, as stored with the verdict. */
  f1: z.number().nullable(),
  similarity: z.number().nullable(),
});
export type ProbeCell = z.infer<typeof ProbeCellSchema>;

/** A protected span of the original (name, number, date, identifier...) that the compression lost. */
export const DroppedSpanSchema = z.object({ start: z.number(), end: z.number(), kind: z.string(), text: z.string() });
export type DroppedSpan = z.infer<typeof DroppedSpanSchema>;

export const PairDetailSchema = z.object({
  pair: z.object({
    id: z.number(),
    strategy: z.string(),
    strategyVersion: z.string(),
    model: z.string(),
    params: z.record(z.string(), z.unknown()),
    metadata: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    /** sha256 of the compressed text: a label names it, and is refused if the text changed. */
    compressedHash: z.string(),
  }),
  source: z.object({
    id: z.number(),
    /** The source's content hash: a label names it too. */
    hash: z.string(),
    title: z.string().nullable(),
    domain: z.string(),
    language: z.string().nullable(),
    originPath: z.string().nullable(),
    originRef: z.string().nullable(),
  }),
  original: z.string(),
  compressed: z.string(),
  tokens: z.array(TokenComparisonSchema),
  /** The pass line per model (configs/validation.yaml thresholds.taskEquivalence). */
  threshold: z.number(),
  /** Protected spans of the original missing from the compression, in the original's offsets. */
  dropped: z.array(DroppedSpanSchema),
  /** Rows: models; cells: one per probe. */
  matrix: z.array(z.object({ model: z.string(), cells: z.array(ProbeCellSchema), equivalence: z.number().nullable() })),
  probes: z.array(z.object({ id: z.number(), question: z.string(), reference: z.string().nullable() })),
  labels: z.array(
    z.object({
      id: z.number(),
      labeler: z.string(),
      decision: z.string(),
      editedText: z.string().nullable(),
      comment: z.string().nullable(),
      status: z.string(),
      createdAt: z.string(),
    }),
  ),
});
export type PairDetail = z.infer<typeof PairDetailSchema>;

export const ExportFormatSchema = z.enum(['jsonl', 'csv', 'dpo']);
export type ExportFormat = z.infer<typeof ExportFormatSchema>;
