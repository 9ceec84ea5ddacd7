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

/**
 * A missing span as a note quotes it: from the start of its first word to the end of its last, a
 * bracket it opens closed (review 3: "no piano (Mrs" was quoted for "no piano (Mrs Lindqvist away)").
 */
export function quotable(input: string, piece: string): string {
  const at = input.indexOf(piece);
  if (at < 0) return piece;
  let start = at;
  let end = at + piece.length;
  while (start > 0 && /[\p{L}\p{N}]/u.test(input[start - 1] as string) && /[\p{L}\p{N}]/u.test(input[start] as string))
    start--;
  while (
    end < input.length &&
    /[\p{L}\p{N}]/u.test(input[end] as string) &&
    /[\p{L}\p{N}]/u.test(input[end - 1] as string)
  )
    end++;
  const closers: Record<string, string> = { '(': ')', '[': ']', '{': '}', '"': '"', '“': '”' };
  const open: { closer: string; at: number }[] = [];
  for (let i = start; i < end; i++) {
    const ch = input[i] as string;
    if (open.length && ch === open.at(-1)?.closer) open.pop();
    else if (closers[ch]) open.push({ closer: closers[ch] as string, at: i });
  }
  // Closed within the same line, near; else the span stops before the bracket it left open.
  while (open.length) {
    const close = input.indexOf((open.at(-1) as { closer: string }).closer, end);
    const line = input.indexOf('\n', end);
    if (close < 0 || close - end > 60 || (line >= 0 && line < close)) break;
    end = close + 1;
    open.pop();
  }
  const stop = open[0]?.at ?? end;
  return input.slice(start, stop > start ? stop : end).trim();
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
      .map((m) => {
        const q = quotable(c.input, m);
        return JSON.stringify(q.length > 40 ? `${q.slice(0, 40)}…` : q);
      })
      .join(', ');
    return {
      reason: 'dropped-protected',
      detail: `${missing.length} protected span(s) missing: ${shown}${missing.length > 5 ? ', …' : ''}`,
    };
  }
  return null;
}
