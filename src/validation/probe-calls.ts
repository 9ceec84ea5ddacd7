import { z } from 'zod';
import type { ModelRef } from '../contracts/providers.ts';
import type { Probe } from '../contracts/validation.ts';
import { BudgetExceededError, StudioError } from '../errors/index.ts';
import type { Project } from '../project.ts';
import { DeferredCall } from '../providers/batch/plan.ts';
import { cacheKey } from '../providers/middleware/cache.ts';
import { modelName } from '../providers/model-ref.ts';
import { getAnswer, insertProbes, listProbes, putAnswer } from '../store/probes.ts';
import { getSource } from '../store/sources.ts';
import { sha256 } from '../util/hash.ts';
import { exactMatch, saysUnknown, tokenF1 } from './match.ts';
import {
  ANSWER_SYSTEM,
  answerPrompt,
  JUDGE_SCHEMA,
  JUDGE_SYSTEM,
  judgePrompt,
  PROBE_SYSTEM,
  probePrompt,
  probeSchema,
} from './prompts.ts';
import type { ValidateOptions } from './run.ts';

/** The model calls of a validation: probes for a source, an answer to a probe, a judgement of two answers. */

const ProbeListSchema = z.object({ probes: z.array(z.object({ question: z.string(), answer: z.string() })) });
const JudgeSchema = z.object({ equivalent: z.boolean(), reason: z.string() });

/** Probes for a source: stored ones, else the dataset's QA, else (and to fill up) the prober's. */
export async function ensureProbes(
  project: Project,
  sourceId: number,
  opts: ValidateOptions,
  runId: number,
): Promise<Probe[]> {
  const existing = listProbes(project.db, sourceId);
  if (existing.length) return existing;
  const source = getSource(project.db, sourceId);
  if (!source) return [];
  const want = opts.config.probes.perSource;
  const dataset = Array.isArray(source.metadata.qa)
    ? (source.metadata.qa as { question?: unknown; answer?: unknown }[])
    : [];
  const fromData = dataset
    .filter((q) => typeof q.question === 'string' && (typeof q.answer === 'string' || typeof q.answer === 'number'))
    .slice(0, want)
    .map((q) => ({
      kind: 'qa' as const,
      question: String(q.question),
      reference: String(q.answer),
      origin: 'dataset',
    }));
  // The dataset's probes and the prober's are stored together, after the prober answered: a call
  // deferred to a batch (or failed) must not leave a source with only part of its probes.
  const fromModel: Parameters<typeof insertProbes>[2] = [];
  if (fromData.length < want) {
    const prober = opts.registry.get(opts.prober);
    const res = await prober.complete(
      {
        model: opts.prober.model,
        system: PROBE_SYSTEM,
        messages: [{ role: 'user', content: probePrompt(source.text, want - fromData.length, source.domain) }],
        maxTokens: opts.config.probes.maxTokens,
        temperature: 0,
        json: { name: 'probes', schema: probeSchema(want - fromData.length) },
      },
      { runId, purpose: 'probe', ...(opts.signal ? { signal: opts.signal } : {}) },
    );
    const parsed = ProbeListSchema.safeParse(JSON.parse(res.text));
    if (!parsed.success)
      throw new StudioError(`the prober ${modelName(opts.prober)} returned probes in the wrong shape`);
    fromModel.push(
      ...parsed.data.probes
        .filter((p) => p.question.trim().length >= 8)
        .slice(0, want - fromData.length)
        .map((p) => ({
          kind: source.domain === 'code' ? ('behaviour' as const) : ('qa' as const),
          question: p.question,
          reference: p.answer,
          origin: `model:${modelName(opts.prober)}`,
        })),
    );
  }
  insertProbes(project.db, sourceId, [...fromData, ...fromModel]);
  return listProbes(project.db, sourceId);
}

export async function answer(
  project: Project,
  opts: ValidateOptions,
  ref: ModelRef,
  probe: Probe,
  context: string,
  runId: number,
): Promise<string> {
  const contextHash = sha256(context);
  const model = modelName(ref);
  const stored = getAnswer(project.db, probe.id, model, contextHash);
  if (stored !== undefined) return stored;
  const request = {
    model: ref.model,
    system: ANSWER_SYSTEM,
    messages: [{ role: 'user' as const, content: answerPrompt(context, probe.question) }],
    maxTokens: opts.config.answer.maxTokens,
    temperature: 0,
  };
  const res = await opts.registry
    .get(ref)
    .complete(request, { runId, purpose: 'answer', ...(opts.signal ? { signal: opts.signal } : {}) });
  putAnswer(project.db, {
    probeId: probe.id,
    model,
    contextHash,
    text: res.text,
    requestHash: cacheKey(ref.provider, request),
    runId,
  });
  return res.text;
}

/**
 * Equivalent answers: the same words, both "not in the context", answers whose embeddings are
 * nearly identical, or the judge says so. The similarity is kept on every verdict it was computed
 * for, including judge errors, where it is the tie-breaker a reviewer can look at.
 */
export async function judgeProbe(opts: ValidateOptions, probe: Probe, a: string, b: string, runId: number) {
  const f1 = tokenF1(a, b);
  if (exactMatch(a, b) || f1 >= opts.config.judge.f1Shortcut || (saysUnknown(a) && saysUnknown(b))) {
    return { outcome: 'equivalent' as const, score: f1, judge: null, details: { via: 'match', f1 } };
  }
  let similarity: number | undefined;
  if (opts.embedder) {
    try {
      similarity = Number((await opts.embedder.similarity(a, b)).toFixed(4));
    } catch {
      similarity = undefined; // the embedder is a helper, never a reason to fail a verdict
    }
    if (similarity !== undefined && similarity >= opts.config.similarity.equivalentAbove)
      return { outcome: 'equivalent' as const, score: f1, judge: null, details: { via: 'similarity', f1, similarity } };
  }
  const sim = similarity === undefined ? {} : { similarity };
  const judge = opts.registry.get(opts.judge);
  try {
    const res = await judge.complete(
      {
        model: opts.judge.model,
        system: JUDGE_SYSTEM,
        messages: [{ role: 'user', content: judgePrompt(probe.question, probe.reference, a, b) }],
        maxTokens: opts.config.judge.maxTokens,
        temperature: 0,
        json: { name: 'verdict', schema: JUDGE_SCHEMA as unknown as Record<string, unknown> },
      },
      { runId, purpose: 'judge', ...(opts.signal ? { signal: opts.signal } : {}) },
    );
    const parsed = JudgeSchema.safeParse(JSON.parse(res.text));
    if (!parsed.success)
      return {
        outcome: 'judge-error' as const,
        score: f1,
        judge: modelName(opts.judge),
        details: { via: 'judge', f1, ...sim, error: `unparseable verdict: ${res.text.slice(0, 200)}` },
      };
    return {
      outcome: parsed.data.equivalent ? ('equivalent' as const) : ('different' as const),
      score: f1,
      judge: modelName(opts.judge),
      details: { via: 'judge', f1, ...sim, reason: parsed.data.reason },
    };
  } catch (error) {
    if (error instanceof BudgetExceededError || error instanceof DeferredCall || opts.signal?.aborted) throw error;
    // A judge that errs is recorded as such, never as "different".
    return {
      outcome: 'judge-error' as const,
      score: f1,
      judge: modelName(opts.judge),
      details: { via: 'judge', f1, ...sim, error: error instanceof Error ? error.message : String(error) },
    };
  }
}
