import type { Domain } from '../contracts/source.ts';
import { type EventBus, throttleProgress } from '../events.ts';
import { runRulesJob } from '../generation/rules-job.ts';
import { type ImportFormat, importPaths } from '../io/import.ts';
import type { FieldMapping } from '../io/types.ts';
import type { Project } from '../project.ts';
import { finishRun, getRun } from '../store/runs.ts';
import { prepareValidation } from '../validation/deps.ts';
import { runValidation } from '../validation/run.ts';

export interface StartImport {
  paths: string[];
  tags?: string[];
  mapping?: FieldMapping;
  format?: ImportFormat;
}

export interface StartRules {
  domain?: Domain;
  tag?: string;
  sourceIds?: number[];
}

export interface StartValidation {
  pairIds: number[];
  models?: string[];
  judge?: string;
  prober?: string;
  budgetUsd?: number;
  /** Through the providers' batch endpoints (cheaper, slower). */
  batch?: boolean;
}

export interface Jobs {
  /** Checks keys and models first: a job that cannot run is refused before it starts. */
  startValidation(args: StartValidation): Promise<{ runId: number }>;
  startImport(args: StartImport): Promise<{ runId: number }>;
  startRules(args: StartRules): Promise<{ runId: number }>;
  /** Resolves when every job started here has finished (for tests and shutdown). */
  idle(): Promise<void>;
  cancelAll(): void;
}

/**
 * Background jobs in this process. A start call resolves with the run id as soon as the run row
 * exists; progress and the end arrive as events. Job errors are state (the run is marked failed
 * with its message), never an unhandled rejection.
 */
export function createJobs(project: Project, bus: EventBus): Jobs {
  const running = new Set<Promise<unknown>>();
  const controllers = new Set<AbortController>();
  const progress = throttleProgress(bus);

  function launch(
    kind: string,
    body: (signal: AbortSignal, onRun: (id: number) => void) => Promise<{ cancelled: boolean }>,
  ) {
    const controller = new AbortController();
    controllers.add(controller);
    let runId: number | undefined;
    return new Promise<{ runId: number }>((resolve, reject) => {
      const work = body(controller.signal, (id) => {
        runId = id;
        resolve({ runId: id });
      })
        .then((result) => {
          if (runId === undefined) {
            reject(new Error(`the ${kind} job ended before creating its run`));
            return;
          }
          bus.emit({ type: 'run-finished', runId, kind, status: result.cancelled ? 'cancelled' : 'succeeded' });
        })
        .catch((error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
          if (runId === undefined) {
            reject(error);
            return;
          }
          if (getRun(project.db, runId)?.status === 'running') finishRun(project.db, runId, 'failed', {}, message);
          bus.emit({ type: 'run-finished', runId, kind, status: 'failed', error: message });
        })
        .finally(() => {
          controllers.delete(controller);
          running.delete(work);
          bus.emit({ type: 'store-changed', reason: kind });
        });
      running.add(work);
    });
  }

  return {
    startValidation(args) {
      const setup = prepareValidation(project, {
        ...(args.models?.length ? { models: args.models } : {}),
        ...(args.judge ? { judge: args.judge } : {}),
        ...(args.prober ? { prober: args.prober } : {}),
        ...(args.budgetUsd === undefined ? {} : { budgetUsd: args.budgetUsd }),
      });
      return launch('validation', async (signal, onRun) => {
        let runId = 0;
        const summary = await runValidation(project, {
          ...setup,
          pairIds: args.pairIds,
          ...(args.batch ? { batch: true } : {}),
          signal,
          onRun: (id) => {
            runId = id;
            // Remember what to resume with: the models as given, and the budget.
            project.db
              .prepare("UPDATE runs SET config = json_set(config, '$.budgetUsd', ?) WHERE id = ?")
              .run(args.budgetUsd ?? null, id);
            onRun(id);
          },
          onProgress: (done, total) => progress({ type: 'run-progress', runId, kind: 'validation', done, total }),
        });
        return { cancelled: summary.stoppedBy !== 'done' };
      });
    },
    startImport(args) {
      return launch('import', (signal, onRun) => {
        let runId = 0;
        return importPaths(project.db, args.paths, {
          config: project.config.import,
          ...(args.tags ? { tags: args.tags } : {}),
          ...(args.mapping ? { mapping: args.mapping } : {}),
          ...(args.format ? { format: args.format } : {}),
          signal,
          onRun: (id) => {
            runId = id;
            onRun(id);
          },
          onProgress: (p) =>
            progress({
              type: 'run-progress',
              runId,
              kind: 'import',
              done: p.bytesDone,
              total: p.bytesTotal,
              label: `${p.records} records`,
            }),
        });
      });
    },
    startRules(args) {
      return launch('generation', (signal, onRun) => {
        let runId = 0;
        return runRulesJob(project, {
          ...args,
          signal,
          onRun: (id) => {
            runId = id;
            onRun(id);
          },
          onProgress: (done, total) => progress({ type: 'run-progress', runId, kind: 'generation', done, total }),
        });
      });
    },
    async idle() {
      while (running.size) await Promise.allSettled([...running]);
    },
    cancelAll() {
      for (const c of controllers) c.abort();
    },
  };
}
