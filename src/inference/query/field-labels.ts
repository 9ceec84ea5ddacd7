import { maxOf } from '../../util/extremes.ts';
import { stem, terms } from './bm25.ts';
import { headingPath, type ParsedMemory } from './memory-units.ts';
import { liftAbove } from './raise-best.ts';

/**
 * A question asking who does something to a record ("Who owns the Kestrel account?", "Who manages
 * the Lisbon office?", "Who signed the lease?") is answered by the record's field labelled with
 * that verb's agent noun: "Owner: Jonas Okafor | SE: Mei Lin", "Manager: Rui Costa",
 * "Signatory: A. Lind". BM25's stemmer does not link "owns" with "Owner", and such a field line
 * names no other word of the question (the record's name is in its heading), so it ranked under the
 * record's dated notes (review 3: "Who owns the Kestrel Air Cargo account?" kept "Owner: Jonas."
 * of a note, not the account's "Owner: Jonas Okafor" line, at 0.2 and 0.1). Field lines whose
 * label is the question's verb, its agent noun, or the same word ("Lead:" for "Who leads ...?"),
 * in the sections the question names, are raised above the best.
 */

/** A field's label opening a line, or a part of one after " | ": "Owner:", "**Manager**:", "- Lead:". */
const FIELD = /^\s*(?:[-*+•]\s+)?(?:\*\*)?([\p{L}][\p{L}' -]{0,30}?)(?:\*\*)?\s*:(?:\*\*)?\s+\S/u;

/** The endings that make an agent noun of a verb: own-er, supervis-or, sign-atory, assign-ee. */
const AGENT_ENDINGS = ['er', 'or', 'ar', 'atory', 'ee', 'ant', 'ent'];

/**
 * Whether a label's word is a noun of the agent of the verb `asked` (a stem), or, with `same`, the
 * verb itself ("Lead:" for "Who leads ...?").
 */
export function namesAgentOf(word: string, asked: string, same = false): boolean {
  const w = stem(word.toLowerCase());
  if (asked.length < 3) return false;
  if (w === asked) return same;
  // "manage" / "managed" (stem "manag") -> "manager"; "approve" -> "approver".
  const base = asked.replace(/e$/, '');
  return AGENT_ENDINGS.some((e) => w === `${base}${e}`);
}

/** A question asking who: "Who owns ...?", "Whom do we call ...?", "Which team manages ...?". */
const ASKS_WHO = /\b(?:who|whom)\b|\bwhich\s+(?:person|people|team|colleague|employee|one)\b/i;

/** The word right after "who": the verb a label may repeat ("Who leads" / "Lead:"). */
const VERB_AFTER_WHO = /\bwho\s+(\p{L}+)/iu;

/** The labels of the fields a line holds ("Owner: X | SE: Y | Stage: Z" holds three). */
export function fieldLabels(text: string): string[] {
  return text.split(/\s\|\s/).flatMap((part) => {
    const label = FIELD.exec(part)?.[1]?.trim();
    // A label is a name of a field, of a few words: a sentence before a colon is no label.
    return label && label.split(/\s+/).length <= 3 ? [label] : [];
  });
}

/** How far below the best unit (in score) a field line may be and still be raised. */
const NEAR = 4;

/**
 * For a question asking who, raises, in place, the field lines whose label is an agent noun of a
 * word of the question (or the word after "who" itself), in
 * the sections whose headings name the most of the question's other words (any section when none does),
 * within NEAR of the best: each goes just above the best, in their own order. None in a dialogue,
 * where "Owner: ..." would be a speaker.
 */
export function rankFieldLabels(score: Float64Array, memory: ParsedMemory, query: string): void {
  // Only who asks for an agent: "When did Jun report ...?" is no question for a "Jun:" line.
  if (memory.format === 'dialogue' || !ASKS_WHO.test(query)) return;
  const asked = terms(query);
  const verb = terms(VERB_AFTER_WHO.exec(query)?.[1] ?? '')[0];
  const labelled = memory.units.flatMap((u) => {
    // A field opens its line: "Owner: Jonas." closing a dated note is the note's, not the record's.
    if (u.pinned || u.kind === 'code' || !u.first) return [];
    const hits = asked.filter((q) =>
      fieldLabels(u.text).some((l) => l.split(/\s+/).some((w) => namesAgentOf(w, q, q === verb))),
    );
    return hits.length ? [{ unit: u, hits }] : [];
  });
  if (!labelled.length) return;
  // The question's other words name the record: "Kestrel Air Cargo" in "=== Account: Kestrel Air Cargo ===".
  const verbs = new Set(labelled.flatMap((l) => l.hits));
  const rest = new Set(asked.filter((t) => !verbs.has(t)));
  // The sections naming the most of them: every "=== Project: ... ===" names "project".
  const named = (group: number) =>
    new Set(terms(headingPath(memory, group).join('\n')).filter((t) => rest.has(t))).size;
  const most = maxOf(labelled.map((l) => named(l.unit.group)));
  const sections = new Set(most > 0 ? labelled.map((l) => l.unit.group).filter((g) => named(g) === most) : []);
  const top = maxOf(score);
  const raised = labelled
    .map((l) => l.unit)
    .filter((u) => (sections.size ? sections.has(u.group) : true) && (score[u.index] as number) >= top - NEAR);
  liftAbove(
    score,
    raised.map((u) => u.index),
    top,
    NEAR,
  );
}
