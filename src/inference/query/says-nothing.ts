/**
 * A kept turn that telegraphed down to one word says nothing worth its line: "Maya: writing" (from
 * "Maya: ok writing it"), "Kofi: ok". Its budget is better spent on the next unit. A word that is a
 * name, a number, a yes or a no, a day or a time word (an answer), or one of the query's terms still
 * says something.
 */

import { DAY_PART, TIME_WORD, WEEKDAY } from '../../generation/strategies/pruned/lexicon.ts';
import { terms } from './bm25.ts';
import type { MemoryUnit } from './memory-units.ts';

/**
 * An answer in one word: what a question before it asked is answered by it, a day or a time word
 * among them ("Lee: Thursday", "Lee: tomorrow" answer when; review of the session), or a verdict.
 */
const ANSWER = new RegExp(
  `^(?:yes|no|nope|yep|yeah|nah|never|always|both|neither|none|approved|rejected|agreed|declined|done|${WEEKDAY}|${DAY_PART}|${TIME_WORD})$`,
  'iu',
);

/**
 * Whether `shown`, the unit's text as it would be kept, is its label and one word that is neither a
 * name (capitalised where no sentence starts in the unit, or an acronym), a number, an answer nor a
 * term of the query. Code, a line without a label and a unit shown as written with more words keep
 * their place.
 */
export function saysNothing(shown: string, unit: MemoryUnit, queryTerms: ReadonlySet<string>): boolean {
  if (unit.kind === 'code' || !unit.label || !unit.first || !shown.startsWith(unit.label)) return false;
  const body = shown.slice(unit.label.length).trim().split(/\s+/).filter(Boolean);
  if (body.length !== 1) return false;
  const word = body[0] as string;
  const bare = word.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
  if (!bare || /\p{N}/u.test(bare) || ANSWER.test(bare.toLowerCase())) return false;
  if (/^\p{Lu}{2,}$/u.test(bare)) return false;
  if (/^\p{Lu}/u.test(bare) && namedInside(unit.text.slice(unit.label.length), bare)) return false;
  return !terms(bare).some((t) => queryTerms.has(t));
}

/** Whether `name` stands capitalised in `text` where no sentence starts: a name, not a first word. */
function namedInside(text: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(String.raw`[^\s.!?]\s+["'(]?${escaped}(?![\p{L}\p{N}])`, 'u').test(text);
}
