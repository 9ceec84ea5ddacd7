import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { ImportConfig } from '../contracts/config.ts';
import type { NewPair } from '../contracts/pair.ts';
import type { Domain } from '../contracts/source.ts';
import { InputError } from '../errors/index.ts';
import { languageFromPath } from '../generation/languages.ts';
import type { Db } from '../store/db.ts';
import { insertPairs } from '../store/pairs.ts';
import { createRun, finishRun, isCancelRequested, updateRunProgress } from '../store/runs.ts';
import { type InsertSourcesResult, insertSources } from '../store/sources.ts';
import { countTiktoken } from '../tokenizers/tiktoken.ts';
import { readCsv } from './csv.ts';
import { readTextFile, readWholeFile } from './files.ts';
import { type SkippedFile, walkFolder } from './folder.ts';
import { locateJsonError } from './json-error.ts';
import { readJsonl } from './jsonl.ts';
import { isLocomo, readLocomo } from './locomo.ts';
import { mapRecord, toReadItem } from './record-mapping.ts';
import { sniffFile } from './sniff.ts';
import type { FieldMapping, ImportIssue, ImportRecord, ReaderContext, ReadItem } from './types.ts';

export type ImportFormat = 'auto' | 'jsonl' | 'csv' | 'tsv' | 'json' | 'text' | 'folder';

export interface ImportOptions {
  config: ImportConfig;
  tags?: string[];
  mapping?: FieldMapping;
  format?: ImportFormat;
  onProgress?: (progress: ImportProgress) => void;
  /** Told the run id as soon as the run row exists. */
  onRun?: (runId: number) => void;
  /** Stops between batches; so does a cancel requested on the run row (from any process). */
  signal?: AbortSignal;
}

export interface ImportProgress {
  file: string;
  bytesDone: number;
  bytesTotal: number;
  records: number;
  issues: number;
}

export interface FileSummary {
  file: string;
  format: Exclude<ImportFormat, 'auto'>;
  records: number;
  inserted: number;
  duplicates: number;
  pairsInserted: number;
  issues: number;
}

export interface ImportSummary {
  runId: number;
  files: FileSummary[];
  records: number;
  inserted: number;
  duplicates: number;
  pairsInserted: number;
  pairsDuplicate: number;
  /** Every issue counted; the first `maxReportedErrors` listed in full. */
  issueCount: number;
  issues: ImportIssue[];
  skipped: SkippedFile[];
  byDomain: Record<Domain, number>;
  durationMs: number;
  /** True when the import stopped early on request; what was read before is kept. */
  cancelled: boolean;
}

async function detectFormat(
  path: string,
  requested: ImportFormat,
  isDir: boolean,
): Promise<Exclude<ImportFormat, 'auto'>> {
  if (isDir) return 'folder';
  if (requested !== 'auto') return requested;
  const ext = extname(path).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.csv') return 'csv';
  if (ext === '.tsv') return 'tsv';
  if (ext === '.json') return 'json';
  if (languageFromPath(path) || ['.md', '.markdown', '.mdx', '.txt', '.rst', '.text'].includes(ext)) return 'text';
  // Unknown extension: its first bytes decide (a binary one is rejected when read, as text).
  return (await sniffFile(path)) === 'jsonl' ? 'jsonl' : 'text';
}

/** Formats read whole into memory, which must stay under `maxWholeFileBytes`. */
const READ_WHOLE: ReadonlySet<string> = new Set(['json', 'text']);

/** A whole JSON document: LoCoMo's shape, an array of records, or one record. */
async function* readJsonDocument(path: string, ctx: ReaderContext): AsyncGenerator<ReadItem> {
  // Decoded strictly: bytes that are not UTF-8 are an issue, never silently U+FFFD.
  const text = await readTextFile(path, ctx.file);
  if (typeof text !== 'string') {
    yield { kind: 'issue', issue: text };
    return;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    const at = locateJsonError(text);
    yield {
      kind: 'issue',
      issue: {
        file: ctx.file,
        ...(at ? { line: at.line } : {}),
        message: `not valid JSON${at ? ` at column ${at.column}` : ''} (${message})`,
      },
    };
    return;
  }
  ctx.onBytes?.((await stat(path)).size);
  if (isLocomo(value)) {
    yield* readLocomo(value, ctx);
    return;
  }
  const records = Array.isArray(value) ? value : [value];
  for (const [i, rec] of records.entries()) {
    const item = toReadItem(mapRecord(rec, ctx, undefined, 'json'));
    if (item.kind === 'issue' && Array.isArray(value))
      item.issue.field = `[${i}]${item.issue.field ? `.${item.issue.field}` : ''}`;
    yield item;
  }
}

/** A file to read, found while planning: folders expand to their files, so progress knows the total size. */
interface ImportJob {
  path: string;
  display: string;
  format: Exclude<ImportFormat, 'auto'>;
  bytes: number;
}

/** One import in progress: its run, the summary so far and the records waiting to be written. */
interface ImportRun {
  db: Db;
  options: ImportOptions;
  runId: number;
  summary: ImportSummary;
  batch: { record: ImportRecord; file: FileSummary }[];
}

/**
 * Imports files and folders into the project. Bad records are reported (file, line, field) and
 * skipped; every good record is kept; a source already in the store is counted as a duplicate,
 * so importing the same files again adds nothing. Records are written in batches, in one
 * transaction each, so memory stays flat whatever the file size.
 */
export async function importPaths(db: Db, paths: readonly string[], options: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const run = startImport(db, paths, options);
  const jobs = await planImport(run, paths);
  const bytesTotal = jobs.reduce((n, j) => n + j.bytes, 0);
  let bytesBefore = 0;
  for (const job of jobs) {
    if (run.summary.cancelled) break;
    await importFile(run, job, (bytesDone) =>
      options.onProgress?.({
        file: job.display,
        bytesDone: bytesBefore + Math.min(bytesDone, job.bytes),
        bytesTotal,
        records: run.summary.records,
        issues: run.summary.issueCount,
      }),
    );
    bytesBefore += job.bytes;
  }
  await flush(run);
  const { summary } = run;
  summary.durationMs = Math.round(performance.now() - started);
  const { issues: _list, ...kept } = summary;
  // Nothing read and something wrong (a path that does not exist, only empty files): the run failed,
  // and says why (review: "Run 5 succeeded · 0 records ... 1 rejected").
  const nothing = !summary.cancelled && summary.records === 0 && summary.issueCount > 0;
  const first = summary.issues[0];
  finishRun(
    db,
    run.runId,
    summary.cancelled ? 'cancelled' : nothing ? 'failed' : 'succeeded',
    { ...kept, issues: summary.issues.slice(0, 20) },
    nothing && first ? `nothing imported: ${first.file}: ${first.message}` : undefined,
  );
  updateRunProgress(db, run.runId, summary.records, summary.records);
  return summary;
}

function startImport(db: Db, paths: readonly string[], options: ImportOptions): ImportRun {
  const runId = createRun(db, 'import', {
    paths: [...paths],
    tags: options.tags ?? [],
    mapping: options.mapping ?? {},
    format: options.format ?? 'auto',
  });
  options.onRun?.(runId);
  const summary: ImportSummary = {
    runId,
    files: [],
    records: 0,
    inserted: 0,
    duplicates: 0,
    pairsInserted: 0,
    pairsDuplicate: 0,
    issueCount: 0,
    issues: [],
    skipped: [],
    byDomain: { nl: 0, chat: 0, code: 0, mixed: 0 },
    durationMs: 0,
    cancelled: false,
  };
  return { db, options, runId, summary, batch: [] };
}

/** Counts an issue; the first `maxReportedErrors` are kept in full. */
function note(run: ImportRun, issue: ImportIssue): void {
  run.summary.issueCount++;
  if (run.summary.issues.length < run.options.config.maxReportedErrors) run.summary.issues.push(issue);
}

/** The files to read, in order: missing paths and files too large to read whole are issues. */
async function planImport(run: ImportRun, paths: readonly string[]): Promise<ImportJob[]> {
  const { config } = run.options;
  const jobs: ImportJob[] = [];
  for (const path of paths) {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(path);
    } catch {
      note(run, { file: path, message: 'no such file or folder' });
      continue;
    }
    const format = await detectFormat(path, run.options.format ?? 'auto', info.isDirectory());
    if (format === 'folder') {
      for await (const entry of walkFolder(path, { maxFileBytes: config.maxFileBytes, skipped: run.summary.skipped })) {
        jobs.push({
          path: entry.path,
          display: `${path.replace(/\/$/, '')}/${entry.relative}`,
          format: 'text',
          bytes: entry.bytes,
        });
      }
    } else if (READ_WHOLE.has(format) && info.size > config.maxWholeFileBytes) {
      note(run, {
        file: path,
        message: `too large to read whole (${info.size} bytes, the limit is maxWholeFileBytes ${config.maxWholeFileBytes}): skipped`,
      });
    } else {
      jobs.push({ path, display: path, format, bytes: info.size });
    }
  }
  return jobs;
}

/** The reader for a file's format. */
function readItems(job: ImportJob, ctx: ReaderContext): AsyncIterable<ReadItem> | Iterable<ReadItem> {
  if (job.format === 'jsonl') return readJsonl(job.path, ctx);
  if (job.format === 'csv' || job.format === 'tsv') return readCsv(job.path, ctx, job.format === 'tsv' ? '\t' : ',');
  if (job.format === 'json') return readJsonDocument(job.path, ctx);
  return (async function* () {
    yield toReadItem(await readWholeFile(job.path, ctx));
  })();
}

/** Reads one file, writing a batch whenever it fills; a cancel is checked between batches. */
async function importFile(run: ImportRun, job: ImportJob, report: (bytesDone: number) => void): Promise<void> {
  const { db, options, runId, summary } = run;
  const { config } = options;
  const file: FileSummary = {
    file: job.display,
    format: job.format,
    records: 0,
    inserted: 0,
    duplicates: 0,
    pairsInserted: 0,
    issues: 0,
  };
  summary.files.push(file);
  const ctx: ReaderContext = {
    file: job.display,
    tags: options.tags ?? [],
    mapping: options.mapping ?? {},
    maxRecordBytes: config.maxRecordBytes,
    maxDepth: config.maxDepth,
    onBytes: report,
  };
  for await (const item of readItems(job, ctx)) {
    if (item.kind === 'issue') {
      file.issues++;
      note(run, item.issue);
      continue;
    }
    summary.records++;
    run.batch.push({ record: item.record, file });
    if (run.batch.length >= config.batchSize) {
      await flush(run);
      updateRunProgress(db, runId, summary.records);
      if (options.signal?.aborted === true || isCancelRequested(db, runId)) {
        summary.cancelled = true;
        break;
      }
    }
  }
  await flush(run);
  report(job.bytes);
}

/**
 * Writes the batch's sources. A record the store refuses (a value it cannot serialise, a
 * constraint) must not take its batch with it: the batch is retried one record at a time and only
 * the refused record becomes an issue (and leaves the batch).
 */
function storeSources(run: ImportRun): InsertSourcesResult {
  try {
    return insertSources(
      run.db,
      run.batch.map((b) => b.record.source),
    );
  } catch {
    const kept: ImportRun['batch'] = [];
    const merged: InsertSourcesResult = { inserted: 0, duplicates: 0, ids: [], fresh: [] };
    for (const b of run.batch) {
      try {
        const one = insertSources(run.db, [b.record.source]);
        merged.inserted += one.inserted;
        merged.duplicates += one.duplicates;
        merged.ids.push(...one.ids);
        merged.fresh.push(...one.fresh);
        kept.push(b);
      } catch (error) {
        b.file.issues++;
        run.summary.records--;
        note(run, {
          file: b.file.file,
          ...(b.record.line === undefined ? {} : { line: b.record.line }),
          message: `cannot be stored: ${error instanceof Error ? error.message : String(error)}`,
        });
      }
    }
    run.batch = kept;
    return merged;
  }
}

/** Writes the batch: its sources, then the pairs records carried, with their o200k counts. */
async function flush(run: ImportRun): Promise<void> {
  if (!run.batch.length) return;
  const { summary } = run;
  const sources = storeSources(run);
  summary.inserted += sources.inserted;
  summary.duplicates += sources.duplicates;
  const withPairs: { file: FileSummary; pair: NewPair; original: string }[] = [];
  run.batch.forEach((b, i) => {
    b.file.records++;
    if (sources.fresh[i]) {
      b.file.inserted++;
      summary.byDomain[b.record.source.domain]++;
    } else {
      b.file.duplicates++;
    }
    const pair = b.record.pair;
    if (pair)
      withPairs.push({
        file: b.file,
        pair: { sourceId: sources.ids[i] as number, ...pair, runId: run.runId },
        original: b.record.source.text,
      });
  });
  if (withPairs.length) await storePairs(run, withPairs);
  run.batch = [];
}

async function storePairs(run: ImportRun, withPairs: { file: FileSummary; pair: NewPair; original: string }[]) {
  // Imported pairs get their o200k counts now, so ratios and filters work on them at once.
  for (const p of withPairs) {
    p.pair.tokensOriginal = await countTiktoken(p.original, 'o200k');
    p.pair.tokensCompressed = await countTiktoken(p.pair.compressed, 'o200k');
    p.pair.tokenizer = 'o200k';
  }
  const pairs = insertPairs(
    run.db,
    withPairs.map((p) => p.pair),
  );
  run.summary.pairsInserted += pairs.inserted;
  run.summary.pairsDuplicate += pairs.duplicates;
  withPairs.forEach((p, i) => {
    if (pairs.fresh[i]) p.file.pairsInserted++;
  });
}

/** For the CLI: a readable error when a whole import cannot start. */
export function assertPaths(paths: readonly string[]): void {
  if (!paths.length) throw new InputError('Nothing to import: give one or more files or folders.');
}
