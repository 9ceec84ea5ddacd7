import type { ApiContext, KeyStore } from './api/index.ts';
import { createEventBus } from './events.ts';
import { createJobs } from './jobs/jobs.ts';
import type { Project } from './project.ts';
import { markAbandonedRuns } from './store/runs.ts';
import { watchExternalWrites } from './store/watch.ts';

/**
 * Everything a long-lived front end (the Electron main process, `studio serve`) holds for one
 * open project: the API context, background jobs, and a watch for writes made by other
 * processes (the CLI), turned into `store-changed` events.
 */
export function createAppContext(
  project: Project,
  options: { keys?: KeyStore } = {},
): { ctx: ApiContext; close(): Promise<void> } {
  const bus = createEventBus();
  const jobs = createJobs(project, bus);
  markAbandonedRuns(project.db);
  const stopWatch = watchExternalWrites(project.db, () => bus.emit({ type: 'store-changed', reason: 'external' }));
  const ctx: ApiContext = { project, bus, jobs, ...(options.keys ? { keys: options.keys } : {}) };
  return {
    ctx,
    async close() {
      stopWatch();
      jobs.cancelAll();
      await jobs.idle();
      await ctx.models?.dispose();
    },
  };
}
