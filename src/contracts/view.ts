import { z } from 'zod';
import { DomainSchema } from './source.ts';

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
});
export type PairViewQuery = z.input<typeof PairViewQuerySchema>;
export type PairViewFilters = Omit<z.output<typeof PairViewQuerySchema>, 'offset' | 'limit'>;

export interface PairRow {
  id: number;
  sourceId: number;
  title: string | null;
  domain: string;
  language: string | null;
  strategy: string;
  model: string;
  tokensOriginal: number | null;
  tokensCompressed: number | null;
  ratio: number | null;
  /** Verdict summary: counts of probe verdicts by outcome. */
  equivalent: number;
  different: number;
  judgeErrors: number;
  /** The latest submitted decision of each labeler, e.g. ["approve", "reject"]. */
  decisions: string[];
  preview: string;
  createdAt: string;
}

export interface PairPage {
  rows: PairRow[];
  total: number;
  offset: number;
  ms: number;
}

export interface TokenComparison {
  tokenizer: string;
  method: 'exact' | 'api' | 'estimate';
  before: number;
  after: number;
}

export interface ProbeCell {
  probeId: number;
  question: string;
  outcome: 'equivalent' | 'different' | 'judge-error' | null;
  answerOriginal: string | null;
  answerCompressed: string | null;
  score: number | null;
  /** The dataset's answer to the probe, when it has one. */
  reference: string | null;
  /** How the verdict was reached (match, similarity, judge) and the judge's reason. */
  via: string | null;
  reason: string | null;
  /** Token F1 and embedding similarity between the two answers, as stored with the verdict. */
  f1: number | null;
  similarity: number | null;
}

/** A protected span of the original (name, number, date, identifier...) that the compression lost. */
export interface DroppedSpan {
  start: number;
  end: number;
  kind: string;
  text: string;
}

export interface PairDetail {
  pair: {
    id: number;
    strategy: string;
    strategyVersion: string;
    model: string;
    params: Record<string, unknown>;
    metadata: Record<string, unknown>;
    createdAt: string;
    /** sha256 of the compressed text: a label names it, and is refused if the text changed. */
    compressedHash: string;
  };
  source: {
    id: number;
    /** The source's content hash: a label names it too. */
    hash: string;
    title: string | null;
    domain: string;
    language: string | null;
    originPath: string | null;
    originRef: string | null;
  };
  original: string;
  compressed: string;
  tokens: TokenComparison[];
  /** The pass line per model (configs/validation.yaml thresholds.taskEquivalence). */
  threshold: number;
  /** Protected spans of the original missing from the compression, in the original's offsets. */
  dropped: DroppedSpan[];
  /** Rows: models; cells: one per probe. */
  matrix: { model: string; cells: ProbeCell[]; equivalence: number | null }[];
  probes: { id: number; question: string; reference: string | null }[];
  labels: {
    id: number;
    labeler: string;
    decision: string;
    editedText: string | null;
    comment: string | null;
    status: string;
    createdAt: string;
  }[];
}

export const ExportFormatSchema = z.enum(['jsonl', 'csv', 'dpo']);
export type ExportFormat = z.infer<typeof ExportFormatSchema>;
