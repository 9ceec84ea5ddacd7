import { dayTimeWord, fromTo, isClosedClass, TIME_WORD, WEEKDAY, WHEN } from './lexicon.ts';
import type { Turn, Unit } from './units.ts';

/**
 * How likely a dialogue turn is to hold a fact someone later asks about, from what its words look
 * like (no model, no word list fitted to answers): a small logistic model over lexical features,
 * used to choose which turns go whole when the budget cannot hold every word once.
 */

/** Names of the per-turn features, in the order of `turnFeatures`' rows and a model's weights. */
export const TURN_FEATURES = [
  /** New content words per open-class o200k token (the novelty rank before this model). */
  'newRate',
  /** ln(1 + open-class tokens). */
  'logTokens',
  /** Capitalised words inside a sentence (names, places, titles), per open-class word. */
  'names',
  /** A digit, number word, month, weekday or time word (yesterday, week, ago). */
  'number',
  /** Share of the turn's sentences that are questions. */
  'questions',
  /** Share of the turn's sentences that are exclamations. */
  'exclaims',
  /** A first-person subject followed within three words by a past-tense verb ("I went", "we adopted"). */
  'firstPast',
  /** Share of the turn's sentences that ask the other about themselves (a question with you or your). */
  'asksYou',
  /** The turn before it (same text) ends with a question. */
  'afterQuestion',
  /** The turn shares a photo. */
  'photo',
  /** Position in the text, 0 (first turn) to 1 (last). */
  'position',
] as const;

export type TurnFeature = (typeof TURN_FEATURES)[number];

/** A logistic model over `TURN_FEATURES`: logit = bias + sum of weight * feature. */
export interface TurnModel {
  bias: number;
  weights: Readonly<Record<TurnFeature, number>>;
}

const NUMBER =
  /\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|once|twice|january|february|march|april|june|july|august|september|october|november|december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|tomorrow|weekend|week|month|year|years|ago)\b/i;
// English's common irregular past forms; any other past is a word ending in -ed.
const IRREGULAR_PAST = new Set(
  (
    'went got had took made saw did found bought began brought built came caught chose drew drove ate fell felt ' +
    'flew forgot gave grew heard held kept knew left lost met paid put ran read rode sang sat sent shot sold spent ' +
    'spoke stood swam taught told thought threw understood woke won wore wrote became'
  ).split(' '),
);
const FIRST_PERSON = new Set(['i', 'we', "i've", "we've", 'my', 'our']);

const lower = (w: string) =>
  w
    .toLowerCase()
    .replace(/[’]/g, "'")
    .replace(/^[^\p{L}\p{N}']+|[^\p{L}\p{N}']+$/gu, '');
const isPast = (w: string) => IRREGULAR_PAST.has(w) || (w.length > 4 && w.endsWith('ed'));

/**
 * Each turn's features except `newRate` (left 0: it changes as turns go and is passed to `turnLogit` and `turnRank`), one
 * row per turn in `TURN_FEATURES` order.
 */
export function turnFeatures(text: string, units: readonly Unit[], turns: readonly Turn[], cost: Float64Array) {
  const col = (f: TurnFeature) => TURN_FEATURES.indexOf(f);
  let prevAsks = false;
  return turns.map((t, k) => {
    const row = new Float64Array(TURN_FEATURES.length);
    const body = text.slice((units[t.labelEnd + 1] as Unit).word, (units[t.last] as Unit).end);
    let open = 0;
    let openWords = 0;
    let names = 0;
    let firstPast = 0;
    let sinceFirst = 99;
    let sentenceStart = true;
    for (let i = t.labelEnd + 1; i <= t.last; i++) {
      const word = text.slice((units[i] as Unit).word, (units[i] as Unit).end);
      const w = lower(word);
      if (!isClosedClass(word, sentenceStart)) {
        open += cost[i] as number;
        openWords++;
      }
      if (!sentenceStart && w !== 'i' && !w.startsWith("i'") && /^[^\p{L}]*\p{Lu}/u.test(word)) names++;
      if (FIRST_PERSON.has(w)) sinceFirst = 0;
      else if (++sinceFirst <= 3 && isPast(w)) firstPast = 1;
      sentenceStart = /[.!?:]["')\]]*$/.test(word);
    }
    const sentences = body.split(/(?<=[.!?])\s+/).filter((s) => /\p{L}/u.test(s));
    const n = Math.max(1, sentences.length);
    row[col('logTokens')] = Math.log1p(open);
    row[col('names')] = names / Math.max(1, openWords);
    row[col('number')] = NUMBER.test(body) ? 1 : 0;
    row[col('questions')] = sentences.filter((s) => /\?["')\]]*$/.test(s.trim())).length / n;
    row[col('exclaims')] = sentences.filter((s) => /!["')\]]*$/.test(s.trim())).length / n;
    row[col('firstPast')] = firstPast;
    row[col('asksYou')] =
      sentences.filter((s) => /\?["')\]]*$/.test(s.trim()) && /\b(you|your|you're|you've)\b/i.test(s)).length / n;
    row[col('afterQuestion')] = prevAsks ? 1 : 0;
    row[col('photo')] = /\[shares\b/.test(body) ? 1 : 0;
    row[col('position')] = turns.length > 1 ? k / (turns.length - 1) : 0;
    prevAsks = /\?["')\]]*$/.test(body.replace(/\s*\[shares[^\]]*\]\s*$/, '').trim());
    return row;
  });
}

/** The model's logit for a turn whose features are `row` and whose novelty is now `newRate`. */
export function turnLogit(model: TurnModel, row: Float64Array, newRate: number): number {
  let z = model.bias;
  TURN_FEATURES.forEach((f, j) => {
    z += model.weights[f] * (f === 'newRate' ? newRate : (row[j] as number));
  });
  return z;
}

/**
 * What a team chat says when a plan is set or changes: a time of day ("Monday 14:00", "at 3pm"), a
 * change of plan ("moved", "postponed", "cancelled", "from Thursday to Monday"), or a notice ("heads
 * up", "FYI", "reminder"). English only, as the fitted features are.
 */
const CLOCK =
  /(?<![\d:.])(?:[01]?\d|2[0-3]):[0-5]\d(?![\d:])|\b(?:1[0-2]|0?[1-9])\s?(?:am|pm|a\.m\.|p\.m\.)(?![\p{L}])/iu;
const CHANGE =
  /\b(?:moved|postponed|rescheduled|cancel+ed|called off|delayed|pushed (?:back|out|to)|brought forward|switched|changed|no longer)\b/u;
/**
 * When or what a change is of: a day, a day said from today, a date, a month, or an event a team
 * plans (the day words are lexicon.ts's shared vocabulary; months and events are this rule's). A
 * change word alone is small talk as often ("That trip really changed my life!", "I switched to oat
 * milk", "no longer a kid"; review). No part of the day: "I changed my morning routine" is news.
 * "May" and "march" are left out: a modal and a verb far more often than a month.
 */
const MONTH = `jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?`;
const TEAM_EVENT = `meeting|standup|stand-up|sync|deploy(?:ment)?|release|launch|rollout|flight|appointment|deadline|demo|sprint|freeze|migration|maintenance|interview`;
const SCHEDULED = new RegExp(
  String.raw`${dayTimeWord(WEEKDAY, TIME_WORD, String.raw`(?:this|next|last)\s+(?:week|month|year|time)`, MONTH, TEAM_EVENT)}|\b\d{1,2}(?:st|nd|rd|th)\b|\b\d{1,2}[/.-]\d{1,2}\b`,
  'iu',
);
/**
 * "from Thursday to Monday", "from 9 to 11": a move between days, times or numbers, as the pruner
 * locks one (lexicon.ts fromTo); not between places, which it locks too ("from Paris to Rome" is
 * no plan).
 */
const FROM_TO = fromTo(WHEN, 'iu');
/**
 * A deadline or an appointment: "by Friday", "by tomorrow", "by end of day", "by 12 May", "on
 * Monday at 10" (review 2: "Can you send the deck by Friday? The client meets on Monday at 10."
 * went whole at keep 0.5 as a question to the other person, its deadline with it). English only.
 */
const DEADLINE = new RegExp(
  String.raw`(?<!\b(?:\p{L}+ed|got|went|came|was|were|sold|passed|swung|dropped)(?:\s+(?:there|here|in|over|round|it))?\s+)\bby\s+(?:(?:this|next)\s+)?${dayTimeWord(WEEKDAY, TIME_WORD, String.raw`(?:the\s+)?end\s+of\s+(?:the\s+)?(?:day|week|month)`, 'eod|eow', String.raw`\d{1,2}(?:st|nd|rd|th)?\s+(?:${MONTH})`, String.raw`(?:${MONTH})\s+\d{1,2}(?:st|nd|rd|th)?`)}|${dayTimeWord(WEEKDAY)}\s+at\s+\d{1,2}(?![\d.,])`,
  'iu',
);
// Not a past visit or a sale ("stopped by noon", "got there by Monday at 10", "Sold by March 3
// vendors": review of the session), which says when something happened, not when it is due.
// "Reminder:" as a notice, not "a reminder of home".
const NOTICE = /\b(?:heads[- ]up|fyi|psa)\b|(?:^|[.!?]\s+)(?:friendly\s+)?reminder\b|\breminder\s*:/i;

/**
 * Whether a turn's text (without its label) announces a plan or a change of one. Not a feature of
 * the fitted model: LoCoMo's chats between friends hold few, and there a turn's personal news ("we
 * went hiking", after a question, with an exclamation) rates several times a turn of numbers and
 * names. In a team chat that small talk outranked "the deploy moved from Thursday to Monday 14:00"
 * and "the standup tomorrow is cancelled" (review, a Slack export at keep 0.33).
 */
export const announcesPlan = (body: string): boolean =>
  CLOCK.test(body) ||
  (CHANGE.test(body) && SCHEDULED.test(body)) ||
  FROM_TO.test(body) ||
  NOTICE.test(body) ||
  DEADLINE.test(body);

/**
 * The odds a turn that announces a plan (`announcesPlan`) is given over its rank (`turnRank`), set
 * by hand, not fitted: e^2, so that it outranks a turn of personal news at its novelty (in
 * TURN_MODEL firstPast + afterQuestion + half exclaims is e^2.2, a number and a name or two e^1.6 to
 * e^2). 37 of LoCoMo's 2,888 turns (conversations 1-5) match, mostly "changed" and "moved"; the
 * answers kept without a question are the same with these odds and with 1e6 (with 1e-6, those turns
 * dropped first, tuning keep 0.33 loses 2 of 105).
 */
export const PLAN_ODDS = Math.exp(2);

/**
 * A turn's drop rank (lowest goes first): its novelty rate times the odds the model gives it over
 * a turn of the same novelty and size, exp(logit - bias - newRate and logTokens terms). Fitted
 * logits ranked alone keep more evidence turns but drop more turns to fit the budget (long ones
 * count as likely evidence), and fewer answers survive; measured in bench/turn-value-fit.ts.
 */
export function turnRank(model: TurnModel, row: Float64Array, newRate: number): number {
  let z = 0;
  TURN_FEATURES.forEach((f, j) => {
    if (f !== 'newRate' && f !== 'logTokens') z += model.weights[f] * (row[j] as number);
  });
  return newRate * Math.exp(z);
}
