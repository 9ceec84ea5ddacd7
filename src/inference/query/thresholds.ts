import { maxOf } from '../../util/extremes.ts';
import type { ParsedMemory } from './memory-units.ts';
import { liftAbove } from './raise-best.ts';

/**
 * A question that gives a quantity ("if availability is 98.5%", "if I joined 4 months ago") is
 * answered by the line whose range holds it: a contract's "(b) Availability of 98.0 % or more but
 * less than 99.0 %: 10 %", a handbook's "Employees with less than 6 months of service receive 8
 * weeks". The ranker reads neither the number nor the range (review: at 0.1 row (a), 99.0-99.9 %,
 * was kept and row (b) was not). Lines stating a bound on the same kind of quantity (a percentage,
 * months, weeks...) that the question's value meets are raised to the top; those it fails are left
 * where they were.
 */

/** The kinds of quantity compared, by their words: a bound in months says nothing of weeks. */
const KINDS: [RegExp, string][] = [
  [/^(?:%|percent|per cent)$/i, '%'],
  [/^(?:minute|minutes|min|mins)$/i, 'minute'],
  [/^(?:hour|hours|h|hrs)$/i, 'hour'],
  [/^(?:day|days)$/i, 'day'],
  [/^(?:week|weeks)$/i, 'week'],
  [/^(?:month|months)$/i, 'month'],
  [/^(?:year|years)$/i, 'year'],
  [/^(?:kg|kilos?|kilograms?)$/i, 'kg'],
  [/^(?:km|kilometres?|kilometers?)$/i, 'km'],
  [/^(?:eur|euros?|€)$/i, 'eur'],
  [/^(?:usd|dollars?|\$)$/i, 'usd'],
  [/^(?:gbp|pounds?|£)$/i, 'gbp'],
];
const UNIT = `(%|per ?cent|minutes?|mins?|hours?|hrs|days?|weeks?|months?|years?|kg|kilos?|kilograms?|km|kilomet(?:re|er)s?|eur|euros?|€|usd|dollars?|gbp|pounds?)`;
const NUMBER = String.raw`(\d+(?:[.,]\d+)*)`;

const kindOf = (word: string): string | null => KINDS.find(([re]) => re.test(word.trim()))?.[1] ?? null;
/**
 * "98,5" is 98.5, "12,000" twelve thousand, "1,250,000.50" a million and more: a comma before three
 * digits separates thousands, each of them (only the first was taken out: a million was NaN, and
 * held no bound).
 */
const amountOf = (text: string): number =>
  Number(/^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(text) ? text.replace(/,/g, '') : text.replace(',', '.'));

/** The quantities a question gives, by kind. */
export function queryQuantities(query: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const m of query.matchAll(new RegExp(String.raw`${NUMBER}\s*${UNIT}(?![\p{L}])`, 'giu'))) {
    const kind = kindOf(m[2] as string);
    if (kind) out.set(kind, [...(out.get(kind) ?? []), amountOf(m[1] as string)]);
  }
  return out;
}

interface Bound {
  kind: string;
  value: number;
  /** Whether the quantity must be above (lower bound) or below (upper bound) the value. */
  side: 'min' | 'max';
  inclusive: boolean;
}

/**
 * The comparison before a number, the first that matches: a negated one first, as "no more than 30
 * days" ends with "more than" and bounds the other way (read as "more than", a question's 45 days
 * met it).
 */
const BEFORE: [RegExp, Bound['side'], boolean][] = [
  [/\b(?:no|not)\s+(?:(?:more|greater|longer)\s+than|over|above|exceeding)\s*$/i, 'max', true],
  [/\b(?:no|not)\s+(?:(?:less|fewer|shorter)\s+than|under|below)\s*$/i, 'min', true],
  [/(?:at least|minimum(?: of)?)\s*$/i, 'min', true],
  [/(?:more than|over|above|greater than|longer than|exceeding)\s*$/i, 'min', false],
  [/(?:up to|at most|maximum(?: of)?)\s*$/i, 'max', true],
  [/(?:less than|fewer than|under|below|shorter than)\s*$/i, 'max', false],
];
const AFTER: [RegExp, Bound['side'], boolean][] = [
  [/^\s*(?:or more|or above|or over|or higher|or longer|and (?:above|over|more))/i, 'min', true],
  [/^\s*(?:or less|or fewer|or below|or under|or lower|or shorter)/i, 'max', true],
];

/** The bounds a line states: "98.0 % or more but less than 99.0 %" is two. */
export function boundsOf(text: string): Bound[] {
  const out: Bound[] = [];
  for (const m of text.matchAll(new RegExp(String.raw`${NUMBER}\s*${UNIT}(?![\p{L}])`, 'giu'))) {
    const kind = kindOf(m[2] as string);
    if (!kind) continue;
    const value = amountOf(m[1] as string);
    const before = text.slice(Math.max(0, (m.index ?? 0) - 24), m.index);
    const after = text.slice((m.index ?? 0) + m[0].length, (m.index ?? 0) + m[0].length + 16);
    const hit = BEFORE.find(([re]) => re.test(before)) ?? AFTER.find(([re]) => re.test(after));
    if (hit) out.push({ kind, value, side: hit[1], inclusive: hit[2] });
  }
  return out;
}

const holds = (b: Bound, v: number): boolean =>
  b.side === 'min' ? (b.inclusive ? v >= b.value : v > b.value) : b.inclusive ? v <= b.value : v < b.value;

/** How far below the best unit (in score) a line whose range holds may be and still be raised. */
const NEAR = 3;

/**
 * Raises, in place, the lines whose bounds on a kind of quantity the question gives all hold for
 * its value, when they rank within NEAR of the best: each goes just above the best, in their own
 * order. None in a dialogue (a chat's "more than 20 people" is talk, not a rule), nor without a
 * quantity in the question.
 */
export function rankHoldingRanges(score: Float64Array, memory: ParsedMemory, query: string): void {
  if (memory.format === 'dialogue') return;
  const asked = queryQuantities(query);
  if (!asked.size) return;
  const top = maxOf(score);
  const raised = memory.units.filter((u) => {
    if (u.pinned || (score[u.index] as number) < top - NEAR) return false;
    const bounds = boundsOf(u.text).filter((b) => asked.has(b.kind));
    return bounds.length > 0 && bounds.every((b) => (asked.get(b.kind) ?? []).some((v) => holds(b, v)));
  });
  // Their order among themselves stays: each is lifted by the same amount above the best.
  liftAbove(
    score,
    raised.map((u) => u.index),
    top,
    NEAR,
  );
}
