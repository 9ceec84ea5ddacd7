import { z } from 'zod';
import { GenerateArgsSchema, RulesArgsSchema } from '../contracts/api/generation.ts';
import { ImportArgsSchema } from '../contracts/api/sources.ts';
import { TrainArgsSchema } from '../contracts/api/training.ts';
import { ValidateArgsSchema } from '../contracts/api/validation.ts';
import { DomainSchema } from '../contracts/source.ts';
import { InputError } from '../errors/index.ts';
import { setRunRequest } from '../store/run-requests.ts';
import type { Run } from '../store/runs.ts';
import type { ApiContext } from './context.ts';

/** The API call that started a run, as stored with it: the handler's name and its parsed arguments. */
export const RunRequestSchema = z.discriminatedUnion('name', [
  z.object({ name: z.literal('sources-import'), args: ImportArgsSchema }),
  z.object({ name: z.literal('jobs-rules'), args: RulesArgsSchema }),
  z.object({ name: z.literal('jobs-generate'), args: GenerateArgsSchema }),
  z.object({ name: z.literal('jobs-validate'), args: ValidateArgsSchema }),
  z.object({ name: z.literal('jobs-train'), args: TrainArgsSchema }),
]);
export type RunRequest = z.output<typeof RunRequestSchema>;

/** Starts a job and stores the request with its run, for `runs-resume`. */
export async function startRecorded(
  ctx: ApiContext,
  request: RunRequest,
  start: () => Promise<{ runId: number }>,
): Promise<{ runId: number }> {
  const started = await start();
  setRunRequest(ctx.project.db, started.runId, request);
  return started;
}

// Runs started by the CLI (or before requests were stored) have only the job's own config; these
// read it into the same requests. `.catch` drops a field of the wrong type instead of failing.
const strings = z.array(z.string()).catch([]);
const numbers = z.array(z.number()).catch([]);
const LegacyImport = z.object({ paths: strings, tags: strings });
const LegacyRules = z.object({
  domain: DomainSchema.optional().catch(undefined),
  tag: z.string().optional().catch(undefined),
  sourceIds: numbers.optional(),
});
const LegacyGeneration = z.object({
  strategy: z.enum(['prompted', 'pruned']),
  ratios: numbers,
  sourceIds: numbers,
  modelArg: z.string().optional().catch(undefined),
  threshold: z.number().optional().catch(undefined),
  question: z.string().optional().catch(undefined),
  protect: strings.optional(),
  budgetUsd: z.number().optional().catch(undefined),
  batch: z.boolean().optional().catch(undefined),
  /** The validators' refs when the run validated its candidates (a list, possibly empty). */
  validate: z.array(z.string()).optional().catch(undefined),
});
const LegacyTraining = z.object({
  runner: z.string().optional().catch(undefined),
  overrides: z.record(z.string(), z.unknown()).optional().catch(undefined),
});
const LegacyValidation = z.object({
  pairIds: numbers,
  validatorRefs: strings,
  judgeRef: z.string().optional().catch(undefined),
  proberRef: z.string().optional().catch(undefined),
  budgetUsd: z.number().optional().catch(undefined),
  batch: z.boolean().optional().catch(undefined),
});

/** Drops the keys whose value is undefined (the job options are written without them). */
function defined<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function legacyRequest(run: Run): RunRequest | undefined {
  const c = run.config;
  if (run.kind === 'import') {
    const l = LegacyImport.parse(c);
    if (!l.paths.length) throw new InputError(`run ${run.id} has no paths to import again`);
    return { name: 'sources-import', args: ImportArgsSchema.parse(l) };
  }
  if (run.kind === 'generation' && (c.strategy === 'rules' || c.strategy === undefined))
    return { name: 'jobs-rules', args: RulesArgsSchema.parse(defined(LegacyRules.parse(c))) };
  if (run.kind === 'generation') {
    const l = LegacyGeneration.safeParse(c);
    if (!l.success) return undefined;
    const { modelArg, validate, ...g } = l.data;
    return {
      name: 'jobs-generate',
      args: GenerateArgsSchema.parse(
        defined({ ...g, model: modelArg, ...(validate ? { validate: true, validators: validate } : {}) }),
      ),
    };
  }
  if (run.kind === 'training') {
    const l = LegacyTraining.parse(c);
    const runner = l.runner === 'classifier' || l.runner === 'tinker' ? l.runner : 'local';
    return {
      name: 'jobs-train',
      args: TrainArgsSchema.parse(defined({ runner, overrides: runner === 'classifier' ? undefined : l.overrides })),
    };
  }
  if (run.kind === 'validation') {
    const l = LegacyValidation.parse(c);
    return {
      name: 'jobs-validate',
      args: ValidateArgsSchema.parse(
        defined({
          pairIds: l.pairIds,
          models: l.validatorRefs,
          judge: l.judgeRef,
          prober: l.proberRef,
          budgetUsd: l.budgetUsd,
          batch: l.batch,
        }),
      ),
    };
  }
  return undefined;
}

/**
 * The request that started a run: the one stored with it (parsed again with its schema), or else
 * one read from the job's own config. Resuming dispatches it again; jobs are idempotent, so what
 * was done is found done.
 */
export function requestOf(run: Run): RunRequest {
  const stored = RunRequestSchema.safeParse(run.config.request);
  let request: RunRequest | undefined;
  try {
    request = stored.success ? stored.data : legacyRequest(run);
  } catch (error) {
    if (!(error instanceof z.ZodError)) throw error;
    const field = error.issues[0]?.path.join('.');
    throw new InputError(`run ${run.id} cannot be resumed: its stored arguments do not parse (${field || 'config'})`);
  }
  if (!request) throw new InputError(`runs of kind "${run.kind}" cannot be resumed from here yet`);
  return request;
}
