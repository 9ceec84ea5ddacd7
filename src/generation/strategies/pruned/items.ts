import { bareWord, isClosedClass, isNegation, ROMANCE_GLUE } from './lexicon.ts';
import type { Unit } from './units.ts';

/**
 * A list item's instruction with its quantity, and a procedure's steps kept in their order. Review,
 * a recipe at keep 0.5: its steps came back as "1. 10 minutes", "2. 30 seconds.", "3. not hot." (the
 * quantities and negations are locked, the verbs they were said of went), and a cake's steps started
 * at "2." (step 1 went whole as saying least).
 */

/** A line's item marker: a bullet, "1." or "2)", or a clause's "(a)", "(iv)", "(3)". */
const ITEM_MARKER = /^(?:[-*•‣–+]|\d{1,3}[.)]|\((?:[a-z]|[ivx]{1,5}|\d{1,2})\))$/u;
const NUMBERED = /^\d{1,3}[.)]$/;
/** Where a clause ends: a comma, a semicolon, a colon, a sentence's end (closing brackets after). */
const CLAUSE_END = /[,;:.!?]["')\]]*$/u;
const SENTENCE_END = /[;:.!?]["')\]]*$/u;

/** A subordinate clause's opener: the instruction comes after its comma ("when they crackle, add ..."). */
const SUBORDINATOR = /^(?:when|once|if|after|before|until|while|as|whenever|unless)$/i;

/** The i-th word of `units` in `text`, as written. */
const wordAt =
  (text: string, units: readonly Unit[]) =>
  (i: number): string =>
    text.slice((units[i] as Unit).word, (units[i] as Unit).end);

/**
 * In each list item, for each run of locked words holding a number or a negation ("for 10
 * minutes", "at least 90 minutes", "not hot"), the instruction it is of: the first content word of
 * its sentence (or of what follows a semicolon or a colon; past a "when ..." clause), "Soften ...
 * for 10 minutes", "Simmer ... for at least 90 minutes", "pour ... not hot"; and the first of its
 * comma's clause ("..., cook 2 minutes"), unless that clause lists ("onion, carrot and celery":
 * the word right before an "and", an "or" or a comma is an item of a list). Unit indices to lock.
 */
export function itemVerbUnits(
  text: string,
  units: readonly Unit[],
  lines: readonly [number, number][],
  locked: ArrayLike<number>,
): number[] {
  const word = wordAt(text, units);
  const out = new Set<number>();
  // The first word at or after `from` and before `to` that is no closed-class word, or -1.
  const content = (from: number, to: number) => {
    for (let c = from; c < to; c++) if (!isClosedClass(word(c), false)) return c;
    return -1;
  };
  // Where the clause holding unit `i` starts, after the line's marker: past the last unit ending as `end` does.
  const clauseStart = (first: number, i: number, end: RegExp) => {
    let j = i - 1;
    while (j > first && !end.test(word(j))) j--;
    return j + 1;
  };
  const lists = (c: number) => /,$/.test(word(c)) || /^(?:and|or)$/i.test(word(c + 1));
  for (const [first, last] of lines) {
    if (!ITEM_MARKER.test(word(first))) continue;
    for (let i = first + 1; i <= last; i++) {
      if (!locked[i] || (i > first + 1 && locked[i - 1])) continue;
      let end = i;
      while (end < last && locked[end + 1]) end++;
      let fact = false;
      for (let k = i; k <= end && !fact; k++)
        fact = /\d/.test(word(k)) || isNegation(word(k).replace(/[^\p{L}'’]/gu, ''));
      if (!fact) continue;
      let s = content(clauseStart(first, i, SENTENCE_END), i);
      // "when they crackle, add garlic ...": the instruction is after the clause's comma.
      if (s >= 0 && SUBORDINATOR.test(word(s))) {
        let j = s;
        while (j < i && !/,$/.test(word(j))) j++;
        s = j < i ? content(j + 1, i) : -1;
      }
      const c = content(clauseStart(first, i, CLAUSE_END), i);
      for (const v of [s, c]) if (v >= 0 && !locked[v] && (v === s || !lists(v))) out.add(v);
    }
  }
  return [...out];
}

/** Capitalised openers that are no verb, though a determiner may follow ("Only the owner can ..."). */
const NOT_VERB = new Set(['only', 'all', 'both', 'most', 'many', 'no', 'any', 'few', 'several', 'also', 'not']);
/** What follows an imperative's verb: its object's determiner, a count, a particle or a preposition. */
const AFTER_VERB =
  /^(?:the|a|an|your|our|their|this|that|these|those|it|them|each|every|all|both|any|one|two|three|four|half|some|for|to|in|into|on|onto|over|under|until|with|up|down|off|out|back|through|from|at|\d\S*)$/i;

/**
 * The first unit of each step of a procedure: a run of numbered items under a line that opens it
 * ("Steps:", "here is where we landed:", a Markdown heading), or under a plain heading (a recipe's
 * "Method", a guide's "Steps": `headings`, the first units of the plain headings) when half its
 * items at least open on a verb ("Heat the oven", "Roast for 1 hour"). A step is never dropped
 * whole: the others would be numbered from "2.", and an instruction would be missing from the middle
 * of the method (session 36: a recipe's steps 3-6 under "Method" went whole at keep 0.33, its
 * roasting and resting times with them). A numbered list with no such line (an app's saved
 * memories), or a plain heading's list of facts (a spec's "Requirements": "1. Only the owner can
 * ..."), is a list of facts, each droppable.
 */
export function procedureSteps(
  text: string,
  units: readonly Unit[],
  lines: readonly [number, number][],
  headings: ReadonlySet<number> = new Set(),
): Set<number> {
  const out = new Set<number>();
  const word = wordAt(text, units);
  const imperative = (first: number, last: number) => {
    if (first + 2 > last) return false;
    const verb = word(first + 1);
    return (
      /^\p{Lu}\p{Ll}+$/u.test(verb) &&
      !isClosedClass(verb, true) &&
      !NOT_VERB.has(verb.toLowerCase()) &&
      !/[^s]s$/.test(verb) &&
      AFTER_VERB.test(word(first + 2).replace(/[,;:.]$/, ''))
    );
  };
  // How the run of items now read was opened: by a line that always opens one, by a plain heading
  // (its items are steps if they read as instructions), or not.
  let opened: 'always' | 'heading' | undefined;
  let run: number[] = [];
  let verbs = 0;
  const close = () => {
    if (opened === 'heading' && run.length >= 2 && verbs * 2 >= run.length) for (const f of run) out.add(f);
    run = [];
    verbs = 0;
  };
  for (const [first, last] of lines) {
    if (NUMBERED.test(word(first))) {
      if (opened === 'always') out.add(first);
      else if (opened === 'heading') {
        run.push(first);
        if (imperative(first, last)) verbs++;
      }
      continue;
    }
    // A step's wrapped or indented tail, or a sub-bullet, is still inside the procedure (review of
    // the session: a step wrapped over two lines ended it, and the steps after it could go whole).
    const lineStart = text.lastIndexOf('\n', (units[first] as Unit).word - 1) + 1;
    if (opened && /^[ \t]+\S/.test(text.slice(lineStart, (units[first] as Unit).word + 1))) continue;
    close();
    const line = text.slice((units[first] as Unit).word, (units[last] as Unit).end);
    opened =
      /:[ \t]*$/.test(line) || /^#{1,6}[ \t]/.test(line) ? 'always' : headings.has(first) ? 'heading' : undefined;
  }
  close();
  return out;
}

/** Glue skipped when words are given back, the glue of the languages users write in too ("propose l'installation *de*" ended on "de"). */
const isGlue = (w: string) => isClosedClass(w, false) || ROMANCE_GLUE.has(bareWord(w));

/** The kept words of `from`..`to`. */
function keptIn(keep: Uint8Array, from: number, to: number): number[] {
  const kept: number[] = [];
  for (let i = from; i <= to; i++) if (keep[i]) kept.push(i);
  return kept;
}

/** Keeps the first `count` words of `from`..`to` that are not glue. Mutates `keep`. */
function giveBack(keep: Uint8Array, from: number, to: number, count: number, glue: (i: number) => boolean): void {
  let added = 0;
  for (let i = from; i <= to && added < count; i++) {
    if (glue(i)) continue;
    keep[i] = 1;
    added++;
  }
}

/** How many content words a list item thinned to a bare head gets back: what its head says or does. */
const ITEM_OBJECT_WORDS = 3;

/**
 * A list item thinned to a bare name or verb ("- Mme Roux" from "- Mme Roux propose l'installation de
 * bornes de recharge ...", "- Refer" from "- Refer to gynaecology for heavy menstrual bleeding")
 * gets back the next content words after what it kept (review 3): the name alone says nothing was
 * proposed, the verb alone not to whom. Only an item whose kept words are its first one or two and
 * which had more to say. Mutates `keep`.
 */
export function completeBareItems(
  text: string,
  units: readonly Unit[],
  lines: readonly [number, number][],
  keep: Uint8Array,
): void {
  const word = wordAt(text, units);
  for (const [first, last] of lines) {
    if (!ITEM_MARKER.test(word(first)) || !keep[first]) continue;
    const kept = keptIn(keep, first + 1, last);
    if (!kept.length || kept.length > 2 || kept.at(-1) !== first + kept.length) continue;
    // Read as written: a capitalised closed-class word inside an item is no glue to skip.
    giveBack(keep, first + kept.length + 1, last, ITEM_OBJECT_WORDS, (i) => isGlue(word(i)));
  }
}

/** A word that ends a sentence or a label: its last character, before closing quotes or brackets. */
const SENTENCE_CLOSE = /[.!?:;]["')\]*_]*$/u;
/** A number and nothing else, its sentence's stop after it at most ("4.", "1,200"). */
const BARE_NUMBER = /^\d[\d.,]*$/;
/** How many content words a sentence thinned to its first word gets back. */
const SENTENCE_OBJECT_WORDS = 2;

/**
 * In a document, a sentence thinned to its first word, a verb or a noun alone ("Check" from "Check
 * the time first.", from "Check the consumer group first:"), gets back the next content words of
 * its sentence: the verb alone does not say what to check, and read on into the next sentence's
 * words (review 3: "> Warning: Check (23:30-00:45 UTC), not delete the pod;", "Check" alone on a
 * line). A name kept alone gets its verb and object back too ("Ana moved Lisbon"); and a capitalised
 * verb opening a sentence is often read as a name and locked, as "Check" was. Mutates `keep`.
 */
export function completeBareSentences(
  text: string,
  units: readonly Unit[],
  lines: readonly [number, number][],
  keep: Uint8Array,
): void {
  const word = wordAt(text, units);
  for (const [lineFirst, lineLast] of lines) {
    let first = lineFirst;
    for (let i = lineFirst; i <= lineLast; i++) {
      if (!SENTENCE_CLOSE.test(word(i)) && i < lineLast) continue;
      const kept = keptIn(keep, first, i);
      const head = kept[0];
      if (
        kept.length === 1 &&
        head !== undefined &&
        head < i &&
        /^\p{Lu}\p{Ll}+$/u.test(word(head)) &&
        (head === first || !/[\p{L}\p{N}]/u.test(word(first)))
      ) {
        giveBack(keep, head + 1, i, SENTENCE_OBJECT_WORDS, (k) => isGlue(bareWord(word(k))));
      }
      // A sentence thinned to a number alone gets back the word before it, which says what the number
      // counts: "Serves 4." read "4.", at a line's start a step's marker (session 36, a recipe at 0.5).
      if (
        kept.length === 1 &&
        head !== undefined &&
        head > first &&
        BARE_NUMBER.test(word(head)) &&
        /\p{L}/u.test(word(head - 1)) &&
        !SENTENCE_CLOSE.test(word(head - 1))
      )
        keep[head - 1] = 1;
      first = i + 1;
    }
  }
}
