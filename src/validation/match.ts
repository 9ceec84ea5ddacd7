/**
 * Deterministic answer comparison, SQuAD-style: lower case, no punctuation, no articles, single
 * spaces; then exact match and token F1.
 */
export function normaliseAnswer(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .replace(/\b(a|an|the)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function exactMatch(a: string, b: string): boolean {
  return normaliseAnswer(a) === normaliseAnswer(b);
}

export function tokenF1(a: string, b: string): number {
  const x = normaliseAnswer(a).split(' ').filter(Boolean);
  const y = normaliseAnswer(b).split(' ').filter(Boolean);
  if (!x.length || !y.length) return x.length === y.length ? 1 : 0;
  const counts = new Map<string, number>();
  for (const t of y) counts.set(t, (counts.get(t) ?? 0) + 1);
  let common = 0;
  for (const t of x) {
    const n = counts.get(t) ?? 0;
    if (n > 0) {
      common++;
      counts.set(t, n - 1);
    }
  }
  if (!common) return 0;
  const precision = common / x.length;
  const recall = common / y.length;
  return (2 * precision * recall) / (precision + recall);
}

/** "Not in the context" answers, which two runs may word differently. */
export function saysUnknown(answer: string): boolean {
  return /\b(not (in|mentioned in|stated in|given in|found in) the (context|text)|no information|cannot be determined|unknown|not specified|does not (say|mention))\b/i.test(
    answer,
  );
}
