import type { z } from 'zod';
import { type ValidateArgsSchema, validationContracts } from '../contracts/api/validation.ts';
import { InputError, NotFoundError } from '../errors/index.ts';
import { pairIdsForView } from '../store/pair-view.ts';
import { updateProbe } from '../store/probes.ts';
import type { ApiContext } from './context.ts';
import { handlers } from './handler.ts';
import { startRecorded } from './run-requests.ts';

/**
 * Validates the given pairs, or every pair of the view. The request is stored as given; the job
 * stores the pair ids the view resolved to (runs-resume validates those, not the view as it is then).
 */
export function startValidate(ctx: ApiContext, a: z.output<typeof ValidateArgsSchema>) {
  const pairIds = a.pairIds ?? pairIdsForView(ctx.project.db, a.query);
  if (!pairIds.length) throw new InputError('no pairs in this view to validate');
  return startRecorded(ctx, { name: 'jobs-validate', args: a }, () =>
    ctx.jobs.startValidation({
      pairIds,
      ...(a.models ? { models: a.models } : {}),
      ...(a.judge ? { judge: a.judge } : {}),
      ...(a.prober ? { prober: a.prober } : {}),
      ...(a.budgetUsd ? { budgetUsd: a.budgetUsd } : {}),
      ...(a.batch ? { batch: true } : {}),
    }),
  );
}

export const validationHandlers = handlers(validationContracts, {
  'jobs-validate': startValidate,
  'probes-update': (ctx, a) => {
    const probe = updateProbe(ctx.project.db, a.id, {
      ...(a.question === undefined ? {} : { question: a.question }),
      ...(a.reference === undefined ? {} : { reference: a.reference }),
    });
    if (!probe) throw new NotFoundError(`no probe with id ${a.id}`);
    ctx.bus.emit({ type: 'store-changed', reason: 'probes' });
    return probe;
  },
});
