/**
 * A memory cut into the pieces query-aware selection keeps or drops, with what each piece needs
 * to stay readable on its own: dialogue turns (`Speaker: text` lines) under their session header
 * (the line that carries the session's date), or, for plain prose, sentences inside paragraphs.
 * Offsets index the original text, so a kept piece is copied verbatim.
 */

import { findTags, type Tag } from '../../generation/markup.ts';
import { BRACKET_HEAD, CHAT_STAMP, SESSION_WORD, STAMP_DATE, TIME_AFTER_NAME } from '../../generation/protect.ts';
import { isClosedClass, TITLES } from '../../generation/strategies/pruned/lexicon.ts';
import { isDialogue, TAG_LINE } from '../../generation/strategies/pruned/units.ts';
import { type Line, linesOf } from '../../util/text-lines.ts';
import { parseCalendar } from './calendar-records.ts';
import { pushCodeUnit } from './code-units.ts';
import { parseDiffMemory } from './diff-hunks.ts';
import { parseFieldTree } from './field-tree.ts';
import { parseGitLog } from './git-log.ts';
import { parseLogLines } from './log-lines.ts';
import { SIGN_OFF } from './small-talk.ts';
import { fieldNames, isCastRole, type LabelUse, namesSomeone } from './speaking-labels.ts';

/**
 * A line of quote markers alone (`>`, `>>`): an email's blank line inside a quoted reply. It ends a
 * paragraph as a blank line does, and is no unit (review: two bare `>` were kept as sentences).
 */
const QUOTE_BLANK = /^(?:>\s*)+$/;

/** The line an email client writes above a quoted message (English, German, French), quoted or not. */
const QUOTE_INTRO = /^(?:>\s*)*(?:On\s.{4,160}\swrote|Am\s.{4,160}\sschrieb|Le\s.{4,160}\sa écrit)\s*:\s*$/iu;

export interface MemoryUnit {
  /** Position in the memory, in text order. */
  index: number;
  start: number;
  end: number;
  /** The unit's text, verbatim (a prose sentence wrapped over lines on one line). */
  text: string;
  /** `code`: a fenced code block, kept as written (no sentence cut, no telegraphic style). */
  kind: 'turn' | 'sentence' | 'line' | 'code';
  /** `Speaker` of a `Speaker: text` turn. */
  speaker: string | null;
  /** The session (or paragraph) it belongs to: an index into `ParsedMemory.groups`. */
  group: number;
  /** The turn (dialogue) or block (prose: a paragraph, a list item) this unit belongs to, counted over the memory. */
  turn: number;
  /** Dialogue: the turn's `Speaker:` label, repeated when a later sentence is kept without the first. */
  label: string | null;
  /** The first unit of its turn or block (it holds the label; in prose it opens a line when rendered). */
  first: boolean;
  /**
   * A line of markup alone (`<memory>`, `</context>`): the frame the app wrapped the memory in,
   * kept whatever the query, so no tag is left open.
   */
  pinned: boolean;
  /**
   * A thread's reply (Slack's "↳", Teams' "replied:", Discord's "Replying to @mei: ...", a reply
   * indented under its message): the turn of the message it answers. A reply kept alone does not
   * say what it answers ("yes, approved"), and the answer to a message asking something is its
   * thread's reply, not the channel's next line (select.ts).
   */
  replyTo?: number;
}

export interface MemoryGroup {
  /** The header line (a session line with its date), verbatim; null for plain paragraphs. */
  header: string | null;
  /** Dates found in the header (lowercased words), for date boosts; a log's day when it has none. */
  headerDate: string | null;
  units: number[];
  /**
   * The group whose Markdown heading this one's sits under (a higher level: "# Product sync, 14 May
   * 2025" above "## Notes"), or whose section a table sits in: a kept unit brings its headings up
   * to the document's title, where the date often stands.
   */
  parent?: number;
  /**
   * A record's unit that any other of its units kept brings (a commit's subject, git-log.ts): a body
   * line alone does not say which change it explains.
   */
  lead?: number;
}

/** A log without headers: the day its turns' stamps share (`2025-03-01`), which groups them. */
export const stampDay = (g: MemoryGroup): string | null => (g.header || g.parent !== undefined ? null : g.headerDate);

export interface ParsedMemory {
  text: string;
  format: 'dialogue' | 'prose';
  /** A subtitle transcript (isTranscript): its units are its cues, as written. */
  transcript?: true;
  /** An application or system log (log-lines.ts): its units are its records, as written. */
  log?: true;
  /**
   * A tool's report of indented `Key:   value` fields (field-tree.ts): its units are its field
   * lines, as written, under the keys above them; its parts stand on consecutive lines.
   */
  tree?: true;
  /** An iCalendar or vCard file (calendar-records.ts): its units are its records' properties, as written. */
  calendar?: true;
  /** A unified diff (diff-hunks.ts): its units are its lines, as written, under their hunk and file headers. */
  diff?: true;
  /** A script read as its lines (parseSourceLines): each unit a line (a continued command's too) or a here-document, as written. */
  source?: true;
  units: MemoryUnit[];
  groups: MemoryGroup[];
}

/**
 * `Caroline: ...`, `Dr. Lee: ...`, `user: ...`: a short name, a colon, then the turn; with the
 * shapes the chat rules read (rules/chat.ts): a stamp before the name (`[2025-03-01 09:14] Dana:`),
 * a note after it (`Sam (mobile):`), bold (`**User:**`). The label is all of it, the speaker the name.
 */
const TURN = new RegExp(
  String.raw`^(?<label>(?<stamp>${CHAT_STAMP})?(?:\*\*)?(?<speaker>[\p{Lu}\p{Ll}@][\p{L}\p{N} .'_-]{0,39}?)(?:\s*\([^)]{1,40}\))?(?:${TIME_AFTER_NAME})?(?:\*\*)?:(?:\*\*)?)\s+\S`,
  'u',
);
/** A subtitle cue's timing line: `00:01:10,918 --> 00:01:14,868` (SRT) or `00:03.000 --> 00:04.850` (WebVTT). */
const CUE_TIMING = /^(?:\d+\s*\n)?(?:\d{1,2}:)?\d{2}:\d{2}[.,]\d{3}[ \t]+-->[ \t]+(?:\d{1,2}:)?\d{2}:\d{2}[.,]\d{3}/m;

/** A WebVTT file, or an SRT one (two numbered cues or more). */
export function isTranscript(text: string): boolean {
  if (/^\uFEFF?WEBVTT(?:[ \t][^\n]*)?\r?\n/.test(text)) return true;
  const cues = text.match(/(?:^|\n)\d+\r?\n(?:\d{1,2}:)?\d{2}:\d{2}[.,]\d{3}[ \t]+-->[ \t]/g);
  return (cues?.length ?? 0) >= 2 && /^\uFEFF?\s*1\r?\n/.test(text);
}

/** Who speaks a cue: its `<v Name>` voice tag, or a `Name:` opening its text. */
function cueSpeaker(cue: string): string | null {
  const voice = /<v(?:\.[^\s>]+)?\s+([^>]+)>/.exec(cue)?.[1];
  if (voice) return voice.trim();
  const text = cue.split('\n').find((l) => l.trim() && !/-->/.test(l) && !/^\d+$/.test(l.trim()));
  return text ? (TURN.exec(text.trim())?.groups?.speaker?.trim() ?? null) : null;
}

/**
 * A chat app's copied message head, a name and a time alone on a line (Slack: "Dana Whitfield  9:03 AM"):
 * the turn is the lines under it, as under a label alone (review: such a paste was read as prose, a
 * head glued to the message before it, a message under another's name).
 */
const CHAT_HEAD =
  /^(?<speaker>\p{Lu}[\p{L}'.-]*(?:[ ]\p{Lu}[\p{L}'.-]*){0,3})[ \t]+(?<time>\d{1,2}:\d{2}(?:[ \u202f]?[AaPp][Mm])?)[ \t]*$/u;
/**
 * A meeting transcript's head ("[Jordan Lee] 14:02:11", Zoom's), read as a chat app's: the turn
 * is the lines under it (review 4, F-08/F-12: read as prose, the heads went from the paragraphs
 * kept, and the answer's turn was never kept whole).
 */
const BRACKET_CHAT_HEAD = new RegExp(String.raw`^${BRACKET_HEAD}[ \t]*$`, 'u');
/**
 * An export's message head, a stamp with a time and a name alone on a line, the message under it:
 * DiscordChatExporter's "[11/20/2023 9:14 AM] kai.m", a Teams paste's "[14/02/2024 09:03] Anja
 * Vogel", its thread reply's "[14/02/2024 09:14] Anja Vogel replied:" (review H1: both were read as
 * prose, a message kept without its head, a head kept without its message).
 */
const STAMPED_HEAD =
  /^(?<stamp>\[[^\]\n]{0,30}?\d{1,2}:\d{2}[^\]\n]{0,20}\])[ \t]*(?<speaker>[\p{L}@][\p{L}\p{N}._'-]*(?:[ ][\p{Lu}][\p{L}'.-]*){0,3})(?<replied>[ \t]+replied)?[ \t]*:?[ \t]*$/u;
/**
 * A forum's or an issue tracker's comment head, alone on its line, the comment under it: GitHub's
 * "alice commented on 3 Mar 2024 • edited", "@carol-dev commented on 5 Mar", a forum's "**bob**
 * replied:", "tom.k wrote:". Read as prose, a comment kept without its head said nobody's words
 * (review, session 32). Its date stands as a stamp in the label.
 * A forum's "Quote from X:" is none: what follows it is the reply quoting X, not X's turn. Nor is
 * "Maria posted on Instagram" in a chat: the "on" of a head is a date's, with a figure in it (re-read
 * of session 33: the lines under it, other speakers' turns too, went to Maria, "[Instagram]" her stamp).
 * Nor is a pronoun's "She replied:" in a chat, a quoted reply's lead: its lines, and the next
 * speakers' turns, went to "She".
 */
const COMMENT_HEAD =
  /^(?:\*\*)?@?(?!(?:[Hh]e|[Ss]he|[Tt]hey|[Ii]t|[Ww]e|I|[Yy]ou|[Ss]omeone|[Ee]veryone|[Nn]obody)[ \t])(?<speaker>[\p{L}\p{N}][\p{L}\p{N}._-]*(?:[ ]\p{Lu}[\p{L}'.-]*){0,3})(?:\*\*)?[ \t]+(?:commented|replied|wrote|answered|posted)(?:[ \t]+on[ \t]+(?<time>(?=[^\n•·]{0,40}\d)[^\n•·]{3,40}?))?(?:[ \t]*[•·][ \t]*edited)?[ \t]*:?[ \t]*$/u;
const chatHead = (line: string): RegExpExecArray | null =>
  CHAT_HEAD.exec(line) ?? BRACKET_CHAT_HEAD.exec(line) ?? STAMPED_HEAD.exec(line) ?? COMMENT_HEAD.exec(line);
/**
 * A thread reply's mark before its turn: Slack exports' "↳", a tree's "└─", and "reply from" /
 * "replied by" before the name ("↳ reply from Priya: Done").
 */
const THREAD_MARK = /^(?:[↳↪⤷]|└[─-]*>?)[ \t]*(?:(?:reply|replied|answer)[ \t]+(?:from|by)[ \t]+)?/iu;
/**
 * A message's first line naming the message it replies to, with its opening words: Discord's
 * "Replying to @mei: reminder: design review ...", Slack's "replied to a thread: @Priya can you ...".
 */
const REPLYING = /^(?:replying to[ \t]+@?(?<who>[^\s:]{1,40})|replied to a thread)[ \t]*:[ \t]*(?<quote>\S.*)$/iu;
/** Whether a line only names and quotes the message it replies to (REPLYING): no words of its own. */
export const quotesReplied = (text: string): boolean => REPLYING.test(text);
/** A label alone on its line (`Assistant:`): the turn is the lines under it. */
const LABEL_ONLY = new RegExp(`${TURN.source.replace(/\\s\+\\S$/, '')}\\s*$`, 'u');
/** The day of a turn's stamp (`[2025-03-01 09:14]`): a log's turns are grouped by it, as sessions are. */
const STAMP_DAY = new RegExp(String.raw`^\[?\s*(${STAMP_DATE})(?!\d)`);
/**
 * Another language's session word with its number ("Sesión 3"): alone it opens ordinary sentences
 * ("Sesión de fotos a las 10", "Sitzung fällt morgen aus"), which a turn's next line must stay.
 */
const OTHER_SESSION_WORD = String.raw`(?:Sesi[óo]n|Sess[ãa]o|S[ée]ance|Sitzung|Sessione|Sessie)\s+\d+`;
/**
 * A line naming a session or a date on its own: `Session 3 (1:56 pm on 8 May, 2023): A and B`,
 * `## 2024-03-01`, or a banner framed by rules (`=== Ticket #48990: Billing (closed) ===`, which was
 * read as the line before's turn going on: an agent's message that never was).
 */
const HEADER = new RegExp(
  String.raw`^(?:(?:={3,}|-{3,}|\*{3,})[ \t]*[^\s=*-][^\n]{0,150}?[ \t]*(?:={3,}|-{3,}|\*{3,})$|(?:mon|tue|wed|thu|fri|sat|sun)\w*,?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?$|#{1,6}\s|\[?(?:session|${OTHER_SESSION_WORD}|conversation|day|date|chat)\b[^\n]{0,120}$|\[?\d{4}-\d{2}-\d{2}\b[^\n]{0,60}$|\[?(?:(?:mon|tue|wed|thu|fri|sat|sun)\w*,?\s+)?\d{1,2}\s+\w+,?\s+\d{4}\]?:?$)`,
  'i',
);
/**
 * The number of a step of a plan ("Day 1: Arrive in Tokyo and check in."), or null: its words
 * after the number are a sentence (a lower-case word besides "and"), where a session header's are
 * a date or names. Whether it is one depends on where it stands (see `parseMemory`).
 */
function planStep(line: string): number | null {
  const m = /^(?:day|step|week)\s+(\d{1,3})\s*[:.)–—-]\s*(\S.*)$/i.exec(line);
  if (!m || DATE_IN_HEADER.test(line) || !/(?:^|\s)(?!and\b)\p{Ll}{2,}/u.test(m[2] as string)) return null;
  return Number(m[1]);
}
/** A line opening with a session word: a header even where it reads as a turn ("Session 2: A and B"). */
const SESSION_OPEN = new RegExp(String.raw`^\[?(?:session|${OTHER_SESSION_WORD}|conversation|day|date|chat)\b`, 'i');
/** A line naming a session anywhere ("## Session 4"). */
const SESSION_IN = new RegExp(String.raw`\b${SESSION_WORD}\b`, 'i');
/** A header's date: "8 May, 2023", "May 8, 2023", "2023-05-08", or another language's "9 de febrero de 2025", "9. Februar 2025". */
const DATE_IN_HEADER =
  /\d{1,2}\.?\s+(?:de\s+)?[A-Za-zÀ-ÿ]{3,}\.?,?\s+(?:de\s+)?\d{4}|\d{4}-\d{2}-\d{2}|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?[A-Z][a-z]+\.?,?\s+\d{4}|[A-Z][a-z]+\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}/;

/**
 * Sentence ends: . ! ? (with closing quotes) followed by whitespace and a capital, digit or quote;
 * not the point of a title or an initial ("Mrs. Okafor", "Dr. Lee", "J. R. Smith", "e.g. Paris").
 */
const SENTENCE_END = new RegExp(
  String.raw`(?<!\b(?:${TITLES}|e\.g|i\.e))[.!?]["')\]]*\s+(?=["'([]?[\p{Lu}\p{N}])`,
  'gu',
);

/**
 * Abbreviations said before a number after a word of their sentence: "Invoice No. 5", "Rechnung Nr.
 * 2024-118" (German), "see Fig. 3", "pp. 12-14". Opening a sentence, "No." is an answer ("Was it
 * paid? No. 3 reminders were sent", review).
 */
const NUMBER_ABBREVIATION = /[\p{L}\p{N},;:]\s+(?:No|Nr|Nº|Fig|Vol|Ch|Sec|Ref|Tel|Abs|pp?)$/u;

/** A month's name (German, Dutch, Nordic; full or short) opening what follows a day's ordinal point. */
const ORDINAL_MONTH =
  /^(?:jan(?:uar|uari)?|feb(?:ruar|ruari)?|m(?:ä|ae)rz?|maart|mars|apr(?:il)?|mai|mei|maj|juni?|juli?|aug(?:ust|usti|ustus)?|sept?(?:ember)?|okt(?:ober)?|oct|nov(?:ember)?|de[zcs](?:ember)?)\b/iu;

/** The sentences of a text, trimmed, in order (the memory's own sentence split). */
export function sentencesIn(text: string): string[] {
  return sentencesOf({ start: 0, end: text.length, text })
    .map((l) => l.text.trim())
    .filter(Boolean);
}

/**
 * Whether a text ends in an initial's lone capital: after a name, a title, another initial or
 * nothing ("George R", "Dr. J", "J", "R.R"), not after a lower-case word ("gate B"). Read from the
 * end, not by a regex over the whole text: `(\S*)\s+\p{Lu}$` tried at every space of a long run
 * read the run again each time (a line with 20,000 spaces took 0.5 s to parse).
 */
function endsInInitial(before: string): boolean {
  const cap = /\p{Lu}$/u.exec(before.slice(-2));
  if (!cap) return false;
  const rest = before.slice(0, before.length - cap[0].length);
  if (rest === '') return true;
  if (/\p{Lu}\.$/u.test(rest.slice(-3))) return true;
  const head = rest.trimEnd();
  if (head.length === rest.length || head === '') return false;
  let start = head.length;
  while (start > 0 && !/\s/.test(head[start - 1] ?? '')) start--;
  return /^\p{Lu}/u.test(head.slice(start));
}

/**
 * Per position of a line, how many pairs of brackets (`(` `)`, `[` `]`, closed on the line) hold
 * it: from the character after the opening one to the closing one itself. A closing bracket pairs
 * with the last one open; one open never closed, or a close with none open, pairs with nothing.
 * One pass with a stack: linear on a long line.
 */
function bracketed(text: string): Int32Array {
  const depth = new Int32Array(text.length + 1);
  const open: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '[') open.push(i);
    else if ((c === ')' || c === ']') && open.length) {
      const o = open.pop() as number;
      depth[o + 1] = (depth[o + 1] as number) + 1;
      depth[i + 1] = (depth[i + 1] as number) - 1;
    }
  }
  for (let i = 1; i <= text.length; i++) depth[i] = (depth[i] as number) + (depth[i - 1] as number);
  return depth;
}

function sentencesOf(line: Line): Line[] {
  const out: Line[] = [];
  let from = 0;
  const trimmedEnd = line.text.trimEnd().length;
  // A point inside a pair of brackets closed on the line ends no sentence ("Lina Becker (9. Klasse)"
  // was cut into "Lina Becker (9." and "Klasse)"); nor one the match closes ("(He left.) Then ..."
  // ends there). Only brackets that pair count: a sad face's "(" never closed ("Sad news :( The cat
  // died. ... (ouch).") held every sentence up to the last ")" in one (re-read of session 34).
  const inside = bracketed(line.text);
  for (const m of line.text.matchAll(SENTENCE_END)) {
    if (inside[m.index + m[0].trimEnd().length]) continue;
    // The point of a numbered item's marker ("1. Exports ...") ends no sentence.
    const before = line.text.slice(0, m.index);
    if (m.index <= 5 && /^\s*(?:\d{1,3}|[a-z])$/i.test(before)) continue;
    // Nor a piece with no word in it: a marker and a date head the sentence after them ("8.
    // [2024-04-09]. Rafael is planning...", ChatGPT's saved memories, was cut into "8. [2024-04-09]").
    if (!/\p{L}{2}/u.test(line.text.slice(from, m.index))) continue;
    // Nor an initial's: a lone capital after a name, a title, another initial or nothing ("George
    // R. R. Martin", "Dr. J. Reyes", "J. Smith"); after a lower-case word it ends one ("gate B. Then").
    if (endsInInitial(before)) continue;
    // Nor the point of a number's abbreviation before its number ("Rechnung Nr. RE-2024-0588", "Fig. 3").
    // Read on the line's last characters: read over the whole line at every point, a paragraph of
    // 8,000 sentences on one line took 4.5 s.
    const tail = before.slice(-40);
    if (NUMBER_ABBREVIATION.test(tail) && /^\s*[^\s\d]{0,4}\d/.test(line.text.slice(m.index + 1))) continue;
    // Nor a day's ordinal point before its month ("am 19. März", "1. mai"): German and Nordic dates.
    if (/(?:^|[\s(])\d{1,2}$/.test(tail) && ORDINAL_MONTH.test(line.text.slice(m.index + m[0].length))) continue;
    const cut = m.index + m[0].trimEnd().length;
    if (cut - from > 0) out.push({ start: line.start + from, end: line.start + cut, text: line.text.slice(from, cut) });
    from = m.index + m[0].length;
  }
  if (trimmedEnd > from)
    out.push({ start: line.start + from, end: line.start + trimmedEnd, text: line.text.slice(from, trimmedEnd) });
  return withAnswers(line, out);
}

const ASKS = /\?["')\]]*$/;

/**
 * A piece that opens with a yes or a no and a stop ("No: the cat travels by car?", "No — by train",
 * "Yes, on Monday"): an answer to the question before it, even when it asks again.
 */
const ANSWERS = /^["'([]?(?:yes|no|nope|yep|yeah|nah|ja|nein|non|oui|s[ií]|nee|nej)\s*[,:;.!\u2013\u2014-]/iu;

/**
 * A question and the sentence after it that answers it, one unit: kept alone, a question reads as a
 * fact (review: "He is studying for the JLPT? No - he is Japanese; he is studying for the IELTS"
 * came back as "He studying JLPT?"). Questions in a row stay apart, the last with its answer: a
 * checklist of questions joined into one unit was over the budget and went whole (review). An
 * answer that asks again ("No: by car?") goes on to its own answer: its question kept alone turned
 * the line around (review: "- [x] Pixel's flight? No: the cat travels with us by car with the
 * movers? No — with us by train" kept "- [x] Pixel's flight?", a flight ticked done).
 */
function withAnswers(line: Line, pieces: readonly Line[]): Line[] {
  const out: Line[] = [];
  for (let k = 0; k < pieces.length; k++) {
    const piece = pieces[k] as Line;
    let end = k;
    for (;;) {
      const next = pieces[end + 1];
      if (!next || !ASKS.test((pieces[end] as Line).text)) break;
      const answers = ANSWERS.test(next.text);
      if (ASKS.test(next.text) && !answers) break;
      end++;
      if (!answers) break;
    }
    const last = pieces[end] as Line;
    out.push(
      end === k
        ? piece
        : { start: piece.start, end: last.end, text: line.text.slice(piece.start - line.start, last.end - line.start) },
    );
    k = end;
  }
  return out;
}

/** A line that starts a block of its own: a list item, a table row, a quote. */
const BLOCK_START = /^(?:[-*+•]\s|\d{1,3}[.)]\s|\||>)/;
/** A fenced code block's opening or closing line. */
const FENCE = /^(?:```|~~~)/;
/** A Markdown thematic break: three dashes, stars or underscores or more, alone (spaces between allowed). */
const THEMATIC_BREAK = /^(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$/;
/** A fence's whole run of marks: "````" opens a block only four backticks or more close. */
const FENCE_RUN = /^(?:`{3,}|~{3,})/;

/**
 * Whether a line of prose runs on into the next, as a paragraph hard-wrapped at a width does: the
 * line is long and ends mid-sentence, and the next goes on in lower case or the line ends on a word
 * no sentence ends on ("assisted by" / "Dr. Reyes"). A short line (an address, a title), one that
 * ends a sentence or a clause, or a next line that starts a block or a log entry ("[10:02] Bob: ok")
 * ends there: a log's lines stay apart even when they end without a point.
 */
function wrapsOn(line: string, next: string): boolean {
  const t = line.trim();
  if (t.length < 30 || /[.!?:;]["')\]]*$/.test(t) || BLOCK_START.test(next) || /^[[(<]/.test(next)) return false;
  if (TURN.test(next)) return false;
  if (/^\p{Ll}/u.test(next)) return true;
  const last = t.split(/\s+/).at(-1) ?? '';
  return /[,\u2013\u2014-]$/.test(t) || isClosedClass(last, false) || (RUNS_ON.test(last) && /^\p{L}/u.test(next));
}

/**
 * Prepositions and conjunctions the lexicon keeps as content (they carry the meaning of a time or a
 * condition) that still end no sentence: "...any more after" / "December; ..." is one (review).
 */
const RUNS_ON =
  /^(?:after|before|until|till|since|than|without|between|during|per|via|within|towards?|including|except|against|among|despite|unless|whether)$/i;

/** An email's quote markers opening a line ("> ", ">> "). */
const QUOTE_MARKS = /^(?:>[ \t]?)+/;
const quoteDepth = (line: string): number => (QUOTE_MARKS.exec(line)?.[0].match(/>/g) ?? []).length;

/**
 * Whether a quoted line is the wrapped tail of the quoted line before it: the same depth of markers
 * (another depth is another writer), and, markers aside, a line that runs on (wrapsOn), a line
 * indented under the quoted list item that opened the block, or a line after one filled to the
 * wrap width mid-sentence, whatever it opens with. Review 5, F-17: ">>   (monthly), 10 seats." under
 * ">> - On 3 November you upgraded from Starter (5 seats) to Business" and ">>> (EUR 249.00 two
 * times ...)" under ">>> ... we were charged twice" were blocks of their own, kept as fragments
 * (">> (monthly) 10 seats", ">> plan account").
 */
function quotedWrap(line: string, next: string, head: string = line): boolean {
  const depth = quoteDepth(line);
  if (!depth || quoteDepth(next) !== depth || QUOTE_INTRO.test(line)) return false;
  const a = line.replace(QUOTE_MARKS, '');
  const b = next.replace(QUOTE_MARKS, '');
  if (/^[ \t]{2,}\S/.test(b) && LIST_ITEM.test(head.replace(QUOTE_MARKS, '').trim())) return true;
  if (wrapsOn(a, b)) return true;
  const t = a.trim();
  const n = b.trim();
  // Not a signature's line ("Funmi Oyelaran | Operations Director | ..."), which is no sentence.
  const filled = t.length >= 60 && !t.includes(' | ') && !/[.!?:;]["')\]]*$/.test(t);
  return filled && !BLOCK_START.test(n) && !FIELD_LINE.test(n) && !TURN.test(n);
}

/**
 * A heading in prose: a Markdown heading, or a session or date line that reads as a title, not a
 * sentence ("Day one was hard." is none).
 */
/** A reply's "On ... wrote:" line. */
const WROTE_LINE = /^(?:>\s?)*On .{6,120} wrote:\s*$/m;
/** A header field of a message. */
const HEADER_FIELD = /^(?:>\s?)*(From|Subject|Sent|To|Cc|Bcc|Date|Reply-To):\s/gim;
/** A line that is one header field of a message, unquoted. */
const FIELD_LINE = /^(?:From|Subject|Sent|To|Cc|Bcc|Date|Reply-To):\s*\S/i;

/**
 * A memory that reads as email: a reply's "On ... wrote:" line, or two header fields of a message
 * (review: one "From: Chicago O'Hare" in travel notes made the notes an email, its words the speaker).
 */
export function readsAsEmail(text: string): boolean {
  if (WROTE_LINE.test(text)) return true;
  const fields = new Set([...text.matchAll(HEADER_FIELD)].map((m) => (m[1] as string).toLowerCase()));
  return fields.size >= 2;
}

/**
 * A line indented four spaces or a tab: in Markdown, code, where "    # stop the worker first" is a
 * shell comment, not a heading (review 3: read as one, the code's next line went under it).
 */
const INDENTED_CODE = /^(?: {4}|\t)\s*#/;

function isProseHeading(body: string): boolean {
  if (/^#{1,6}\s/.test(body)) return body.length < 200;
  if (/^<h[1-6]\b[^<>]*>[^<>]{1,150}<\/h[1-6]>$/i.test(body)) return true;
  // Not a wrapped line that happens to start with "day" or "date": a title starts in capitals, or
  // inside a banner's rules (review 3: a CRM export's "=== Account: Helvetia Logistik AG ===" was
  // read as text, and another account's sentences came out under it).
  const title = body.replace(/^(?:={3,}|-{3,})[ \t]*/, '');
  return HEADER.test(body) && body.length < 120 && /^[\p{Lu}\p{N}[]/u.test(title) && !/[.!?]["')\]]*$/.test(body);
}

/**
 * A heading in capitals without a number, as a policy or minutes write them ("SECTION D -
 * CONDITIONS", "RELEVÉ DES ACTIONS"): two words or more, six capitals at least, no lower-case
 * letter nor a sentence's end, standing after a blank line with its section's first line right
 * under it (a shouted line alone, "OK SOUNDS GOOD", heads nothing). Review 3: read as text, the
 * conditions D2-D6 came out under "SECTION C - WHAT IS NOT COVERED".
 */
function shoutedHeading(lines: readonly Line[], i: number): boolean {
  const body = lines[i]?.text.trim() ?? '';
  const next = lines[i + 1]?.text.trim() ?? '';
  if (!next || body.length > 100 || /\p{Ll}/u.test(body) || !/^[\p{Lu}\p{N}]/u.test(body)) return false;
  if (/[.!?:;,]["')\]]*$/.test(body) || body.split(/\s+/).length < 2) return false;
  return (body.match(/\p{Lu}/gu)?.length ?? 0) >= 6 && /\p{Ll}/u.test(next);
}

/** A greeting opening its line ("Hi Anna", "Dear Ms Lind"): the frame of a message, heading nothing, as a sign-off (SIGN_OFF). */
const GREETING = /^(?:hi|hello|hey|dear)\s+\S+(?:\s+\S+)?$/i;

/**
 * A short title over its paragraph, as a plain-text document writes its sections ("Hospital
 * course", "Discharge medications", "Follow-up"): one to six words opening a paragraph, a capital
 * first and a lower-case letter in it (capitals alone are shoutedHeading's), no sentence's end, no
 * colon (a field, "Patient: ..."; a list's lead, "Allergies:"), not ending on a closed-class word
 * ("We met on" wraps on), and under it a line that does not go on in lower case, in a paragraph
 * that reads as text rather than as one more such line: an item, a sentence's end or a longer line.
 * "Call mum" over "Buy milk" is a list of notes, "Margaret Ellison" over an address an address.
 * Review (session 32): read as sentences, "Hospital course" was kept alone with nothing under it,
 * and at 0.1 "Allergies" and "Instructions for the patient" took the place of an answer.
 */
function titledParagraph(lines: readonly Line[], i: number): boolean {
  const body = lines[i]?.text.trim() ?? '';
  const next = lines[i + 1]?.text.trim() ?? '';
  if (!next || /^\p{Ll}/u.test(next) || body.length > 60 || !/^\p{Lu}/u.test(body) || !/\p{Ll}/u.test(body))
    return false;
  if (
    /[.!?:;,]["')\]]*$/.test(body) ||
    body.includes(':') ||
    /[|=<>]/.test(body) ||
    SIGN_OFF.test(body) ||
    GREETING.test(body)
  )
    return false;
  // A session or date line opens another document (isProseHeading): it is no section of this one.
  if (isProseHeading(body) || DATE_LINE.test(body)) return false;
  const words = body.split(/\s+/);
  if (words.length > 6 || isClosedClass(words.at(-1) ?? '', false) || BLOCK_START.test(body) || TURN.test(body))
    return false;
  // The line right under it, not any later one: "Call mum" over "Buy milk" over "Pick up the kids at
  // 5." is a list of notes still (re-read of session 32).
  return BLOCK_START.test(next) || /[.!?]["')\]]*$/.test(next) || next.split(/\s+/).length > 8;
}

/** A line that opens with a date ("2023-09-12: ...", "[12/03/2024] ..."), as a log's day line does. */
const DATE_OPEN = new RegExp(String.raw`^\[?(?:${STAMP_DATE})(?!\d)`);

/**
 * Lines that open with a date, one after another with nothing under any of them: a list of dated
 * facts ("2023-09-12: diagnosed with celiac disease"), each a fact and not a day's heading over
 * nothing (review: 17 such lines were read as 17 headings, "2 of 5 sentences", and a question about
 * one of them kept three others).
 */
function datedEntries(lines: readonly Line[]): Set<Line> {
  const nonEmpty = lines.filter((l) => l.text.trim());
  const dated = nonEmpty.map((l) => {
    const body = l.text.trim();
    return DATE_OPEN.test(body) && /\s\S+\s+\S/.test(body) && !TURN.test(body);
  });
  const out = new Set<Line>();
  nonEmpty.forEach((l, k) => {
    if (dated[k] && (dated[k - 1] || dated[k + 1])) out.add(l);
  });
  return out;
}

/** A Markdown or HTML heading's level ("## Notes" and "<h2>Notes</h2>" are 2); none for a session or date line. */
function headingLevel(body: string): number | undefined {
  const m = /^(#{1,6})\s/.exec(body) ?? /^<h([1-6])\b/i.exec(body);
  if (!m?.[1]) return undefined;
  return m[1].startsWith('#') ? m[1].length : Number(m[1]);
}

const WEEKDAY =
  '(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*|lunes|martes|mi[ée]rcoles|jueves|viernes|s[áa]bado|domingo|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|luned[ìi]|marted[ìi]|mercoled[ìi]|gioved[ìi]|venerd[ìi]|sabato|domenica';
const MONTH =
  '(?:jan|ene|gen|feb|f[ée]v|mar|m[äa]r|maa|apr|abr|avr|may|mai|mag|mei|jun|jui|giu|jul|lug|aug|ago|ao[ûu]|sep|set|oct|okt|ott|out|nov|dec|dic|d[ée]c|dez)\\p{L}*\\.?';
/**
 * A date alone on its line, in the languages a diary is kept in: "3 de febrero de 2025", "3. März
 * 2025", "1er mars 2025", "February 3, 2025", "Monday, 3 February 2025", "03/02/2025".
 */
const DATE_LINE = new RegExp(
  String.raw`^\[?(?:(?:${WEEKDAY}),?\s+)?(?:\d{1,2}(?:\.|st|nd|rd|th|º|er)?\s+(?:(?:de|of)\s+)?${MONTH}(?:,|\s+de|\s+del)?\s+\d{4}|${MONTH}\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|${STAMP_DATE})\]?:?$`,
  'iu',
);

/**
 * Whether line `i` is a date heading a diary's entry: a date alone, with text after it before the
 * next date (a run of dates alone is a list; a date ending the text heads nothing), text that does
 * not go on in lower case: a sentence wrapped around its date ("We met on / 3 March 2025 / and
 * agreed to ship.") was cut in two under a heading.
 */
function datesEntry(lines: readonly Line[], i: number): boolean {
  if (!DATE_LINE.test(lines[i]?.text.trim() ?? '')) return false;
  const next = lines.slice(i + 1).find((l) => l.text.trim());
  return next !== undefined && !DATE_LINE.test(next.text.trim()) && !/^\p{Ll}/u.test(next.text.trim());
}

/**
 * A numbered heading in capitals, as a contract or a statute writes them ("3. SERVICE CREDITS",
 * "3.1 AVAILABILITY", "IV. TERM"): its depth (1 for "3.", 2 for "3.1"), or none. Four capitals at
 * least and no lower-case letter, nor a sentence's end.
 */
const CAPS_HEADING = /^(?<number>(?:\d{1,3}\.)*\d{1,3}\.?|[IVXLC]{1,6}\.|[A-Z]\.)[ \t]+(?<title>[^\p{Ll}]{2,100})$/u;
function capsDepth(body: string): number | undefined {
  const m = CAPS_HEADING.exec(body);
  const title = m?.groups?.title ?? '';
  if (!m || (title.match(/\p{Lu}/gu)?.length ?? 0) < 4 || /[.!?]["')\]]*$/.test(title)) return undefined;
  return /^\d/.test(m.groups?.number ?? '') ? (m.groups?.number ?? '').replace(/\.$/, '').split('.').length : 1;
}

/** The number after a list item's ("2" after "1.", "3.2" after "3.1"), or none (Roman, a letter). */
function nextNumber(number: string): string | undefined {
  const m = /^((?:\d{1,3}\.)*)(\d{1,3})\.?$/.exec(number);
  return m ? `${m[1]}${Number(m[2]) + 1}` : undefined;
}

/** A numbered line's number ("2" of "2. Lock", "3.1" of "3.1 AVAILABILITY"), in any case; none for the rest. */
const LINE_NUMBER = /^((?:\d{1,3}\.)*\d{1,3})[.)]?[ \t]/;

/**
 * Whether the capitals line `i` heads a section: the next line with text is no heading of the same
 * depth or above, nor the next item of its list in any case, so a list of capitals ("1. NO PETS",
 * "2. NO SMOKING") stays a list, its items kept, not headings over nothing; and so does a list with
 * one item shouted ("1. DO NOT SHARE YOUR PASSWORD" over "2. Lock your screen.", "1. NASA" over
 * "2. ESA": the item was read as a heading, never ranked itself). The last item of such a list is
 * one too: the line before it is the item before it, and no clause of its own ("2.1") comes under
 * it (review: "2. LOCK YOUR SCREEN" over a paragraph headed that paragraph, and a question about the
 * office's hours brought it along while one about the rules never kept it).
 */
function headsSection(lines: readonly Line[], i: number, depth: number): boolean {
  const next = lines.slice(i + 1).find((l) => l.text.trim());
  if (!next) return false;
  const body = next.text.trim();
  const number = CAPS_HEADING.exec(lines[i]?.text.trim() ?? '')?.groups?.number ?? '';
  const follow = nextNumber(number);
  if (follow && body.startsWith(follow) && /^\.?[ \t]/.test(body.slice(follow.length))) return false;
  const own = number.replace(/\.$/, '');
  let before = '';
  for (let k = i - 1; k >= 0 && !before; k--) before = lines[k]?.text.trim() ?? '';
  const previous = LINE_NUMBER.exec(before)?.[1];
  if (previous && nextNumber(previous) === own && !body.startsWith(`${own}.`)) return false;
  const below = capsDepth(body);
  return below === undefined || below > depth;
}

/** A sentence's end inside a line, where another speaker's turn may start. */
const TURN_BREAK = /[.!?]["')\]]*[ \t]+(?=\S)/g;

/**
 * A turn's line cut where another turn starts on it: "Dana: I moved to Lisbon in May. Sam: nice."
 * is two turns when "Sam" is a speaker of the memory (`names`: the names its lines open with) and
 * the label follows a sentence's end. Read as one, Sam's words were Dana's turn (review). A
 * label-like word of no speaker ("Note:", "Then Sam said:") stays a word of the turn.
 */
function inlineTurns(
  line: Line,
  turn: RegExpExecArray,
  names: ReadonlySet<string>,
): { line: Line; turn: RegExpExecArray }[] {
  const lead = line.text.length - line.text.trimStart().length;
  const body = line.text.trim();
  const cuts: { at: number; turn: RegExpExecArray }[] = [{ at: 0, turn }];
  const from = (turn.groups?.label ?? '').length;
  for (const m of body.slice(from).matchAll(TURN_BREAK)) {
    const at = from + m.index + m[0].length;
    const next = TURN.exec(body.slice(at));
    if (!next || next.groups?.stamp || !names.has(next.groups?.speaker?.trim().toLowerCase() ?? '')) continue;
    cuts.push({ at, turn: next });
  }
  return cuts.map(({ at, turn: t }, k) => {
    const end = k + 1 < cuts.length ? (cuts[k + 1] as { at: number }).at : body.length;
    const text = body.slice(at, end).trimEnd();
    const start = line.start + lead + at;
    return { line: { start, end: start + text.length, text }, turn: t };
  });
}

/**
 * The turn a reply names by its opening words ("Replying to @mei: reminder: design review ..."):
 * the latest turn before `turn` holding them (by `who` when it is given and one of theirs does).
 */
function repliedTurn(units: readonly MemoryUnit[], turn: number, quote: string, who?: string): number | undefined {
  const words = (s: string) =>
    s
      .toLowerCase()
      .replace(/[…]|\.{3}$/g, '')
      .replace(/\s+/g, ' ')
      .trim();
  // Matched as whole words (re-read of session 32: a quoted "yes" matched "yesterday"), the last
  // one open where the quote was cut ("…", or longer than its opening).
  const bare = (s: string) =>
    ` ${words(s)
      .replace(/[^\p{L}\p{N}]+/gu, ' ')
      .trim()} `;
  const opening = bare(quote).slice(0, 41);
  if (opening.trim().length < 3) return undefined;
  const cut = /…|\.{3}\s*$/.test(quote) || bare(quote).length > 41;
  const needle = cut ? opening.trimEnd() : opening.endsWith(' ') ? opening : `${opening} `;
  const found = units.filter((u) => u.turn < turn && bare(u.text).includes(needle));
  const theirs = who ? found.filter((u) => u.speaker?.toLowerCase().includes(who.toLowerCase())) : [];
  return (theirs.at(-1) ?? found.at(-1))?.turn;
}

/**
 * A line whose every turn only names someone ("Host: Nadia Brooks. Guest: Dr. Tomás Ferreira,
 * researcher at TU Delft."): a transcript's opening saying who its roles are. Read as turns, the
 * host said "Nadia Brooks." and the line under it ("Recorded 19 September 2024.") went on as the
 * guest's words (session 33's review).
 */
function castLine(line: Line, turn: RegExpExecArray, names: ReadonlySet<string>): boolean {
  const parts = inlineTurns(line, turn, names);
  // One person's label with a capitalised answer ("Tom: New York.", "Tom: Sounds Good.") is a
  // turn: a cast is two roles or more on the line, or one a show names (re-read of session 34, item 9).
  if (parts.length < 2 && !isCastRole(turn.groups?.speaker ?? '')) return false;
  return parts.every((part) => namesSomeone(part.line.text.slice((part.turn.groups?.label ?? '').length)));
}

/**
 * A line break inside a wrapped sentence, with the spaces around it and a quote's markers after it.
 * It starts at the first space of a run (the look-behind): tried at every space of a long run, the
 * run was read to its end each time (20,000 spaces on a line: 0.5 s).
 */
const LINE_BREAK_IN_SENTENCE = /(?<![ \t])[ \t]*\n\s*(?:>[ \t]?)*[ \t]*/g;

/**
 * Lines around a diff that are a chat's: two turns or more, at least half the lines. A diff pasted
 * into a chat is read as a diff (its lines as written under their headers, the turns each a unit of
 * its own) however long the chat: read as turns, its lines were telegraphed, `+MIN_FEE = 50` glued
 * to the turn above it, the hunk's `@@` and the file's name left out.
 */
function chatAround(outside: readonly string[]): boolean {
  const turns = outside.filter((l) => TURN.test(l.trim())).length;
  return turns >= 2 && turns * 2 >= outside.length;
}

/**
 * Dialogue when at least a third of the non-empty lines are `Speaker: text` turns (and there are
 * three or more): each turn is a unit, headers open groups. Otherwise prose: a heading opens a
 * group (its section), a paragraph without one is a group of its own, and the units are sentences,
 * read across a paragraph's wrapped lines; a fenced code block is one unit.
 */
export function parseMemory(text: string): ParsedMemory {
  const diff = parseDiffMemory(text, chatAround);
  if (diff) return diff;
  const log = parseGitLog(text, sentencesOf);
  if (log) return log;
  const calendar = parseCalendar(text);
  if (calendar) return calendar;
  const records = parseLogLines(text);
  if (records) return records;
  const tree = parseFieldTree(text);
  if (tree) return tree;
  let lines = linesOf(text);
  const nonEmpty = lines.filter((l) => l.text.trim());
  // Dialogue has people who speak more than once: "**Destination:** Tokyo", "**Dates:** 1-8 May"
  // are a document's fields, not turns.
  const uses = nonEmpty.flatMap((l): LabelUse[] => {
    if (planStep(l.text.trim()) !== null) return [];
    const marked = l.text.trim();
    const line = marked.replace(THREAD_MARK, '');
    const turn = TURN.exec(line);
    const head = turn ? null : chatHead(line);
    const alone = turn || head ? null : LABEL_ONLY.exec(line);
    const m = turn ?? head ?? alone;
    if (!m) return [];
    const name = m.groups?.speaker?.trim() ?? '';
    const value = alone ? '' : line.slice((m.groups?.label ?? '').length);
    // A label alone over its message ("Maya:" over her code) and a turn opening a code block are a
    // chat's ways to write a turn; a document's field holds its value on its line.
    const chat =
      head !== null || alone !== null || Boolean(m.groups?.stamp) || line !== marked || FENCE.test(value.trim());
    return [{ name, value, chat }];
  });
  const speakers = uses.map((u) => u.name.toLowerCase());
  // The labels of a document's fields ("Thema:", "Hausaufgabe:") are no speakers: they neither make
  // a memory a dialogue nor open a turn that the lines under them go on.
  const fieldLabelNames = fieldNames(uses);
  const talkers = speakers.filter((w) => !fieldLabelNames.has(w));
  const speakerNames = new Set(talkers);
  const units: MemoryUnit[] = [];
  const groups: MemoryGroup[] = [];
  const open = (header: string | null, day: string | null = null, parent?: number): number => {
    const own = header ? (DATE_IN_HEADER.exec(header)?.[0] ?? (DATE_LINE.test(header) ? header : null)) : day;
    const above = parent === undefined ? undefined : groups[parent];
    // A section without a date of its own is dated by the heading it sits under.
    const headerDate = own ?? above?.headerDate ?? null;
    groups.push({ header, headerDate, units: [], ...(above ? { parent } : {}) });
    return groups.length - 1;
  };
  let turnCount = 0;
  /** Whether a turn was read yet: a line naming who the speakers are comes before. */
  let spoke = false;
  const push = (
    l: Line,
    kind: MemoryUnit['kind'],
    speaker: string | null,
    group: number,
    turn: number,
    label: string | null,
    first: boolean,
    replyTo?: number,
  ) => {
    if (speaker !== null) spoke = true;
    const lead = l.text.length - l.text.trimStart().length;
    const trimmed = l.text.trim();
    if (!trimmed) return;
    // A sentence wrapped over lines reads as one line: the break was the page's width, not the writer's.
    // A quoted sentence's later lines lose their markers: it is one line, quoted once.
    // A quoted list item's tail loses the indentation after its markers ("Business (monthly)").
    const body = kind === 'sentence' ? trimmed.replace(LINE_BREAK_IN_SENTENCE, ' ') : trimmed;
    const u: MemoryUnit = {
      index: units.length,
      start: l.start + lead,
      end: l.start + lead + trimmed.length,
      text: body,
      kind,
      speaker,
      group,
      turn,
      label,
      first,
      pinned: TAG_LINE.test(body),
      ...(replyTo !== undefined ? { replyTo } : {}),
    };
    units.push(u);
    groups[group]?.units.push(u.index);
  };
  /** A fenced code block is one unit, as written: never cut into sentences, never telegraphed. */
  const pushCode = (fenced: Line[]) => {
    const head = fenced[0] as Line;
    const last = fenced.at(-1) as Line;
    push(
      { start: head.start, end: last.end, text: text.slice(head.start, last.end) },
      'code',
      null,
      group,
      turnCount++,
      null,
      true,
    );
  };

  if (isTranscript(text)) {
    // A subtitle transcript (WebVTT, SRT): each cue, its number and timing with its lines, is one
    // unit kept as written, a group of its own so cues stay apart by a blank line; the file's
    // WEBVTT head is always kept. The output is still a transcript a player reads, every line under
    // its own timing (review: it was read as code and left whole, or, read as chat, a timing came
    // out over another cue's line).
    let block: Line[] = [];
    const flushCue = () => {
      const head = block[0];
      const last = block.at(-1);
      block = [];
      if (!head || !last) return;
      const span = { start: head.start, end: last.end, text: text.slice(head.start, last.end) };
      const g = open(null);
      const cue = CUE_TIMING.test(span.text);
      push(span, 'code', cue ? cueSpeaker(span.text) : null, g, turnCount++, null, true);
      // The file's own blocks, no cue (its WEBVTT head, a NOTE, a STYLE or REGION block): kept as
      // written, the NOTE often saying what the meeting was and when; nor counted as cues.
      const u = units.at(-1);
      if (u && !cue && /^\uFEFF?(?:WEBVTT|NOTE|STYLE|REGION)\b/.test(u.text)) u.pinned = true;
    };
    for (const l of lines) {
      if (l.text.trim()) block.push(l);
      else flushCue();
    }
    flushCue();
    return { text, format: 'prose', transcript: true, units, groups };
  }

  // An email thread's header fields repeat ("From:", "Subject:" in every message) but are no
  // speakers: read as a document, each message's fields one heading (review: its body went under a
  // "Subject:" label, its "From:" line to the message before).
  // Only where the fields are most of what reads as labels: a meeting's "Date:" and "Subject:" over
  // its turns, or a chat where someone pastes "From: Lisbon (LIS)", is still dialogue (review).
  // The quoted messages' fields count too (review 5, F-17: a ticket's thread, its header lines and
  // internal notes read as six speakers against the top message's four fields, was read as one text
  // whose "Date:" headed the reply and whose "From:" was a sentence, cut in every query output).
  const quotedFields = [...text.matchAll(HEADER_FIELD)].filter((m) => m[0].startsWith('>')).length;
  const fieldLabels =
    speakers.filter((w) => /^(?:from|to|cc|bcc|subject|date|sent|reply-to)$/.test(w)).length + quotedFields;
  const email = readsAsEmail(text) && fieldLabels * 2 >= speakers.length;
  if (!email && isDialogue(talkers, nonEmpty.length)) {
    const entries = datedEntries(lines);
    // Indentation makes a thread only where two turns or more stand less indented: a chat pasted
    // with its first line flush and the rest indented is no thread under that line (re-read of
    // session 32: every kept turn brought "Alice: quick planning chat" as the message it answered).
    const headIndents = lines
      .filter((l) => TURN.test(l.text.trim()) || chatHead(l.text.trim()) !== null)
      .map((l) => l.text.length - l.text.trimStart().length);
    const threadsByIndent = (indent: number) => indent > 0 && headIndents.filter((d) => d < indent).length >= 2;
    let group = -1;
    /** The session header the turns after a tag line continue under. */
    let resume: string | null = null;
    /** The turn a line with no label of its own goes on (a reply's second paragraph, its list). */
    let speaking: { turn: number; speaker: string | null; label: string | null; replyTo?: number } | null = null;
    /**
     * The messages a reply may answer, by depth (indentation, a thread mark): a reply answers the
     * nearest one above it less deep, as a Slack thread's replies answer its message.
     */
    const open_: { depth: number; turn: number }[] = [];
    const threadOf = (depth: number, turn: number): number | undefined => {
      while ((open_.at(-1)?.depth ?? -1) >= depth) open_.pop();
      const parent = open_.at(-1)?.turn;
      open_.push({ depth, turn });
      return parent;
    };
    /** The line before this one, and the last step of a plan the current turn numbered (0: none). */
    let before = '';
    let lastStep = 0;
    let stepTurn = -1;
    /** Whether the lines since the last chat head are all under it, with no blank line between. */
    let underHead = false;
    /** Whether that head is a forum's comment head ("maria replied:"), which a chat may hold too. */
    let underComment = false;
    const fences = closedFences(lines, true);
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i] as Line;
      const body = l.text.trim();
      if (!body || QUOTE_BLANK.test(body)) {
        underHead = false;
        continue;
      }
      // A rule between messages (an export's "=====" banner lines) says nothing and ends the turn
      // above it (review H1: kept as a turn's line, it filled gaps).
      if (THEMATIC_BREAK.test(body) || /^={3,}$/.test(body)) {
        speaking = null;
        underHead = false;
        continue;
      }
      // Inside a reply, a numbered day of its plan is the reply's line, not a session nor a speaker
      // "Day 1": when the reply announced it ("Here is a plan:") or it follows the step before.
      // After a turn that did neither, "Day 2: at the beach" is a session's header.
      const inTurn: number = speaking?.turn ?? -1;
      if (inTurn !== stepTurn) lastStep = 0;
      const n: number | null = inTurn >= 0 ? planStep(body) : null;
      const step: boolean = n !== null && (before.endsWith(':') || (lastStep > 0 && n === lastStep + 1));
      if (step) {
        lastStep = n as number;
        stepTurn = inTurn;
      }
      before = body;
      // The lines right under a chat head are its words: "Agenda: QA status, ..." there is no
      // speaker's label (review 4, F-08: read as one, the head's name went from the turn kept).
      // A thread's mark ("↳ ") before a turn or a head: the line is a reply, its label the mark's too.
      const marked = step || underHead ? '' : (THREAD_MARK.exec(body)?.[0] ?? '');
      const core = body.slice(marked.length);
      const indent = l.text.length - l.text.trimStart().length;
      const depth = (threadsByIndent(indent) ? indent : 0) + (marked ? 1 : 0);
      const own: RegExpExecArray | null = step ? null : TURN.exec(core);
      // Under a comment head, a turn of one of the chat's speakers is theirs: "Maria replied:" in a
      // chat is followed by "Ben: ..." (re-read of session 33: Ben's turn went to Maria).
      const speakerTurn = underComment && speakerNames.has(own?.groups?.speaker?.trim().toLowerCase() ?? '');
      const turn: RegExpExecArray | null = underHead && !speakerTurn ? null : own;
      // Inside a reply, a Markdown heading with no date is the reply's ("## Packing list"), not a session.
      const inReply =
        step || (speaking !== null && /^#{1,6}\s/.test(body) && !DATE_IN_HEADER.test(body) && !SESSION_IN.test(body));
      // A line that is a header and not a turn opens a session; "Session 2: A and B" matches both
      // patterns, so the header test comes first for lines that start with a session word.
      if (!inReply && !entries.has(l) && HEADER.test(body) && (!turn || SESSION_OPEN.test(body))) {
        group = open(body);
        speaking = null;
        open_.length = 0;
        continue;
      }
      // A tag framing the memory (`<memory>`, `</memory>`) stands in a group of its own, so
      // keeping it never brings a session's header; turns after it, before any header, continue
      // their session under its header again.
      if (TAG_LINE.test(body)) {
        resume = group >= 0 ? (groups[group]?.header ?? null) : null;
        push(l, 'line', null, open(null), turnCount++, null, true);
        group = -1;
        speaking = null;
        continue;
      }
      // A log without session headers: a new day in the stamps opens a group, dated by it.
      const day = STAMP_DAY.exec(turn?.groups?.stamp ?? '')?.[1] ?? null;
      const current = groups[group];
      if (day && current && !current.header && current.headerDate !== day && current.units.length) group = -1;
      if (group < 0) group = day && !resume ? open(null, day) : open(resume);
      if (!turn && TABLE_ROW.test(body) && TABLE_RULE.test(lines[i + 1]?.text.trim() ?? '')) {
        // A Markdown table among turns (a memory of notes and chats pasted together) is read as in
        // prose: its header and delimiter rows head its rows, so a kept row is still a table (review
        // 3: the rows came out under the header row without the |---| row).
        const rows = `${body}
${(lines[i + 1] as Line).text.trim()}`;
        const table = open(rows, null, groups[group]?.header ? group : undefined);
        let k = i + 2;
        for (; k < lines.length && /^\|/.test((lines[k] as Line).text.trim()); k++)
          push(lines[k] as Line, 'code', null, table, turnCount++, null, true);
        i = k - 1;
        before = '';
        continue;
      }
      const closeAt = fences.get(i);
      if (closeAt !== undefined) {
        // A fenced code block is one unit, its fences with its body, as in prose: read line by
        // line, a kept fence came back with no body or no closing fence (review: "Maya: ```python"
        // alone). Opened on a turn's line ("Maya: ```python"), it is that turn, whole; under a
        // label alone ("Maya:") or after a turn's line, it goes on that turn.
        const last = lines[closeAt] as Line;
        const span = { start: l.start, end: last.end, text: text.slice(l.start, last.end) };
        if (turn) {
          const speaker = turn.groups?.speaker?.trim() ?? null;
          const label = turn.groups?.label ?? null;
          speaking = { turn: turnCount, speaker, label };
          push(span, 'code', speaker, group, turnCount++, label, true);
        } else if (speaking) push(span, 'code', speaking.speaker, group, speaking.turn, speaking.label, false);
        else push(span, 'code', null, group, turnCount++, null, true);
        i = closeAt;
        before = '';
        continue;
      }
      // Whole turns: scored on sentences alone, relevance was worse on LoCoMo (a sentence
      // lacks the context its turn gives it), so a turn is kept or dropped as one.
      const head: RegExpExecArray | null = turn ? null : chatHead(core);
      if (head) {
        const who = head.groups?.speaker?.trim() ?? '';
        const replied = head.groups?.replied ? ' replied' : '';
        const time = head.groups?.time;
        const stamp = head.groups?.stamp ?? (time ? `[${time}]` : '');
        const replyTo = threadOf(depth + (replied ? 1 : 0), turnCount);
        speaking = {
          turn: turnCount++,
          speaker: who,
          label: `${marked}${stamp ? `${stamp} ` : ''}${who}${replied}:`,
          ...(replyTo !== undefined ? { replyTo } : {}),
        };
        underHead = true;
        underComment = !CHAT_HEAD.test(core) && !BRACKET_CHAT_HEAD.test(core) && !STAMPED_HEAD.test(core);
        continue;
      }
      // Its first line may name the message it replies to ("Replying to @mei: reminder: ...").
      const replying = underHead && speaking && speaking.replyTo === undefined ? REPLYING.exec(body) : null;
      if (replying && speaking) {
        const replyTo = repliedTurn(units, speaking.turn, replying.groups?.quote ?? '', replying.groups?.who);
        if (replyTo !== undefined) speaking.replyTo = replyTo;
      }
      const alone: RegExpExecArray | null = turn ? null : LABEL_ONLY.exec(core);
      if (alone) {
        // No unit of its own (it would be a bare label): the lines under it carry it.
        const replyTo = threadOf(depth, turnCount);
        speaking = {
          turn: turnCount++,
          speaker: alone.groups?.speaker?.trim() ?? null,
          label: `${marked}${alone.groups?.label ?? ''}` || null,
          ...(replyTo !== undefined ? { replyTo } : {}),
        };
        continue;
      }
      if (!turn && speaking) {
        // Still the same speaker: kept without the turn's first line, it shows the turn's label.
        push(l, 'line', speaking.speaker, group, speaking.turn, speaking.label, false, speaking.replyTo);
        continue;
      }
      if (
        !turn ||
        fieldLabelNames.has(turn.groups?.speaker?.trim().toLowerCase() ?? '') ||
        (!spoke && !marked && castLine(l, turn, speakerNames))
      ) {
        // A field's line is a line of its own: no speaker's, and the lines under it are not its.
        // So is a line naming who the speakers are, above the first turn ("Host: Nadia Brooks.").
        push(l, 'line', null, group, turnCount++, null, true);
        speaking = null;
        continue;
      }
      // A line may hold more turns than its first ("Dana: I moved in May. Sam: nice."): each its own.
      const replyTo = threadOf(depth, turnCount);
      if (marked) {
        // A marked reply is one turn, its mark kept before its label.
        const label = `${marked}${turn.groups?.label ?? ''}`;
        const speaker = turn.groups?.speaker?.trim() ?? null;
        speaking = { turn: turnCount, speaker, label, ...(replyTo !== undefined ? { replyTo } : {}) };
        push(l, 'turn', speaker, group, turnCount++, label, true, replyTo);
        continue;
      }
      for (const part of inlineTurns(l, turn, speakerNames)) {
        const label: string | null = part.turn.groups?.label ?? null;
        const speaker: string | null = part.turn.groups?.speaker?.trim() ?? null;
        speaking = { turn: turnCount, speaker, label, ...(replyTo !== undefined ? { replyTo } : {}) };
        push(part.line, 'turn', speaker, group, turnCount++, label, true, replyTo);
      }
    }
    return { text, format: 'dialogue', units, groups };
  }

  // Prose: a block is a run of lines read as one text (a paragraph hard-wrapped at a width, or
  // a list item with its wrapped tail) and cut into sentences across its line breaks; a heading
  // opens a section that the paragraphs under it share, so a kept sentence brings its heading.
  lines = elementLines(lines);
  const entries = datedEntries(lines);
  let group = -1;
  let blank = true;
  let block: Line[] = [];
  let fence: Line[] | null = null;
  /** Headerless groups that go on a section after its table: their paragraphs stay together. */
  const continued = new Set<number>();
  const inGroup = () => {
    // A paragraph with no heading above it is a group of its own.
    if (group < 0 || (blank && groups[group]?.header === null && !continued.has(group))) group = open(null);
    return group;
  };
  const flush = () => {
    const head = block[0];
    const last = block.at(-1);
    block = [];
    if (!head || !last) return;
    const t = turnCount++;
    const span = { start: head.start, end: last.end, text: text.slice(head.start, last.end) };
    // A stamped note among prose ("[2026-11-13 14:55] Tomás Ferreira: ...", a ticket's internal
    // notes): its stamp and name are its sentences' label, shown before a later sentence kept
    // without the first, as a turn's (review 5, F-17: "Refund request sent to Finance" came out
    // with no one's name nor date).
    const turn = TURN.exec(head.text.trim());
    const label = turn?.groups?.stamp ? (turn.groups.label ?? null) : null;
    const speaker = label ? (turn?.groups?.speaker?.trim() ?? null) : null;
    sentencesOf(span).forEach((sentence, k) => {
      push(sentence, 'sentence', speaker, group, t, label, k === 0);
    });
  };
  // A command continued over lines (`\` at a line's end) is one unit, as written, as a fenced
  // block is: read as a wrapped sentence its lines were written as one (`... install -y \ curl \`),
  // and a line kept from it alone went on with whatever line was shown next (re-read of session 35).
  const fences = new Map([...closedFences(lines), ...continuedCommands(lines)]);
  let closeAt = -1;
  /**
   * Lines right under a fence never closed, up to a blank line: its code, cut short, where a "# ..."
   * comment is no heading.
   */
  let unclosed = false;
  /** The Markdown headings above the line being read, outermost first: each opens its subsections' parent. */
  const headings: { level: number; group: number }[] = [];
  /** The group an email's header fields opened (its heading grows while no body line came). */
  let fields = -1;
  /** The group of the Markdown table whose rows are being read, and the delimiter row's line. */
  let table: { group: number; rule: number; section: number; html?: boolean } | null = null;
  for (const [i, l] of lines.entries()) {
    const body = l.text.trim();
    if (table) {
      if (i === table.rule) continue;
      // A section's tag inside an HTML table (`</thead>`, `<tbody>`): the rows after it are still the
      // table's, under its header row (session 38: a saved page's table ended at "</thead>", its rows
      // read as one paragraph with no header, and "close on Tuesday?" kept no row).
      if (table.html && TABLE_SECTION_TAG.test(body)) {
        push(l, 'line', null, table.group, turnCount++, null, true);
        continue;
      }
      // A row is data, kept as written (never telegraphed), and brings the table's header.
      if (table.html ? HTML_ROW.test(body) : TABLE_ROW.test(body)) {
        push(l, 'code', null, table.group, turnCount++, null, true);
        continue;
      }
      // The paragraphs after it go on its section, in a group of their own after the table's, so
      // they are written after it (review: a closing sentence came out above the table).
      if (table.section >= 0) {
        group = open(null, null, table.section);
        continued.add(group);
      } else group = -1;
      table = null;
      blank = true;
    }
    if (!fence && HTML_HEAD_ROW.test(body)) {
      // An HTML table's header row (its cells <th>): the header of the rows after it, which are
      // data kept as written, each whole, as a Markdown table's are.
      flush();
      const section = groups[group]?.header ? group : -1;
      table = { group: open(body, null, section >= 0 ? section : undefined), rule: -1, section, html: true };
      continue;
    }
    if (!fence && TABLE_ROW.test(body) && TABLE_RULE.test(lines[i + 1]?.text.trim() ?? '')) {
      // A Markdown table: its header and delimiter rows are the header of its rows' group, so a
      // row kept is still a table, under the names of its columns.
      flush();
      const section = groups[group]?.header ? group : -1;
      const rows: string = `${body}\n${(lines[i + 1] as Line).text.trim()}`;
      table = { group: open(rows, null, section >= 0 ? section : undefined), rule: i + 1, section };
      continue;
    }
    if (fence) {
      fence.push(l);
      if (i === closeAt) {
        pushCode(fence);
        fence = null;
      }
      continue;
    }
    if (!body || QUOTE_BLANK.test(body)) {
      flush();
      blank = true;
      unclosed = false;
      continue;
    }
    if (fences.has(i)) {
      flush();
      inGroup();
      fence = [l];
      closeAt = fences.get(i) as number;
      blank = false;
      continue;
    }
    if (FENCE.test(body)) {
      // A fence never closed (a memory cut short) is a line of its own, not code to the end.
      flush();
      inGroup();
      push(l, 'line', null, group, turnCount++, null, true);
      blank = false;
      unclosed = true;
      continue;
    }
    // A quoted message's fields head its quote as the top message's head it (review 5, F-17: ">>> From:
    // Funmi Oyelaran" was kept alone, as a sentence).
    if (email && FIELD_LINE.test(body.replace(QUOTE_MARKS, ''))) {
      // A message's header fields, one after another, are one heading: a kept sentence of its body
      // brings its sender, date and subject, and no other message's.
      flush();
      const g = groups[group];
      if (fields === group && g && !g.units.length) {
        g.header = `${g.header}\n${body}`;
        g.headerDate ??= DATE_IN_HEADER.exec(body)?.[0] ?? null;
      } else {
        headings.length = 0;
        group = open(body);
        fields = group;
      }
      blank = false;
      continue;
    }
    // A line of dashes between two messages parts them, as a blank line does.
    // What follows it is under no message's header (review 5, F-17: a ticket's internal notes after
    // the thread came out under the last quoted message's "From:").
    if (email && /^[-_=]{3,}$/.test(body)) {
      flush();
      blank = true;
      if (groups[group]?.header && FIELD_LINE.test((groups[group]?.header ?? '').replace(QUOTE_MARKS, ''))) {
        headings.length = 0;
        group = -1;
      }
      continue;
    }
    // Nor is a line less quoted than the quoted message's header it follows: the quote has ended.
    const quotedHead = email && group >= 0 ? (groups[group]?.header ?? '') : '';
    if (
      quotedHead.startsWith('>') &&
      quoteDepth(body) < quoteDepth(quotedHead) &&
      FIELD_LINE.test(quotedHead.replace(QUOTE_MARKS, ''))
    ) {
      flush();
      headings.length = 0;
      group = -1;
      blank = true;
    }
    // A thematic break after a blank line ends the sections above it but the title: the "###"
    // headings after a PR's description and its "---" are the review's comments, not parts of
    // "## Description", shown then over them with nothing of its own (review 3 F-24). The rule
    // itself is no unit: alone it says nothing.
    if (blank && THEMATIC_BREAK.test(body)) {
      flush();
      while (headings.length && (headings.at(-1)?.level ?? 0) > 1) headings.pop();
      // What follows, until a heading, goes on under the title, as the table's closing lines go on its section.
      const title = headings.at(-1)?.group;
      group = title === undefined ? -1 : open(null, null, title);
      if (group >= 0) continued.add(group);
      continue;
    }
    if (QUOTE_INTRO.test(body)) {
      // An email's "On Wed, 6 Mar 2024 at 11:45, Mike Ross wrote:" heads the quote under it: a kept
      // quoted line brings it, so who wrote it and when stay with it (review: a quote kept without
      // it sat under the reply's own date and sender).
      flush();
      group = open(body, null, headings.at(-1)?.group);
      blank = false;
      continue;
    }
    const caps = capsDepth(body);
    // A numbered heading in capitals sits under any Markdown heading: level 7 and below.
    const capsLevel =
      caps !== undefined && headsSection(lines, i, caps)
        ? 6 + caps
        : caps === undefined && blank && shoutedHeading(lines, i)
          ? 7
          : caps === undefined && blank && !unclosed && titledParagraph(lines, i)
            ? 8
            : undefined;
    // A date alone over a diary's entry heads it: a kept sentence of the entry brings its date
    // (review: a Spanish diary's later sentences came out under an earlier date's block).
    if (
      !entries.has(l) &&
      (capsLevel !== undefined ||
        datesEntry(lines, i) ||
        (isProseHeading(body) && !unclosed && !INDENTED_CODE.test(l.text)))
    ) {
      flush();
      const level = headingLevel(body) ?? capsLevel;
      if (level === undefined) {
        // A session or date line starts another document: no Markdown heading before it is above what follows.
        headings.length = 0;
        group = open(body);
      } else {
        while ((headings.at(-1)?.level ?? 0) >= level) headings.pop();
        group = open(body, null, headings.at(-1)?.group);
        headings.push({ level, group });
      }
      blank = false;
      continue;
    }
    if (TAG_LINE.test(body)) {
      // As in dialogue: the app's frame stands apart, so keeping it brings no heading (nor is the
      // title of one framed memory above the sections of the next).
      flush();
      headings.length = 0;
      push(l, 'line', null, open(null), turnCount++, null, true);
      group = -1;
      blank = true;
      continue;
    }
    const previous = block.at(-1);
    // An indented line under a list item is its wrapped tail, whatever it opens with (review: "...
    // only re-rank queries with at least" / "   2 tokens." were kept apart).
    const itemTail =
      previous !== undefined && /^[ \t]{2,}\S/.test(l.text) && LIST_ITEM.test((block[0] as Line).text.trim());
    // A quoted line goes on the quoted line before it at the same depth as prose does outside a
    // quote (review: "> Please note that we will not be shipping frozen seafood any more after" /
    // "> December; everything is chilled produce" were two units, and one was kept alone).
    const quotedTail = previous !== undefined && quotedWrap(previous.text.trim(), body, (block[0] as Line).text.trim());
    if (
      blank ||
      (BLOCK_START.test(body) && !quotedTail) ||
      (previous && !itemTail && !quotedTail && !wrapsOn(previous.text, body))
    )
      flush();
    inGroup();
    block.push(l);
    blank = false;
  }
  flush();
  return { text, format: 'prose', units, groups };
}

/**
 * Lines of markup written on one line (`<memory><fact>...</fact><fact>...</fact></memory>`) cut
 * where one element ends and the next begins, and after the frame's opening tag and before its
 * closing one, so each element is a block of its own and the frame's tags lines of their own (as
 * when written one a line). Fenced code is left whole.
 */
function elementLines(lines: readonly Line[]): Line[] {
  const fenced = new Set<number>();
  for (const [open, close] of closedFences(lines)) for (let k = open; k <= close; k++) fenced.add(k);
  return lines.flatMap((l, i) => {
    if (fenced.has(i) || !l.text.includes('><')) return [l];
    const tags = findTags(l.text);
    const lead = l.text.length - l.text.trimStart().length;
    const tail = l.text.trimEnd().length;
    const cuts: number[] = [];
    // A table's row stays one line: its cells are one record (review: "<tr><td>2024-06-15</td></tr>"
    // was kept without its row's name and price, under the wrong column).
    let inRow = 0;
    for (let k = 1; k < tags.length; k++) {
      const a = tags[k - 1] as Tag;
      const b = tags[k] as Tag;
      if (a.name === 'tr') inRow += a.kind === 'open' ? 1 : a.kind === 'close' ? -1 : 0;
      if (inRow > 0) continue;
      if (l.text.slice(a.end, b.start).trim()) continue;
      const sibling = a.kind === 'close' && b.kind !== 'close';
      const frameOpen = k === 1 && a.start === lead && a.kind === 'open' && b.kind === 'open';
      const frameClose = k === tags.length - 1 && b.end === tail && a.kind === 'close' && b.kind === 'close';
      if (sibling || frameOpen || frameClose) cuts.push(b.start);
    }
    if (!cuts.length) return [l];
    return [0, ...cuts].map((from, k) => {
      const to = cuts[k] ?? l.text.length;
      return { start: l.start + from, end: l.start + to, text: l.text.slice(from, to) };
    });
  });
}

/** An HTML table's row on one line, and its header row (cells `<th>`). */
const HTML_ROW = /^<tr\b[^<>]*>.*<\/tr>$/i;
const HTML_HEAD_ROW = /^<tr\b[^<>]*>\s*<th\b.*<\/tr>$/i;
/** The tag opening or closing an HTML table's head, body or foot. */
const TABLE_SECTION_TAG = /^<\/?(?:thead|tbody|tfoot)\b[^<>]*>$/i;

/** A Markdown table's row (outer pipes or none), and the delimiter row under its header (`|---|:-:|`). */
const TABLE_ROW = /\|/;
const TABLE_RULE = /^\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)+\|?$/;

/**
 * Fenced code blocks, as the line that opens each to the line that closes it (a fence of the same
 * characters). A fence left open is none: it would make the rest of the memory one code unit.
 */
function closedFences(lines: readonly Line[], turns = false): Map<number, number> {
  const out = new Map<number, number>();
  let open = -1;
  let mark = '';
  lines.forEach((l, i) => {
    const body = l.text.trim();
    // In a chat a fence may open on a turn's line ("Maya: ```python"); it closes on a line of its own.
    const after = turns && open < 0 ? TURN.exec(body) : null;
    const rest = after ? body.slice((after.groups?.label ?? '').length).trimStart() : body;
    const fence = FENCE_RUN.exec(rest)?.[0];
    // Not "Kofi: ```x = 1``` works": a span of code closed on its line opens no block.
    if (after && fence && rest.includes(fence, fence.length)) return;
    if (!fence) return;
    if (open < 0) {
      open = i;
      mark = fence;
    } else if (fence[0] === mark[0] && fence.length >= mark.length && !rest.slice(fence.length).trim()) {
      // As CommonMark closes a block: the same character, as many or more, nothing after. A "```js"
      // inside a "````" block (a README showing Markdown) is its content: read as the close, the
      // lines after it were read again, a "# comment" of the code as a heading (review 3).
      out.set(open, i);
      open = -1;
    }
  });
  return out;
}

/** A line that goes on on the next: a shell's, a Dockerfile's or a Makefile's `\` at its end. */
const CONTINUED = /(?<!\\)\\\r?$/;
/** An indented comment line, which a Dockerfile's continued command goes on past. */
const INNER_COMMENT = /^[ \t]+#/;

/**
 * Each command written over lines (a line ending in `\` and those continuing it, to the first that
 * does not end so, or before a blank one) outside fenced code: its first line and its last.
 */
function continuedCommands(lines: readonly Line[]): Map<number, number> {
  const fenced = new Set<number>();
  for (const [open, close] of closedFences(lines)) for (let k = open; k <= close; k++) fenced.add(k);
  const out = new Map<number, number>();
  for (let i = 0; i < lines.length; i++) {
    if (fenced.has(i) || !CONTINUED.test((lines[i] as Line).text)) continue;
    let k = i;
    while (k + 1 < lines.length && !fenced.has(k + 1) && (lines[k + 1] as Line).text.trim()) {
      k++;
      // An indented comment inside it (a Dockerfile's `# image tools` between its packages) goes on
      // with it: ended there, the packages under it were a command of their own.
      if (!CONTINUED.test((lines[k] as Line).text) && !INNER_COMMENT.test((lines[k] as Line).text)) break;
    }
    if (k > i) out.set(i, k);
    i = k;
  }
  return out;
}

/** A here-document's opening (`cat <<EOF`, `<<-'UNIT'`): the lines to its tag alone are its body. */
const HEREDOC = /<<-?[ \t]*(['"]?)([\w.-]+)\1/;

/**
 * A script read as its lines (the code path's selection of a shell script's lines): each line one
 * unit, as written, a command continued over lines too (read as one unit, `exec celery ... \`'s
 * `--concurrency "$WORKERS"` weighed as a fifth of it, and a script's filler ranked first: session
 * 38 F5; its first line heads the others as a block's opener), a here-document with its body one; a blank
 * line ends a group. Read as prose, a function's lines ran into one sentence (`log "..." find ...`)
 * that was over a tenth's budget, and the script came back whole or without its answer (review s35
 * h3, backup.sh).
 */
export function parseSourceLines(text: string): ParsedMemory {
  const lines = linesOf(text);
  const units: MemoryUnit[] = [];
  const groups: MemoryGroup[] = [];
  let group = -1;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] as Line;
    if (!l.text.trim()) {
      group = -1;
      continue;
    }
    let last = i;
    const doc = HEREDOC.exec((lines[last] as Line).text);
    if (doc) {
      const tag = doc[2] as string;
      let k = last + 1;
      while (k < lines.length && (lines[k] as Line).text.trim() !== tag) k++;
      if (k < lines.length) last = k;
    }
    if (group < 0) group = groups.push({ header: null, headerDate: null, units: [] }) - 1;
    const end = lines[last] as Line;
    const lead = l.text.length - l.text.trimStart().length;
    const body = text.slice(l.start + lead, end.end).trimEnd();
    pushCodeUnit(units, groups, { start: l.start + lead, end: l.start + lead + body.length, text: body, group });
    i = last;
  }
  return { text, format: 'prose', source: true, units, groups };
}

/** The groups whose heading stands above a kept unit's section (parents, up to the title), kept or not. */
export function headingsAbove(memory: ParsedMemory, keep: ReadonlySet<number>): Set<number> {
  const out = new Set<number>();
  const seen = new Set<number>();
  for (const i of keep) {
    const g = memory.units[i]?.group;
    if (g === undefined || seen.has(g)) continue;
    seen.add(g);
    for (let p = memory.groups[g]?.parent; p !== undefined && !out.has(p); p = memory.groups[p]?.parent) out.add(p);
  }
  return out;
}

/** The headers a group sits under, its own first, then each heading above it up to the title. */
export function headingPath(memory: ParsedMemory, group: number): string[] {
  const out: string[] = [];
  for (let g: number | undefined = group; g !== undefined; g = memory.groups[g]?.parent) {
    const header = memory.groups[g]?.header;
    if (header) out.push(header);
  }
  return out;
}

/** listParents per memory: a selection renders its memory several times. */
const parentsOf = new WeakMap<ParsedMemory, number[][]>();

/** A list item's opening: a bullet or a number. */
const LIST_ITEM = /^(?:[-*+•]|\d{1,3}[.)])\s/;

/**
 * For each unit of a nested list item, the first units of the items it sits under, nearest first,
 * and for a list item's later sentence, its item's first (none for the rest): a kept sub-item
 * brings them, or it would read under whatever item was kept above it (review: "  - Her backup is
 * Tim." came out under "- Servers in the lab:").
 */
export function listParents(memory: ParsedMemory): number[][] {
  const known = parentsOf.get(memory);
  if (known) return known;
  const out: number[][] = [];
  parentsOf.set(memory, out);
  let stack: { depth: number; unit: number }[] = [];
  let group = -1;
  let current: number[] = [];
  // The first unit of the list item being read: its later sentences read under it ("- Mum's
  // birthday: 22 October. She wants the blue casserole" kept as "She wants ..." lost whose wish).
  let item: number | null = null;
  for (const u of memory.units) {
    if (u.group !== group) {
      group = u.group;
      stack = [];
      current = [];
      item = null;
    }
    if (u.first) {
      if (!LIST_ITEM.test(u.text)) {
        stack = [];
        current = [];
        item = null;
      } else {
        const depth = listIndent(memory, u).replace(/\t/g, '    ').length;
        while (stack.length && (stack[stack.length - 1] as { depth: number }).depth >= depth) stack.pop();
        current = stack.map((s) => s.unit).reverse();
        stack.push({ depth, unit: u.index });
        item = u.index;
      }
      out[u.index] = current;
    } else out[u.index] = item === null ? current : [item, ...current];
  }
  return out;
}

/** listIntros per memory. */
const introsOf = new WeakMap<ParsedMemory, Map<number, number[]>>();

/**
 * The lines that introduce a list ("> Following our call on Monday, here is where we landed
 * internally:" over "> 1. We'd like the reefer rate fixed..."): a prose block's last sentence ending
 * with a colon, with list items (or a fenced block) right under it in its section, each mapped to
 * the units of its list (or the block).
 * Such a line says nothing alone: it is kept only with an item of its list (review: it was kept
 * under its "On ... wrote:" line with nothing after it).
 */
export function listIntros(memory: ParsedMemory): Map<number, number[]> {
  const known = introsOf.get(memory);
  if (known) return known;
  const out = new Map<number, number[]>();
  introsOf.set(memory, out);
  if (memory.format !== 'prose' || memory.transcript) return out;
  const { units, groups } = memory;
  const bare = (u: MemoryUnit) => u.text.replace(QUOTE_MARKS, '');
  // The list stands in the intro's section, or in the paragraph group right after its own (a blank
  // line between them, no heading).
  const same = (u: MemoryUnit, v: MemoryUnit) =>
    v.group === u.group || (v.group === u.group + 1 && groups[v.group]?.header === null && !groups[v.group]?.parent);
  for (const u of units) {
    const next = units[u.index + 1];
    if (!next || !same(u, next) || next.turn === u.turn || u.kind !== 'sentence') continue;
    if (!/:\s*$/.test(bare(u))) continue;
    // So does a label over a fenced block ("Example:", "Check the consumer group first:"): kept
    // without it, it introduced nothing, or the next block kept (review 3 F-24, F-12: "Example:"
    // alone; "Check the consumer group first:" over the delete command).
    if (next.kind === 'code' && FENCE.test(next.text)) {
      out.set(u.index, [next.index]);
      continue;
    }
    if (!LIST_ITEM.test(bare(next))) continue;
    // An item over its sub-items is their parent (listParents), no intro: kept for them when it fits.
    if (LIST_ITEM.test(bare(u)) || listParents(memory)[u.index]?.length) continue;
    const items: number[] = [];
    for (let j = u.index + 1; j < units.length; j++) {
      const v = units[j] as MemoryUnit;
      if (v.group !== next.group || (v.first && !LIST_ITEM.test(bare(v)))) break;
      items.push(j);
    }
    out.set(u.index, items);
  }
  return out;
}

/**
 * The indentation of a nested list item as written ("  - Her backup is Tim"), so a kept sub-item
 * stays under its item (review: nested bullets came out flattened at column 0); none for the rest.
 * select.ts: a list item is no reply to one at another depth.
 */
export function listIndent(memory: ParsedMemory, u: MemoryUnit): string {
  if (!u.first || !LIST_ITEM.test(u.text)) return '';
  const lineStart = memory.text.lastIndexOf('\n', u.start - 1) + 1;
  const lead = memory.text.slice(lineStart, u.start);
  return /^[ \t]+$/.test(lead) ? lead : '';
}

/**
 * A prose block's kept sentences on one line. A block that is one markup element ("<p>…</p>") keeps
 * its tags when only some of its sentences are kept: the first held the opening tag and the last
 * the closing one, and a middle sentence alone came out bare (review: "updated every quarter team lead.").
 */
function blockText(memory: ParsedMemory, kept: readonly MemoryUnit[], textOf: (u: MemoryUnit) => string): string {
  const texts = kept.map(textOf);
  const first = kept[0] as MemoryUnit;
  // The block's units all sit in its group: no need to scan the whole memory for each block.
  const all = (memory.groups[first.group]?.units ?? []).flatMap((i) =>
    memory.units[i]?.turn === first.turn ? [memory.units[i] as MemoryUnit] : [],
  );
  const open = /^<([a-z][a-z0-9]*)\b[^<>]*>/i.exec(all[0]?.text ?? '');
  const tag = open?.[1];
  const closes = tag !== undefined && new RegExp(`</${tag}>\\s*$`, 'i').test(all.at(-1)?.text ?? '');
  if (!open || !closes || kept.length === all.length) return texts.join(' ');
  const close = `</${tag}>`;
  const bare = texts.map((t) =>
    t.replace(new RegExp(`^\\s*<${tag}\\b[^<>]*>\\s*`, 'i'), '').replace(new RegExp(`\\s*</${tag}>\\s*$`, 'i'), ''),
  );
  return `${open[0]}${bare.join(' ')}${close}`;
}

/**
 * The kept units rendered in their original order: each group's header (when it has one) once,
 * before its first kept unit; dialogue turns one per line (a turn's own lines each on theirs); a paragraph's kept sentences on one
 * line separated by a space (a block's first opens a line); groups by a blank line, but a framing tag
 * sits on the line next to what it frames.
 */
/**
 * The quote marks ("> ", ">> ") of the line a unit stands on, for a sentence shown without the one
 * that opened its line: it is still quoted (review: an email's "Budget it now, please." lost its
 * ">>>" and read as the top message's).
 */
function quoteOf(memory: ParsedMemory, u: MemoryUnit): string {
  const lineStart = memory.text.lastIndexOf('\n', u.start - 1) + 1;
  return /^(?:>[ \t]?)+/.exec(memory.text.slice(lineStart, u.start))?.[0] ?? '';
}

export function renderUnits(
  memory: ParsedMemory,
  keep: ReadonlySet<number>,
  /** Each unit's text as rendered (a shortened form); the verbatim text when absent. */
  texts?: readonly string[],
  /** Each group's header as rendered (a shortened form); the verbatim header when absent. */
  headers?: readonly (string | null)[],
  /** The headings shown above kept sections with nothing of their own kept (default: every one, headingsAbove). */
  above: ReadonlySet<number> = headingsAbove(memory, keep),
): string {
  const textOf = (u: MemoryUnit) => texts?.[u.index] ?? u.text;
  const parts: string[] = [];
  /** Whether each part is a framing tag alone: it sits on the line next to what it frames. */
  const tags: boolean[] = [];
  for (const [k, group] of memory.groups.entries()) {
    const g = { ...group, header: headers?.[k] ?? group.header };
    const kept = g.units.filter((i) => keep.has(i));
    if (!kept.length) {
      // A heading above a kept section, with nothing of its own kept: its line alone.
      if (above.has(k) && g.header) {
        parts.push(g.header);
        tags.push(false);
      }
      continue;
    }
    // A framing tag's line (a transcript's pinned WEBVTT head is no tag: a blank line follows it).
    tags.push(!g.header && kept.every((i) => TAG_LINE.test(memory.units[i]?.text ?? '')));
    if (memory.format === 'dialogue') {
      // One line per line of a turn: its kept sentences, led by the speaker label (repeated when
      // the line holding it was dropped), so nothing kept is without its speaker.
      const lines: string[] = [];
      let turn = -1;
      // The label of the line above: a kept turn of the same speaker right under it goes without its
      // label, as a turn's further line does (the parser reads it back so). Kept turns of one speaker
      // often stand together once the other's are dropped, and the label was their largest cost (a
      // list question at 10x: ~10 % of the budget).
      let said: string | null = null;
      for (const i of kept) {
        const u = memory.units[i] as MemoryUnit;
        if (u.turn !== turn) {
          const text = textOf(u);
          const rest = u.label && u.first && text.startsWith(u.label) ? text.slice(u.label.length).trimStart() : text;
          // Not where the line would read as a turn of its own ("Update: ...").
          if (u.label && u.label === said && (!u.first || rest !== text) && !TURN.test(rest) && !chatHead(rest)) {
            lines.push(rest);
          } else {
            // A list item keeps its own line under the label (review: "Health profile (...): - Allergies: ..."
            // read as one line, the heading run into its first item).
            // So does a code block: a fence opens its own line.
            const gap = u.kind === 'code' || /^(?:[-*+•]|\d{1,3}[.)])\s/.test(u.text) ? '\n' : ' ';
            lines.push(!u.first && u.label ? `${u.label}${gap}${text}` : text);
          }
          said = u.label;
          turn = u.turn;
        } else if (u.kind === 'line' || u.kind === 'code') lines.push(textOf(u));
        else lines[lines.length - 1] += ` ${textOf(u)}`;
      }
      parts.push([...(g.header ? [g.header] : []), ...lines].join('\n'));
    } else {
      // A sentence that opened its line in the memory opens one here: a list of facts ("- Dana
      // moved to Lisbon") stays a list; sentences of one line stay on one.
      // Kept units in memory order: a block's (a paragraph's, a list item's) stand together.
      const blocks: MemoryUnit[][] = [];
      for (const i of kept) {
        const u = memory.units[i] as MemoryUnit;
        const last = blocks.at(-1);
        if (last && last[0]?.turn === u.turn) last.push(u);
        else blocks.push([u]);
      }
      let body = '';
      for (const block of blocks) {
        const first = block[0] as MemoryUnit;
        // Indented only under the items it sits under: without them it would read under whatever
        // item was kept above it.
        const under = (listParents(memory)[first.index] ?? []).every((p) => keep.has(p));
        const label = !first.first && first.label ? `${first.label} ` : '';
        const text = `${under ? listIndent(memory, first) : ''}${first.first ? '' : quoteOf(memory, first)}${label}${blockText(memory, block, textOf)}`;
        // Another block (a paragraph, a list item) opens its own line, though its first sentence
        // went (review: a trip item's "Haven't decided. Jonah prefers November" ran on at the end
        // of the gift item above it).
        body += body ? `\n${text}` : text;
      }
      parts.push([...(g.header ? [g.header] : []), body].join('\n'));
    }
  }
  // A report's fields read as one tree: no blank line between a heading and the fields under it.
  // Nor between a diff's files and hunks: a blank line there is an empty context line.
  const joined = (k: number) => memory.tree || memory.diff || tags[k] || tags[k - 1];
  return parts.reduce((out, part, k) => (k ? `${out}${joined(k) ? '\n' : '\n\n'}${part}` : part), '');
}
