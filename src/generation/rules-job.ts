import type { NewPair } from '../contracts/pair.ts';
import type { Domain } from '../contracts/source.ts';
import type { Project } from '../project.ts';
import { textOfSource } from '../store/generation.ts';
import { insertPairs } from '../store/pairs.ts';
import { createRun, finishRun, isCancelRequested, updateRunProgress } from '../store/runs.ts';
import { selectSourceIds } from '../store/sources.ts';
import { compressWithRules, RULES_VERSION } from './rules/index.ts';

/**
 * The pair the rules make for a source: strategy and version, o200k counts when known, the code
 * check and what each rule did. One shape for the rules job and `studio compress --save`.
 */
export function rulesPair(
  sourceId: number,
  result: { text: string; verified: string; stats: Record<string, number>; notes: string[] },
  o200k: { before: number; after: number } | null,
  runId: number | null = null,
): NewPair {
  return {
    sourceId,
    compressed: result.text,
    strategy: 'rules',
    strategyVersion: RULES_VERSION,
    params: {},
    runId,
    tokensOriginal: o200k?.before ?? null,
    tokensCompressed: o200k?.after ?? null,
    tokenizer: o200k ? 'o200k' : null,
    costUsd: 0,
    metadata: { verified: result.verified, stats: result.stats, notes: result.notes },
  };
}

export interface RulesJobOptions {
  sourceIds?: readonly number[];
  domain?: Domain;
  tag?: string;
  onProgress?: (done: number, total: number) => void;
  onRun?: (runId: number) => void;
  signal?: AbortSignal;
}

export interface RulesJobSummary {
  runId: number;
  sources: number;
  pairsInserted: number;
  pairsExisting: number;
  unchanged: number;
  byDomain: Record<string, { sources: number; tokensBefore: number; tokensAfter: number; reduction: number }>;
  verified: Record<string, number>;
  pairIds: number[];
  cancelled: boolean;
}

/**
 * Runs the rule-based compressor over sources and stores one `rules` pair per source it changes,
 * with o200k token counts (sources the rules leave as they are are counted, not stored). Idempotent: the same rules on the same source give the same bytes, so a rerun finds
 * every pair already there.
 */
export async function runRulesJob(project: Project, options: RulesJobOptions = {}): Promise<RulesJobSummary> {
  const { db, tokens } = project;
  const ids = selectSourceIds(db, options);
  const runId = createRun(
    db,
    'generation',
    {
      strategy: 'rules',
      version: RULES_VERSION,
      sourceIds: options.sourceIds,
      domain: options.domain,
      tag: options.tag,
    },
    ids.length,
  );
  options.onRun?.(runId);
  const summary: RulesJobSummary = {
    runId,
    sources: ids.length,
    pairsInserted: 0,
    pairsExisting: 0,
    unchanged: 0,
    byDomain: {},
    verified: {},
    pairIds: [],
    cancelled: false,
  };
  const getSource = textOfSource(db);
  try {
    for (const [i, id] of ids.entries()) {
      const s = getSource(id);
      if (!s) continue; // deleted since the selection was made
      const r = await compressWithRules(s.text, { domain: s.domain, language: s.language });
      const before = await tokens.count(s.text, 'o200k');
      const after = await tokens.count(r.text, 'o200k');
      if (r.text === s.text) summary.unchanged++;
      summary.verified[r.verified] = (summary.verified[r.verified] ?? 0) + 1;
      const d = summary.byDomain[s.domain] ?? { sources: 0, tokensBefore: 0, tokensAfter: 0, reduction: 0 };
      summary.byDomain[s.domain] = d;
      d.sources++;
      d.tokensBefore += before.count;
      d.tokensAfter += after.count;
      // A "compression" identical to its source is not a pair: nothing to review or learn from.
      if (r.text !== s.text) {
        const res = insertPairs(db, [rulesPair(id, r, { before: before.count, after: after.count }, runId)]);
        summary.pairsInserted += res.inserted;
        summary.pairsExisting += res.duplicates;
        summary.pairIds.push(res.ids[0] as number);
      }
      if ((i + 1) % 50 === 0 || i + 1 === ids.length) {
        updateRunProgress(db, runId, i + 1);
        options.onProgress?.(i + 1, ids.length);
        if (options.signal?.aborted || isCancelRequested(db, runId)) {
          summary.cancelled = true;
          break;
        }
      }
    }
  } catch (error) {
    finishRun(db, runId, 'failed', { ...summary, pairIds: undefined }, String(error));
    throw error;
  }
  for (const d of Object.values(summary.byDomain))
    d.reduction = d.tokensBefore ? 1 - d.tokensAfter / d.tokensBefore : 0;
  finishRun(db, runId, summary.cancelled ? 'cancelled' : 'succeeded', { ...summary, pairIds: undefined });
  return summary;
}
