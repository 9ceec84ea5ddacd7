import { maxOf } from '../../util/extremes.ts';
import { terms } from './bm25.ts';
import type { ParsedMemory } from './memory-units.ts';
import { liftAbove } from './raise-best.ts';

/**
 * A question asking what was stopped (started, paused, discontinued...) is answered by a record whose
 * status says so: "Aspirin 75 mg: STOPPED (not needed with apixaban)", "Ramipril (discontinued)". The
 * ranker reads words, and the instruction beside it naming the same verb ("Do not stop apixaban
 * without speaking to your doctor") ranked first (review, session 35: a discharge summary's "Which
 * medicine was stopped?" at 0.1 kept the patient's instructions, not the aspirin's STOPPED). The
 * records holding such a status go above the best line, in their own order.
 */

/** A state the question asks a record was put in, said after was/were/is/are/been/got. */
const ASKED =
  /\b(?:was|were|is|are|been|got|gets|get)\s+(?:\w+\s+)?(stopped|discontinued|started|restarted|resumed|paused|held|suspended|cancell?ed|withdrawn|added|increased|reduced|decreased|changed|switched|postponed|approved|rejected|declined)\b/gi;

/**
 * A status value: the word in capitals ("STOPPED"), or right after a colon, a dash or an opening
 * bracket ("Aspirin: stopped", "(discontinued)"), and ending there (its line, a bracket, a clause):
 * a value, not a sentence's verb ("Caroline: Started painting", "Do not stop apixaban").
 */
function holdsStatus(text: string, stems: ReadonlySet<string>): boolean {
  for (const m of text.matchAll(/\p{L}+/gu)) {
    const word = m[0];
    const [stem] = terms(word);
    if (!stem || !stems.has(stem)) continue;
    const at = m.index ?? 0;
    const before = text.slice(Math.max(0, at - 40), at);
    const after = text.slice(at + word.length);
    if (/\b(?:not|never|no|don['’]t|do\s+not)\s+(?:\w+\s+)?$/i.test(before)) continue;
    const ends = /^\s*(?:$|[(),;.\]]|[–—-]\s)/.test(after);
    const capitals = word.length >= 3 && word === word.toUpperCase() && word !== word.toLowerCase();
    const asValue = /(?:[:([]|\s[–—-])\s*$/.test(before);
    if (ends && (capitals || asValue)) return true;
  }
  return false;
}

/**
 * A Markdown task list's state the question asks for: "Which action items are still open?" is
 * answered by the `- [ ]` items, "What was done?" by the `- [x]` ones (review, session 35: an
 * agenda's two open action items were never kept, the agenda's "still open" line instead). The
 * open items for open, pending, outstanding, left, not done; the checked ones for done, completed.
 */
const ASKS_OPEN =
  /\b(?:open|pending|outstanding|unfinished|incomplete|unchecked|remaining|left to do|still to do|not (?:yet )?(?:done|finished|completed|checked|ticked))\b/i;
const ASKS_DONE = /\b(?:done|completed|finished|checked|ticked|closed)\b/i;
const OPEN_ITEM = /^\s*(?:[-*+]|\d{1,3}[.)])\s+\[ \]\s/;
const DONE_ITEM = /^\s*(?:[-*+]|\d{1,3}[.)])\s+\[[xX]\]\s/;

/**
 * A question about the list's items: it names them ("Which action items ...", "my chores", "the
 * to-dos") or asks what is in the state ("What is still open?", "What was done last week?"). A
 * question naming a state of something else is none (re-read of session 35: "When is the recycling
 * centre closed?" put the checked chores first at 0.1 and 0.2, "What time does the pharmacy open?"
 * an open one at 0.1, above the opening hours asked for).
 */
const NAMES_ITEMS =
  /\b(?:items?|tasks?|to-?dos?|chores?|actions?|errands?|checklists?|check-lists?|tickets?|boxes|steps?)\b/i;
const WHAT_IS_IN_STATE =
  /^\s*(?:what|which)(?:['’]s|\s+(?:is|are|was|were|has|have|had|remains?|still|got|get|gets))\b/i;

/** The task list items in the state the question asks for, or none. */
function taskItems(memory: ParsedMemory, query: string): number[] {
  if (!NAMES_ITEMS.test(query) && !WHAT_IS_IN_STATE.test(query)) return [];
  const open = ASKS_OPEN.test(query);
  const done = !open && ASKS_DONE.test(query);
  if (!open && !done) return [];
  const item = open ? OPEN_ITEM : DONE_ITEM;
  return memory.units.filter((u) => !u.pinned && item.test(u.text)).map((u) => u.index);
}

/** Raises, in place, the lines whose status is the state the question asks for, above the best line. */
export function rankStatusValues(score: Float64Array, memory: ParsedMemory, query: string): void {
  // A chat's "Name: Started ..." is a turn, not a record's value.
  if (memory.format === 'dialogue' || !score.length) return;
  const stems = new Set([...query.matchAll(ASKED)].flatMap((m) => terms(m[1] as string)));
  const raised = [
    ...new Set([
      ...(stems.size ? memory.units.filter((u) => !u.pinned && holdsStatus(u.text, stems)).map((u) => u.index) : []),
      ...taskItems(memory, query),
    ]),
  ].sort((a, b) => a - b);
  if (!raised.length) return;
  const top = maxOf(score);
  liftAbove(score, raised, top);
}
