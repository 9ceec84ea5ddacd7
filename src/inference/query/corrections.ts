import { maxOf, minOf } from '../../util/extremes.ts';
import { terms } from './bm25.ts';
import type { ParsedMemory } from './memory-units.ts';
import { queryDates } from './query-cues.ts';
import { BEST, raiseAmongBest, rankedTexts, unitTexts } from './raise-best.ts';

/**
 * Words after "not" or "no longer" that set no fact aside: a stock reply ("not sure", "not really",
 * "not a problem") or a verb of having or wanting ("no longer have time"). Review of session 29:
 * "Right now I am swamped, not sure." was raised above the best line as a correction.
 */
export const SETS_NOTHING_ASIDE: ReadonlySet<string> = new Set(
  'have has had need want problem problems sure really yet bad much now quite good great exactly just even only true worth always ever anymore necessarily likely fine okay ok'.split(
    ' ',
  ),
);
/** A word in lower case a correction may deny: three letters or more, no stock reply. */
const LOWER_DENIED = String.raw`(?!(?:${[...SETS_NOTHING_ASIDE].join('|')})(?![\p{L}]))\p{Ll}{3,}`;

/**
 * A memory that corrects itself ("One correction: our forecast is now 140 containers, not 120",
 * "Update: the launch moved to 12 May", "Rui no longer eats fish") holds the old figure too, and
 * the old one names the question's words as well or better: the ranker put "Our volume forecast is
 * 120 containers for Q1" first and the correction fourth, and at 0.2 only the stale figure was kept
 * (review: "What is Harbor Foods' current Q1 volume forecast?"). A correction among the best lines
 * goes above them, whatever the question: it is the memory's last word on what they share.
 */
const CORRECTS = [
  // Said as a correction: "Correction:", "Update:", "Scratch that", "to correct ...", "corrected to".
  /(?:^|[.!?;:>\n-]\s*|\()(?:one |a |small |quick )?(?:correction|update[d]?|scratch that|to correct)\b/iu,
  /\bcorrected\s+(?:it\s+|that\s+)?to\b|\bchanged\s+(?:it\s+|that\s+)?to\b/i,
  // A reply setting the record right: "No, 3-17 is a fixed desk. I swapped you to 3-22", "You're
  // right, it's Tuesday 10 November" (review 5, F-13: a thread's correction lost to what it corrects).
  /\b(?:swapped|switched|moved)\s+(?:you|it|that|this|them|him|her)\s+to\b/i,
  /(?:^|[.!?]\s+)(?:you'?re|you are) right,?\s+(?:it'?s|it is|it was|that'?s|that is)\b/i,
  // A state that ended ("Rui no longer eats fish").
  /\bno longer\b/i,
  // A change noted where it was made: "Changed in 2019: we now use 7 g dried yeast instead of the
  // fresh cube", "Katrin's change: I use 100 g sugar instead of 125 g" (review 6: a family recipe
  // collection; "What changed in the plum cake recipe?" kept neither at 0.1). Said as a label with
  // what changed after it, not a heading ("Changes log:").
  /(?:^|[.!?;\n]\s*)(?:[-*•]\s+)?(?:\p{Lu}[\p{L}'’-]*['’]s\s+)?(?:changed?|changes)\b[^.:;!?\n]{0,30}:[ \t]*\S/iu,
  // A way done now in place of another: "we now use dried yeast instead of the fresh cube".
  /\bnow\b[^.;!?]{0,60}?\binstead of\b/i,
  // "is now 140 containers, not 120", "now goes to school in Lisbon, not Porto": a new value and the
  // old one denied, a figure or a name ("Now I am not sure" is no correction).
  // Also from a moment on ("From then on my address is Sopot, not Gdansk") and a word denied in lower
  // case ending its clause ("I'm pescatarian now, not vegetarian."; review 3: neither was read).
  new RegExp(
    String.raw`\b(?:[Nn]ow|[Ff]rom (?:then|now) on)\b[^.;!?]{0,60}?,\s*(?:not|no longer)\s+(?:\p{N}|\p{Lu}|${LOWER_DENIED}(?=[.,;!?)]|$))`,
    'u',
  ),
  // A plan that turned out otherwise: "Not Torshov in the end. I took a one-bedroom in Sagene",
  // "We went with Nando's after all, not Wagamama" (review 4: "Where does Ingrid live now?" kept the
  // flat she looked at and not the one she took, at 0.1). The name denied stands right before "in
  // the end" / "after all", or right after the "not" that follows them: "Not 100% sure it will work
  // out in the end" and "Not Everyone agreed in the end" deny nothing (re-read of session 30).
  /\b[Nn]ot\s+\p{Lu}[\p{L}'’-]*(?:\s+\p{Lu}[\p{L}'’-]*){0,2}\s+(?:in the end|after all)\b|\b(?:in the end|after all)\b[^.;!?]{0,60}?,?\s*not\s+\p{Lu}/u,
];
export const corrects = (text: string): boolean => CORRECTS.some((re) => re.test(text));

/**
 * The old value a correction denies: "now 140 containers, not 120" -> "120", "my address is Sopot,
 * not Gdansk" -> "Gdansk", "pescatarian now, not vegetarian." -> "vegetarian" (a word in lower case
 * only where it ends the clause: "not sure which" denies nothing).
 */
const DENIED = new RegExp(
  String.raw`\b(?:[Nn]ot|no longer|instead of)\s+(\p{N}[\p{N}.,]*\p{N}|\p{N}|\p{Lu}[\p{L}'-]+|${LOWER_DENIED}(?=[.,;!?)]|$))(?![\p{N}.,]*\p{N})`,
  'gu',
);

/** DENIED, for a test: no global state. */
const DENIED_ONE = new RegExp(DENIED.source, 'u');

/**
 * A correction that denies a value one of the best units states ("not 120" under "Our volume
 * forecast is 120 containers", "not Gdansk" under "I live in Gdansk") joins them wherever it
 * ranked, just above the best line it corrects: it is the memory's last word on that very line. The
 * window of the best alone missed it when the quoted lines around the stale figure ranked above it
 * (review: sixth, and the stale 120 was kept alone at 0.2); placed last of the best, it fell out of a
 * small budget that kept the stale line (review 3: "live Gdansk" kept, "my address is Sopot, not
 * Gdansk" not, at 0.1).
 */
function joinDenials(
  score: Float64Array,
  texts: readonly (string | null)[],
  query: string,
  under: ReadonlySet<number>,
): void {
  const order = rankedTexts(score, texts);
  const best = order.slice(0, BEST);
  if (best.length < BEST) return;
  const asked = new Set(terms(query));
  const own = Float64Array.from(score);
  /** Each correction denying a value of the best, with whether the question asks about that value. */
  const found: { k: number; above: number; asked: boolean }[] = [];
  for (const k of order) {
    const text = texts[k] as string;
    const own = corrects(text);
    if (!own && !(under.has(k) && terms(text).some((t) => asked.has(t)))) continue;
    const denied = [...text.matchAll(DENIED)].map((m) => m[1] as string);
    const at = (v: string) =>
      new RegExp(`(?<![\\p{L}\\p{N}.,])${v.replace(/[.]/g, '\\.')}(?![\\p{L}\\p{N}]|[.,]\\p{N})`, 'iu');
    // A sentence of a correction's block, with no marker of its own, replaces only a line it restates:
    // two words shared besides the value denied ("New return is TP 1358 ... (not Lisbon!)" over
    // "~~Return: TP 1352, Lisbon -> Berlin~~"), not any best line naming Lisbon on a Lisbon trip
    // ("Is breakfast included at the Porto hotel?" raised it over the hotels; review 6).
    const restates = (b: number) => {
      if (own) return true;
      const mine = new Set(terms(text.replace(DENIED, ' ')));
      return new Set(terms((texts[b] as string).replace(DENIED, ' ')).filter((t) => mine.has(t))).size >= 2;
    };
    const stale = best.filter((b) => b !== k && denied.some((v) => at(v).test(texts[b] as string)) && restates(b));
    if (!stale.length) continue;
    // The clause stating the old value names a word of the question ("I live in Gdansk" for "Where
    // does Tomasz live now?"): this correction, not another of the same line's values, answers it.
    const inAskedClause = stale.some((b) =>
      (texts[b] as string)
        .split(/[,;:.!?]\s+|\s+(?:and|but)\s+/u)
        .some((c) => denied.some((v) => at(v).test(c)) && terms(c).some((t) => asked.has(t))),
    );
    found.push({ k, above: maxOf(stale.map((b) => score[b] as number)) + 1e-6, asked: inAskedClause });
  }
  // Where the question names the old value's clause, only those corrections; else every one, each
  // above the line it corrects, two above one line in their own order.
  const raised = found.some((f) => f.asked) ? found.filter((f) => f.asked) : found;
  const low = minOf(raised.map((f) => own[f.k] as number));
  const high = maxOf(raised.map((f) => own[f.k] as number));
  for (const { k, above } of raised)
    if (above > (own[k] as number)) score[k] = above + (1e-6 * ((own[k] as number) - low + 1)) / (high - low + 1);
}

/** A question about the present, whose answer is the memory's last word on it. */
const ASKS_NOW = /\b(?:now|current(?:ly)?|these days|nowadays|at the moment|at present|anymore|any more)\b/i;

/** A state said to have ended at a month: "Lived in Portland, Oregon until January 2025". */
const ENDED_AT =
  /\b(?:until|till|up to)\s+((?:\d{1,2}\s+)?(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?,?\s+(?:19|20)\d{2})\b/iu;

/**
 * For a question about the present, a best line that says a state ended at a month ("Lived in
 * Portland until January 2025") brings the line that dates a change to that same month ("Moved with
 * Femi to a house in Milwaukie, Oregon on 15 January 2025") just above it: what the state ended
 * into is the answer, and it need not share the question's words (review 4: "Where does Cilla live
 * now?" kept the old city and her mother's at 0.1, not the move).
 */
function joinSuccessors(score: Float64Array, texts: readonly (string | null)[], query: string): void {
  if (!ASKS_NOW.test(query)) return;
  const order = rankedTexts(score, texts);
  // Words most lines say (a record's user id, a category) link nothing.
  const spread = new Map<string, number>();
  for (const k of order) for (const t of new Set(terms(texts[k] as string))) spread.set(t, (spread.get(t) ?? 0) + 1);
  const rare = (t: string) => !/^\d+$/.test(t) && (spread.get(t) ?? 0) <= Math.max(2, order.length / 5);
  for (const b of order.slice(0, BEST)) {
    const ended = ENDED_AT.exec(texts[b] as string)?.[1];
    if (!ended) continue;
    const when = queryDates(ended);
    const month = [...when.months][0];
    const year = [...when.years][0];
    if (!month || !year) continue;
    // Of what it said, less its date: the change shares a rare word with the state it ends
    // ("Oregon"), not only the month (a hobby stopped in January 2025).
    const said = new Set(terms((texts[b] as string).replace(ENDED_AT, ' ')).filter(rare));
    let next = -1;
    let shared = 0;
    for (const k of order) {
      const text = texts[k] as string;
      if (k === b || ENDED_AT.test(text)) continue;
      const dates = queryDates(text);
      if (!dates.months.has(month) || !dates.years.has(year)) continue;
      const n = new Set(terms(text).filter((t) => said.has(t))).size;
      // The one sharing most, the better ranked first among equals (order is best first).
      if (n > shared) {
        next = k;
        shared = n;
      }
    }
    if (next >= 0 && (score[next] as number) < (score[b] as number)) score[next] = (score[b] as number) + 1e-6;
  }
}

/**
 * A question about the present: "now" and its kin, or a verb in the present ("Where does Dan
 * work?", "What car does she have?"), with no year it is set in.
 */
const ASKS_PRESENT = /^\s*(?:\S+\s+){0,3}?(?:does|do|is|are|has|have)\b/i;
const asksPresent = (query: string) =>
  ASKS_NOW.test(query) ||
  (ASKS_PRESENT.test(query) && !/\b(?:19|20)\d{2}\b|\b(?:ago|last|previous|before)\b/i.test(query));

/**
 * A state left, with the name it was tied to: "Left Kestrel Logistics on 31 July 2026", "Returned
 * the Kestrel lease car", "I quit Acme", "moved out of Utrecht". Each verb written as it may open a
 * sentence or not: with the "i" flag \p{Lu} would match any letter. The name is what was left, not
 * a word of it: "Returned the Kestrel lease car" left no job at Kestrel (review 5: raised above
 * "stayed at Kestrel", it pushed the new job out).
 */
const DEPARTED =
  /\b(?:[Ll]eft|[Qq]uit|[Rr]esigned from|[Mm]oved (?:out of|away from)|[Ss]old|[Rr]eturned|[Gg]ave up|[Cc]ancell?ed|[Ss]topped working (?:at|for))\s+(?:(?:the|my|our|his|her|their)\s+)?(\p{Lu}[\p{L}'’-]+(?:\s+\p{Lu}[\p{L}'’-]+)*)(?=\s*(?:[.,;:!?)]|$)|\s+(?:on|in|at|after|before|for|last|this|and|but|to|since|when|because)\b)/gu;
/** Names of days and months: "left Monday morning" leaves no state. */
const CALENDAR_WORD =
  /^(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day$|^(?:January|February|March|April|May|June|July|August|September|October|November|December)$/;

/**
 * For a question about the present, a later line saying the state of a best line was left ("Works
 * as a backend developer at Kestrel Logistics" -> "Left Kestrel Logistics on 31 July 2026. New job
 * from 1 September 2026: staff engineer at Veldwerk Energy") goes just above it: what came after is
 * the answer, and it need not share the question's words (review 5, F-14: "Where does Dan work?"
 * kept the old employer at 0.1 and not the new one).
 */
function joinDepartures(
  score: Float64Array,
  texts: readonly (string | null)[],
  query: string,
  names: ReadonlySet<string>,
): void {
  if (!asksPresent(query)) return;
  // The question's own names and the memory's speakers are in every best line: "Left Dan at the
  // airport" leaves no state of Dan's (re-read of session 31).
  const asked = new Set([...query.matchAll(/\p{Lu}[\p{L}'’-]+/gu)].map((m) => m[0].toLowerCase()));
  const order = rankedTexts(score, texts);
  for (const b of order.slice(0, BEST)) {
    const stated = texts[b] as string;
    let next = -1;
    for (let k = b + 1; k < texts.length && next < 0; k++) {
      const text = texts[k];
      if (text == null) continue;
      for (const m of text.matchAll(DEPARTED)) {
        const name = m[1] as string;
        const lower = name.toLowerCase();
        if (CALENDAR_WORD.test(name) || asked.has(lower) || names.has(lower)) continue;
        // The state is where or with whom one is: "at Kestrel Logistics", "in Utrecht", "with Femi".
        const at = `(?:at|for|with|in|from|of|near)\\s+(?:the\\s+)?`;
        if (new RegExp(`${at}${name.replace(/[’']/g, "['’]")}(?![\\p{L}\\p{N}])`, 'u').test(stated)) {
          next = k;
          break;
        }
      }
    }
    if (next >= 0 && (score[next] as number) < (score[b] as number)) score[next] = (score[b] as number) + 1e-6;
  }
}

/**
 * Raises the corrections among the best texts (raise-best.ts), `names` left out of the question's
 * terms; `under` holds the indices of texts that correct as part of a correction said before them
 * (correctionBlocks).
 */
export function raiseCorrections(
  score: Float64Array,
  texts: readonly (string | null)[],
  query: string,
  names: ReadonlySet<string> = new Set(),
  under: ReadonlySet<number> = new Set(),
): void {
  joinDenials(score, texts, query, under);
  joinSuccessors(score, texts, query);
  joinDepartures(score, texts, query, names);
  // "now", "current", "latest" ask for the last word, which every correction is: they tell none
  // from another (review 3: "Where does Tomasz live now?" raised the diet's "pescatarian now").
  const asked = query.replace(/\b(?:now|current(?:ly)?|latest|still)\b/giu, ' ');
  // A block's later sentence is raised among the best only where it denies a value itself ("New
  // return is TP 1358 from Porto OPO (not Lisbon!)"): its other sentences' words are any fact's
  // ("Checked bag still included" for "Is breakfast included at the Porto hotel?").
  const denying = new Set([...under].flatMap((k) => (DENIED_ONE.test(texts[k] ?? '') ? [texts[k]] : [])));
  raiseAmongBest(score, texts, asked, (text) => corrects(text) || denying.has(text), names);
}

/**
 * A sentence opening its paragraph or list item as a correction: "UPDATE 12 May: return moved.",
 * "Correction:", "**Update:**", "Updated - ...": the word in capitals, or before a colon or a dash
 * within a few words. "Update the router firmware" and "Updated README" are no such opening (re-read
 * of session 32).
 */
const OPENS_CORRECTION =
  /^(?:[-*•]\s+|\d+[.)]\s+)?(?:\*\*)?(?:(?:[Oo]ne |[Aa] |[Ss]mall |[Qq]uick )?(?:[Cc]orrection|[Uu]pdated?)(?:\s[^:\n.]{0,25})?\s*(?::|—|–|\s-\s)|(?:CORRECTION|UPDATED?)\b)/u;

/** The later sentences a correction block holds: "UPDATE 12 May: return moved. ... New return is ...". */
const BLOCK_SENTENCES = 4;

/**
 * The units that correct as part of the block a correction opens: the next sentences of a
 * paragraph or list item whose first sentence says it is one ("- UPDATE 12 May: return moved. TAP
 * cancelled the Sunday evening flight. New return is TP 1358 from Porto OPO (not Lisbon!) on Mon
 * 16 June, departs 11:05."). The new value stands in them, the marker only in the first (review 6:
 * "When does our return flight leave?" kept the struck-out old flight and the update's first two
 * sentences, not the new flight, at 0.2 and 0.1).
 */
export function correctionBlocks(memory: ParsedMemory): Set<number> {
  const out = new Set<number>();
  for (const u of memory.units) {
    if (!u.first || u.pinned || u.kind === 'code' || u.kind === 'turn') continue;
    if (!OPENS_CORRECTION.test(u.text.trim())) continue;
    for (let j = u.index + 1; j < memory.units.length && j <= u.index + BLOCK_SENTENCES; j++) {
      const next = memory.units[j];
      if (!next || next.turn !== u.turn || next.first) break;
      out.add(j);
    }
  }
  return out;
}

/** Raises the corrections among a memory's best units. */
export function rankCorrections(score: Float64Array, memory: ParsedMemory, query: string): void {
  const { texts, speakers } = unitTexts(memory);
  raiseCorrections(score, texts, query, speakers, correctionBlocks(memory));
}
