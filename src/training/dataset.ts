import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TRAINING_PROMPT_VERSION, trainingSystemPrompt } from '../contracts/compressor-prompt.ts';
import type { Domain } from '../contracts/source.ts';
import { InputError } from '../errors/index.ts';
import type { Db } from '../store/db.ts';
import { type AcceptedPair, acceptedPairs } from '../store/labels.ts';
import { countTiktoken } from '../tokenizers/tiktoken.ts';
import { sha256 } from '../util/hash.ts';

/**
 * The training set: accepted pairs (the rule in store/labels.ts; an edit's text when a labeler edited the compression) as
 * chat-format JSONL, `{"messages": [system, user: original, assistant: compressed]}`, with a
 * versioned system prompt that names the domain. Splits are by source (no source in two splits),
 * stratified by domain and deterministic (a source's split is a hash of its content and the
 * seed), so adding pairs later never moves an old source to another split. A manifest records
 * counts, token statistics and the files' hashes.
 */
export type Split = 'train' | 'valid' | 'test';

export interface DatasetOptions {
  outDir: string;
  /** Shares of sources per split, per domain; the rest is train. */
  validShare?: number;
  testShare?: number;
  seed?: number;
  domains?: readonly Domain[];
}

export interface SplitStats {
  examples: number;
  sources: number;
  byDomain: Record<string, number>;
  tokensOriginal: number;
  tokensCompressed: number;
}

export interface DatasetManifest {
  version: 1;
  promptVersion: number;
  createdAt: string;
  seed: number;
  shares: { valid: number; test: number };
  splits: Record<Split, SplitStats>;
  /** sha256 of each file's bytes, and of the three together (the dataset's identity). */
  files: Record<Split, string>;
  hash: string;
  duplicatesRemoved: number;
  pairsConsidered: number;
  warnings: string[];
}

type Row = AcceptedPair;

/**
 * Which split each source goes to: per domain, sources ranked by a seeded hash (so adding sources
 * never moves old ones), cut by `splitOf`; a domain with fewer than 3 sources stays in train, with
 * a warning. The LoRA dataset and the token classifier's dataset split the same way.
 */
export function splitSources(
  items: Iterable<{ domain: Domain; source: string }>,
  options: { seed: string | number; validShare: number; testShare: number },
): { splitBySource: Map<string, Split>; warnings: string[] } {
  const byDomain = new Map<Domain, string[]>();
  for (const { domain, source } of items) {
    const list = byDomain.get(domain) ?? [];
    if (!list.includes(source)) list.push(source);
    byDomain.set(domain, list);
  }
  const splitBySource = new Map<string, Split>();
  const warnings: string[] = [];
  const { seed, validShare, testShare } = options;
  for (const [domain, hashes] of byDomain) {
    const ranked = [...hashes].sort((a, b) => sha256(`${seed}:${a}`).localeCompare(sha256(`${seed}:${b}`)));
    for (const [i, h] of ranked.entries()) splitBySource.set(h, splitOf(i, ranked.length, validShare, testShare));
    if (ranked.length < 3)
      warnings.push(`${domain}: only ${ranked.length} source(s), all in train: nothing of this domain is held back`);
  }
  return { splitBySource, warnings };
}

export function splitOf(rank: number, count: number, validShare: number, testShare: number): Split {
  // Per domain: the first sources by hash go to test, the next to valid, the rest to train; a
  // domain with enough sources gets at least one of each held-back split.
  const test = count >= 3 ? Math.max(1, Math.round(count * testShare)) : 0;
  const valid = count >= 3 ? Math.max(1, Math.round(count * validShare)) : 0;
  if (rank < test) return 'test';
  if (rank < test + valid) return 'valid';
  return 'train';
}

/**
 * Writes `train.jsonl`, `valid.jsonl` and `test.jsonl` (one line a record, an empty file for an
 * empty split) into `outDir` and returns the sha256 of each file's bytes. Both datasets, the
 * LoRA one and the token classifier's, are written this way.
 */
export function writeSplitFiles(outDir: string, lines: Record<Split, string[]>): Record<Split, string> {
  mkdirSync(outDir, { recursive: true });
  const files = {} as Record<Split, string>;
  for (const s of ['train', 'valid', 'test'] as const) {
    const body = lines[s].length ? `${lines[s].join('\n')}\n` : '';
    // Write then rename: a reader never sees half a file.
    const file = join(outDir, `${s}.jsonl`);
    writeFileSync(`${file}.tmp`, body);
    renameSync(`${file}.tmp`, file);
    files[s] = sha256(body);
  }
  return files;
}

export async function exportDataset(db: Db, options: DatasetOptions): Promise<DatasetManifest> {
  const validShare = options.validShare ?? 0.1;
  const testShare = options.testShare ?? 0.1;
  const seed = options.seed ?? 0;
  if (validShare < 0 || testShare < 0 || validShare + testShare >= 1)
    throw new InputError('valid and test shares must be ≥ 0 and leave room for training');
  const all = acceptedPairs(db, options.domains);
  if (!all.length)
    throw new InputError('no approved pairs to train on: approve (or edit) pairs on the Review page first');

  // Duplicates: the same original and compression twice (from two strategies, or an edit that
  // matches another pair) teach nothing twice.
  const seen = new Set<string>();
  const rows: Row[] = [];
  for (const r of all) {
    const key = sha256(`${r.original}\u0000${r.compressed}`);
    if (seen.has(key) || r.compressed.trim() === '' || r.compressed === r.original) continue;
    seen.add(key);
    rows.push(r);
  }

  const { splitBySource, warnings } = splitSources(
    rows.map((r) => ({ domain: r.domain, source: r.sourceHash })),
    { seed, validShare, testShare },
  );

  const lines: Record<Split, string[]> = { train: [], valid: [], test: [] };
  const empty = (): SplitStats => ({ examples: 0, sources: 0, byDomain: {}, tokensOriginal: 0, tokensCompressed: 0 });
  const stats: Record<Split, SplitStats> = { train: empty(), valid: empty(), test: empty() };
  const sourcesIn: Record<Split, Set<string>> = { train: new Set(), valid: new Set(), test: new Set() };
  // Ordered by source hash, then pair: the bytes depend on the data, not on insertion order.
  rows.sort((a, b) => a.sourceHash.localeCompare(b.sourceHash) || a.compressed.localeCompare(b.compressed));
  for (const r of rows) {
    const split = splitBySource.get(r.sourceHash) ?? 'train';
    lines[split].push(
      JSON.stringify({
        messages: [
          { role: 'system', content: trainingSystemPrompt(r.domain) },
          { role: 'user', content: r.original },
          { role: 'assistant', content: r.compressed },
        ],
      }),
    );
    const st = stats[split];
    st.examples++;
    st.byDomain[r.domain] = (st.byDomain[r.domain] ?? 0) + 1;
    st.tokensOriginal += await countTiktoken(r.original, 'o200k');
    st.tokensCompressed += await countTiktoken(r.compressed, 'o200k');
    sourcesIn[split].add(r.sourceHash);
  }
  for (const s of ['train', 'valid', 'test'] as const) stats[s].sources = sourcesIn[s].size;
  if (!lines.valid.length) warnings.push('no validation examples: training reports no validation loss');

  const files = writeSplitFiles(options.outDir, lines);
  const manifest: DatasetManifest = {
    version: 1,
    promptVersion: TRAINING_PROMPT_VERSION,
    createdAt: new Date().toISOString(),
    seed,
    shares: { valid: validShare, test: testShare },
    splits: stats,
    files,
    hash: sha256(`${files.train}${files.valid}${files.test}`),
    duplicatesRemoved: all.length - rows.length,
    pairsConsidered: all.length,
    warnings,
  };
  writeFileSync(join(options.outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
