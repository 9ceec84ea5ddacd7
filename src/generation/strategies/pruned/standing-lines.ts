import { isClosedClass, isConstraint, isInstruction } from './lexicon.ts';
import type { Turn, Unit } from './units.ts';

/**
 * How many words a standing instruction's clause may run to and be locked. The review's profile
 * says its instructions in 4 to 15 words; a longer clause is thinned as any line is.
 */
const STANDING_MAX_WORDS = 16;

/**
 * The words to lock in a list's standing instructions and constraints (lexicon.ts isInstruction,
 * isConstraint): every word of the clause that says one, but its closed-class glue. Such a line
 * was already kept from going whole, but its words thinned as any line's (review, a profile at
 * keep 0.33: "Prefers answers in English, code comments in Dutch" came out "English Dutch", and
 * "Fridays after 15:00 are off-limits for work meetings" "Fridays after 15:00"): the verb and its
 * objects are the instruction. A clause ends at ";" or a sentence's end; a line whose instruction
 * only its whole says ("Note: prefers answers in Dutch") is locked whole when short enough.
 */
export function standingUnits(text: string, units: readonly Unit[], turns: readonly Turn[]): number[] {
  const word = (i: number) => text.slice((units[i] as Unit).word, (units[i] as Unit).end);
  const span = (a: number, b: number) => text.slice((units[a] as Unit).word, (units[b] as Unit).end);
  const standing = (s: string) => isInstruction(s) || isConstraint(s);
  const out: number[] = [];
  const lock = (a: number, b: number) => {
    if (b - a + 1 > STANDING_MAX_WORDS) return;
    for (let i = a; i <= b; i++)
      if (!isClosedClass(word(i), i === a, i > a ? word(i - 1) : '', i < b ? word(i + 1) : '')) out.push(i);
  };
  for (const t of turns) {
    const first = t.labelEnd + 1;
    if (first > t.last || !standing(text.slice((units[t.first] as Unit).word, (units[t.last] as Unit).end))) continue;
    const clauses: [number, number][] = [];
    let start = first;
    for (let i = first; i <= t.last; i++)
      if (i === t.last || /[;.!?]["')\]]*$/.test(word(i))) {
        clauses.push([start, i]);
        start = i + 1;
      }
    const saying = clauses.filter(([a, b]) => standing(span(a, b)));
    if (saying.length) for (const [a, b] of saying) lock(a, b);
    else lock(first, t.last);
  }
  return out;
}
