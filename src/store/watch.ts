import type { Db } from './db.ts';

/**
 * Calls back when another connection (the CLI, another app window) commits to the database.
 * SQLite's data_version changes exactly then, so a cheap poll is enough and misses nothing.
 */
export function watchExternalWrites(db: Db, onChange: () => void, intervalMs = 500): () => void {
  const read = () => db.pragma('data_version', { simple: true }) as number;
  let version = read();
  const timer = setInterval(() => {
    try {
      const now = read();
      if (now !== version) {
        version = now;
        onChange();
      }
    } catch {
      // the database was closed: stop quietly
      clearInterval(timer);
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
