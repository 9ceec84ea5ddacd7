import { terms } from './bm25.ts';
import type { MemoryUnit, ParsedMemory } from './memory-units.ts';
import { BEST, rankedTexts, unitTexts } from './raise-best.ts';

/**
 * A question asking why ("Why did we roll back 2.3.1?", "What caused the outage?", "How come ...",
 * "For what reason ...", "¿Por qué ...?", "Pourquoi ...", "Warum ...", "Perché ...").
 */
export const WHY =
  /^[\s¿]*(?:why\b|how come\b|what (?:was|is|were) the (?:reason|cause)s? (?:for|why|of|behind)\b|what caused\b|for what reason\b|(?:por ?qu[ée]|pourquoi|warum|wieso|weshalb|perch[ée]|por que)(?![\p{L}]))/iu;

/**
 * A line giving a reason: "because", "due to", "since the ...", "the cause was", "caused by",
 * "as the ...", ", so ...", "that is why", "owing to", "as a result of". "Since" and "as" only before
 * a clause's subject, not a time ("down since 8", "as of Monday", "since the 1990s"); "due to" not
 * before a verb ("due to arrive" is a time); the other languages' words whole ("porquería" and
 * "weiler" are none: re-read of session 32).
 */
const REASON =
  /\b(?:because|cause[ds]? by|due to(?! (?:be|arrive|start|begin|finish|end|open|close|launch|land|leave|depart|expire|ship|go|return|meet|come|take)\b)|owing to|as a result of|the (?:root )?cause (?:was|is)|the reason (?:was|is)|(?:that|this) is why|which is why|that's why|since (?:the(?! \d)|a|an|we|it|they|he|she|i|you|our|their|there|his|her)\b|,\s*as (?:the|a|we|it|they|he|she|i|our|their|there)\b|,\s*so (?:the|a|we|it|they|he|she|i|our|their|there|past)\b|(?:porque|parce que|weil|perch[ée])(?![\p{L}]))/iu;

/**
 * A field that states a reason ("Reason:       OOMKilled", "Root cause: expired certificate", "Cause:
 * ..."): a tool's report or a ticket says why in a label, with no "because" (review H2, session 34: a
 * kubectl describe's "Why does the pod keep restarting?" at 0.1 kept the back-off event, not the
 * container's "Reason: OOMKilled" five lines from its restart count).
 */
const REASON_FIELD = /^\s*(?:[-*]\s+)?(?:(?:root |termination )?cause|reason|grund|raison|motivo|causa)\s*:\s*\S/iu;

/** How many of the best units look for a reason near them. */
const BEST_UNITS = BEST;
/** How far (in units) from a best unit its reason may stand, in the same session or thread. */
const NEAR = 3;

/** Whether two units stand in one session (a chat's group, a thread) or one section of prose. */
function together(memory: ParsedMemory, a: MemoryUnit, b: MemoryUnit): boolean {
  if (a.group === b.group) return true;
  if (a.replyTo !== undefined && (a.replyTo === b.turn || a.replyTo === b.replyTo)) return true;
  if (b.replyTo !== undefined && b.replyTo === a.turn) return true;
  // Prose: a paragraph and the next (a forum's post and the one answering it, each under its head).
  return memory.format === 'prose' && Math.abs(a.group - b.group) <= 1;
}

/**
 * A why-question: the line giving a reason ("because the migration locked the orders table") near
 * each of the best lines, in the same session or thread, or anywhere when it shares a word of the
 * question, goes right under the best line (review H1 F-15: "Why did we roll back 2.3.1?" kept
 * the lines naming the version, not the one saying why; the reason shares no word with the
 * question, and the ranker reads only words). In place; nothing for another question.
 */
export function rankReasons(score: Float64Array, memory: ParsedMemory, query: string): void {
  if (!WHY.test(query)) return;
  const { texts, speakers } = unitTexts(memory);
  const units = memory.units;
  const asked = new Set(terms(query).filter((t) => !speakers.has(t)));
  const ranked = rankedTexts(score, texts);
  const best = ranked.slice(0, BEST_UNITS);
  const top = best[0];
  if (top === undefined) return;
  const field = (k: number) => REASON_FIELD.test(units[k]?.text ?? '');
  const reasons = ranked.filter((k) => (REASON.test(texts[k] as string) || field(k)) && !best.slice(0, 1).includes(k));
  /** The most relevant best unit above it that a reason stands near, in its session or thread. */
  const anchorOf = (k: number): number | undefined =>
    best.find(
      (b) =>
        (score[b] as number) > (score[k] as number) &&
        Math.abs(b - k) <= NEAR &&
        together(memory, units[b] as MemoryUnit, units[k] as MemoryUnit),
    );
  const names = (k: number) => terms(texts[k] as string).some((t) => asked.has(t));
  // One or two: the best lines' own reasons, the best's and the nearest first, not every "because"
  // of the memory.
  const raised = reasons
    .flatMap((k) => {
      // A reason's field answers wherever it stands: it says what it is.
      const anchor = anchorOf(k) ?? (names(k) || field(k) ? top : undefined);
      return anchor === undefined ? [] : [{ k, anchor }];
    })
    .sort(
      (x, y) =>
        (score[y.anchor] as number) - (score[x.anchor] as number) ||
        Math.abs(x.k - x.anchor) - Math.abs(y.k - y.anchor),
    );
  // Right under the best line, in their own order: the best says what is asked about, the reason
  // answers (under the line it stands by only, it was left out at 0.1 for cheaper lines).
  // A reason's field goes above it: it is the answer itself, named so, where the best line (an event,
  // a status) is often long (at 0.1 the back-off event's row and its table's header left no room
  // for "Reason: OOMKilled" under them).
  const topScore = score[top] as number;
  raised.slice(0, 2).forEach(({ k }, n) => {
    const to = field(k) ? topScore + 0.001 * (2 - n) : topScore - 0.001 * (n + 1);
    if ((score[k] as number) < to) score[k] = to;
  });
}
