import { countTiktoken } from '../../../tokenizers/tiktoken.ts';
import { type Candidate, type StrategyOutput, targetKey } from '../spec.ts';

/**
 * One target's output added to an extractive strategy's candidates (`pruned`, `classified`):
 * rejected when empty or no shorter than the source, folded into an earlier candidate with the same
 * bytes (one pair whose `covers` lists every target it answers: code often stops at the same point
 * for several ratios), else a new candidate made by `make` from the achieved ratio and the target's key.
 */
export async function addTargetOutput(
  out: StrategyOutput,
  step: {
    text: string;
    before: number;
    target: { ratio?: number; threshold?: number };
    params: Record<string, unknown>;
    reason?: string;
  },
  make: (achievedRatio: number, key: string) => Candidate,
): Promise<void> {
  const { text, before, target, params } = step;
  const after = await countTiktoken(text, 'o200k');
  if (!text.trim() || after >= before) {
    out.rejected.push({ params, reason: step.reason ?? 'nothing could be removed' });
    return;
  }
  const key = targetKey(target);
  const same = out.candidates.find((c) => c.compressed === text);
  if (same) {
    (same.metadata.covers as string[]).push(key);
    return;
  }
  out.candidates.push(make(Number((after / before).toFixed(4)), key));
}
