import type { z } from 'zod';
import { type TrainArgsSchema, trainingContracts } from '../contracts/api/training.ts';
import { configuredPrunerPath } from '../inference/classifier-install.ts';
import { countAcceptedPairs } from '../store/labels.ts';
import { listRuns } from '../store/runs.ts';
import { listTrainingEvents } from '../store/training.ts';
import { trainingPreflight } from '../training/preflight.ts';
import { loadTrainingConfig } from '../training/train-job.ts';
import { type ApiContext, hasKeyIn } from './context.ts';
import { handlers } from './handler.ts';
import { withResume } from './resume.ts';
import { startRecorded } from './run-requests.ts';

/** Starts a training run; distillation uses the pruner configured now (configs/inference.yaml). */
export function startTrain(ctx: ApiContext, args: z.output<typeof TrainArgsSchema>) {
  const { distil, ...a } = args;
  return startRecorded(ctx, { name: 'jobs-train', args }, () =>
    ctx.jobs.startTraining({
      ...a,
      ...(distil ? { distil: { ratios: distil.ratios, prunerModelPath: configuredPrunerPath() } } : {}),
    }),
  );
}

export const trainingHandlers = handlers(trainingContracts, {
  'jobs-train': startTrain,
  'training-preflight': (ctx, a) =>
    trainingPreflight(ctx.project, {
      runner: a.runner,
      ...(a.overrides ? { overrides: a.overrides } : {}),
      hasKey: hasKeyIn(ctx),
    }),
  'training-events': (ctx, a) => listTrainingEvents(ctx.project.db, a.runId, a.afterSeq),
  'training-info': (ctx) => ({
    config: loadTrainingConfig(),
    approvedPairs: countAcceptedPairs(ctx.project.db),
    runs: withResume(ctx, listRuns(ctx.project.db, { kind: 'training', limit: 20 })),
  }),
});
