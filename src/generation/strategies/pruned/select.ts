import { InputError } from '../../../errors/index.ts';
import { prefixTaker } from '../../../util/prefix-budget.ts';
import { HEADER_LINE, markupSpans } from '../../protect.ts';
import { criticalChangeLines, recordsDecision } from './changes.ts';
import { CJK_INTOLERANCE } from './cjk-safety.ts';
import { namesAllergen } from './clinical.ts';
import { fixedPhraseBonds } from './fixed-phrases.ts';
import { completeBareItems, completeBareSentences, itemVerbUnits, procedureSteps } from './items.ts';
import {
  ALLERGY,
  bare,
  CAPS_HEADING,
  DIET_HABIT,
  FUNCTION_WORDS,
  holdsNegation,
  isClosedClass,
  isConstraint,
  isInstruction,
  lowInformationTurns,
  safetySpans,
} from './lexicon.ts';
import { logLocks } from './log-lines.ts';
import {
  holdsSafetyFact,
  pieceHeadings,
  pieceLinks,
  plainHeadings,
  proseSentences,
  salienceCues,
  sectionLeads,
  sentenceWorth,
  settleLinks,
  titleLead,
} from './sentences.ts';
import { continuedLabels, continuesSpeaker, nextLive, settleLabels, turnSpeakers } from './speaker-labels.ts';
import { standingUnits } from './standing-lines.ts';
import { balancePairs, dropBareLabelLines, signatureBlocks, structureSpans } from './structure.ts';
import { TURN_MODEL } from './turn-model.ts';
import { announcesPlan, PLAN_ODDS, type TurnModel, turnFeatures, turnRank } from './turn-value.ts';
import type { PruneOptions, PruneResult, Scored, TextRange } from './types.ts';
import {
  dialogueTurns,
  dropBareLabels,
  lineMarkers,
  lineRanges,
  listItems,
  markupPairs,
  markupUnits,
  mergeSpans,
  protectedUnits,
  renderKept,
  TAG_LINE,
  type Turn,
  tagLineUnits,
  type Unit,
} from './units.ts';
import { vocativeUnits } from './vocatives.ts';

export function checkTarget(opts: PruneOptions): void {
  if (opts.ratio === undefined && opts.threshold === undefined)
    throw new InputError('pruned needs a ratio or a threshold', { field: 'ratio' });
  if (opts.ratio !== undefined && !(opts.ratio > 0 && opts.ratio <= 1))
    throw new InputError(`ratio must be in (0, 1], got ${opts.ratio}`, { field: 'ratio' });
}

/** Bonus (nats per o200k token) for a content word, and the share of the previous word's density it inherits. */
const CONTENT_BONUS = 4;
const CARRY = 1;
/**
 * Subtracted from a repeated word's density (nats per token), content and stock words alike: given
 * information, recoverable from its first mention, goes before any new word (but after the
 * closed-class glue). Without it (repeats only lost their bonus) the tuning sessions kept 100 of
 * 105 answers at keep 0.5 and 83 at keep 0.33; 8 to 30 kept 103 and 85, 99 kept 102 and 84.
 */
const GIVEN_PENALTY = 10;
/**
 * Bonus for an open-class word on the stock list (know, feel, great, happy): an answer is
 * sometimes one of them ("glad", "amazing"). 1 to 2 kept 100 of 105 answers at keep 0.5 on the
 * tuning sessions, 0 and 3 kept 99.
 */
const SOFT_BONUS = 1.5;
/** Subtracted from a closed-class word's density (nats per token): the glue goes before any content. */
const CLOSED_PENALTY = 100;

/**
 * Information per o200k token of each word: the sum of its tokens' surprisal (with a question,
 * plus how much knowing the question made each token more expected, LongLLMLingua's contrastive
 * perplexity) over its o200k tokens. Two corrections to raw surprisal, which a small model makes
 * too willing to drop predictable content ("mental *health*", "guinea *pig*"): content words get
 * a flat bonus, and a content word inherits how much more informative the word before it was, so
 * phrases stay whole. Closed-class words (lexicon.ts) rank below every other word, and any other
 * word said before in what is left of the text (`gone`: words of turns already dropped) loses
 * its bonus and ranks below the new ones (given, not new). With a question, lexical
 * relevance is added.
 */
export function wordDensity(scored: Scored, gone?: Uint8Array): Float64Array {
  const { text, units, cost, tokenOwner, surprisal, questionSurprisal, bonus } = scored;
  const raw = new Float64Array(units.length);
  for (let t = 0; t < tokenOwner.length; t++) {
    const w = tokenOwner[t] as number;
    let s = surprisal[t] as number;
    if (questionSurprisal) s += Math.max(0, s - (questionSurprisal[t] as number));
    raw[w] = (raw[w] as number) + s;
  }
  for (let i = 0; i < raw.length; i++) raw[i] = (raw[i] as number) / (cost[i] as number);
  const density = new Float64Array(units.length);
  const plain = !questionSurprisal && !bonus;
  // Given information: a content word said before in the text is recoverable from its first
  // mention; its repeats lose part of the content bonus.
  const seen = new Set<string>();
  for (let i = 0; i < units.length; i++) {
    const u = units[i] as Unit;
    const word = text.slice(u.word, u.end);
    const content = !FUNCTION_WORDS.has(bare(word));
    const here = raw[i] as number;
    const carried = content && i > 0 ? CARRY * Math.max(0, (raw[i - 1] as number) - here) : 0;
    const closed = isClosedClass(
      word,
      opensSentence(text, units, i),
      previousWord(text, units, i),
      nextWord(text, units, i),
    )
      ? CLOSED_PENALTY
      : 0;
    const key = bare(word);
    // With a question, only a repeated content word loses its bonus (as before the penalties
    // below were tuned, on text without a question).
    const given = (plain || content) && !closed && seen.has(key);
    // A word in a turn already dropped whole is no first mention: the reader never sees it.
    if (!closed && !gone?.[i]) seen.add(key);
    const classBonus = given ? 0 : content ? CONTENT_BONUS : SOFT_BONUS;
    const penalty = plain && given ? GIVEN_PENALTY : 0;
    density[i] = here + classBonus + carried + (bonus?.[i] ?? 0) - closed - penalty;
  }
  return density;
}

/**
 * The densities with each fixed phrase's words (`bonds`, fixed-phrases.ts) given the mean of their
 * own, a closed-class word's without its glue penalty: in "of course" the "of" is no glue, and the
 * phrase is worth what "course" is (its "of" counted as glue, "of course" went whatever it said).
 */
function bondDensity(scored: Scored, density: Float64Array, bonds: Int32Array): Float64Array {
  const { text, units } = scored;
  const sum = new Map<number, { total: number; n: number }>();
  for (let i = 0; i < units.length; i++) {
    const b = bonds[i] as number;
    if (b < 0) continue;
    const u = units[i] as Unit;
    const closed = isClosedClass(
      text.slice(u.word, u.end),
      opensSentence(text, units, i),
      previousWord(text, units, i),
      nextWord(text, units, i),
    );
    const s = sum.get(b) ?? { total: 0, n: 0 };
    s.total += (density[i] as number) + (closed ? CLOSED_PENALTY : 0);
    s.n++;
    sum.set(b, s);
  }
  if (!sum.size) return density;
  const out = Float64Array.from(density);
  for (let i = 0; i < units.length; i++) {
    const s = sum.get(bonds[i] as number);
    if (s) out[i] = s.total / s.n;
  }
  return out;
}

/** The word after unit `i` (empty at the end), for "every Tuesday" (lexicon.ts isClosedClass). */
function nextWord(text: string, units: readonly Unit[], i: number): string {
  const u = units[i + 1];
  return u ? text.slice(u.word, u.end) : '';
}

/** The word before unit `i` (empty at the start), for "9 am" (lexicon.ts isClosedClass). */
const previousWord = (text: string, units: readonly Unit[], i: number) => {
  const p = units[i - 1];
  return p ? text.slice(p.word, p.end) : '';
};

/** Whether word `i` opens a sentence (a capitalised closed-class word there is not a name). */
const opensSentence = (text: string, units: readonly Unit[], i: number) =>
  i === 0 || /[.!?:]["')\]]*$/.test(text.slice((units[i - 1] as Unit).word, (units[i - 1] as Unit).end));

/** A word's mentions (unit indices, in order) and the index of the first still in the text. */
interface Mentions {
  at: number[];
  next: number;
}

/**
 * What the turns left cost once thinned to what a reader cannot restore: speaker labels (one per
 * run of a speaker's turns left, `speaker-labels.ts`), protected words, and the first mention of
 * every word that is not closed-class (repeats and glue go at the word stage). `drop` removes a
 * turn and `restore` brings one back, each updating the cost in time linear in the turn (and in
 * the dropped turns next to it, for the labels).
 */
export function firstMentionCost(scored: Scored, turns: readonly Turn[], out0: Uint8Array) {
  const { text, units, cost, locked } = scored;
  const gone = Uint8Array.from(out0);
  const speakers = turnSpeakers(text, units, turns);
  const index = new Map(turns.map((t, k) => [t, k]));
  const live = turns.map((t) => !out0[t.first]);
  const label = new Uint8Array(units.length);
  for (const t of turns) for (let i = t.first; i <= t.labelEnd; i++) label[i] = 1;
  const labelCost = turns.map((t) => {
    let c = 0;
    for (let i = t.first; i <= t.labelEnd; i++) c += cost[i] as number;
    return c;
  });
  // A live turn's label counts unless the live turn before it is the same speaker's.
  const shown = (k: number) => (live[k] && !continuesSpeaker(speakers, live, k) ? (labelCost[k] as number) : 0);
  const always = new Uint8Array(units.length);
  const keyOf: (string | undefined)[] = new Array(units.length);
  const mentions = new Map<string, Mentions>();
  let total = 0;
  for (let k = 0; k < turns.length; k++) total += shown(k);
  for (let i = 0; i < units.length; i++) {
    if (label[i]) continue;
    const u = units[i] as Unit;
    const word = text.slice(u.word, u.end);
    if (locked[i]) {
      always[i] = 1;
      if (!gone[i]) total += cost[i] as number;
      continue;
    }
    if (isClosedClass(word, opensSentence(text, units, i), previousWord(text, units, i), nextWord(text, units, i)))
      continue;
    const key = bare(word);
    keyOf[i] = key;
    const m = mentions.get(key) ?? { at: [], next: 0 };
    m.at.push(i);
    mentions.set(key, m);
  }
  // The first mention still in the text, per word: its cost counts.
  const first = (m: Mentions) => {
    while (m.next < m.at.length && gone[m.at[m.next] as number]) m.next++;
    return m.at[m.next];
  };
  for (const m of mentions.values()) {
    const i = first(m);
    if (i !== undefined) total += cost[i] as number;
  }
  // Turn `k` in or out, with the label of the live turn after it recounted.
  const setLive = (k: number, on: boolean) => {
    const n = nextLive(speakers, live, k);
    total -= shown(k) + (n >= 0 ? shown(n) : 0);
    live[k] = on;
    total += shown(k) + (n >= 0 ? shown(n) : 0);
  };
  return {
    cost: () => total,
    drop(t: Turn) {
      const touched = new Set<string>();
      for (let i = t.labelEnd + 1; i <= t.last; i++) {
        if (gone[i]) continue;
        const key = keyOf[i];
        if (always[i]) total -= cost[i] as number;
        else if (key !== undefined && !touched.has(key) && first(mentions.get(key) as Mentions) === i) {
          total -= cost[i] as number;
          touched.add(key);
        }
        gone[i] = 1;
      }
      for (let i = t.first; i <= t.labelEnd; i++) gone[i] = 1;
      for (const key of touched) {
        const i = first(mentions.get(key) as Mentions);
        if (i !== undefined) total += cost[i] as number;
      }
      setLive(index.get(t) as number, false);
    },
    /** A dropped turn back: a word it says before the first mention left becomes the first. */
    restore(t: Turn) {
      if (out0[t.first]) return;
      for (let i = t.first; i <= t.last; i++) {
        if (!gone[i] || out0[i]) continue;
        gone[i] = 0;
        if (label[i]) continue;
        const key = keyOf[i];
        if (always[i]) total += cost[i] as number;
        if (key === undefined) continue;
        const m = mentions.get(key) as Mentions;
        const was = first(m);
        if (was !== undefined && was < i) continue;
        if (was !== undefined) total -= cost[was] as number;
        total += cost[i] as number;
        m.next = m.at.indexOf(i);
      }
      setLive(index.get(t) as number, true);
    },
  };
}

/**
 * Each turn's open-class tokens and new content words (`fresh`): a content word (neither
 * closed-class nor a stock function word) is new in the first turn still `live` that says it;
 * `holders` and `firstHolder` let a caller hand a dropped turn's new words on.
 */
export function turnNovelty(
  scored: Scored,
  turns: readonly Turn[],
  out0: Uint8Array,
  newestFirst = false,
  /** Turns that name what the others say (a document's title, its headings): a word is theirs last. */
  naming?: (k: number) => boolean,
) {
  const { text, units, cost } = scored;
  // Each content word's turns, in order (newest first with `newestFirst`); a word is new in the first
  // of them still in the text.
  const holders = new Map<string, Mentions>();
  const live = turns.map((t) => !out0[t.first]);
  const tokens = new Float64Array(turns.length);
  const keysOf = turns.map((t, k) => {
    const keys = new Set<string>();
    if (!live[k]) return keys;
    for (let i = t.labelEnd + 1; i <= t.last; i++) {
      const u = units[i] as Unit;
      const word = text.slice(u.word, u.end);
      if (isClosedClass(word, false)) continue;
      tokens[k] = (tokens[k] as number) + (cost[i] as number);
      const key = bare(word);
      if (!key || FUNCTION_WORDS.has(key) || keys.has(key)) continue;
      keys.add(key);
    }
    return keys;
  });
  const order = turns.map((_, k) => k);
  if (newestFirst) order.reverse();
  // A title names the thing its lead states something of ("PRODUCT RECALL: BrightHome 2000W Fan
  // Heater" over "BrightHome Ltd is recalling its 2000W Fan Heater, model FH-2000, because ..."): said
  // first in the title, the lead's words were no news, and the lead went first at keep 0.33
  // (session 36). A heading's word is new in it only when no other turn left says it.
  if (naming) order.sort((a, b) => Number(naming(a)) - Number(naming(b)));
  for (const k of order)
    for (const key of keysOf[k] as Set<string>) {
      const h = holders.get(key) ?? { at: [], next: 0 };
      h.at.push(k);
      holders.set(key, h);
    }
  const firstHolder = (h: Mentions) => {
    while (h.next < h.at.length && !live[h.at[h.next] as number]) h.next++;
    return h.at[h.next];
  };
  const fresh = new Float64Array(turns.length);
  for (const h of holders.values()) {
    const k = firstHolder(h);
    if (k !== undefined) fresh[k] = (fresh[k] as number) + 1;
  }
  return { live, tokens, fresh, keysOf, holders, firstHolder };
}

/**
 * Turns to drop whole, fewest new content words per open-class token first, until the turns left
 * (and not in `out0`) cost at most `keep` of the text's tokens once thinned to their first
 * mentions (labels, protected words, each word's first mention; `firstMentionCost`): a turn goes
 * only when thinning every turn could not keep every word at least once, and turns dropped go
 * back (last dropped first) while the budget still holds them. New: a content word (neither
 * closed-class nor a stock function word) not said in an earlier turn still in the text (a turn
 * dropped hands its new words to the next turn that says them); a turn's cost leaves out its
 * closed-class words, which go at the word stage whether or not it stays.
 *
 * With a turn model (the default, `TURN_MODEL`; `null` for novelty alone), the rate is multiplied
 * by the odds the model gives a turn of holding a fact later asked about, its novelty and size
 * aside (`turnRank`): a first-person past event, a number or a name outranks a question to the
 * other person at the same novelty. Fitted and cross-validated on conversations 1-3 by
 * bench/turn-value-fit.ts (variants and numbers there): evidence turns kept by this drop at keep
 * 0.33 over all their sessions, each conversation ranked by a model fitted on the other two, 242
 * -> 266 of 313, answers kept at keep 0.33 94 -> 94 of 105; held out (4-5, looked at after the
 * choice) 56 -> 57 of 69. A turn that sets or changes a plan (`announcesPlan`: a time of day,
 * "moved", "cancelled", "heads up") has its rank multiplied by PLAN_ODDS, set by hand: the model
 * values personal news, and a team chat's small talk outranked its deploy moving (review).
 *
 * Novelty alone was chosen on LoCoMo conversations 1-3 (odd sessions, bench/memory.ts), answers kept of 105 at keep
 * 0.33 / 0.5. The rule before (dropping below keep 0.45 until the words left were at most
 * keep / 0.55 of the text, cost all body tokens, new = first said in text order): 90 / 103. This
 * stop with all body tokens: 90; closed-class words left out of a turn's cost: 92, and at keep 0.5
 * too: 104; turns given back while they fit: 93; a word new in the first turn left that says it
 * (rather than the first in the text): 94. Stopping at 0.95 or 1.05 of the budget: 90 and 87.
 * Not adopted: a turn's cost as its thinned cost (label, protected words, first mentions: 84;
 * without the label: 82), leaving stock words (know, great) out of the first mentions (82 / 103),
 * and, under the rule before, fresh / tokens^a (a = 0.5, 0.8, 1.2, 1.5: 88, 88, 89, 86), new stock
 * words worth 0.25, 0.5, 1 of a content word (91, 89, 87), names and numbers counted double (88),
 * valuing only words no other turn left holds (88), dropping sentences instead of turns (82 to
 * 87), and choosing turns and words together by a price per token with each label as a turn's
 * fixed cost (Lagrangian; 74 to 88).
 */
export function leastNewTurns(
  scored: Scored,
  turns: readonly Turn[],
  out0: Uint8Array,
  keep: number,
  model: TurnModel | null = TURN_MODEL,
  /** Turns that never go whole (a span the caller marked, an allergy): the others go in their place. */
  stays: (k: number) => boolean = () => false,
  /**
   * A list of facts: a word is new in the last item that says it. A later fact repeating an earlier
   * one's words is an update ("Ana moved back to Lisbon; she now goes to school in Lisbon, not
   * Porto" after "Ana started school in Porto"), and the older one is what says nothing new.
   */
  newestFirst = false,
  /**
   * What each turn is worth beside its novelty, a factor on its rank: a document's sentence holding
   * a deadline or a negation outranks its boilerplate (sentences.ts `sentenceWorth`).
   */
  worth?: (k: number) => number,
  /** Turns that name what the others say (`turnNovelty`). */
  naming?: (k: number) => boolean,
): number[] {
  const { units, cost } = scored;
  let all = 0;
  for (let i = 0; i < units.length; i++) all += cost[i] as number;
  const { live, tokens, fresh, keysOf, holders, firstHolder } = turnNovelty(scored, turns, out0, newestFirst, naming);
  const rows = model ? turnFeatures(scored.text, units, turns, cost) : [];
  // A turn that sets or changes a plan (a time, "moved", "cancelled", "heads up") outranks personal
  // news, which the model (fitted on chats between friends) values most (turn-value.ts).
  const plans = model
    ? turns.map((t) =>
        announcesPlan(scored.text.slice((units[t.labelEnd + 1] as Unit).word, (units[t.last] as Unit).end)),
      )
    : [];
  const rank = (k: number) => {
    const rate = ((fresh[k] as number) / Math.max(1, tokens[k] as number)) * (worth ? worth(k) : 1);
    if (!model) return rate;
    return turnRank(model, rows[k] as Float64Array, rate) * (plans[k] ? PLAN_ODDS : 1);
  };
  // Counted in words' own costs on both sides (they sum to a little more than the joined text's).
  const target = keep * all;
  const left = firstMentionCost(scored, turns, out0);
  const out: number[] = [];
  // One turn always stays: past that, the budget is met by thinning words. Dropping the last turn
  // left nothing of a one-line text (a memory entry, a distil source) at keep 0.5.
  let liveTurns = 0;
  for (let k = 0; k < turns.length; k++) if (live[k]) liveTurns++;
  while (left.cost() > target && liveTurns > 1) {
    let worst = -1;
    let worstRate = Number.POSITIVE_INFINITY;
    for (let k = 0; k < turns.length; k++) {
      if (!live[k] || stays(k)) continue;
      const rate = rank(k);
      if (rate < worstRate) {
        worstRate = rate;
        worst = k;
      }
    }
    if (worst < 0) break;
    live[worst] = false;
    liveTurns--;
    // Its new words become new in the next turn that says them.
    for (const key of keysOf[worst] as Set<string>) {
      const h = holders.get(key) as Mentions;
      if (h.at[h.next] !== worst) continue;
      const k = firstHolder(h);
      if (k !== undefined) fresh[k] = (fresh[k] as number) + 1;
    }
    left.drop(turns[worst] as Turn);
    out.push(worst);
  }
  // The last turn dropped can overshoot: turns go back, last dropped first, while the budget
  // still holds their first mentions.
  for (const k of [...out].reverse()) {
    const t = turns[k] as Turn;
    left.restore(t);
    if (left.cost() <= target) out.splice(out.indexOf(k), 1);
    else left.drop(t);
  }
  return out;
}

/**
 * Keeps the protected words, then free words by information per token (highest first, ties in
 * text order) until the ratio is met, or every word at or above the threshold. Pure.
 */
/**
 * A message's header field: what it is about and who wrote it to whom. A profile's fields ("Music:
 * plays the cello") stay droppable, or all would be thinned to stubs (review).
 */
const MESSAGE_FIELD = /^(?:From|To|Cc|Bcc|Subject|Date|Sent|Reply-To):$/i;

/** A list item's label that holds a date ("- 2024-09-09:", "[2024-02-11]."). */
const DATED_LABEL = /\d{4}-\d{2}-\d{2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}/;

/** How many words a field's value may run to; past it, what follows a label is prose. */
const FIELD_MAX_WORDS = 25;

/**
 * Whether a label's value is prose: two sentences or more, or more words than a field's value runs
 * to ("Problema: la viga no llega hasta el 2 de abril. La obra se para ...").
 */
export function isProse(value: string): boolean {
  const sentences = value.match(/[.!?]["')\]]*[ \t]+(?=[\p{Lu}\p{N}¿¡"(])/gu)?.length ?? 0;
  return sentences >= 1 || (value.match(/\S+/g)?.length ?? 0) > FIELD_MAX_WORDS;
}

/** How many words a field's value that names a fact may run to (a record of a few fields on one line). */
const FACT_FIELD_MAX_WORDS = 12;
/**
 * A value's first word that is a fact: a number, an amount, a date or a code ("HC-4471-0932-IE",
 * "9HT2RX", "EUR 65,000", "01/02/2025"), a handle ("@lena-k"), a code in capitals ("KLM").
 */
const FACT_HEAD = /^(?:\**)?(?:[^\s]*\d|@[\w.-]|[€$£¥]|\p{Lu}{3,}(?![\p{Ll}]))/u;
/** A name of two capitalised words or more at the head of a value ("Marta Kowalczyk", "Liffey Mutual ..."). */
const NAME_HEAD = /^(?:\**)?\p{Lu}[\p{Ll}'’-]+\.?[ \t]+(?:\p{Lu}[\p{Ll}'’-]+|\p{Lu}\.)/u;

/**
 * Whether a field's short value names a fact the reader needs: it opens with an identifier, a code,
 * an amount, a date or a name ("Policy number: HC-4471-0932-IE", "Standard excess: EUR 250 per
 * claim", "Owner: Jonas Okafor | SE: Mei Lin"). Such a line is no field that says little (review 3:
 * a policy's number, period and limits, a lab report's patient line and a deal's owner went whole
 * at keep 0.5). On a record line ("Owner: Jonas Okafor | SE: Mei Lin") the first field is read. A
 * profile's longer fields ("Pet: a grey cat called Miso ...") stay droppable.
 */
export function namesFact(value: string): boolean {
  // A record's first field is the value; the fields after its separators are counted apart.
  const first = value.split(FIELD_SEPARATOR)[0] as string;
  const words = first.match(/\S+/g) ?? [];
  if (!words.length || words.length > FACT_FIELD_MAX_WORDS) return false;
  if (FACT_HEAD.test(first)) return true;
  // A name's first word is no closed-class word, day or month, nor a to-do's verb ("The Board
  // approved ...", "Next Monday we go ...", "Call Mom tomorrow": review of the session).
  const head = bare(words[0]?.replace(/^\*+/, '') ?? '');
  return NAME_HEAD.test(first) && !isClosedClass(head, false) && !NOT_NAME_HEAD.has(head);
}

/** Words that open a note's sentence, not a name: days, months, and a to-do's verbs. */
const NOT_NAME_HEAD: ReadonlySet<string> = new Set(
  'next last this every monday tuesday wednesday thursday friday saturday sunday january february march april may june july august september october november december call email text ask tell send buy book pay pick meet check ring remind'.split(
    ' ',
  ),
);

/** The separator of a record's fields on one line ("Owner: Jonas Okafor | SE: Mei Lin | Stage: Negotiation"). */
const FIELD_SEPARATOR = /[ \t]+[|·•][ \t]+/u;
/** A field of a record after a separator, label and short value ("SE: none yet", "Stage: Closed Won"). */
const INNER_FIELD = /^[\p{Lu}][\p{L}\p{N} ()/&'-]{0,30}:[ \t]+\S+(?:[ \t]+\S+){0,3}$/u;

/**
 * The selection as `studio compress` and the candidates make it: `selectWords`, then, when its text
 * is over the cap (`maxTokens`, or the ratio asked and RATIO_OVERSHOOT of it), the ratio asked
 * again until it fits. Words given back after the selection (a bare list item's object, a sentence
 * thinned to its verb: items.ts) had pushed a prose text asked 0.3 to 0.317 (session 38).
 * Out = F + r x (T - F), F the markup and the protected words, kept whatever: F read off the last
 * selection, the ratio asked again for the words left under the cap (a few rounds: an element
 * emptied of its words goes with its tags, so F falls too). The first selection that fits keeps the
 * most words under the cap; when none does, the smallest one is kept.
 */
export function selectMeetingTarget(
  given: Scored,
  opts: Pick<PruneOptions, 'ratio' | 'threshold' | 'maxTokens'>,
  o200k: (s: string) => number,
  turnModel: TurnModel | null = TURN_MODEL,
): Omit<PruneResult, 'seconds'> {
  let result = selectWords(given, opts, o200k, turnModel);
  if (opts.ratio === undefined || opts.ratio >= 1) return result;
  const total = result.totalTokens;
  const cap = opts.maxTokens ?? Math.floor(opts.ratio * (1 + RATIO_OVERSHOOT) * total);
  if (result.keptTokens <= cap) return result;
  let ratio = opts.ratio;
  let smallest = result;
  for (let round = 0; round < 8 && ratio > MIN_RATIO; round++) {
    const fixed = Math.max(0, (result.keptTokens - ratio * total) / (1 - ratio));
    const next = fixed >= cap || total <= fixed ? MIN_RATIO : ((cap - fixed) / (total - fixed)) * 0.98;
    ratio = Math.max(MIN_RATIO, Math.min(ratio - 0.005, next));
    result = selectWords(given, { ratio }, o200k, turnModel);
    if (result.keptTokens <= cap) return result;
    if (result.keptTokens < smallest.keptTokens) smallest = result;
  }
  return smallest;
}

/** The least share of the words a token cap asks for (a ratio must stay above 0). */
const MIN_RATIO = 0.01;

/**
 * The units to lock of each field that names a fact (`namesFact`): its label, its value's head
 * ("Author: @lena-k", "Owner: Jonas Okafor", "Policy number: HC-4471-0932-IE") and, on a record
 * line, each further short field whole with the separator before it ("| SE: none yet | Stage:
 * Qualification"). Thinned word by word, such a line kept its other words and lost the label or
 * the name it is about (review 3: "Author: @lena-k · Base: ..." read "Base: ...", "Owner: Tom
 * Fairley | SE: none yet" read "Owner: Tom Fairley SE:").
 */
function factFieldHeads(text: string, units: readonly Unit[], turns: readonly Turn[]): number[] {
  const out: number[] = [];
  for (const t of turns) {
    if (!t.field || t.labelEnd >= t.last) continue;
    const from = (units[t.labelEnd + 1] as Unit).word;
    const value = text.slice(from, (units[t.last] as Unit).end);
    if (!namesFact(value)) continue;
    const head = NAME_HEAD.test(value) ? 2 : 1;
    for (let i = t.first; i <= Math.min(t.last, t.labelEnd + head); i++) out.push(i);
    // The record's further fields, each from its separator to the next.
    const parts = value.split(FIELD_SEPARATOR);
    let at = from + (parts[0] as string).length;
    for (const part of parts.slice(1)) {
      const start = text.indexOf(part, at);
      const end = start + part.length;
      if (INNER_FIELD.test(part.trim()))
        for (let i = t.labelEnd + 1; i <= t.last; i++) {
          const u = units[i] as Unit;
          if (u.end > at && u.word < end) out.push(i);
        }
      at = end;
    }
  }
  return out;
}

export function selectWords(
  given: Scored,
  opts: Pick<PruneOptions, 'ratio' | 'threshold'>,
  o200k: (s: string) => number,
  turnModel: TurnModel | null = TURN_MODEL,
): Omit<PruneResult, 'seconds'> {
  const { text, units, totalTokens, modelTokens } = given;
  // Whole low-information turns (greetings, thanks, near-repeats) go before any word is pruned:
  // their words, protected ones included, are never candidates when a ratio is asked. A list of
  // facts is read as turns too, its markers as their labels (kept as protected words are), and
  // the tags framing a memory stay.
  const lines = lineRanges(text, units);
  const dialogue = dialogueTurns(text, units, lines);
  const turns = dialogue.length ? dialogue : listItems(text, units, lines);
  // Each heading's or list item's marker that is no turn's label is kept as a label is: in a
  // document, and in a turn's own lines (a reply's list), so a kept line keeps its bullet.
  const labels = new Uint8Array(units.length);
  for (const t of turns) labels.fill(1, t.first, t.labelEnd + 1);
  const markers = lineMarkers(text, units, lines).filter(([m]) => !labels[m]);
  const frame = tagLineUnits(text, units, lines);
  // Markup tags inside prose (`<p>`, `</b>`) stay, and the ratio is asked of the words: in an HTML
  // snippet whose tags are half its tokens, keep 0.5 of the whole would leave no word at all.
  const tags = markupUnits(text, units);
  // Tags, the elements kept whole and Markdown tables: kept whatever, counted apart.
  const markup = protectedUnits(units, mergeSpans(markupSpans(text)));
  for (const i of [...frame, ...tags]) markup[i] = 1;
  // A list's standing instructions and constraints keep their verb and objects (standing-lines.ts).
  const standing = dialogue.length === 0 ? standingUnits(text, units, turns) : [];
  // A document's structure (structure.ts): kept whole, and a turn holding it never goes whole; a
  // field's short value (not in a dialogue, whose labels are speakers) goes with its label.
  const chat = dialogue.some((t) => !t.field);
  const structure = structureSpans(text);
  const ratioMode = opts.ratio !== undefined && opts.ratio < 1;
  const whole = protectedUnits(units, mergeSpans(structure.whole));
  const values = chat ? new Uint8Array(units.length) : protectedUnits(units, mergeSpans(structure.values));
  // A prose document (no chat; sentences outside its fields and list): its sentences and list items
  // go whole, least informative first, before words (sentences.ts), and its plain headings
  // ("Summary", "Decisions this week") stay while they head something kept.
  const headings = chat || !ratioMode ? [] : plainHeadings(text, units, lines);
  const headingStarts = new Set(headings.map(([f]) => f));
  const keptWhole = Uint8Array.from(markup, (m, i) => m | (whole[i] as number));
  const sentences = chat || !ratioMode ? [] : proseSentences(text, units, lines, turns, headingStarts, keptWhole);
  // A log's lines are read by their own rules (log-lines.ts), and a text of a few sentences loses
  // too much with one: it is thinned word by word, as before.
  const logs = logLocks(text, units, lines);
  // A document's sentence under an "Allergies" heading keeps every word, whichever way the document
  // is pruned (one naming an allergy locks its words already, lexicon.ts safetySpans): thinned by
  // words, "Shellfish makes her swell up." read "swell" (re-read of session 34). Not every sentence
  // the prose path keeps whole (sentences.ts holdsSafetyFact): locked in LoCoMo's session summaries,
  // its standing orders and "avoid"s cost 5 of 94 answers at keep 0.33.
  // A prose document's pieces: its turns (fields, items) and its sentences, in text order, each with
  // the heading it sits under.
  const candidate = sentences.length >= PROSE_MIN_PIECES && logs.length === 0;
  const pieces = candidate ? [...turns, ...sentences].sort((a, b) => a.first - b.first) : [];
  const sections = candidate ? pieceHeadings(text, units, lines, pieces, headingStarts) : [];
  const isSentence = new Set(sentences);
  const safetySentences: number[] = [];
  pieces.forEach((p, k) => {
    if (isSentence.has(p) && ALLERGY.test(sections[k] ?? ''))
      for (let i = p.labelEnd + 1; i <= p.last; i++) safetySentences.push(i);
  });
  const base = lockFrame(
    given,
    turns,
    [...frame, ...tags],
    markers.map(([m]) => m),
    [
      ...standing,
      ...[...whole.keys()].filter((i) => whole[i] || values[i]),
      ...factFieldHeads(text, units, turns),
      ...logs,
      ...safetySentences,
    ],
  );
  // Only where its locked words alone are over the budget: there thinning cannot meet the ratio (a
  // status report's negations, figures and names were 60-64 % of it). Where they fit, words go as
  // before: on LoCoMo's session summaries (bench memory-prose), sentences dropped whatever the locks
  // kept 80 / 53 of 91 and 70 / 47 of 94 answers at keep 0.5 / 0.33 against thinning's 76 / 58 and
  // 73 / 58; so gated, 76 / 58 and 73 / 58, and the status report, minutes, tenancy and discharge
  // summary still meet 0.5 and 0.33 (48-51 %, 29-32 % kept).
  const prose = candidate && lockedCost(base) > (opts.ratio as number) * totalTokens;
  const headingUnits = prose ? headings.flatMap(([f, l]) => Array.from({ length: l - f + 1 }, (_, k) => f + k)) : [];
  const framed = lockFrame(base, [], [], [], headingUnits);
  // A list item's instruction with its quantity ("Simmer ... 90 minutes"), once the rest is locked,
  // and a procedure's steps (never dropped whole, below) with their first word, their instruction:
  // a step with nothing locked was thinned to its bare number and went.
  const steps = procedureSteps(text, units, lines, headingStarts);
  const scored = lockFrame(
    framed,
    [],
    [],
    [],
    [...itemVerbUnits(text, units, lines, framed.locked), ...[...steps].map((first) => first + 1)],
  );
  const out0 = new Uint8Array(units.length);
  const dropTurn = (t: Turn) => {
    for (let i = t.first; i <= t.last; i++) out0[i] = 1;
  };
  // An email's signatures go first, whole: the block of each mail that says least (structure.ts).
  const signatures = ratioMode ? signatureBlocks(text) : [];
  for (const r of signatures)
    for (let i = 0; i < units.length; i++)
      if ((units[i] as Unit).word >= r.start && (units[i] as Unit).end <= r.end) out0[i] = 1;
  // A turn holding a span the caller marked, or an allergy or intolerance (lexicon.ts safetySpans,
  // ALLERGY), never goes whole: its words stay candidates (review: a WhatsApp chat's "also I'm
  // allergic to shellfish, remind me to tell the waiter" went as a turn that said little new).
  // In a list of facts, a diet, a condition, a standing instruction and a constraint (a negated day
  // or time, a cap on a number: lexicon.ts isConstraint) too: each line is a fact the
  // assistant acts on (review: "User is vegan", "User does not eat pork", "User prefers answers in
  // Dutch" went first at keep 0.5). In dialogue only an allergy: a chat about a vegan restaurant says
  // "vegan" in every turn.
  const list = dialogue.length === 0;
  // A list of dated facts (half its items at least): a log of what changed, where a later item
  // corrects an earlier one. Undated lists of facts (LoCoMo's, bench memory-facts) are read as before.
  const dated =
    list &&
    turns.length >= 3 &&
    turns.filter((t) => DATED_LABEL.test(text.slice((units[t.first] as Unit).word, (units[t.labelEnd] as Unit).end)))
      .length *
      2 >=
      turns.length;
  const safe = protectedUnits(
    units,
    safetySpans(text).filter((span) => list || ALLERGY.test(text.slice(span.start, span.end))),
  );
  if (list)
    for (const t of turns) {
      const line = text.slice((units[t.first] as Unit).word, (units[t.last] as Unit).end);
      // A fact that denies or forbids ("she now goes to school in Lisbon, not Porto", "do not suggest
      // work tasks during that time") is often the correction of an earlier one, or a rule (review 2:
      // an assistant's dated memory kept "Ana started school in Porto" and dropped both at keep 0.5).
      // An allergen ("Contains nuts (almonds)") is a safety fact as an allergy is (clinical.ts).
      if (
        isInstruction(line) ||
        isConstraint(line) ||
        DIET_HABIT.test(line) ||
        namesAllergen(line) ||
        (dated && holdsNegation(line))
      )
        safe[t.first] = 1;
    }
  // Of the labelled lines that make no dialogue (a document's fields), a message's header fields (an
  // email's From, To and Subject) are never dropped whole as turns that say little (review: an email
  // lost its From and To lines, its sender and recipient, at keep 0.5).
  // Nor is a label before a paragraph of sentences: that is prose, not a field that says little
  // (review: a diary's "Problema: la viga ... no llega hasta el 2 de abril. La obra se para ..." went
  // whole at keep 0.5). Its words are thinned as any paragraph's.
  const critical = criticalChangeLines(text);
  const holdsMark = (t: number, stepStays = true) => {
    const turn = turns[t] as Turn;
    if ((stepStays && steps.has(turn.first)) || whole[turn.first]) return true;
    // A decision said by its label ("Decision: ship 2.4 on 17 March"), in minutes read as a list or
    // as a dialogue (their action items' "Aisha: ..." read as speakers): changes.ts.
    if (recordsDecision(text.slice((units[turn.first] as Unit).word, (units[turn.last] as Unit).end))) return true;
    // Nor a changelog's breaking change, removal or security fix (changes.ts).
    if (critical.has((units[turn.first] as Unit).word)) return true;
    if (chat && CJK_INTOLERANCE.test(text.slice((units[turn.first] as Unit).word, (units[turn.last] as Unit).end)))
      return true;
    if (
      turn.field &&
      (MESSAGE_FIELD.test(text.slice((units[turn.first] as Unit).word, (units[turn.labelEnd] as Unit).end)) ||
        isProse(text.slice((units[turn.labelEnd + 1] as Unit).word, (units[turn.last] as Unit).end)) ||
        namesFact(text.slice((units[turn.labelEnd + 1] as Unit).word, (units[turn.last] as Unit).end)))
    )
      return true;
    for (let i = turn.first; i <= turn.last; i++) if (scored.marked?.[i] || safe[i]) return true;
    return false;
  };
  if (ratioMode) for (const t of lowInformationTurns(text, units, turns)) if (!holdsMark(t)) dropTurn(turns[t] as Turn);
  // A document's list items beside its sentences (a recipe's ingredients beside its method and
  // notes) go whole only if that can meet the budget: its sentences never go whole here, and when
  // they alone, thinned to first mentions, are over the budget, the words are thinned to meet it
  // anyway. Before, every droppable item went in vain (session 36: a recipe whose steps stay lost all
  // its ingredients at keep 0.5, its heading left bare).
  const itemsCanMeetBudget = () => {
    const mentions = firstMentionCost(scored, turns, out0);
    turns.forEach((t, k) => {
      if (!holdsMark(k)) mentions.drop(t);
    });
    let all = 0;
    for (let i = 0; i < units.length; i++) all += scored.cost[i] as number;
    return mentions.cost() <= (opts.ratio as number) * all;
  };
  // When the budget cannot hold every word once, whole turns that say least that is new go, rather
  // than every turn thinned until no answer is whole.
  // A prose document's pieces: repeats and small talk among the sentences go first, as
  // low-information turns do; then the pieces that say least that is new for what they are worth (a
  // fact outranks boilerplate), without the turn model, which was fitted on chats between friends.
  if (prose) {
    const ofTurn = new Map(turns.map((t, k) => [t, k]));
    const bodyOf = (t: Turn) => text.slice((units[t.labelEnd + 1] as Unit).word, (units[t.last] as Unit).end);
    // Read once per piece: leastNewTurns asks at every drop, and the safety regexes read each piece
    // again each time (8,000 sentences took 4.5 s, 16,000 took 18 s).
    // A report's front fields, between its title and its first section ("Owner: Daniel Kowalski",
    // "Sponsor: Operations Director", "Project: <the title again>"), say who and what the title said,
    // not what happened: kept whole, they took half of a status report's budget at keep 0.33 and its
    // body's facts went (session 36). They compete as framing does; not its status, its date, a
    // message's header, nor one that holds a figure.
    const fieldStarts = new Set(turns.filter((t) => t.field).map((t) => t.first));
    // Only under a title on the text's first line.
    const titled = headings[0] !== undefined && headings[0][0] === lines[0]?.[0];
    const bodyStart = titled
      ? (headings.find(([f]) => f > (headings[0]?.[0] ?? -1) && !fieldStarts.has(f))?.[0] ?? -1)
      : -1;
    const framing = pieces.map((p) => {
      if (!p.field || bodyStart < 0 || p.first > bodyStart || p.first === headings[0]?.[0]) return false;
      const label = text.slice((units[p.first] as Unit).word, (units[p.labelEnd] as Unit).end);
      return !FRONT_KEPT.test(label) && !/\d/.test(bodyOf(p)) && salienceCues(bodyOf(p)) === 0;
    });
    // Only where they would take a good share of the budget: at keep 0.5 a discharge summary's
    // "Attending: Dr. R. Okafor (Cardiology)" is cheap beside its body and stays.
    let frontCost = 0;
    pieces.forEach((p, k) => {
      if (framing[k]) for (let i = p.first; i <= p.last; i++) frontCost += scored.cost[i] as number;
    });
    const frontYields = frontCost > FRONT_SHARE * (opts.ratio as number) * totalTokens;
    const frontField = (k: number) => frontYields && framing[k] === true;
    // A titled notice's statement of what it is for stays, thinned (sentences.ts titleLead), where
    // its locked words take a small share of the budget: a lead of dates and codes that takes half
    // of it left the locked words over the budget, and the notice's "Stop using ..." went.
    const headed = (k: number) => headingStarts.has((pieces[k] as Turn).first);
    const named = titled
      ? titleLead(pieces.map(bodyOf), sections, sectionLeads(pieces.map(bodyOf), sections, headed), sections[0] ?? '')
      : -1;
    let leadLocked = 0;
    const namedPiece = pieces[named];
    if (namedPiece)
      for (let i = namedPiece.first; i <= namedPiece.last; i++)
        if (scored.locked[i]) leadLocked += scored.cost[i] as number;
    const lead = leadLocked <= LEAD_SHARE * (opts.ratio as number) * totalTokens ? named : -1;
    // A procedure's steps never go whole while they take at most half the budget; past it, only the
    // steps that say how much, how hot or how long stay ("Heat the oven to 200C", "Roast for 1 hour
    // 30 minutes"), and the others compete with the ingredients and the notes: at keep 0.33 a
    // recipe's six steps took more than the budget, and its ingredients and "must reach 75C" went
    // (session 37).
    let stepsCost = 0;
    for (const p of pieces)
      if (steps.has(p.first)) for (let i = p.first; i <= p.last; i++) stepsCost += scored.cost[i] as number;
    const stepsFit = stepsCost <= STEPS_SHARE * (opts.ratio as number) * totalTokens;
    const measured = (p: Turn) => {
      for (let i = p.labelEnd + 1; i <= p.last; i++) {
        const u = units[i] as Unit;
        if (scored.locked[i] && /\d/.test(text.slice(u.word, u.end))) return true;
      }
      return false;
    };
    const staying: (boolean | undefined)[] = [];
    const stays = (k: number) => (staying[k] ??= staysOnce(k));
    const staysOnce = (k: number) => {
      const p = pieces[k] as Turn;
      const t = ofTurn.get(p);
      // A field on a heading's line (the title "Incident postmortem: ...") is the heading's.
      if (frontField(k)) return false;
      if (headingStarts.has(p.first) || k === lead) return true;
      if (steps.has(p.first) && (stepsFit || measured(p))) return true;
      if (t !== undefined) return holdsMark(t, false);
      if (holdsSafetyFact(bodyOf(p), sections[k])) return true;
      for (let i = p.first; i <= p.last; i++) if (scored.marked?.[i] || safe[i] || whole[i]) return true;
      return false;
    };
    const lowInfo = lowInformationTurns(text, units, sentences);
    const pieceIndex = new Map(pieces.map((p, k) => [p, k]));
    // So does boilerplate that holds no fact ("Please let me know if ...", "Thank you all for ..."),
    // worth less than any fact (sentences.ts): cheap, it came back into budget a key fact left.
    sentences.forEach((p, k) => {
      if ((lowInfo.has(k) || sentenceWorth(bodyOf(p)) < 1) && !stays(pieceIndex.get(p) as number)) dropTurn(p);
    });
    // Per open-class word, not per token: a figure or a code costs several tokens and says one thing.
    const perWord = pieces.map((p) => {
      let c = 0;
      let n = 0;
      for (let i = p.labelEnd + 1; i <= p.last; i++) {
        const u = units[i] as Unit;
        if (isClosedClass(text.slice(u.word, u.end), false)) continue;
        c += scored.cost[i] as number;
        n++;
      }
      return n ? c / n : 1;
    });
    // What a piece's place says of it: whether it leads its section, what its heading names.
    const leads = sectionLeads(pieces.map(bodyOf), sections, (k) => headingStarts.has((pieces[k] as Turn).first));
    const place = (k: number) => ({ lead: leads.has(k), heading: sections[k] ?? '' });
    const worth = pieces.map(
      (p, k) => (frontField(k) ? FRONT_FIELD_WORTH : sentenceWorth(bodyOf(p), place(k))) * (perWord[k] as number),
    );
    // Pieces go until what is left, thinned to first mentions, fits a share of the budget (the rest
    // is the glue that keeps the sentences left readable); then pieces dropped come back whole, the
    // last dropped first, while every word left still fits the budget.
    const ratio = opts.ratio as number;
    const least = leastNewTurns(
      scored,
      pieces,
      out0,
      ratio * PROSE_FILL,
      null,
      stays,
      dated,
      (k) => worth[k] as number,
      (k) => headingStarts.has((pieces[k] as Turn).first),
    );
    const pieceCost = (p: Turn) => {
      let c = 0;
      for (let i = p.first; i <= p.last; i++) if (!out0[i]) c += scored.cost[i] as number;
      return c;
    };
    let all = 0;
    let left = 0;
    for (let i = 0; i < units.length; i++) {
      all += scored.cost[i] as number;
      if (!out0[i]) left += scored.cost[i] as number;
    }
    for (const k of least) left -= pieceCost(pieces[k] as Turn);
    // A pronoun's sentence goes with its antecedent, a lead-in with its items (sentences.ts), and
    // comes back only with them.
    const links = pieceLinks(text, units, pieces);
    const gone = new Set(least);
    settleLinks(links, gone, stays);
    for (const k of gone) if (!least.includes(k)) left -= pieceCost(pieces[k] as Turn);
    // Back, the most valuable first: a piece whose words all fit, or one whose first mentions fit (it
    // is thinned then). Pieces ranked last went last: the best of them (an email's one paragraph of
    // substance) is the dearest, and by whole words alone cheap thanks came back in its place.
    // Most valuable is by worth per token, not by drop order: the drop ranks by novelty too, so a key
    // piece whose words were said before (a discharge's "- Apixaban 5 mg twice daily (NEW)" after the
    // course named apixaban, a recall's lead after its title) went early, came back late, and found
    // the budget taken by a minor piece ("No injuries have been reported"). Key facts kept on 18
    // documents (/work/notes/s35/h1) at keep 0.33 / 0.5: 56 / 77 -> 56 / 79 of 91, the share kept
    // the same; by worth alone 55 / 78, by worth per first-mention token 54 / 79.
    const mentions = firstMentionCost(scored, pieces, out0);
    for (const k of gone) mentions.drop(pieces[k] as Turn);
    const dropped = [...[...least].reverse(), ...[...gone].filter((k) => !least.includes(k))];
    const perToken = new Map(dropped.map((k) => [k, (worth[k] as number) / Math.max(1, pieceCost(pieces[k] as Turn))]));
    // Ties keep the drop order, last dropped first.
    const order = dropped
      .map((k, j) => ({ k, j }))
      .sort((a, b) => (perToken.get(b.k) as number) - (perToken.get(a.k) as number) || a.j - b.j)
      .map(({ k }) => k);
    for (const k of order) {
      const p = pieces[k] as Turn;
      const a = links.antecedent[k] as number;
      const under = links.items[k] as number[];
      if ((a >= 0 && gone.has(a)) || (under.length && under.every((j) => gone.has(j)))) continue;
      const c = pieceCost(p);
      mentions.restore(p);
      if (left + c > ratio * all && mentions.cost() > ratio * all) {
        mentions.drop(p);
        continue;
      }
      left += c;
      gone.delete(k);
    }
    for (const k of gone) dropTurn(pieces[k] as Turn);
  } else if (ratioMode) {
    const least =
      candidate && !itemsCanMeetBudget()
        ? []
        : leastNewTurns(scored, turns, out0, opts.ratio as number, turnModel, holdsMark, dated);
    for (const t of least) dropTurn(turns[t] as Turn);
    // A question whose answer went as saying least goes with it: left, it reads as unanswered, or as
    // answered by the next turn kept (review: "Maya: Oh nice, was it bad?" stayed, Tom's "Not at all.
    // Dr. Alvarez said I don't need the root canal" went). Not when the answer was small talk ("Sure,
    // sounds great!"), nor when the question names someone or something dated or counted ("Did you
    // hear Ana got the job at Google in Zurich?"): the question holds the fact then (review).
    const saysFact = (t: Turn) => {
      for (let i = t.labelEnd + 1; i <= t.last; i++) if (scored.locked[i]) return true;
      return false;
    };
    for (const k of least) {
      const question = turns[k - 1];
      if (
        !question ||
        out0[question.first] ||
        holdsMark(k - 1) ||
        saysFact(question) ||
        question.last + 1 !== (turns[k] as Turn).first
      )
        continue;
      const last = units[question.last] as Unit;
      if (/\?["')\]]*$/.test(text.slice(last.word, last.end))) dropTurn(question);
    }
  }
  // Given is judged against what is left: a repeat whose first mention went with its turn is new.
  // A fixed phrase's words ("heads up", "of course") are valued as one and go or stay together.
  const bonds = fixedPhraseBonds(text, units, scored.locked);
  const density = bondDensity(scored, wordDensity(scored, out0), bonds);
  const bareTurns = (keep: Uint8Array) =>
    turns.filter((t) => {
      for (let i = t.labelEnd + 1; i <= t.last; i++) if (keep[i]) return false;
      for (let i = t.first; i <= t.labelEnd; i++) if (keep[i]) return true;
      return false;
    });
  // In ratio mode a turn that goes on from its speaker's turn before it (the turn between them
  // dropped) shows no label of its own: its label units are out of the selection.
  const speakers = turnSpeakers(text, units, turns);
  const withoutContinued = () => {
    if (!ratioMode) return out0;
    const live = turns.map((t) => !out0[t.first]);
    const out = continuedLabels(turns, speakers, live, units.length);
    for (let i = 0; i < units.length; i++) out[i] = (out[i] as number) | (out0[i] as number);
    return out;
  };
  // A marker whose line kept no other word goes (before bare turns are looked for: a marker is
  // no word of a turn's body).
  const settleMarkers = (picked: ReturnType<typeof selectOnce>) => {
    for (const [m, last] of markers) {
      let spoken = false;
      for (let i = m + 1; i <= last && !spoken; i++) spoken = picked.keep[i] === 1;
      if (!spoken) picked.keep[m] = 0;
    }
    return picked;
  };
  let picked = settleMarkers(selectOnce(scored, density, withoutContinued(), opts, o200k, markup, bonds));
  // A turn left with nothing but its speaker label goes whole, and the budget it held is spent
  // again on the other turns (a few rounds: freeing labels can leave other turns bare).
  for (let round = 0; round < 4 && ratioMode; round++) {
    const bare = bareTurns(picked.keep);
    if (!bare.length) break;
    for (const t of bare) dropTurn(t);
    picked = settleMarkers(selectOnce(scored, density, withoutContinued(), opts, o200k, markup, bonds));
  }
  const { keep, protectedWords, protectedExceedsBudget } = picked;
  const joins = ratioMode ? settleLabels(keep, scored.locked, turns, speakers) : undefined;
  if (!ratioMode) for (const t of bareTurns(keep)) for (let i = t.first; i <= t.labelEnd; i++) keep[i] = 0;
  // In a document, a list item thinned to a bare name or verb gets its object back (items.ts).
  if (ratioMode && !chat) completeBareItems(text, units, lines, keep);
  // So does a sentence thinned to its first word, a verb alone ("Check").
  if (ratioMode && !chat) completeBareSentences(text, units, lines, keep);
  // A pair of marks (emphasis, quotes) keeps both its ends or neither (structure.ts).
  if (ratioMode) balancePairs(text, units, keep);
  const bareLabels = dropBareLabelLines(text, units, lines, keep, new Set(turns.map((t) => t.first)));
  const emptyHeaders = dropEmptyHeaders(text, units, lines, keep, prose ? headings : []);
  const emptyElements = settleElements(text, units, tags, frame, keep);
  // A "Name:" inside a line of prose whose words all went (units.ts); a line's own label above.
  const inlineLabels = dropBareLabels(text, units, keep, labels, lines);
  const out = renderKept(text, units, keep, joins);
  const keptTokens = o200k(out);
  let keptWords = 0;
  for (const k of keep) keptWords += k;
  return {
    text: out,
    keptTokens,
    totalTokens,
    ratio: totalTokens ? keptTokens / totalTokens : 1,
    keptWords,
    totalWords: units.length,
    protectedWords,
    protectedExceedsBudget,
    released: [
      ...releasedRanges(text, units, turns, keep),
      ...(prose ? releasedPieces(units, sentences, keep) : []),
      // A marker gone with its line's words ("3.2", a number the check would count as lost).
      ...markers
        .filter(([m]) => !keep[m])
        .map(([m]) => ({ start: (units[m] as Unit).word, end: (units[m] as Unit).end })),
      ...emptyHeaders,
      ...emptyElements,
      ...bareLabels,
      ...inlineLabels,
      ...signatures,
    ].sort((a, b) => a.start - b.start),
    modelTokens,
  };
}

/**
 * A header (protected, so kept) whose every line below it, up to the next header, went whole
 * goes too: a day of a log whose turns were all small talk leaves no `[2024-05-03]` over nothing.
 * So does a Markdown heading whose section (up to the next heading of its level or above, its
 * subsections included) had lines and kept none: a profile's "## Projects" over nothing is noise
 * (review, keep 0.33). A heading over an empty section in the input stays, as written. Nothing
 * goes when nothing else is kept. Returns the headers dropped, released as whole turns are (the
 * model-stage check then does not count their protected date as lost).
 */
function dropEmptyHeaders(
  text: string,
  units: readonly Unit[],
  lines: readonly [number, number][],
  keep: Uint8Array,
  /** A prose document's plain headings (sentences.ts `plainHeadings`): the first line is its title. */
  plain: readonly [number, number][] = [],
): TextRange[] {
  const plainStarts = new Set(plain.map(([f]) => f));
  const headers: { first: number; last: number; used: boolean; had: boolean; markdown: boolean }[] = [];
  const capsStarts = new Set(
    [...text.matchAll(CAPS_HEADING)].map((m) => m.index + (/^[ \t]*/.exec(m[0])?.[0].length ?? 0)),
  );
  // The headers a line is under: a Markdown heading closes those of its level and below; a
  // session or date header sits under them all, and closes the one before it.
  const open: { level: number; header: (typeof headers)[number] }[] = [];
  let kept = false;
  for (const [first, last] of lines) {
    const line = text.slice((units[first] as Unit).word, (units[last] as Unit).end);
    const markdown = MARKDOWN_HEADING.exec(line)?.[1]?.length;
    // A heading in capitals where the text reads as one (lexicon.ts CAPS_HEADING: after a blank line,
    // text under it) sits under the session and date headers: it closes none of them (re-read of
    // session 31: "BIG NEWS TODAY" under a session's header had dropped the header).
    const caps = capsStarts.has((units[first] as Unit).word) || plainStarts.has(first);
    if (markdown !== undefined || caps || HEADER_LINE.test(line)) {
      // A plain heading on the text's first line is its title, over every section.
      const level = markdown ?? (plainStarts.has(first) && first === 0 ? TITLE_LEVEL : caps ? CAPS_LEVEL : DATE_LEVEL);
      while (open.length && (open.at(-1) as { level: number }).level >= level) open.pop();
      const header = { first, last, used: false, had: false, markdown: markdown !== undefined || caps };
      headers.push(header);
      open.push({ level, header });
      continue;
    }
    // A framing tag (`</memory>`, kept whatever) is no line of the day above it.
    if (TAG_LINE.test(line)) continue;
    if (!line.trim()) continue;
    let used = false;
    for (let k = first; k <= last && !used; k++) used = keep[k] === 1;
    if (used) kept = true;
    for (const { header } of open) {
      header.had = true;
      if (used) header.used = true;
    }
  }
  if (!kept) return [];
  const out: TextRange[] = [];
  for (const h of headers) {
    if (h.used || (h.markdown && !h.had)) continue;
    for (let k = h.first; k <= h.last; k++) keep[k] = 0;
    out.push({ start: (units[h.first] as Unit).word, end: (units[h.last] as Unit).end });
  }
  return out;
}

/** A Markdown heading line, its hashes captured (their count is its level). */
const MARKDOWN_HEADING = /^(#{1,6})[ \t]+\S/;
/** A session's or a day's header sits below every Markdown heading. */
const DATE_LEVEL = 7;
/** A heading in capitals, or a plain one, sits below a session's or a day's header. */
const CAPS_LEVEL = 8;
/**
 * The share of the budget a prose document's sentences left may take, thinned to their first
 * mentions, before sentences come back whole (selectWords): the rest keeps their glue. At 1 the
 * sentences left were thinned to telegrams ("load tests not catch it run against smaller"); 0.85
 * keeps them whole on the session's eleven documents, 0.75 fell short of the ratio by 5-10 points.
 */
const PROSE_FILL = 0.85;
/** How far from the ratio asked (a share of the whole text) a selection's joined text may land. */
const RATIO_TOLERANCE = 0.01;

/**
 * How far over the ratio asked (a share of it) a text may come back before it is selected again: 5 %
 * (0.3 may give 0.315). Tighter, the prose summaries of bench memory-prose kept fewer answers: at the
 * ratio plus 1 % of the text, 76 / 58 and 74 / 58 fell to 76 / 55 and 70 / 59 (session 38).
 */
const RATIO_OVERSHOOT = 0.05;

/** The share of the budget a titled notice's lead may take in locked words and still always stay. */
const LEAD_SHARE = 1 / 3;
/** The share of the budget a procedure's steps may take and all stay whole (thinned). */
const STEPS_SHARE = 1 / 2;
/** A report's front field's worth beside a sentence's (1 with no fact; sentences.ts): framing's. */
const FRONT_FIELD_WORTH = 0.2;
/** The share of the budget a report's front fields may take whole before they compete as framing. */
const FRONT_SHARE = 0.25;
/** Front fields that stay: a status, a date, a message's header. */
const FRONT_KEPT = /^(?:status|state|rag|overall|date|as of|from|to|cc|bcc|subject|sent)\b/i;
/**
 * The fewest sentences and list items outside a document's fields for them to go whole: in a note
 * of two to five sentences one is a fifth to a half of it (the pruner's rule tests, written on such
 * notes, lost the sentence whose words they were about), and its words are thinned instead.
 */
const PROSE_MIN_PIECES = 6;
/** A document's title (its first line, a plain heading) sits above every heading. */
const TITLE_LEVEL = 0;

/** A document's sentences with no word kept, as ranges of the input (released as turns dropped whole are). */
function releasedPieces(units: readonly Unit[], pieces: readonly Turn[], keep: Uint8Array): TextRange[] {
  const out: TextRange[] = [];
  for (const p of pieces) {
    let kept = false;
    for (let i = p.first; i <= p.last && !kept; i++) kept = keep[i] === 1;
    if (!kept) out.push({ start: (units[p.first] as Unit).word, end: (units[p.last] as Unit).end });
  }
  return out;
}

/**
 * `scored` with the markers of list items locked (an item kept shows its marker), the lines that
 * are a markup tag alone (`<memory>`, `</memory>`: the frame stays whole, both ends), the
 * Markdown markers of other lines (settled after selection: gone with the last word of their line)
 * and the words of a list's standing instructions (standing-lines.ts).
 */
/** What the locked words cost (o200k tokens of the model's scores' units). */
function lockedCost(scored: Scored): number {
  let c = 0;
  for (let i = 0; i < scored.units.length; i++) if (scored.locked[i]) c += scored.cost[i] as number;
  return c;
}

function lockFrame(
  scored: Scored,
  turns: readonly Turn[],
  tags: readonly number[],
  markers: readonly number[],
  /**
   * More units to lock: a list's standing instructions (standing-lines.ts), a document's structure
   * (structure.ts), an item's instruction (items.ts).
   */
  more: readonly number[] = [],
): Scored {
  if (!tags.length && !markers.length && !more.length && !turns.some((t) => t.item)) return scored;
  const locked = Uint8Array.from(scored.locked);
  for (const t of turns) if (t.item) locked.fill(1, t.first, t.labelEnd + 1);
  for (const i of [...tags, ...markers, ...more]) locked[i] = 1;
  return { ...scored, locked };
}

const MEDIA = /^<(?:img|video|audio|iframe|embed|object|picture|svg|canvas|input|source)\b/i;

/**
 * Each markup element kept whole or dropped whole: its tags stay when a word between them stays
 * (a tag that went with a dropped turn comes back), and go, with any tag inside, when none does, so
 * no `<p></p>` is left and no closer is lost. The tags framing the memory (a line each) stay
 * whatever. Returns the dropped elements as ranges of the input.
 */
function settleElements(
  text: string,
  units: readonly Unit[],
  tags: readonly number[],
  frame: readonly number[],
  keep: Uint8Array,
): TextRange[] {
  if (!tags.length) return [];
  // Tags are no content; an image or a video is.
  const isTag = new Uint8Array(units.length);
  for (const i of tags) if (!MEDIA.test(text.slice((units[i] as Unit).word, (units[i] as Unit).end))) isTag[i] = 1;
  const pinned = new Set(frame);
  // Kept (and all) content units before each unit, so "a word between" is two lookups.
  const words = new Int32Array(units.length + 1);
  const all = new Int32Array(units.length + 1);
  for (let i = 0; i < units.length; i++) {
    words[i + 1] = (words[i] as number) + (keep[i] && !isTag[i] ? 1 : 0);
    all[i + 1] = (all[i] as number) + (isTag[i] ? 0 : 1);
  }
  const out: TextRange[] = [];
  const pairs = markupPairs(text, units, tags);
  // An element empty from the start (a spacer, an empty cell) is no element the selection emptied.
  const empty = pairs.filter(
    ([o, c]) => words[c] === words[o + 1] && all[c] !== all[o + 1] && !pinned.has(o) && !pinned.has(c),
  );
  for (const [o, c] of pairs)
    if (words[c] !== words[o + 1]) {
      keep[o] = 1;
      keep[c] = 1;
    }
  for (const [o, c] of empty) {
    if (out.length && (units[o] as Unit).word < (out.at(-1) as TextRange).end) continue;
    for (let i = o; i <= c; i++) keep[i] = 0;
    out.push({ start: (units[o] as Unit).word, end: (units[c] as Unit).end });
  }
  return out;
}

/** Turns with no word kept, and vocatives not kept, as character ranges of the input (in order). */
function releasedRanges(text: string, units: readonly Unit[], turns: readonly Turn[], keep: Uint8Array): TextRange[] {
  const out: TextRange[] = [];
  const vocative = vocativeUnits(text, units, turns);
  const inTurn = new Uint8Array(units.length);
  for (const t of turns) {
    let kept = false;
    for (let i = t.first; i <= t.last && !kept; i++) kept = keep[i] === 1;
    for (let i = t.first; i <= t.last; i++) inTurn[i] = kept ? 0 : 1;
    if (!kept) out.push({ start: (units[t.first] as Unit).word, end: (units[t.last] as Unit).end });
  }
  for (let i = 0; i < units.length; i++)
    if (vocative[i] && !keep[i] && !inTurn[i])
      out.push({ start: (units[i] as Unit).word, end: (units[i] as Unit).end });
  return out.sort((a, b) => a.start - b.start);
}

/** One selection: the locked words (minus those of `out0`), then free words by density to the ratio. */
function selectOnce(
  scored: Scored,
  density: Float64Array,
  out0: Uint8Array,
  opts: Pick<PruneOptions, 'ratio' | 'threshold'>,
  o200k: (s: string) => number,
  markup: Uint8Array,
  /** Each unit's fixed phrase (its first unit) or -1 (fixed-phrases.ts): taken whole or not at all. */
  bonds: Int32Array,
): { keep: Uint8Array; protectedWords: number; protectedExceedsBudget: boolean } {
  const { text, units, cost, totalTokens } = scored;
  const keep = new Uint8Array(units.length);
  const locked = Uint8Array.from(scored.locked, (v, i) => (out0[i] ? 0 : v));
  let protectedWords = 0;
  let protectedCost = 0;
  for (let i = 0; i < units.length; i++) {
    if (!locked[i]) continue;
    keep[i] = 1;
    protectedWords++;
    protectedCost += cost[i] as number;
  }
  let protectedExceedsBudget = false;
  if (opts.ratio !== undefined) {
    // The ratio is of the words: markup (kept whatever) is counted apart.
    let markupCost = 0;
    for (let i = 0; i < units.length; i++) if (markup[i] && !out0[i]) markupCost += cost[i] as number;
    const target = markupCost + opts.ratio * (totalTokens - markupCost);
    // A fixed phrase's words share a density (bondDensity) and sort together, at its first word.
    const at = (i: number) => ((bonds[i] as number) >= 0 ? (bonds[i] as number) : i);
    const order = units
      .map((_, i) => i)
      .filter((i) => !locked[i] && !out0[i])
      .sort((a, b) => (density[b] as number) - (density[a] as number) || at(a) - at(b) || a - b);
    // The longest prefix of `order` whose cost fits the budget, short of a phrase it would cut.
    const prefix = prefixTaker(order, cost);
    const take = (budget: number) => {
      let n = prefix(budget);
      while (n > 0 && n < order.length && (bonds[order[n] as number] as number) >= 0) {
        if (bonds[order[n - 1] as number] !== bonds[order[n] as number]) break;
        n--;
      }
      return n;
    };
    const apply = (n: number) => {
      keep.set(locked);
      for (let k = 0; k < n; k++) keep[order[k] as number] = 1;
      return o200k(renderKept(text, units, keep));
    };
    let budget = target - protectedCost;
    protectedExceedsBudget = budget < 0;
    let n = take(Math.max(0, budget));
    let got = apply(n);
    // Words counted alone differ slightly from the joined text: correct a few times.
    for (
      let round = 0;
      round < 3 && Math.abs(got - target) > RATIO_TOLERANCE * totalTokens && !protectedExceedsBudget;
      round++
    ) {
      budget += target - got;
      const next = take(Math.max(0, budget));
      if (next === n) break;
      n = next;
      got = apply(n);
    }
  } else {
    const threshold = opts.threshold as number;
    for (let i = 0; i < units.length; i++) if ((density[i] as number) >= threshold) keep[i] = 1;
  }
  return { keep, protectedWords, protectedExceedsBudget };
}
