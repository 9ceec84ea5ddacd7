import type { ExportFormat, PairViewQuery } from '../contracts/view.ts';
import { PairViewQuerySchema } from '../contracts/view.ts';
import type { Db } from '../store/db.ts';
import { viewExportRows } from '../store/exports.ts';

export interface ExportedView {
  filename: string;
  mime: string;
  content: string;
  rows: number;
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The Pairs table's current view (its filters, every row, not just the page) as JSONL, CSV or
 * DPO-style preference pairs: for a source with an approved (or edited) and a rejected compression,
 * `{prompt: original, chosen, rejected}`.
 */
export function exportView(db: Db, query: PairViewQuery, format: ExportFormat): ExportedView {
  const q = PairViewQuerySchema.parse({ ...query, offset: 0, limit: 1 });
  const rows = viewExportRows(db, q);
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
  if (format === 'csv') {
    const head = [
      'id',
      'source_id',
      'title',
      'domain',
      'language',
      'strategy',
      'model',
      'tokens_original',
      'tokens_compressed',
      'ratio',
      'decisions',
      'original',
      'compressed',
    ];
    const lines = rows.map((r) => {
      const decisions = (JSON.parse(r.labels) as { decision: string }[]).map((l) => l.decision).join(' ');
      const ratio = r.tokens_original ? ((r.tokens_compressed ?? 0) / r.tokens_original).toFixed(4) : '';
      return [
        r.id,
        r.source_id,
        r.title,
        r.domain,
        r.language,
        r.strategy,
        r.model,
        r.tokens_original,
        r.tokens_compressed,
        ratio,
        decisions,
        r.original,
        r.compressed,
      ]
        .map(csvCell)
        .join(',');
    });
    return {
      filename: `pairs-${stamp}.csv`,
      mime: 'text/csv',
      content: `${[head.join(','), ...lines].join('\n')}\n`,
      rows: rows.length,
    };
  }
  if (format === 'dpo') {
    const bySource = new Map<number, { original: string; chosen: string[]; rejected: string[] }>();
    for (const r of rows) {
      const entry = bySource.get(r.source_id) ?? { original: r.original, chosen: [], rejected: [] };
      for (const l of JSON.parse(r.labels) as { decision: string; editedText: string | null }[]) {
        if (l.decision === 'approve') entry.chosen.push(r.compressed);
        if (l.decision === 'edit' && l.editedText) entry.chosen.push(l.editedText);
        if (l.decision === 'reject') entry.rejected.push(r.compressed);
      }
      bySource.set(r.source_id, entry);
    }
    const out: string[] = [];
    for (const e of bySource.values()) {
      for (const chosen of new Set(e.chosen)) {
        for (const rejected of new Set(e.rejected)) {
          if (chosen !== rejected) out.push(JSON.stringify({ prompt: e.original, chosen, rejected }));
        }
      }
    }
    return {
      filename: `preferences-${stamp}.jsonl`,
      mime: 'application/x-ndjson',
      content: out.length ? `${out.join('\n')}\n` : '',
      rows: out.length,
    };
  }
  const content = rows
    .map((r) =>
      JSON.stringify({
        id: r.id,
        sourceId: r.source_id,
        title: r.title,
        domain: r.domain,
        language: r.language,
        original: r.original,
        compressed: r.compressed,
        strategy: r.strategy,
        model: r.model,
        tokensOriginal: r.tokens_original,
        tokensCompressed: r.tokens_compressed,
        labels: JSON.parse(r.labels),
        verdicts: JSON.parse(r.verdicts),
      }),
    )
    .join('\n');
  return {
    filename: `pairs-${stamp}.jsonl`,
    mime: 'application/x-ndjson',
    content: content ? `${content}\n` : '',
    rows: rows.length,
  };
}
