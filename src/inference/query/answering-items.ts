import { maxOf } from '../../util/extremes.ts';
import { terms } from './bm25.ts';

/**
 * A line far over the budget cut to its items that answer: a class log of 1,200 dated entries on one
 * line, asked "What class was on 2025-03-14?", came back whole at 0.2, about five times the budget
 * (session 40: one sentence, so no cut to sentences or clauses applied). Its items (the parts
 * between commas, semicolons or bullets) are weighed by the question's terms each holds, a term
 * rarer among the items weighing more, and the heaviest kept, as written and in their order, with
 * `…` where items between them went, while the cut fits.
 */

/**
 * Where a line's items part: after a comma or semicolon, or around a bullet or bar. A run of spaces
 * before a bullet is matched from its first space only: tried from each, a line of 40,000 spaces
 * took 8 s to split.
 */
const ITEM_BREAK = /(?<=[,;])\s+|(?<!\s)\s+(?=[•·|]\s)/u;
/** Fewer items than this are no list to cut. */
const MIN_ITEMS = 8;
/** Items weighing less than this share of the heaviest are no answer: left out. */
const HALF = 0.5;

/**
 * The items of `text` holding the question's rarest terms, as many as `fits`, joined as written with
 * `…` over each gap; null when the text is no list of items or none holds a term of the question.
 */
export function answeringItems(text: string, query: string, fits: (cut: string) => boolean): string | null {
  const items = text.split(ITEM_BREAK).filter((p) => p.length);
  if (items.length < MIN_ITEMS) return null;
  const held = items.map((p) => new Set(terms(p)));
  const asked = [...new Set(terms(query))];
  const holding = new Map(asked.map((t) => [t, held.filter((h) => h.has(t)).length]));
  const weight = held.map((h) =>
    asked.reduce((w, t) => (h.has(t) ? w + Math.log(items.length / (holding.get(t) as number)) : w), 0),
  );
  // maxOf, not Math.max(...weight): a spread of some 120,000 items overflows the call stack.
  const heaviest = maxOf(weight);
  if (heaviest <= 0) return null;
  const order = weight
    .map((w, k) => ({ w, k }))
    .filter(({ w }) => w >= HALF * heaviest)
    .sort((a, b) => b.w - a.w || a.k - b.k)
    .map(({ k }) => k);
  const join = (kept: readonly number[]) =>
    [...kept]
      .sort((a, b) => a - b)
      .map((k, n, all) => {
        const before = n === 0 ? k > 0 : k > (all[n - 1] as number) + 1;
        return `${before ? '… ' : ''}${items[k] as string}`;
      })
      .join(' ')
      .concat(kept.length && maxOf(kept) < items.length - 1 ? ' …' : '');
  const kept: number[] = [];
  for (const k of order) {
    if (!fits(join([...kept, k]))) {
      if (kept.length) break;
      return null;
    }
    kept.push(k);
  }
  return kept.length ? join(kept) : null;
}
