import type { Db } from './db.ts';

/** Pairs whose source was read from this file (`studio validate --input FILE`), in id order. */
export function pairIdsFromFile(db: Db, originPath: string): number[] {
  return db
    .prepare('SELECT p.id FROM pairs p JOIN sources s ON s.id = p.source_id WHERE s.origin_path = ? ORDER BY p.id')
    .pluck()
    .all(originPath) as number[];
}
