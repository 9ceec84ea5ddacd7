import { listParents, type MemoryUnit, type ParsedMemory } from './memory-units.ts';

/**
 * A sentence that reads only with the one before it in its paragraph or list item: it names what
 * it is about by a pronoun ("Do not add it, whatever the internet says" after "Nonna never used
 * ricotta in lasagne"), answers it ("Exception: Premium customers pay no flat fee" after the SWIFT
 * fee), leaves its verb to it ("Say you cannot, and point to a licensed adviser" after "NEVER give
 * investment advice") or is a fragment of a few words ("No complications." after the knee
 * replacement). Kept alone it says something else (review: "## Problems" over "No complications"
 * read as no problems; "not add whatever internet says" named no ricotta).
 */

/** Words that point back, anywhere in the sentence: what it is about was said before. */
const POINTS_BACK = /(?<![\p{L}'’-])(?:it|its|they|them|their|theirs|these|those)(?![\p{L}'’-])/iu;

/** A sentence opening on what the one before said: a demonstrative, an exception, a contrast. */
const OPENS_ON_BEFORE =
  /^(?:[-*•]\s+)?(?:this|that|such|both|either|neither|otherwise|instead|however|but|also|except|exception|unless|if\s+(?:so|not)|in\s+that\s+case)(?![\p{L}'’-])/iu;

/** A verb left to the sentence before: "Say you cannot,", "Please don't.", "if it is not;". */
const ELLIPTICAL =
  /(?<![\p{L}'’-])(?:cannot|can['’]t|can\s+not|won['’]t|will\s+not|(?:do|does|did|is|are|was|were|should|must|may)(?:n['’]t|\s+not))\s*(?:[,.;:!?)]|$)/iu;

/** Words of three or fewer: "No complications.", "Six layers.", "Served cold." */
const FRAGMENT_WORDS = 3;

/**
 * "One" standing for a thing named before: "First full week without one since January" after "no
 * headache all week" (review 6: kept alone, it said without what?).
 */
const ONE_BACK = /(?<![\p{L}'’-])(?:without|another|new|old|other|same|that|this|which|each)\s+one(?![\p{L}'’-])/iu;

/**
 * A short sentence about "the" thing the one before named, with no figure of its own: "The amount is
 * unchanged." after the rent's new payment date (review 6: kept alone under "SCHEDULE OF AMENDMENTS",
 * it read as any amount of the lease).
 */
const DEFINITE_SHORT = /^(?:[-*•]\s+)?the\s/iu;
const DEFINITE_WORDS = 5;

/** Whether a sentence refers back to the one before it (the module's comment). */
export function refersBack(text: string): boolean {
  const t = text.trim();
  if (!t) return false;
  if (POINTS_BACK.test(t) || OPENS_ON_BEFORE.test(t) || ELLIPTICAL.test(t) || ONE_BACK.test(t)) return true;
  const words = t.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
  if (DEFINITE_SHORT.test(t) && words <= DEFINITE_WORDS && !/\p{N}/u.test(t)) return true;
  return words <= FRAGMENT_WORDS;
}

/**
 * For each unit, the units it must come with, else none; once a memory: the sentence before it in
 * the same paragraph or list item when it refers back, and a list item's first sentence, which
 * names what the item is about, for every later sentence of the item (review: "Say you cannot, and
 * point to a licensed adviser" and "You may say that a dispute can be opened" read as rules of their
 * own under "What you MUST NOT do"; "Never give penicillins; cephalosporins were tolerated" came
 * without "Penicillin: anaphylaxis"). A chat's turn is whole and its line its own; a code block or
 * a framing tag is no sentence.
 */
export function antecedentsOf(memory: ParsedMemory): readonly (readonly number[])[] {
  const known = cache.get(memory);
  if (known) return known;
  const parents = listParents(memory);
  const out = memory.units.map((u): number[] => {
    const prev = memory.units[u.index - 1];
    if (!prev || u.first || !isProse(u) || !isProse(prev) || prev.turn !== u.turn) return [];
    const head = parents[u.index]?.[0];
    const item = head !== undefined && memory.units[head]?.turn === u.turn ? [head] : [];
    return [...new Set([...(refersBack(u.text) ? [prev.index] : []), ...item])];
  });
  cache.set(memory, out);
  return out;
}
const cache = new WeakMap<ParsedMemory, readonly (readonly number[])[]>();

const isProse = (u: MemoryUnit): boolean =>
  (u.kind === 'sentence' || u.kind === 'line') && !u.pinned && u.speaker === null;
