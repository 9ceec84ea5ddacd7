import type { Db } from './db.ts';

export interface StoredTokenCount {
  textHash: string;
  tokenizer: string;
  count: number;
  method: 'exact' | 'api' | 'estimate';
}

export function getTokenCount(db: Db, textHash: string, tokenizer: string): StoredTokenCount | undefined {
  const row = db
    .prepare('SELECT text_hash, tokenizer, count, method FROM token_counts WHERE text_hash = ? AND tokenizer = ?')
    .get(textHash, tokenizer) as
    | { text_hash: string; tokenizer: string; count: number; method: StoredTokenCount['method'] }
    | undefined;
  return row && { textHash: row.text_hash, tokenizer: row.tokenizer, count: row.count, method: row.method };
}

export function putTokenCount(db: Db, c: StoredTokenCount): void {
  db.prepare(
    `INSERT INTO token_counts (text_hash, tokenizer, count, method) VALUES (?, ?, ?, ?)
     ON CONFLICT(text_hash, tokenizer) DO UPDATE SET count = excluded.count, method = excluded.method`,
  ).run(c.textHash, c.tokenizer, c.count, c.method);
}
