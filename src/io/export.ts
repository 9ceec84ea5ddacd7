import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { z } from 'zod';
import type { Db } from '../store/db.ts';
import { iterateExportRows } from '../store/exports.ts';
import { readJsonObject } from '../store/json-column.ts';

export const ExportKindSchema = z.enum(['pairs', 'labels', 'verdicts', 'sources']);
export type ExportKind = z.infer<typeof ExportKindSchema>;

/**
 * One JSON object per row. Pairs are written in the shape the importer reads back (`original`,
 * `compressed`, `strategy`, `model`), with their labels and verdicts beside them. The rows come from
 * store/exports.ts.
 */
const MAPS: Record<ExportKind, { map: (row: Record<string, unknown>) => unknown }> = {
  pairs: {
    map: (r) => ({
      id: r.id,
      sourceId: r.source_id,
      title: r.title,
      sourceRef: r.origin_ref,
      domain: r.domain,
      language: r.language,
      original: r.original,
      compressed: r.compressed,
      strategy: r.strategy,
      strategyVersion: r.strategy_version,
      model: r.model,
      params: readJsonObject(r.params as string),
      tokenizer: r.tokenizer,
      tokensOriginal: r.tokens_original,
      tokensCompressed: r.tokens_compressed,
      costUsd: r.cost_usd,
      labels: JSON.parse(r.labels as string),
      verdicts: JSON.parse(r.verdicts as string),
      createdAt: r.created_at,
    }),
  },
  labels: {
    map: (r) => ({
      id: r.id,
      pairId: r.pair_id,
      labeler: r.labeler,
      decision: r.decision,
      editedText: r.edited_text,
      comment: r.comment,
      status: r.status,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }),
  },
  verdicts: {
    map: (r) => ({
      id: r.id,
      pairId: r.pair_id,
      probeId: r.probe_id,
      model: r.model,
      method: r.method,
      outcome: r.outcome,
      score: r.score,
      judge: r.judge,
      details: readJsonObject(r.details as string),
      runId: r.run_id,
      createdAt: r.created_at,
    }),
  },
  sources: {
    map: (r) => ({
      id: r.id,
      text: r.text,
      domain: r.domain,
      language: r.language,
      format: r.format,
      title: r.title,
      originPath: r.origin_path,
      originRef: r.origin_ref,
      metadata: readJsonObject(r.metadata as string),
      tags: JSON.parse(r.tags as string),
      createdAt: r.created_at,
    }),
  },
};

/** Streams rows to a writable, honouring backpressure. Returns how many lines were written. */
export async function exportJsonl(db: Db, kind: ExportKind, out: Writable): Promise<number> {
  const q = MAPS[kind];
  let n = 0;
  for (const row of iterateExportRows(db, kind)) {
    if (!out.write(`${JSON.stringify(q.map(row))}\n`)) await once(out, 'drain');
    n++;
  }
  return n;
}

export async function exportJsonlFile(db: Db, kind: ExportKind, path: string): Promise<number> {
  const out = createWriteStream(path, { encoding: 'utf8' });
  try {
    const n = await exportJsonl(db, kind, out);
    out.end();
    await once(out, 'finish');
    return n;
  } catch (error) {
    out.destroy();
    throw error;
  }
}
