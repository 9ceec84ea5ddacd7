import type { NewSource } from '../contracts/source.ts';

/** A pair that came with its source (a JSONL line with `original` and `compressed`). */
export interface ImportedPair {
  compressed: string;
  strategy: string;
  model: string;
  params: Record<string, unknown>;
}

export interface ImportRecord {
  source: NewSource;
  /** Where it came from, to name it if it cannot be stored. */
  line?: number;
  pair?: ImportedPair;
}

/** One bad line, row or file: where it is and what is wrong, in words a user can act on. */
export interface ImportIssue {
  file: string;
  line?: number;
  field?: string;
  message: string;
}

/** What a reader yields: a good record, or an issue; a reader never throws for bad content. */
export type ReadItem = { kind: 'record'; record: ImportRecord } | { kind: 'issue'; issue: ImportIssue };

export interface ReaderContext {
  /** Path as the user gave it (shown in messages and stored as the origin). */
  file: string;
  tags: readonly string[];
  mapping: FieldMapping;
  /** A line or record above this many bytes is an issue, never held whole (default 64 MiB). */
  maxRecordBytes?: number;
  /** Records nested deeper than this are an issue (default 256). */
  maxDepth?: number;
  /** Reports bytes consumed so far, for progress. */
  onBytes?: (bytes: number) => void;
}

/** `--map text=article.body`: which (dotted) field holds each part of a record. */
export interface FieldMapping {
  text?: string;
  original?: string;
  compressed?: string;
  messages?: string;
  title?: string;
  id?: string;
  language?: string;
  domain?: string;
}

/** The defaults of configs/import.yaml, for readers called without an import config (benches). */
export const READER_LIMITS = { maxRecordBytes: 64 * 1024 * 1024, maxDepth: 256 } as const;

export function formatIssue(issue: ImportIssue): string {
  const where = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}`;
  return `${where}${issue.field ? ` (field "${issue.field}")` : ''}: ${issue.message}`;
}
