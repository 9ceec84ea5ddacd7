import { statSync } from 'node:fs';
import { type TrainingEvent, TrainingEventSchema } from '../contracts/training.ts';
import type { Db } from './db.ts';
import { readJsonObject } from './json-column.ts';

/** A training run's reported steps, in order: the loss curves and checkpoints come from here. */
export function appendTrainingEvent(db: Db, runId: number, event: TrainingEvent): void {
  db.prepare(
    `INSERT INTO training_events (run_id, seq, type, iter, data)
     VALUES (?, (SELECT coalesce(max(seq), 0) + 1 FROM training_events WHERE run_id = ?), ?, ?, ?)`,
  ).run(runId, runId, event.type, 'iter' in event ? event.iter : null, JSON.stringify(event));
}

export function listTrainingEvents(db: Db, runId: number, afterSeq = 0): (TrainingEvent & { seq: number })[] {
  const rows = db
    .prepare('SELECT seq, data FROM training_events WHERE run_id = ? AND seq > ? ORDER BY seq')
    .all(runId, afterSeq) as { seq: number; data: string }[];
  return rows.flatMap((r) => {
    const parsed = TrainingEventSchema.safeParse(JSON.parse(r.data));
    return parsed.success ? [{ ...parsed.data, seq: r.seq }] : [];
  });
}

/** The last checkpoint a run saved, to resume from. */
export function lastCheckpoint(db: Db, runId: number): { iter: number; path: string } | undefined {
  const row = db
    .prepare(`SELECT data FROM training_events WHERE run_id = ? AND type = 'checkpoint' ORDER BY seq DESC LIMIT 1`)
    .pluck()
    .get(runId) as string | undefined;
  if (!row) return undefined;
  const e = TrainingEventSchema.safeParse(JSON.parse(row));
  return e.success && e.data.type === 'checkpoint' ? { iter: e.data.iter, path: e.data.path } : undefined;
}

export type ModelKind = 'gguf' | 'gguf-adapter' | 'mlx-adapter' | 'peft-adapter' | 'onnx-classifier';

export interface ModelRecord {
  id: number;
  name: string;
  kind: ModelKind;
  path: string;
  base: string | null;
  quantization: string | null;
  sizeBytes: number | null;
  runId: number | null;
  metadata: Record<string, unknown>;
  createdAt: string;
}

/** Adds (or refreshes, by path) a model the app can load or build on. */
export function registerModel(
  db: Db,
  m: {
    name: string;
    kind: ModelKind;
    path: string;
    base?: string | null;
    quantization?: string | null;
    runId?: number | null;
    metadata?: Record<string, unknown>;
  },
): number {
  let size: number | null = null;
  try {
    const st = statSync(m.path);
    size = st.isDirectory() ? null : st.size;
  } catch {
    size = null;
  }
  return db
    .prepare(
      `INSERT INTO models (name, kind, path, base, quantization, size_bytes, run_id, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (path) DO UPDATE SET name = excluded.name, kind = excluded.kind, base = excluded.base,
         quantization = excluded.quantization, size_bytes = excluded.size_bytes, run_id = excluded.run_id, metadata = excluded.metadata
       RETURNING id`,
    )
    .pluck()
    .get(
      m.name,
      m.kind,
      m.path,
      m.base ?? null,
      m.quantization ?? null,
      size,
      m.runId ?? null,
      JSON.stringify(m.metadata ?? {}),
    ) as number;
}

/** A row of `models` as SQLite returns it: the record's other columns in snake_case, metadata as JSON. */
type ModelRow = Pick<ModelRecord, 'id' | 'name' | 'kind' | 'path' | 'base' | 'quantization'> & {
  size_bytes: number | null;
  run_id: number | null;
  metadata: string;
  created_at: string;
};

export function listModels(db: Db): ModelRecord[] {
  const rows = db.prepare('SELECT * FROM models ORDER BY id DESC').all() as ModelRow[];
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    kind: r.kind,
    path: r.path,
    base: r.base,
    quantization: r.quantization,
    sizeBytes: r.size_bytes,
    runId: r.run_id,
    metadata: readJsonObject(r.metadata),
    createdAt: r.created_at,
  }));
}
