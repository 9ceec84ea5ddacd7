import type { Probe, ProbeKind } from '../contracts/validation.ts';
import { sha256 } from '../util/hash.ts';
import type { Db } from './db.ts';

interface ProbeRow {
  id: number;
  source_id: number;
  kind: ProbeKind;
  question: string;
  reference: string | null;
  origin: string;
  edited: number;
}

const toProbe = (r: ProbeRow): Probe => ({
  id: r.id,
  sourceId: r.source_id,
  kind: r.kind,
  question: r.question,
  reference: r.reference,
  origin: r.origin,
  edited: r.edited === 1,
});

/** Probes are keyed by their question per source: generating again adds only new questions. */
export function insertProbes(
  db: Db,
  sourceId: number,
  probes: { kind: ProbeKind; question: string; reference: string | null; origin: string }[],
): number {
  const insert = db.prepare(
    'INSERT INTO probes (source_id, kind, question, reference, hash, origin) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
  );
  let n = 0;
  db.transaction(() => {
    for (const p of probes)
      n += insert.run(
        sourceId,
        p.kind,
        p.question,
        p.reference,
        sha256(`${p.kind}\u0000${p.question.trim().toLowerCase()}`),
        p.origin,
      ).changes;
  })();
  return n;
}

export function listProbes(db: Db, sourceId: number): Probe[] {
  return (db.prepare('SELECT * FROM probes WHERE source_id = ? ORDER BY id').all(sourceId) as ProbeRow[]).map(toProbe);
}

/** A researcher's edit: kept as edited, and the verdicts that used the old wording are dropped. */
export function updateProbe(
  db: Db,
  id: number,
  patch: { question?: string; reference?: string | null },
): Probe | undefined {
  db.transaction(() => {
    if (patch.question !== undefined)
      db.prepare('UPDATE probes SET question = ?, edited = 1 WHERE id = ?').run(patch.question, id);
    if (patch.reference !== undefined)
      db.prepare('UPDATE probes SET reference = ?, edited = 1 WHERE id = ?').run(patch.reference, id);
    db.prepare('DELETE FROM answers WHERE probe_id = ?').run(id);
    db.prepare('DELETE FROM verdicts WHERE probe_id = ?').run(id);
  })();
  const row = db.prepare('SELECT * FROM probes WHERE id = ?').get(id) as ProbeRow | undefined;
  return row && toProbe(row);
}

export function getAnswer(db: Db, probeId: number, model: string, contextHash: string): string | undefined {
  return db
    .prepare('SELECT text FROM answers WHERE probe_id = ? AND model = ? AND context_hash = ?')
    .pluck()
    .get(probeId, model, contextHash) as string | undefined;
}

export function putAnswer(
  db: Db,
  a: { probeId: number; model: string; contextHash: string; text: string; requestHash: string; runId: number | null },
): void {
  db.prepare(
    `INSERT INTO answers (probe_id, model, context_hash, text, request_hash, run_id) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT(probe_id, model, context_hash) DO UPDATE SET text = excluded.text, request_hash = excluded.request_hash`,
  ).run(a.probeId, a.model, a.contextHash, a.text, a.requestHash, a.runId);
}

export function hasVerdict(db: Db, pairId: number, probeId: number | null, model: string, method: string): boolean {
  return Boolean(
    db
      .prepare(
        "SELECT 1 FROM verdicts WHERE pair_id = ? AND probe_id IS ? AND model = ? AND method = ? AND outcome <> 'judge-error'",
      )
      .get(pairId, probeId, model, method),
  );
}

export function putVerdict(
  db: Db,
  v: {
    pairId: number;
    probeId: number | null;
    model: string;
    method: string;
    outcome: 'equivalent' | 'different' | 'judge-error';
    score: number | null;
    judge: string | null;
    details: Record<string, unknown>;
    runId: number | null;
  },
): void {
  // UNIQUE treats NULL probe ids as distinct: replace by hand for pair-level verdicts.
  if (v.probeId === null)
    db.prepare('DELETE FROM verdicts WHERE pair_id = ? AND probe_id IS NULL AND model = ? AND method = ?').run(
      v.pairId,
      v.model,
      v.method,
    );
  db.prepare(
    `INSERT INTO verdicts (pair_id, probe_id, model, method, outcome, score, judge, details, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(pair_id, probe_id, model, method) DO UPDATE SET outcome = excluded.outcome, score = excluded.score,
       judge = excluded.judge, details = excluded.details, run_id = excluded.run_id, created_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
  ).run(v.pairId, v.probeId, v.model, v.method, v.outcome, v.score, v.judge, JSON.stringify(v.details), v.runId);
}
