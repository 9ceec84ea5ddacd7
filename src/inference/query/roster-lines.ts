/**
 * Lines that only list people ("Attendees: Lena, Marco, Priya", "Cc: lena@acme.com; Dana",
 * "Present: Lena (PM), Marco and Tom"): they say who was there, not what anyone did or said. A
 * question about what a person did ("What are Lena's action items?", "What did Lena agree to do?")
 * matched them by the name alone, as well as her own action items (BM25 favours a short line, and
 * a line of names sits near a name's vector), and, cheaper, they filled the budget first (review).
 */

import type { MemoryUnit, ParsedMemory } from './memory-units.ts';
import { queryNames } from './query-cues.ts';
import { namePatterns, type Signals } from './relevance.ts';

/** One person: a capitalised name of up to three words, an address or a handle, a role in brackets after it. */
const PERSON =
  /^(?:\p{Lu}[\p{L}'’.-]*(?:\s+\p{Lu}[\p{L}'’.-]*){0,2}|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|@[\w.-]+)(?:\s*\([^)]{1,40}\))?$/u;
/** What parts the people of a list: commas, semicolons, slashes, "and" (and its German, French, Spanish, Italian words). */
const SEPARATOR = /\s*(?:[,;/&]|\s(?:and|und|et|y|e)\s)\s*/u;
/** A list item's marker, a field's label ("Attendees:", "**Cc:**"), a closing full stop. */
const MARKER = /^(?:[-*•]\s+)?/u;
const LABEL = /^(?:\*\*)?[\p{L}][\p{L} ]{0,30}(?:\*\*)?:(?:\*\*)?\s*/u;

/**
 * A label over people: "Attendees:", "Cc:", "Team members:", "Teilnehmer:". A list under another
 * label is of things whose names are capitalised too ("Stack: Python, Rust, Go", "Location: Berlin,
 * Germany", "Days: Monday, Tuesday"): set aside, the line answering "Is Go used anywhere besides
 * Rust?" ranked last and was dropped.
 */
const PEOPLE_LABEL =
  /\b(?:attendees?|attendance|attending|present|absent|apologies|participants?|cc|bcc|to|from|with|members?|team|invited|invitees?|guests?|owners?|reviewers?|assignees?|approvers?|people|persons?|speakers?|panel(?:ists)?|organi[sz]ers?|hosts?|who|signatories|contacts?|committee|crew|staff|players?|authors?|recipients?|teilnehmer(?:innen)?|anwesend|abwesend|présents?|absents?|invités?|asistentes|participantes|presentes|partecipanti|presenti|deelnemers|aanwezig|afwezig)\b/iu;

/** Whether a line is only a list of two people or more, under a label over people or none. */
export function isRosterLine(text: string): boolean {
  const item = text.trim().replace(MARKER, '');
  const label = LABEL.exec(item)?.[0];
  if (label && !PEOPLE_LABEL.test(label)) return false;
  const list = item.replace(LABEL, '').replace(/\.$/, '').trim();
  const people = list.split(SEPARATOR).map((p) => p.replace(/^(?:and|und|et|y|e)\s+/u, '').trim());
  return people.length >= 2 && people.every((p) => PERSON.test(p));
}

/**
 * Questions a list of people answers: who was there, who took part, who was copied, whether
 * someone attended ("Who attended the May meeting?", "Was Lena at the planning?").
 */
const ASKS_WHO_WAS_THERE =
  /\b(?:who|whom|attend\w*|present|absent|participa\w*|join\w*|invit\w*|cc'?d?|copied|there|missed|roster|members?|went to|go to|show(?:ed)? up)\b|^\s*(?:was|were|is)\s+\p{Lu}[\p{L}'-]*\s+(?:at|in|on)\b/iu;

/**
 * The speakers of a chat who take two turns or more: people talking. Their turn "Lena: Leipzig,
 * Germany." (an answer to "where did you move?") or "Marco: Yes, Tuesday." reads as a label over a
 * list of names, and was set aside for "Which city does Lena live in now?" (the answer dropped); a
 * roster's label ("Attendees:", "Cc:") heads one line.
 */
function chatSpeakers(memory: ParsedMemory): Set<string> {
  const turns = new Map<string, Set<number>>();
  for (const u of memory.units) if (u.speaker) turns.set(u.speaker, (turns.get(u.speaker) ?? new Set()).add(u.turn));
  return new Set([...turns].filter(([, t]) => t.size >= 2).map(([speaker]) => speaker));
}

/** The memory's roster lines, found once a memory. */
const rostersOf = new WeakMap<ParsedMemory, MemoryUnit[]>();

/**
 * The roster lines naming a person the question names, when the question asks what that person
 * did, said or has to do rather than who was there: they rank below every other line.
 */
export function rosterLinesAside(memory: ParsedMemory, query: string): number[] {
  const names = queryNames(query);
  if (!names.size || ASKS_WHO_WAS_THERE.test(query)) return [];
  let rosters = rostersOf.get(memory);
  if (!rosters) {
    const speakers = chatSpeakers(memory);
    rosters = memory.units.filter((u) => !(u.speaker && speakers.has(u.speaker)) && isRosterLine(u.text));
    rostersOf.set(memory, rosters);
  }
  const patterns = namePatterns(names);
  return rosters.filter((u) => patterns.some((p) => p.test(u.text))).map((u) => u.index);
}

/**
 * The signals without the units set aside: no word or vector match of theirs, and the others'
 * scaled again to the best left (BM25 and the cosine are read relative to the memory's best).
 */
export function setAside(signals: Signals, aside: readonly number[]): void {
  if (!aside.length) return;
  for (const values of [signals.lexical, signals.dense, signals.wordMatch]) {
    if (!values) continue;
    for (const i of aside) values[i] = 0;
    if (values === signals.wordMatch) continue;
    let best = 0;
    for (const v of values) best = Math.max(best, v);
    if (best > 0) for (let i = 0; i < values.length; i++) values[i] = (values[i] as number) / best;
  }
}
