import type { Db } from './db.ts';

/**
 * Records the API request that started a run (its name and parsed arguments) in the run's config,
 * under `request`, so resuming starts the same job with the same arguments. Only that key is
 * written: what the job itself stored in its config (budget, model) stays.
 */
export function setRunRequest(db: Db, runId: number, request: { name: string; args: unknown }): void {
  db.prepare("UPDATE runs SET config = json_set(config, '$.request', json(?)) WHERE id = ?").run(
    JSON.stringify(request),
    runId,
  );
}
