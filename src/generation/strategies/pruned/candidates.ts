import type { Domain } from '../../../contracts/source.ts';
import { InputError } from '../../../errors/index.ts';
import { o200kCounter } from '../../../tokenizers/o200k-counter.ts';
import { checkTarget, selectMeetingTarget } from './select.ts';
import type { PruneOptions, Pruner } from './types.ts';

export const prunedStrategy = {
  name: 'pruned',
  version: 1,
  description: 'extractive word pruning by local-model surprisal; protected spans kept; question-aware',
  params: ['ratio', 'threshold', 'question', 'protect', 'model', 'contextSize', 'topK'],
} as const;

export interface PrunedCandidate {
  strategy: 'pruned';
  /** Everything that determines the bytes: store it with the pair. */
  params: {
    version: number;
    model: string;
    contextSize: number;
    topK: number;
    ratio?: number;
    threshold?: number;
    question?: string;
    protect?: string[];
  };
  text: string;
  tokensBefore: number;
  tokensAfter: number;
  seconds: number;
}

/**
 * The strategy: one source, candidates at each ratio (and/or a threshold) from one forward pass.
 * `model` names the GGUF for the record (its file name or a hash, as the caller prefers).
 */
export async function pruneAtRatios(
  pruner: Pruner,
  source: { text: string; domain?: Domain },
  options: Omit<PruneOptions, 'ratio' | 'domain'> & { ratios?: readonly number[]; model: string },
): Promise<PrunedCandidate[]> {
  const t0 = performance.now();
  const targets = [
    ...(options.ratios ?? []).map((ratio) => ({ ratio })),
    ...(options.threshold !== undefined ? [{ threshold: options.threshold }] : []),
  ];
  for (const t of targets) checkTarget(t);
  if (targets.length === 0) throw new InputError('pruned needs ratios or a threshold', { field: 'ratios' });
  const scored = await pruner.score(source.text, {
    ...(source.domain ? { domain: source.domain } : {}),
    ...(options.question ? { question: options.question } : {}),
    ...(options.protect ? { protect: options.protect } : {}),
  });
  const o200k = await o200kCounter();
  const seconds = (performance.now() - t0) / 1000;
  return targets.map((t) => {
    const r = selectMeetingTarget(scored, t, o200k);
    return {
      strategy: 'pruned' as const,
      params: {
        version: prunedStrategy.version,
        model: options.model,
        ...pruner.settings,
        ...t,
        ...(options.question ? { question: options.question } : {}),
        ...(options.protect?.length
          ? { protect: options.protect.map((p) => (typeof p === 'string' ? p : String(p))) }
          : {}),
      },
      text: r.text,
      tokensBefore: r.totalTokens,
      tokensAfter: r.keptTokens,
      seconds,
    };
  });
}
