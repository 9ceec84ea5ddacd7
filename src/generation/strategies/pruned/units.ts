import { findTags, pairTags } from '../../markup.ts';
import {
  BRACKET_HEAD,
  CHAT_STAMP,
  CJK_NAME,
  HEADER_LINE,
  MARKUP_TAG,
  type ProtectedSpan,
  STAMP_DATE,
  TIME_AFTER_NAME,
  TIMED_STAMP,
} from '../../protect.ts';

/** Words, lines and dialogue turns of a text as the pruner cuts it: whole words only, ever. */

/** A whitespace-delimited word with the whitespace before it. */
export interface Unit {
  start: number;
  /** Where the word starts (after the leading whitespace). */
  word: number;
  end: number;
}

/**
 * A markup tag is a unit of its own, even glued to a word (`<p>Please`, `soon.</p>`) or holding
 * spaces (`<a href="x">`): kept whole, it can be kept while the words beside it go.
 */
const SPACE = /\s*/y;
/**
 * A Chinese, Japanese or Korean speaker's label at a line's start is a unit of its own, even glued
 * to what is said ("用户：你好"): a label, it goes or stays with its turn, never alone.
 */
const CJK_LABEL_HEAD = String.raw`(?<=(?:^|\n)[ \t]*)${CJK_NAME}[:：](?=\S)`;
const TOKEN = new RegExp(String.raw`${CJK_LABEL_HEAD}|${MARKUP_TAG}|(?:(?!${MARKUP_TAG})\S)+`, 'yu');
const WHOLE_TAG = new RegExp(`^${MARKUP_TAG}$`);

export function splitUnits(text: string): Unit[] {
  const units: Unit[] = [];
  // Sticky scans, whitespace then a token: one pass, where a regex of both retried the whitespace
  // from every position of a long blank tail.
  for (let at = 0; at < text.length; ) {
    SPACE.lastIndex = at;
    SPACE.exec(text);
    const word = SPACE.lastIndex;
    if (word >= text.length) break;
    TOKEN.lastIndex = word;
    if (!TOKEN.exec(text)) break;
    units.push({ start: at, word, end: TOKEN.lastIndex });
    at = TOKEN.lastIndex;
  }
  return units;
}

/** Units overlapping a protected span (a span inside a word protects the whole word). */
export function protectedUnits(units: readonly Unit[], spans: readonly ProtectedSpan[]): Uint8Array {
  const out = new Uint8Array(units.length);
  let s = 0;
  for (let i = 0; i < units.length; i++) {
    const u = units[i] as Unit;
    while (s < spans.length && (spans[s] as ProtectedSpan).end <= u.word) s++;
    for (let k = s; k < spans.length && (spans[k] as ProtectedSpan).start < u.end; k++) out[i] = 1;
  }
  return out;
}

/**
 * The kept words joined as they were written. A dropped word that began a line hands its line
 * break to the next kept word, so lines (dialogue turns) never merge.
 */
/** A word that ends a question, and one that ends any sentence (closing quotes and brackets after). */
const QUESTION_END = /\?+["'’”)\]]*$/u;
const SENTENCE_END = /[.!?]+["'’”)\]]*$/u;
/** A line a continued turn's words must not be put on: a fence, a table row, a heading, a list item. */
const STRUCTURE_LINE = /^\s*(?:`{3,}|~{3,}|\||#{1,6}\s|[-*+•]\s|\d+[.)]\s)/;

/**
 * A sentence that opens as a question: an interrogative word or an auxiliary first, or Spanish's
 * opening mark ("¿Vienes tú?" read "¿Vienes", its closing mark gone with "tú?": review 4, F-21).
 */
const QUESTION_OPENER =
  /^["'(“]*(?:¿|who|whom|whose|what|when|where|why|how|which|are|is|am|was|were|do|does|did|can|could|will|would|shall|should|may|might|must|have|has|had|isn't|aren't|wasn't|weren't|don't|doesn't|didn't|can't|couldn't|won't|wouldn't|shouldn't|haven't|hasn't)\b/i;

export function renderKept(
  text: string,
  units: readonly Unit[],
  keep: Uint8Array,
  /**
   * Kept words that go on the line above (a turn continuing its speaker's, `speaker-labels.ts`),
   * each with its turn's dropped label, as [first, last] units: shown again where the turn cannot go
   * on the line above.
   */
  joins?: ReadonlyMap<number, readonly [number, number]>,
): string {
  let out = '';
  let pendingBreak: string | undefined;
  let first = true;
  let glued = false;
  const orphans = orphanBrackets(text, units, keep);
  // Whether a word of the sentence under way was kept, and whether it opened as a question: a question
  // thinned to its content words must still ask ("Are you taking Luna with you?" read "taking Luna",
  // a fact; review). Only a sentence that opens as one: a statement's tag ("..., remember?",
  // "..., right?") dropped leaves a statement, and "(?)", "x ? y" or a URL's "?" asks nothing.
  let spoken = false;
  let asking = false;
  let opening = true;
  for (let i = 0; i < units.length; i++) {
    const u = units[i] as Unit;
    const ws = text.slice(u.start, u.word);
    if (ws.includes('\n')) {
      spoken = false;
      opening = true;
    }
    const word = text.slice(u.word, u.end);
    // A speaker's label or a chat stamp ("[9:02 AM]") is no word of the sentence.
    if (opening && /\p{L}/u.test(word) && !word.endsWith(':') && !/^\[|\]$/.test(word)) {
      asking = QUESTION_OPENER.test(word);
      opening = false;
    }
    if (!keep[i]) {
      if (ws.includes('\n') && (!pendingBreak || count(ws, '\n') > count(pendingBreak, '\n'))) pendingBreak = ws;
      if (spoken && asking && /\p{L}/u.test(word) && QUESTION_END.test(word)) out = `${out.replace(/[,;:]$/, '')}?`;
      if (SENTENCE_END.test(word)) {
        spoken = false;
        opening = true;
      }
      continue;
    }
    // The first word kept starts where the text started (its leading whitespace, usually none).
    // A paragraph's break before a line that went stays before what follows it: "text\n\nHEADING\n|
    // table |" with the heading gone had read "text\n| table |", the table glued to the paragraph
    // (review 5, F-20).
    // The line's own indentation stays.
    let lead = first
      ? text.slice(0, units[0]?.start ?? 0)
      : pendingBreak && !ws.includes('\n')
        ? pendingBreak
        : pendingBreak && count(pendingBreak, '\n') > count(ws, '\n')
          ? pendingBreak.slice(0, pendingBreak.lastIndexOf('\n')) + ws.slice(ws.lastIndexOf('\n'))
          : ws;
    // After a tag that was glued to the word after it (`<p>Please`), the next kept word is glued too.
    if (glued && !lead.includes('\n')) lead = '';
    // A turn going on from its speaker's last one kept: on that line, the turn above ended. Not
    // after a line of structure (a code fence, which text after it would leave open and turn the
    // rest into code; a table row; a heading; a list item): the turn goes on a line of its own then.
    // On its own line it shows its label again: after a code block or a list, a line with no label
    // read as no one's (session 30's note).
    const lastLine = out.slice(out.lastIndexOf('\n') + 1);
    const label = joins?.get(i);
    let relabel = '';
    if (label && !first && !STRUCTURE_LINE.test(lastLine)) {
      if (!/[.!?…]["')\]]*$/.test(out)) out = `${out.replace(/[,;:]$/, '')}.`;
      lead = ' ';
    } else if (label && !first) {
      relabel = `${text.slice((units[label[0]] as Unit).word, (units[label[1]] as Unit).end)} `;
      if (!lead.includes('\n')) lead = '\n';
    }
    let shown = word;
    const gone = orphans.get(i);
    // By UTF-16 offset, as the brackets were found (an emoji is two code units).
    if (gone)
      shown =
        word
          .split('')
          .filter((_, k) => !gone.has(u.word + k))
          .join('') || word;
    out += lead + relabel + shown;
    pendingBreak = undefined;
    first = false;
    // A speaker label or a field name (`Tom:`) opens what follows: no word of its sentence.
    const ends = SENTENCE_END.test(word);
    spoken = !ends && !word.endsWith(':');
    if (ends) opening = true;
    // Only an opening tag holds on to what follows it: after "</i>;" with ";" dropped, the next
    // word keeps its space ("<i>Friday</i> again", not "<i>Friday</i>again").
    glued = u.end < text.length && !/\s/.test(text.charAt(u.end)) && !shown.startsWith('</') && WHOLE_TAG.test(shown);
  }
  return out;
}

/** Units that are a markup tag, whole (`splitUnits` cuts tags apart from the words they touch). */
export function markupUnits(text: string, units: readonly Unit[]): number[] {
  const out: number[] = [];
  for (const [i, u] of units.entries()) if (WHOLE_TAG.test(text.slice(u.word, u.end))) out.push(i);
  return out;
}

/** Markup elements, as the [opening, closing] units of each tag pair (`<b>` ... `</b>`), by `pairTags`. */
export function markupPairs(text: string, units: readonly Unit[], tags: readonly number[]): [number, number][] {
  const unitAt = new Map(tags.map((i) => [(units[i] as Unit).word, i]));
  const out: [number, number][] = [];
  for (const [o, c] of pairTags(findTags(text)).pairs) {
    const open = unitAt.get(o.start);
    const close = unitAt.get(c.start);
    if (open !== undefined && close !== undefined) out.push([open, close]);
  }
  return out;
}

const OPENERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
/** A line that starts a turn, a list item, a heading or a stamped entry: no bracket runs into it. */
const NEW_LINE_ITEM = /^(?:[\p{Lu}][\p{L}\p{N} .'_-]{0,39}:\s|(?:[-*+•#>]|\d{1,3}[.)])\s|\[)/u;

/**
 * Brackets whose partner went with a dropped word, by unit and character offset: "(owner: Jun, due
 * 30 May)" kept as "Jun, 30 May)" would close what nothing opened, so that ")" goes too. A bracket
 * is never all its word ("(" alone stays, so no word is emptied).
 */
function orphanBrackets(text: string, units: readonly Unit[], keep: Uint8Array): Map<number, Set<number>> {
  const out = new Map<number, Set<number>>();
  const drop = (unit: number, at: number) => {
    const set = out.get(unit) ?? new Set<number>();
    set.add(at);
    out.set(unit, set);
  };
  const open: { char: string; unit: number; at: number }[] = [];
  for (let i = 0; i < units.length; i++) {
    const u = units[i] as Unit;
    for (let at = u.word; at < u.end; at++) {
      const c = text.charAt(at);
      if (OPENERS[c]) open.push({ char: c, unit: i, at });
      else if (c === ')' || c === ']' || c === '}') {
        const k = open.findLastIndex((o) => OPENERS[o.char] === c);
        if (k < 0) continue;
        const o = open[k] as { char: string; unit: number; at: number };
        open.length = k;
        // A pair split by the selection: the kept half goes.
        if (o.unit !== i && keep[o.unit] !== keep[i]) drop(keep[i] ? i : o.unit, keep[i] ? at : o.at);
      }
    }
    // A paragraph (a blank line) or a new turn ends what a bracket can span; a wrapped line does not.
    const next = units[i + 1];
    const gap = text.slice(u.end, next?.word ?? u.end);
    if (
      /\n\s*\n/.test(gap) ||
      (gap.includes('\n') && next && NEW_LINE_ITEM.test(text.slice(next.word, next.word + 45)))
    )
      open.length = 0;
  }
  return out;
}

function count(s: string, c: string): number {
  let n = 0;
  for (const ch of s) if (ch === c) n++;
  return n;
}
/** Sorted by start, overlapping spans merged (protectedUnits walks them in one pass). */
export function mergeSpans(spans: readonly ProtectedSpan[]): ProtectedSpan[] {
  const out: ProtectedSpan[] = [];
  for (const sp of [...spans].sort((a, b) => a.start - b.start)) {
    const last = out.at(-1);
    if (last && sp.start <= last.end) last.end = Math.max(last.end, sp.end);
    else out.push({ ...sp });
  }
  return out;
}

/** A dialogue turn: the units of one `Speaker: text` line, its label's last unit. */
export interface Turn {
  first: number;
  /** The unit ending the `Speaker:` label (a list item's marker). */
  labelEnd: number;
  last: number;
  /** A list item (`- fact`): its label is the marker, and no item goes on under the one before. */
  item?: boolean;
  /** A document's field, not a speaker's turn (labelled lines that make no dialogue: "Subject: ..."). */
  field?: boolean;
}

/** Each line's units, as [first, last] indexes, in text order. */
export function lineRanges(text: string, units: readonly Unit[]): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < units.length; ) {
    let last = i;
    while (
      last + 1 < units.length &&
      !text.slice((units[last + 1] as Unit).start, (units[last + 1] as Unit).word).includes('\n')
    )
      last++;
    out.push([i, last]);
    i = last + 1;
  }
  return out;
}

/** A line that is one markup tag and nothing else: `<memory>`, `</context>`, `<facts source="app">`. */
export const TAG_LINE = /^<\/?[A-Za-z][\w:-]*(?:\s[^<>]*)?\/?>$/;

/**
 * The units of lines that are a markup tag alone: the frame an app wrapped its memory in
 * (`<memory>` ... `</memory>`), which a parser of the result may need whole, both ends.
 */
export function tagLineUnits(
  text: string,
  units: readonly Unit[],
  lines: readonly [number, number][] = lineRanges(text, units),
): number[] {
  const out: number[] = [];
  for (const [first, last] of lines) {
    const line = text.slice((units[first] as Unit).word, (units[last] as Unit).end);
    if (TAG_LINE.test(line)) for (let k = first; k <= last; k++) out.push(k);
  }
  return out;
}

/**
 * A dated fact's date, as a list item's marker: "2023-09-12: diagnosed with celiac disease",
 * "[2024-02-11]. User's name is Rafael" (review: such lines were thinned down to "2024-01-08:").
 */
const DATE_MARKER = new RegExp(String.raw`^(?:\[(?:${STAMP_DATE})\][:.]?|(?:${STAMP_DATE})[:.])$`);

/** A list item's marker: `-`, `*`, `•`, `1.`, `2)`. */
const MARKER = /^(?:[-*•‣–]|\d{1,3}[.)])$/u;

/**
 * A line's marker: a heading's `#`s, a list item's marker, a clause's "(a)" or "(iv)", a clause's
 * number "3.1" or "2.4.1." (session 34: a lease's "3.2" was left alone on its line when its words
 * went), a quote's `>` at any depth (an email's `>>`: review, a nested quote's markers went and its
 * lines read as the reply's own; a contract's "(b)" went while another clause cited "2.1(b)").
 */
const LINE_MARKER =
  /^(?:#{1,6}|[-*+•‣–]|\d{1,3}[.)]|\d{1,3}(?:\.\d{1,3})+\.?|\((?:[a-z]|[ivx]{1,5}|\d{1,2})\)|>{1,6})$/u;

/**
 * The units that are the Markdown marker of a line with words after it (`## Membership`,
 * `- The fee is 45 euros.`): they belong with their line (kept while any of its words is, gone
 * with the last), as a speaker label does with its turn, so a document keeps its shape.
 */
export function lineMarkers(
  text: string,
  units: readonly Unit[],
  lines: readonly [number, number][] = lineRanges(text, units),
): [marker: number, last: number][] {
  const out: [number, number][] = [];
  const clauses = clauseNumbers(text, units, lines);
  for (const [first, last] of lines) {
    const u = units[first] as Unit;
    const word = text.slice(u.word, u.end);
    if (last > first && LINE_MARKER.test(word) && (!DOTTED.test(word) || clauses.has(word))) out.push([first, last]);
  }
  return out;
}

/** A number with parts, "3.1", "2.4.1.", "12.03.", "2.5", "10.30": a clause's number, or not. */
const DOTTED = /^\d{1,3}(?:\.\d{1,3})+\.?$/u;

/**
 * A day.month date ("12.03.", "1.12.2026"): a month with a leading zero, or a year after it. No
 * clause is numbered "3.04".
 */
export const DAY_MONTH = /^(?:\d{1,2}\.0[1-9]\.?(?:\d{2}|\d{4})?|\d{1,2}\.\d{1,2}\.(?:\d{2}|\d{4}))$/u;

/**
 * The dotted numbers opening a line that are a clause's: not a day.month date, and another line
 * opens with the same first part ("1.1" under "1. RENT" or over "1.2"). A diary's "12.03. Zahnarzt",
 * "2.5 Stunden Überstunden" or "10.30 Standup" opens a line alone: a date, an amount, a time, read as
 * clause numbers their figures went with their line's words and were released as markers (re-read
 * of session 34, item 8).
 */
function clauseNumbers(text: string, units: readonly Unit[], lines: readonly [number, number][]): Set<string> {
  const heads = lines.map(([first]) => text.slice((units[first] as Unit).word, (units[first] as Unit).end));
  const firsts = new Map<string, number>();
  for (const w of heads) {
    const m = /^(\d{1,3})[.)]/u.exec(w);
    if (m && !DAY_MONTH.test(w)) firsts.set(m[1] as string, (firsts.get(m[1] as string) ?? 0) + 1);
  }
  const out = new Set<string>();
  for (const w of heads)
    if (DOTTED.test(w) && !DAY_MONTH.test(w) && (firsts.get(w.split('.')[0] as string) ?? 0) >= 2) out.add(w);
  return out;
}

/**
 * The lines of a list of facts (`- Dana is allergic to peanuts.`), as turns whose label is the
 * marker, when at least three lines are such items and they are at least half the lines: an app's
 * memory is often such a list, and its items, like turns, are best kept or dropped whole.
 */
export function listItems(
  text: string,
  units: readonly Unit[],
  lines: readonly [number, number][] = lineRanges(text, units),
): Turn[] {
  const out: Turn[] = [];
  const word = (i: number) => text.slice((units[i] as Unit).word, (units[i] as Unit).end);
  for (const [first, last] of lines) {
    if (!MARKER.test(word(first)) && !DATE_MARKER.test(word(first))) continue;
    // "1. [2024-02-11]. fact" (ChatGPT's saved memories): the date after the number is the label's too.
    const labelEnd = first < last && MARKER.test(word(first)) && DATE_MARKER.test(word(first + 1)) ? first + 1 : first;
    if (last > labelEnd) out.push({ first, labelEnd, last, item: true });
  }
  return out.length >= 3 && out.length * 2 >= lines.length ? out : [];
}

/**
 * A speaker label: `Caroline:`, and the shapes the chat rules read (rules/chat.ts): a stamp before
 * it (`[2025-03-01 09:14] Dana:`), a note after the name (`Sam (mobile):`), bold (`**User:**`).
 */
const LABEL = new RegExp(
  String.raw`^(?:\*\*)?[\p{Lu}][\p{L}\p{N} .'_-]{0,39}?(?:\s*\([^)]{1,40}\))?(?:${TIME_AFTER_NAME})?(?:\*\*)?:(?:\*\*)?$`,
  'u',
);
/** A transcript's turn head alone on its line ("[Jordan Lee] 14:02:11", protect.ts BRACKET_HEAD): all of it is the label. */
const HEAD = new RegExp(`^${BRACKET_HEAD}$`, 'u');
/** A label's time after the name ("Dad, 08:14:"): the speaker is the same whatever the time. */
const LABEL_TIME = new RegExp(`${TIME_AFTER_NAME}(?=(?:\\*\\*)?:)`, 'u');
/** A speaker's label in Chinese, Japanese or Korean ("用户:", "助手："), half- or full-width colon. */
const CJK_LABEL = new RegExp(`^${CJK_NAME}[:：]$`, 'u');
/** A role in lower case, as an app's transcript writes it ("user:", "assistant:"), as the domain classifier reads it. */
const ROLE_LABEL = /^(?:\*\*)?(?:user|assistant|system|human|ai|bot)(?:\*\*)?:(?:\*\*)?$/;
/** After a chat export's stamp, a handle in lower case is a speaker too ("[9:02 AM] alice:"). */
const HANDLE_LABEL = /^(?:\*\*)?@?[\p{L}\p{N}][\p{L}\p{N}._-]{0,31}(?:\*\*)?:(?:\*\*)?$/u;
/** A line's stamp before its speaker's name (protect.ts CHAT_STAMP), and one that tells a time or a day. */
const LINE_STAMP = new RegExp(`^${CHAT_STAMP}`, 'u');
const LINE_TIMED_STAMP = new RegExp(`^${TIMED_STAMP}`, 'u');

/**
 * Whether labelled lines make a text a dialogue: turns on a third of its lines (three at least) and
 * someone who speaks twice. A document with a few "Subject: ..." or "**Budget:** ..." lines has fields.
 * The pruner's turns and query-aware selection's reading of a memory (query/memory-units.ts) use it.
 */
export function isDialogue(speakers: readonly string[], lines: number): boolean {
  if (speakers.length < 3 || speakers.length * 3 < lines) return false;
  const seen = new Set<string>();
  for (const who of speakers) {
    if (seen.has(who)) return true;
    seen.add(who);
  }
  return false;
}

/**
 * Lines that start with a speaker label (one to four words ending in ":", after a stamp), as unit ranges. In a
 * dialogue a turn goes on over the lines after it that have no label of their own (a reply's list,
 * its second paragraph), up to a session header, a Markdown heading or a tag line: they are its
 * speaker's, and go or stay with it (kept alone, they would read as the turn above's).
 */
export function dialogueTurns(
  text: string,
  units: readonly Unit[],
  lines: readonly [number, number][] = lineRanges(text, units),
): Turn[] {
  const out: Turn[] = [];
  /** Each turn's lines after its labelled one, applied only when the text is a dialogue. */
  const runsOn: number[] = [];
  const speakers: string[] = [];
  /** Where the last transcript head's block (the head and the lines right under it) ends, or -1. */
  let headEnd = -1;
  for (const [i, last] of lines) {
    const u = units[i] as Unit;
    let labelEnd = -1;
    // A label's name is four words at most, counted after its stamp ("[2025-03-01 09:14] Dr. Mary Lee:",
    // "12/03/2024, 18:04 - Sam:").
    const lineText = text.slice(u.word, (units[last] as Unit).end);
    const stamp = LINE_STAMP.exec(lineText)?.[0].length ?? 0;
    const timed = stamp > 0 && LINE_TIMED_STAMP.test(lineText);
    let nameFrom = i;
    while (nameFrom <= last && (units[nameFrom] as Unit).word < u.word + stamp) nameFrom++;
    const head = HEAD.exec(lineText);
    if (head) labelEnd = last;
    // The lines right under a transcript's head are its words: "Agenda: QA status, ..." or
    // "Okay. Decision: ..." there is no speaker's label (review 4, F-08), and read as one it left
    // the head over nothing.
    const underHead = headEnd >= 0 && !/\n[ \t]*\n/.test(text.slice(headEnd, u.word));
    headEnd = head || underHead ? (units[last] as Unit).end : -1;
    for (let k = nameFrom; k <= Math.min(last, nameFrom + 3) && labelEnd < 0 && !underHead; k++) {
      const label = text.slice((units[nameFrom] as Unit).word, (units[k] as Unit).end);
      if (
        LABEL.test(label) ||
        (k === nameFrom && (ROLE_LABEL.test(label) || CJK_LABEL.test(label) || (timed && HANDLE_LABEL.test(label))))
      ) {
        labelEnd = k;
        break;
      }
    }
    if (labelEnd >= 0) {
      // A label alone on its line ("Assistant:") opens a turn whose words are the lines under it.
      out.push({ first: i, labelEnd, last });
      runsOn.push(last);
      const label = text.slice((units[nameFrom] as Unit).word, (units[labelEnd] as Unit).end);
      speakers.push(head ? `${head.groups?.speaker}:` : label.replace(LABEL_TIME, ''));
      continue;
    }
    const k = out.length - 1;
    const line = text.slice(u.word, (units[last] as Unit).end);
    const stops = /^#{1,6}\s/.test(line) || TAG_LINE.test(line) || HEADER_LINE.test(line);
    if (k >= 0 && runsOn[k] === i - 1 && !stops) runsOn[k] = last;
  }
  // A document's fields ("Subject: ...") are no turns to run on: their lines after them stay apart.
  if (isDialogue(speakers, lines.length)) {
    out.forEach((t, k) => {
      t.last = runsOn[k] as number;
    });
    const names = new Set(speakers.map(speakerName));
    return out.flatMap((t) => inlineTurns(text, units, t, names)).filter((t) => t.labelEnd < t.last);
  }
  for (const t of out) t.field = true;
  return out.filter((t) => t.labelEnd < t.last);
}

/** A label's name, lowercase, without its bold, its note and its colon ("**Sam (mobile):**" -> "sam"). */
export const speakerName = (label: string): string =>
  label
    .replace(/\*\*/g, '')
    .replace(/\s*\([^)]*\)/, '')
    .replace(/:$/, '')
    .trim()
    .toLowerCase();

/** A word that ends a sentence: after it a label may open another turn on the same line. */
const ENDS_SENTENCE = /[.!?]["')\]]*$/;

/**
 * A turn cut where another turn starts on its line: "Dana: I moved to Lisbon in May. Sam: nice." is
 * two turns when "Sam" is a speaker of the dialogue (a label of a line of its own) and the label
 * follows a sentence's end. Read as one turn, Sam's words were Dana's, and a kept "Sam:" whose
 * words went was a bare label (review). A label-like word of someone who never speaks ("Note:")
 * stays a word of the turn.
 */
function inlineTurns(text: string, units: readonly Unit[], turn: Turn, names: ReadonlySet<string>): Turn[] {
  const out: Turn[] = [];
  let current = { ...turn };
  const word = (i: number) => text.slice((units[i] as Unit).word, (units[i] as Unit).end);
  for (let i = current.labelEnd + 1; i < turn.last; i++) {
    if (!ENDS_SENTENCE.test(word(i))) continue;
    // A line break between them: the turn's own next line (runs on), not a label inside a line.
    if (text.slice((units[i + 1] as Unit).start, (units[i + 1] as Unit).word).includes('\n')) continue;
    for (let k = i + 1; k < Math.min(turn.last, i + 4); k++) {
      const label = text.slice((units[i + 1] as Unit).word, (units[k] as Unit).end);
      if (!LABEL.test(label) || !names.has(speakerName(label))) continue;
      out.push({ ...current, last: i });
      current = { first: i + 1, labelEnd: k, last: turn.last };
      i = k;
      break;
    }
  }
  out.push(current);
  return out;
}

/** A one-word label inside a line ("Sam:", "Note:"): a capitalised word and its colon. */
const INLINE_LABEL = /^(?:\*\*)?\p{Lu}[\p{L}\p{N}.'_-]{0,39}(?:\*\*)?:(?:\*\*)?$/u;

/**
 * Labels inside a line kept with none of their words: "Dana: moved Lisbon Sam:" from "Dana: I moved
 * to Lisbon in May. Sam: nice." read as prose (review). Such a label goes, from `keep`, up to its
 * sentence's end or its line's; a label a line opens is its turn's (bare turns go elsewhere), and
 * one that ends its line introduces the next (a list under "Items:"). Returns what went, released
 * as a dropped turn is (a protected name in it is no loss).
 */
export function dropBareLabels(
  text: string,
  units: readonly Unit[],
  keep: Uint8Array,
  /** The units of turns' labels: a turn left with its label alone is settled with its turn. */
  turnLabels: Uint8Array,
  lines: readonly [number, number][] = lineRanges(text, units),
): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  const word = (i: number) => text.slice((units[i] as Unit).word, (units[i] as Unit).end);
  for (const [first, last] of lines)
    for (let i = first + 1; i < last; i++) {
      if (!keep[i] || turnLabels[i] || !INLINE_LABEL.test(word(i))) continue;
      let spoken = false;
      for (let k = i + 1; k <= last && !spoken; k++) {
        spoken = keep[k] === 1;
        if (ENDS_SENTENCE.test(word(k))) break;
      }
      if (spoken) continue;
      keep[i] = 0;
      out.push({ start: (units[i] as Unit).word, end: (units[i] as Unit).end });
    }
  return out;
}
