import type { Db } from './db.ts';

/**
 * Embeddings by text hash and model (migration 9): float32 vectors stored as little-endian blobs.
 * Reads go in chunks of bound parameters so a 700-turn memory is a handful of statements.
 */

const CHUNK = 400;

export function getEmbeddings(db: Db, model: string, hashes: readonly string[]): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (let i = 0; i < hashes.length; i += CHUNK) {
    const part = hashes.slice(i, i + CHUNK);
    const rows = db
      .prepare(
        `SELECT text_hash, dims, vector FROM embeddings WHERE model = ? AND text_hash IN (${part.map(() => '?').join(',')})`,
      )
      .all(model, ...part) as { text_hash: string; dims: number; vector: Buffer }[];
    for (const r of rows) {
      if (r.vector.byteLength !== r.dims * 4) continue; // a torn row is a miss, never a wrong vector
      const copy = new Float32Array(r.dims);
      new Uint8Array(copy.buffer).set(r.vector);
      out.set(r.text_hash, copy);
    }
  }
  return out;
}

export function putEmbeddings(db: Db, model: string, rows: readonly { hash: string; vector: Float32Array }[]): void {
  const insert = db.prepare('INSERT OR IGNORE INTO embeddings (text_hash, model, dims, vector) VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (const r of rows)
      insert.run(
        r.hash,
        model,
        r.vector.length,
        Buffer.from(r.vector.buffer, r.vector.byteOffset, r.vector.byteLength),
      );
  })();
}

export function countEmbeddings(db: Db, model?: string): number {
  const row = (
    model === undefined
      ? db.prepare('SELECT count(*) AS n FROM embeddings').get()
      : db.prepare('SELECT count(*) AS n FROM embeddings WHERE model = ?').get(model)
  ) as { n: number };
  return row.n;
}
