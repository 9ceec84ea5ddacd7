import type { Domain } from '../contracts/source.ts';
import { flippedNegations } from '../generation/negations.ts';
import { findProtectedSpans, type ProtectKind } from '../generation/protect.ts';
import type { TextRange } from '../generation/strategies/pruned/index.ts';

/**
 * The fallback rules: when a model stage's output is not used. Empty, longer than its input (over
 * `maxRatio`), cut off at the token limit, or missing a protected span of its input (a number, a
 * name, a date, an identifier, a user mark, ...) that must survive verbatim.
 */
export type FallbackReason =
  | 'empty'
  | 'longer'
  | 'truncated'
  | 'dropped-protected'
  | 'too-long'
  | 'timeout'
  | 'error'
  /** The model's file is not there (studio models pull fetches the defaults). */
  | 'no-model';

export interface Fallback {
  /** The stage whose output was refused (a model name). */
  stage: string;
  model: string | null;
  reason: FallbackReason;
  detail: string;
}

export interface CheckInput {
  input: string;
  output: string;
  inputTokens: number;
  outputTokens: number;
  maxRatio: number;
  kinds: readonly ProtectKind[];
  protect?: readonly (string | RegExp)[];
  domain: Domain;
  /** The generator stopped at its token limit. */
  cutOff?: boolean;
  /**
   * Ranges of `input` an extractive stage let go on purpose (whole turns, vocatives: the pruner's
   * `released`): a protected span inside one is not lost, except a user mark, which always must stay.
   */
  released?: readonly TextRange[];
}

/**
 * Protected spans of `input` (of the checked kinds) that `output` lacks, each once; spans inside a
 * `released` range do not count, user marks (kind `user`) excepted. With kind `negation`, also each
 * negation whose words come back in `output` without it ("not take cards": flippedNegations).
 */
export function droppedSpans(
  input: string,
  output: string,
  kinds: readonly ProtectKind[],
  protect: readonly (string | RegExp)[] = [],
  domain?: Domain,
  released: readonly TextRange[] = [],
): string[] {
  const wanted = new Set(kinds);
  const spans = findProtectedSpans(input, { protect, ...(domain ? { domain } : {}) });
  const letGo = (start: number, end: number) => released.some((r) => r.start <= start && end <= r.end);
  const missing = new Set<string>();
  for (const s of spans) {
    if (!wanted.has(s.kind)) continue;
    if (s.kind !== 'user' && letGo(s.start, s.end)) continue;
    const piece = input.slice(s.start, s.end).trim();
    if (piece && !output.includes(piece)) missing.add(piece);
  }
  // A negation need not stay word for word (a clause may go whole), but what it negated must not
  // come back without it: that says the opposite.
  if (wanted.has('negation')) for (const f of flippedNegations(input, output)) missing.add(f.text);
  return [...missing];
}

/** Why the output must not be used, or null when it may. */
export function checkOutput(c: CheckInput): Omit<Fallback, 'stage' | 'model'> | null {
  if (!c.output.trim()) return { reason: 'empty', detail: 'the model returned no text' };
  if (c.outputTokens > c.maxRatio * c.inputTokens)
    return {
      reason: 'longer',
      detail: `the output has ${c.outputTokens} tokens, its input ${c.inputTokens} (allowed ratio ${c.maxRatio})`,
    };
  if (c.cutOff) return { reason: 'truncated', detail: 'the output was cut off at the token limit' };
  const missing = droppedSpans(c.input, c.output, c.kinds, c.protect, c.domain, c.released);
  if (missing.length) {
    const shown = missing
      .slice(0, 5)
      .map((m) => JSON.stringify(m.length > 40 ? `${m.slice(0, 40)}…` : m))
      .join(', ');
    return {
      reason: 'dropped-protected',
      detail: `${missing.length} protected span(s) missing: ${shown}${missing.length > 5 ? ', …' : ''}`,
    };
  }
  return null;
}
