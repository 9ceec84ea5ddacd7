import type { z } from 'zod';
import { type GenerateArgsSchema, generationContracts, type RulesArgsSchema } from '../contracts/api/generation.ts';
import { defaultStrategy, estimateGeneration } from '../jobs/generate-estimate.ts';
import { allTags } from '../store/source-pairs.ts';
import { type ApiContext, hasKeyIn } from './context.ts';
import { handlers } from './handler.ts';
import { startRecorded } from './run-requests.ts';

export function startGenerate(ctx: ApiContext, a: z.output<typeof GenerateArgsSchema>) {
  return startRecorded(ctx, { name: 'jobs-generate', args: a }, () => ctx.jobs.startGeneration(a));
}

export function startRules(ctx: ApiContext, a: z.output<typeof RulesArgsSchema>) {
  return startRecorded(ctx, { name: 'jobs-rules', args: a }, () => ctx.jobs.startRules(a));
}

export const generationHandlers = handlers(generationContracts, {
  'jobs-generate': startGenerate,
  'jobs-rules': startRules,
  'generate-options': (ctx) => ({
    ...defaultStrategy(ctx.project, hasKeyIn(ctx)),
    tags: allTags(ctx.project.db),
  }),
  'generate-estimate': (ctx, a) => estimateGeneration(ctx.project, a, hasKeyIn(ctx)),
});
