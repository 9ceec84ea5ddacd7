import { type GenerateOptions, type GenerateSummary, runGeneration } from '../generation/generate-job.ts';
import type { Project } from '../project.ts';
import { type CandidateRow, candidateRows, deletePairs } from '../store/generation.ts';
import { runValidation, type ValidateOptions } from '../validation/run.ts';

/** What validating a generation run's candidates needs (the pairs and callbacks come from the run). */
export type ChainedValidation = Omit<ValidateOptions, 'pairIds' | 'signal' | 'onRun' | 'onProgress' | 'onStatus'>;

export interface GenerateThenValidateOptions extends Omit<GenerateOptions, 'afterGenerate'> {
  /**
   * Generate, then validate the candidates and keep, per source, the shortest one that passes
   * on every validator (the others made by this run are removed, unless someone labelled them).
   */
  validate?: ChainedValidation;
}

/**
 * Generation, then (when asked) validation of what it made, inside the generation run: the jobs
 * layer chains the two so generation never depends on validation. Without `validate` this is
 * runGeneration.
 */
export function generateThenValidate(project: Project, options: GenerateThenValidateOptions): Promise<GenerateSummary> {
  const { validate, ...generate } = options;
  if (!validate) return runGeneration(project, generate);
  return runGeneration(project, {
    ...generate,
    afterGenerate: {
      config: { validate: validate.validators.map((v) => `${v.provider}/${v.model}`) },
      run: (summary) => validateAndKeepBest(project, options, validate, summary),
    },
  });
}

/** Validates the run's pairs, then keeps per source the shortest that passes everywhere. */
async function validateAndKeepBest(
  project: Project,
  options: GenerateThenValidateOptions,
  validate: ChainedValidation,
  summary: GenerateSummary,
): Promise<void> {
  const v = await runValidation(project, {
    ...validate,
    pairIds: [...new Set(summary.pairIds)],
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onStatus ? { onStatus: options.onStatus } : {}),
  });
  const passed = new Map<number, boolean>();
  for (const p of v.scores.pairs) passed.set(p.pairId, (passed.get(p.pairId) ?? true) && p.pass === true);
  const { kept, withoutPass, remove } = chooseBest(candidateRows(project.db, summary.pairIds), passed, summary.runId);
  deletePairs(project.db, remove);
  summary.pairIds = summary.pairIds.filter((id) => !remove.includes(id));
  summary.chained = { validationRunId: v.runId, kept, removed: remove.length, withoutPass };
}

/**
 * Per source: the shortest candidate that passed (ties by id), the sources where none did, and
 * the candidates to remove: only this run's own, unlabelled ones, so nobody's work is lost.
 */
export function chooseBest(
  rows: readonly CandidateRow[],
  passed: ReadonlyMap<number, boolean>,
  runId: number,
): { kept: number[]; withoutPass: number[]; remove: number[] } {
  const bySource = new Map<number, CandidateRow[]>();
  for (const r of rows) bySource.set(r.sourceId, [...(bySource.get(r.sourceId) ?? []), r]);
  const kept: number[] = [];
  const withoutPass: number[] = [];
  const remove: number[] = [];
  for (const [sourceId, list] of bySource) {
    const best = list.filter((r) => passed.get(r.id)).sort((a, b) => a.tokens - b.tokens || a.id - b.id)[0];
    if (!best) withoutPass.push(sourceId);
    else kept.push(best.id);
    for (const r of list) if (r.id !== best?.id && r.runId === runId && r.labels === 0) remove.push(r.id);
  }
  return { kept, withoutPass, remove };
}
