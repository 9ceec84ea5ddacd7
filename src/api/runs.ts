import { z } from 'zod';
import { runsContracts } from '../contracts/api/runs.ts';
import { InputError, NotFoundError } from '../errors/index.ts';
import { resumability } from '../jobs/resumable.ts';
import { getRun, listRuns, type Run, requestCancel } from '../store/runs.ts';
import { type ApiContext, hasKeyIn } from './context.ts';
import { startGenerate, startRules } from './generation.ts';
import { handlers } from './handler.ts';
import { withResume } from './resume.ts';
import { type RunRequest, requestOf } from './run-requests.ts';
import { startImport } from './sources.ts';
import { startTrain } from './training.ts';
import { startValidate } from './validation.ts';

const PairIds = z.array(z.number().int().positive()).min(1);

/**
 * Starts the run's request again, through the same start function as the first time. Training
 * continues from its last checkpoint (a Tinker run starts over), its pre-flight warnings having
 * been accepted when it was first started.
 */
export function dispatchAgain(ctx: ApiContext, run: Run, request: RunRequest) {
  switch (request.name) {
    case 'sources-import':
      return startImport(ctx, request.args);
    case 'jobs-rules':
      return startRules(ctx, request.args);
    case 'jobs-generate':
      return startGenerate(ctx, request.args);
    case 'jobs-validate': {
      // A view's pairs are the ones the job resolved and stored, not the view as it is now (the
      // list can be long, so the request does not hold a second copy).
      const stored = PairIds.safeParse(run.config.pairIds);
      const pairIds = request.args.pairIds ?? (stored.success ? stored.data : undefined);
      return startValidate(ctx, { ...request.args, ...(pairIds ? { pairIds } : {}) });
    }
    case 'jobs-train': {
      const { resumeRunId: _previous, ...args } = request.args;
      return startTrain(ctx, {
        ...args,
        ...(args.runner === 'tinker' ? {} : { resumeRunId: run.id }),
        ...(args.runner === 'classifier' ? {} : { confirmed: true }),
      });
    }
  }
}

export const runsHandlers = handlers(runsContracts, {
  'runs-list': (ctx, a) => withResume(ctx, listRuns(ctx.project.db, { limit: a.limit })),
  'runs-get': (ctx, a) => {
    const run = getRun(ctx.project.db, a.id);
    if (!run) throw new NotFoundError(`no run with id ${a.id}`);
    return run;
  },
  'runs-cancel': (ctx, a) => {
    const requested = requestCancel(ctx.project.db, a.id);
    // Every window shows "cancelling" at once, before the job reaches its next check.
    if (requested) ctx.bus.emit({ type: 'store-changed', reason: 'run-cancelling' });
    return { requested };
  },
  // Jobs are idempotent (content-keyed rows, cached calls), so resuming is starting the same job
  // again with the same arguments: what was done is found done and costs nothing.
  'runs-resume': (ctx, a) => {
    const run = getRun(ctx.project.db, a.id);
    if (!run) throw new NotFoundError(`no run with id ${a.id}`);
    if (run.status === 'running') throw new InputError(`run ${a.id} is still running`);
    const resume = resumability(ctx.project.db, run, hasKeyIn(ctx));
    // Rerunning a finished run is allowed (it finds its work done); what cannot succeed is refused.
    if (!resume.possible && resume.reason) throw new InputError(`run ${a.id} cannot be resumed: ${resume.reason}`);
    return dispatchAgain(ctx, run, requestOf(run));
  },
});
