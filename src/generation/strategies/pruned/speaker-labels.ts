import type { Turn, Unit } from './units.ts';

/**
 * Speaker labels once turns have gone: when the turn between two turns of the same speaker is
 * dropped, the second one's `Speaker:` label says nothing the first did not (the reader already
 * knows who is talking), so only the first turn of each run of one speaker keeps its label and
 * the others go on its line (`settleLabels`). At keep 0.33 about half the turns of a LoCoMo
 * session go, and the repeated labels were 4 % of what was left.
 */

export interface Speakers {
  /** Each turn's label, as written ("Caroline:"). */
  label: string[];
  /** Whether a turn follows the one before it directly, with no other line (a session header) between. */
  joined: boolean[];
}

export function turnSpeakers(text: string, units: readonly Unit[], turns: readonly Turn[]): Speakers {
  return {
    // A document's sentence (sentences.ts) has no label: its `labelEnd` is before its first unit.
    label: turns.map((t) =>
      t.labelEnd < t.first ? '' : text.slice((units[t.first] as Unit).word, (units[t.labelEnd] as Unit).end),
    ),
    // A list item never goes on under the item before it: each keeps its marker.
    joined: turns.map((t, k) => !t.item && k > 0 && (turns[k - 1] as Turn).last + 1 === t.first),
  };
}

/**
 * The live turn before `k` in its run of joined turns (no header between), or -1. Walks over the
 * dropped turns in between: linear in how many went in a row.
 */
export function previousLive(speakers: Speakers, live: ArrayLike<boolean>, k: number): number {
  for (let j = k - 1; j >= 0 && speakers.joined[j + 1]; j--) if (live[j]) return j;
  return -1;
}

/** The live turn after `k` in its run of joined turns, or -1. */
export function nextLive(speakers: Speakers, live: ArrayLike<boolean>, k: number): number {
  for (let j = k + 1; j < speakers.label.length && speakers.joined[j]; j++) if (live[j]) return j;
  return -1;
}

/** Whether turn `k`, live, goes on under the label of the live turn before it (same speaker). */
export function continuesSpeaker(speakers: Speakers, live: ArrayLike<boolean>, k: number): boolean {
  const p = previousLive(speakers, live, k);
  return p >= 0 && speakers.label[p] === speakers.label[k];
}

/** 1 on the label units of every live turn that continues its speaker's turn before it. */
export function continuedLabels(
  turns: readonly Turn[],
  speakers: Speakers,
  live: ArrayLike<boolean>,
  size: number,
): Uint8Array {
  const out = new Uint8Array(size);
  turns.forEach((t, k) => {
    if (!live[k] || !continuesSpeaker(speakers, live, k)) return;
    for (let i = t.first; i <= t.labelEnd; i++) out[i] = 1;
  });
  return out;
}

/**
 * The labels of the selection `keep` made right, in place: a turn with any word of its body kept
 * shows its (protected) label, a document's field its label whatever, unless it continues its
 * speaker's turn kept before it; a turn with no body kept shows none (never a bare `Speaker:`).
 * Run last, after the words are chosen, so a turn left without words cannot leave the next one
 * under the wrong speaker. Returns the first
 * word kept of each turn that continues, with its label's units: `renderKept` puts it on its speaker's line (review 4,
 * F-02: on a line of its own, with no label, 56 of 258 kept turns of a long chat read as no
 * one's; "every kept turn keeps its speaker").
 */
export function settleLabels(
  keep: Uint8Array,
  locked: Uint8Array,
  turns: readonly Turn[],
  speakers: Speakers,
): Map<number, [number, number]> {
  const firstSaid = turns.map((t) => {
    for (let i = t.labelEnd + 1; i <= t.last; i++) if (keep[i]) return i;
    return -1;
  });
  const spoken = firstSaid.map((i) => i >= 0);
  const joins = new Map<number, [number, number]>();
  turns.forEach((t, k) => {
    // A document's field is no turn going on from its speaker's: two "Note:" lines stay two.
    const continues = !t.field && spoken[k] === true && continuesSpeaker(speakers, spoken, k);
    const show = spoken[k] === true && !continues;
    // A document's field ("Absent : M. Thierry Blanc.") shows its label with any word of its value:
    // without it, the absent member read as one more of those present (review 3).
    for (let i = t.first; i <= t.labelEnd; i++)
      keep[i] = show ? (keep[i] as number) | (locked[i] as number) | (t.field ? 1 : 0) : 0;
    if (continues) joins.set(firstSaid[k] as number, [t.first, t.labelEnd]);
  });
  return joins;
}
