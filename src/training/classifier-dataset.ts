import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Domain } from '../contracts/source.ts';
import { InputError } from '../errors/index.ts';
import { type ClassifierPairQuery, type ClassifierPairRow, classifierPairs } from '../store/classifier-pairs.ts';
import type { Db } from '../store/db.ts';
import { sha256 } from '../util/hash.ts';
import { type AlignOptions, alignCompression } from './classifier-labels.ts';
import { type Split, splitSources, writeSplitFiles } from './dataset.ts';

/**
 * The token classifier's dataset: one JSON line per pair, `{id, source, domain, words, labels}`
 * (labels 1 = keep, one per whitespace word of the original), split by source exactly as the
 * LoRA dataset is (a source's split is a hash of its content and the seed, per domain, so adding
 * pairs never moves an old source), with a manifest of counts, keep rates, alignment quality and
 * the pairs left out with their reason.
 */
export interface ClassifierDatasetOptions extends ClassifierPairQuery, AlignOptions {
  outDir: string;
  /** Abstractive pairs with more of their words unmatched than this are left out (default 0.4). */
  maxUnmatchedShare?: number;
  validShare?: number;
  testShare?: number;
  seed?: number;
}

export interface ClassifierExample {
  id: number;
  source: string;
  domain: Domain;
  words: string[];
  labels: number[];
}

export interface ClassifierSplitStats {
  examples: number;
  sources: number;
  words: number;
  kept: number;
}

export interface ClassifierDatasetManifest {
  version: 1;
  kind: 'token-classifier';
  createdAt: string;
  seed: number;
  shares: { valid: number; test: number };
  maxUnmatchedShare: number;
  splits: Record<Split, ClassifierSplitStats>;
  pairsConsidered: number;
  extractive: number;
  abstractive: number;
  /** Mean unmatched share of the abstractive pairs kept. */
  meanUnmatchedShare: number;
  leftOut: { pairId: number; reason: string }[];
  duplicatesRemoved: number;
  files: Record<Split, string>;
  hash: string;
  warnings: string[];
}

export interface LabelledPair {
  row: ClassifierPairRow;
  example?: ClassifierExample;
  extractive: boolean;
  unmatchedShare: number;
  reason?: string;
}

/** Aligns each pair; the ones that teach nothing come back with `reason` and no example. */
export function labelPairs(
  rows: readonly ClassifierPairRow[],
  options: AlignOptions & { maxUnmatchedShare?: number } = {},
): LabelledPair[] {
  const max = options.maxUnmatchedShare ?? 0.4;
  return rows.map((row) => {
    const a = alignCompression(row.original, row.compressed, options);
    const base = { row, extractive: a.extractive, unmatchedShare: a.unmatchedShare };
    if (!a.words.length) return { ...base, reason: 'the original is empty' };
    if (a.unmatchedShare > max)
      return {
        ...base,
        reason: `${(a.unmatchedShare * 100).toFixed(0)} % of the compressed words match nothing in the original (limit ${(max * 100).toFixed(0)} %)`,
      };
    let kept = 0;
    for (const l of a.labels) kept += l;
    if (kept === 0) return { ...base, reason: 'no word of the original is kept' };
    if (kept === a.words.length) return { ...base, reason: 'every word of the original is kept' };
    return {
      ...base,
      example: {
        id: row.pairId,
        source: row.sourceHash,
        domain: row.domain,
        words: a.words,
        labels: Array.from(a.labels),
      },
    };
  });
}

export function exportClassifierDataset(db: Db, options: ClassifierDatasetOptions): ClassifierDatasetManifest {
  const validShare = options.validShare ?? 0.1;
  const testShare = options.testShare ?? 0.1;
  const seed = options.seed ?? 0;
  const maxUnmatchedShare = options.maxUnmatchedShare ?? 0.4;
  if (validShare < 0 || testShare < 0 || validShare + testShare >= 1)
    throw new InputError('valid and test shares must be ≥ 0 and leave room for training');
  const rows = classifierPairs(db, options);
  if (!rows.length)
    throw new InputError(
      'no pairs to label: approve prose or dialogue pairs on the Review page, or distil from `pruned` candidates first',
    );
  const labelled = labelPairs(rows, { ...options, maxUnmatchedShare });
  const leftOut: { pairId: number; reason: string }[] = [];
  const seen = new Set<string>();
  const examples: ClassifierExample[] = [];
  let duplicatesRemoved = 0;
  let extractive = 0;
  let abstractive = 0;
  let unmatchedSum = 0;
  for (const l of labelled) {
    if (!l.example) {
      leftOut.push({ pairId: l.row.pairId, reason: l.reason ?? 'left out' });
      continue;
    }
    const key = sha256(`${l.row.original}\u0000${l.example.labels.join('')}`);
    if (seen.has(key)) {
      duplicatesRemoved++;
      continue;
    }
    seen.add(key);
    examples.push(l.example);
    if (l.extractive) extractive++;
    else {
      abstractive++;
      unmatchedSum += l.unmatchedShare;
    }
  }

  const { splitBySource, warnings } = splitSources(examples, { seed, validShare, testShare });

  const lines: Record<Split, string[]> = { train: [], valid: [], test: [] };
  const empty = (): ClassifierSplitStats => ({ examples: 0, sources: 0, words: 0, kept: 0 });
  const stats: Record<Split, ClassifierSplitStats> = { train: empty(), valid: empty(), test: empty() };
  const sourcesIn: Record<Split, Set<string>> = { train: new Set(), valid: new Set(), test: new Set() };
  // By source, then pair id: the bytes depend on the data, not on the order it was stored in.
  examples.sort((a, b) => a.source.localeCompare(b.source) || a.id - b.id);
  for (const e of examples) {
    const split = splitBySource.get(e.source) ?? 'train';
    lines[split].push(JSON.stringify(e));
    const st = stats[split];
    st.examples++;
    st.words += e.words.length;
    for (const l of e.labels) st.kept += l;
    sourcesIn[split].add(e.source);
  }
  for (const s of ['train', 'valid', 'test'] as const) stats[s].sources = sourcesIn[s].size;
  if (!lines.train.length) throw new InputError('no pair could be labelled: see the manifest reasons', {});
  if (!lines.valid.length) warnings.push('no validation examples: training cannot stop early');

  const files = writeSplitFiles(options.outDir, lines);
  const manifest: ClassifierDatasetManifest = {
    version: 1,
    kind: 'token-classifier',
    createdAt: new Date().toISOString(),
    seed,
    shares: { valid: validShare, test: testShare },
    maxUnmatchedShare,
    splits: stats,
    pairsConsidered: rows.length,
    extractive,
    abstractive,
    meanUnmatchedShare: abstractive ? Number((unmatchedSum / abstractive).toFixed(4)) : 0,
    leftOut,
    duplicatesRemoved,
    files,
    hash: sha256(`${files.train}${files.valid}${files.test}`),
    warnings,
  };
  writeFileSync(join(options.outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
