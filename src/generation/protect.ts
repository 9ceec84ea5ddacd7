/**
 * Spans of a text that extractive compression must keep verbatim: numbers, names, dates, times,
 * code identifiers, URLs, emails, dialogue speaker labels, a document's field labels, and whatever
 * the user marks. Pure and deterministic; offsets are UTF-16 indices into the text, `end`
 * exclusive, sorted and merged.
 */

export type ProtectKind =
  | 'number'
  | 'name'
  | 'date'
  | 'time'
  | 'identifier'
  | 'url'
  | 'email'
  | 'speaker'
  | 'header'
  // A document's field label: "Attendees:" at a line's start, "owner:" in "(owner: Jun, ...)".
  | 'field'
  | 'user'
  // A markup tag (`<p>`, `</b>`, `<a href="...">`) inside prose: an app's parser needs it, and a
  // dropped closer would leave the rest of the text inside the element.
  | 'markup'
  // A negation ("not", "never", "don't"): locked by the pruner (pruned/lexicon.ts phraseSpans), which
  // would otherwise drop it as a function word and say the opposite.
  | 'negation'
  // An allergy, an intolerance, a diet or a condition with what it is to ("allergic to sesame",
  // "peanut allergy"): locked by the pruner (pruned/lexicon.ts phraseSpans).
  | 'safety';

export interface ProtectedSpan {
  start: number;
  end: number;
  kind: ProtectKind;
}

export interface ProtectOptions {
  /** Literal strings (every occurrence) and regular expressions (every match) to keep. */
  protect?: readonly (string | RegExp)[];
  /** `chat` (or any text with `Speaker: ...` lines) protects speaker labels and session headers. */
  domain?: string;
}

const MONTH =
  '(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)';
/** The months of Spanish, Italian, Portuguese and French (Spanish and Italian share "marzo", "agosto"). */
const ROMANCE_MONTH =
  '(?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre|gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|novembre|dicembre|janeiro|fevereiro|março|maio|junho|julho|setembro|outubro|dezembro|janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|décembre)';
const WEEKDAY = '(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs?)?|Fri|Sat(?:ur)?|Sun)(?:day)?';

/**
 * One markup tag: `<p>`, `</p>`, `<br/>`, `<a href="x" target=_blank>`. A name right after `<` and
 * attributes as HTML writes them, so `x < y` and `<3` are not tags; `<dana@x.org>` is no tag either,
 * nor an opening one right after a letter (`List<String>`, a generic type).
 */
export const MARKUP_TAG = String.raw`(?:<\/|(?<![A-Za-z0-9_])<)[A-Za-z][\w:.-]*(?:\s+[^\s<>"'=/]+(?:\s*=\s*(?:"[^"<>]*"|'[^'<>]*'|[^\s"'=<>\x60]+))?)*\s*\/?>`;

const PATTERNS: readonly [ProtectKind, RegExp][] = [
  ['url', /\b(?:https?|ftp):\/\/[^\s<>"'`]+[^\s<>"'`.,;:!?)\]]|\bwww\.[^\s<>"'`]+[^\s<>"'`.,;:!?)\]]/gi],
  ['email', /\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g],
  ['identifier', /`[^`\n]+`/g],
  [
    'date',
    new RegExp(
      [
        '\\b\\d{4}-\\d{2}-\\d{2}(?:[T ]\\d{2}:\\d{2}(?::\\d{2})?)?\\b',
        '\\b\\d{1,2}[/.]\\d{1,2}[/.]\\d{2,4}\\b',
        // Within a line: "July.\n11. ..." is a sentence's end and a list's next number (review: such a
        // span, never kept whole, made the check refuse a whole compression).
        `\\b(?:${WEEKDAY},?[ \\t]+)?\\d{1,2}(?:st|nd|rd|th)?[ \\t]+(?:of[ \\t]+)?${MONTH}\\.?(?:,?[ \\t]+\\d{4})?\\b`,
        `\\b(?:${WEEKDAY},?[ \\t]+)?${MONTH}\\.?[ \\t]+\\d{1,2}(?:st|nd|rd|th)?(?:,?[ \\t]+\\d{4})?\\b`,
        `\\b${MONTH}[ \\t]+\\d{4}\\b`,
        `\\b${WEEKDAY}\\b`,
      ].join('|'),
      'g',
    ),
  ],
  // Dates in Spanish, Italian, Portuguese and French: "19 de marzo de 2025", "3 marzo 2025", "3 de
  // março de 2025", "le 3 mars 2025", "marzo de 2025" (review: "19 de marzo de 2025" read "19 2025").
  // A day or a year beside the month: "mars", "mai", "maio" alone are words or names.
  [
    'date',
    new RegExp(
      String.raw`(?<![\p{L}\p{N}])(?:\d{1,2}(?:º|°|er)?[ \t]+(?:de[ \t]+)?${ROMANCE_MONTH}(?:[ \t]+(?:de[ \t]+|del[ \t]+)?\d{4})?|${ROMANCE_MONTH}[ \t]+(?:de[ \t]+|del[ \t]+)?\d{4})(?![\p{L}\p{N}])`,
      'giu',
    ),
  ],
  ['time', /\b\d{1,2}:\d{2}(?::\d{2})?(?:\s?[ap]\.?m\.?)?(?![\w:])|\b\d{1,2}\s?[ap]\.?m\.?(?!\w)/gi],
  // snake_case, camelCase / PascalCase with an inner capital, dotted.paths, name() calls.
  [
    'identifier',
    /\b[A-Za-z_$][\w$]*_[\w$]+\b|\b[a-z$][a-z0-9$]*[A-Z][\w$]*\b|\b[A-Z][a-z0-9]+[A-Z][\w$]*\b|\b[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+(?:\(\))?|\b[A-Za-z_$][\w$]*\(\)/g,
  ],
  // A code of capitals and digits: a postcode's halves ("BS11 9YA"), a model ("G7", "H30"), a level ("A2").
  ['identifier', /\b(?=[A-Z]*\d)(?=\d*[A-Z])[A-Z\d]{2,12}\b/g],
  ['number', /[-+$€£]?\d+(?:[.,:]\d+)*(?:st|nd|rd|th|s|k|m|%)?\b%?/gi],
];

/** The date of a chat log's stamp: `2024-05-01`, `1/5/24`, `01.05.2024`. */
export const STAMP_DATE = String.raw`\d{4}-\d{2}-\d{2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}`;
/**
 * A chat export's stamp before the speaker's name: a bracketed one ("[2023-05-08 13:56] ", Slack's
 * pasted "[9:02 AM] ") or WhatsApp's "12/03/2024, 18:04 - " (US: "3/12/24, 6:04 PM - "). Review: a
 * WhatsApp export was read as prose, "- Me:" pruned from every line and turns left as bare labels.
 */
const WHATSAPP_STAMP = String.raw`\d{1,2}[/.]\d{1,2}[/.]\d{2,4},?[ \t]+\d{1,2}:\d{2}(?::\d{2})?(?:[ \t\u202f]?[AaPp]\.?[Mm]\.?)?[ \t]+[-–][ \t]+`;
export const CHAT_STAMP = String.raw`(?:\[[^\]\n]{1,40}\][ \t]*|${WHATSAPP_STAMP})`;

/**
 * A stamp that tells the time or the day: a bracket holding a time or a date ("[9:02 AM] ",
 * "[2024-05-01 10:00] "), or WhatsApp's. Only after one is a name in lower case a chat's handle
 * ("[9:02 AM] alice:"); after any bracket it was a log's level or a list's check ("[INFO] server:",
 * "[x] groceries:", review).
 */
export const TIMED_STAMP = String.raw`(?:\[[^\]\n]{0,30}?(?:\d{1,2}:\d{2}|(?:${STAMP_DATE}))[^\]\n]{0,20}\][ \t]*|${WHATSAPP_STAMP})`;

/**
 * The time a phone's message export writes after the sender's name, before the colon: "Dad, 08:14:"
 * (review 4, F-06: read as prose, "Me" was dropped as a pronoun from every one of the user's
 * messages). Part of the label.
 */
export const TIME_AFTER_NAME = String.raw`,[ \t]*\d{1,2}:\d{2}(?::\d{2})?(?:[ \t\u202f]?[AaPp]\.?[Mm]\.?)?`;
/**
 * A meeting transcript's turn head, alone on its line, the words on the lines under it: Zoom's
 * "[Jordan Lee] 14:02:11" (review 4, F-08: read as prose, kept sentences lost their speaker).
 */
export const BRACKET_HEAD = String.raw`\[(?<speaker>\p{Lu}[\p{L}'.-]*(?:[ ][\p{L}'.-]+){0,3})\][ \t]+(?<time>\d{1,2}:\d{2}(?::\d{2})?)`;
const HEAD_LINE = new RegExp(String.raw`^[ \t]*${BRACKET_HEAD}[ \t]*$`, 'gmu');

// "Caroline: ...", "[2023-05-08 13:56] Caroline: ...", "**User:** ...", "Caroline (1:56 pm): ...",
// "Dad, 08:14: ..." (the line shapes src/generation/rules/chat.ts reads).
/**
 * A speaker's name in Chinese, Japanese or Korean ("用户", "助手", "田中"): no capitals to tell it
 * by, so a short run of the script alone, before a colon, half- or full-width (review: a Chinese
 * chat was read as prose).
 */
export const CJK_NAME = String.raw`[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]{1,8}`;

// A Chinese, Japanese or Korean chat's label ends with a full-width colon, often with no space
// after it ("用户：你好"; review: such a chat was read as prose and left bare labels): a short run of
// the script alone (CJK_NAME), not any run of letters before a full-width colon.
const TURN = new RegExp(
  String.raw`^[ \t]*(?:${CHAT_STAMP})?(?:(?:\*\*)?[\p{L}@][\p{L}\p{N}_.' -]{0,40}?(?:[ \t]*\([^)\n]{1,40}\))?(?:${TIME_AFTER_NAME})?(?:\*\*)?:(?:\*\*)?(?=[ \t])|${CJK_NAME}：)`,
  'gmu',
);
/**
 * "Session" in the languages a chat's session header is written in (review 4, F-04: a Spanish
 * chat's "Sesión 1 (21:10, 9 de febrero de 2025): Lucía y Andrés" was read as a turn and dropped
 * with a query, its date gone).
 */
export const SESSION_WORD = '(?:Session|Sesi[óo]n|Sess[ãa]o|S[ée]ance|Sitzung|Sessione|Sessie)';
/**
 * A header line: the LoCoMo importer's session header ("Session 3 (1:56 pm on 8 May, 2023):
 * Caroline and Melanie", or in another language: SESSION_WORD) and the day line the chat rules
 * write over a log's timestamps ("[2024-05-01]").
 */
export const HEADER_LINE = new RegExp(`^(?:${SESSION_WORD} \\d+[^\\n]*|\\[(?:${STAMP_DATE})\\])$`);
const HEADER = new RegExp(HEADER_LINE.source, 'gm');

const WORD = /[\p{Lu}][\p{L}\p{M}'’-]*/gu;
// Capitalised words that are not names when they start a sentence or stand alone.
const NOT_NAMES = new Set(
  "I I'm I've I'll I'd OK Ok Okay Oh Yes No Yep Nope Hi Hey Hello Thanks Thank Wow Yeah Sure Well So And But Or The A An This That These Those It It's Its We We're You You're He She They There Here What When Where Why How Who Which If As At In On Of For To By With From My Your Our His Her Their Me Us Them Do Does Did Is Are Was Were Be Have Has Had Will Would Can Could Should May Might Must Not Also Just Really Very Maybe Anyway Cool Great Nice Awesome Sounds Haha Lol Omg Aw Ah Um Uh Hmm Glad Good Bye Congrats Congratulations Thats Let Let's Please Sorry Absolutely Definitely Totally Exactly Honestly Actually Alright Right Agreed Indeed Perfect Amazing Wonderful Fantastic Cheers Morning Evening Afternoon Night Talk Keep See Take Enjoy Hope Love Miss Last Next First Then Now Today Tomorrow Tonight Yesterday".split(
    ' ',
  ),
);

/** Titles and abbreviations whose point ends no sentence ("Mrs. Okafor", "Dr. Lee"), as regex alternatives. */
export const TITLES = 'Mr|Mrs|Ms|Mx|Dr|Prof|Sr|Jr|St|Mt|Rev|Gen|Col|Capt|Lt|Sgt|Hon|vs|cf|approx';
/** A title's point right before a word (TITLES). */
const TITLE_POINT = new RegExp(`(?<![\\p{L}])(?:${TITLES})\\.$`, 'u');

/** What follows an imperative verb: a determiner or an object pronoun ("Check *the* time", "Restart *it*"). */
const IMPERATIVE_OBJECT =
  /^[ \t]+(?:the|a|an|your|our|their|this|that|these|those|it|them|each|every|all|any)(?![\p{L}])/u;

function sentenceInitial(text: string, index: number): boolean {
  let i = index - 1;
  while (i >= 0 && /[ \t"'“‘(*[]/.test(text.charAt(i))) i--;
  if (i < 0) return true;
  const c = text.charAt(i);
  // A title's point ends no sentence: the given name after "Dr." is a name's, as the surname is
  // (review 3: "Dr. Sanne de Vries" read "Dr. de Vries", "Sanne", said once, taken for a sentence's opener).
  if (c === '.' && TITLE_POINT.test(text.slice(Math.max(0, i - 8), i + 1))) return false;
  // After a line break, a sentence end, or a speaker label's colon.
  return c === '\n' || c === '.' || c === '!' || c === '?' || c === ':' || c === ']' || c === '…';
}

/**
 * Names: capitalised words that do not start a sentence, plus sentence-initial capitalised words
 * that the text also uses capitalised mid-sentence (or that are not common sentence openers and
 * appear more than once capitalised).
 */
/** A finite verb right after a word: it was the sentence's subject ("Mark called", "Grace had"). */
const SUBJECT_VERB =
  /^\s+(?:is|was|has|had|will|would|can|could|did|does|said|says|wants|wanted|called|told|asked|\p{Ll}+ed)\b/u;

function nameSpans(text: string): ProtectedSpan[] {
  const found: { start: number; end: number; word: string; initial: boolean }[] = [];
  const midSentence = new Set<string>();
  const seen = new Map<string, number>();
  // Openers that read as a verb's: said in lower case elsewhere ("Check the logs. ... check the
  // sheet"), or each time before a determiner or an object pronoun ("Check the time first", "Restart
  // it"). Review 3: a runbook's "Check", opening two sentences, was locked as a name.
  const lower = new Set(text.match(/(?<![\p{L}\p{N}_'’-])\p{Ll}[\p{L}\p{M}'’-]*/gu) ?? []);
  const notVerb = new Set<string>();
  const subject = new Map<string, boolean>();
  for (const m of text.matchAll(WORD)) {
    const start = m.index;
    if (start > 0 && /[\p{L}\p{N}_]/u.test(text.charAt(start - 1))) continue;
    const word = m[0].replace(/['’](?:s|S)$/, '').replace(/[-'’]+$/, '');
    if (!word) continue;
    const initial = sentenceInitial(text, start);
    if (initial && !IMPERATIVE_OBJECT.test(text.slice(start + word.length, start + word.length + 12)))
      notVerb.add(word);
    // A subject's verb after it ("Mark called", "Grace had surgery"): a name, said in lower case
    // elsewhere or not ("Please mark it"; re-read of session 31).
    if (initial)
      subject.set(
        word,
        (subject.get(word) ?? true) && SUBJECT_VERB.test(text.slice(start + word.length, start + word.length + 16)),
      );
    found.push({ start, end: start + word.length, word, initial });
    seen.set(word, (seen.get(word) ?? 0) + 1);
    if (!initial && !NOT_NAMES.has(word)) midSentence.add(word);
  }
  const isName = (f: (typeof found)[number]) =>
    !NOT_NAMES.has(f.word) &&
    f.word.length > 1 &&
    (!f.initial ||
      midSentence.has(f.word) ||
      ((seen.get(f.word) ?? 0) > 1 &&
        (!lower.has(f.word.toLowerCase()) || subject.get(f.word) === true) &&
        notVerb.has(f.word)));
  const spans: ProtectedSpan[] = [];
  found.forEach((f, i) => {
    const next = found[i + 1];
    // "New York" at the start of a sentence: a capitalised word right before a name is part of it.
    const before = next !== undefined && next.start === f.end + 1 && text.charAt(f.end) === ' ' && isName(next);
    if (isName(f) || (before && !NOT_NAMES.has(f.word))) spans.push({ start: f.start, end: f.end, kind: 'name' });
  });
  return spans;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function matches(text: string, re: RegExp, kind: ProtectKind, out: ProtectedSpan[]): void {
  const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
  for (const m of text.matchAll(g)) {
    if (m[0].length === 0) continue;
    out.push({ start: m.index, end: m.index + m[0].length, kind });
  }
}

/**
 * Field labels: a capitalised key of a few words opening a line ("Attendees: Helena, Jun",
 * "- **Budget:** 2,000 euros", "Due date: 30 May"), when the text has two such lines at least (a
 * document of fields; one "Note: ..." is a sentence's opening), and a lower-case key inside
 * brackets ("(owner: Jun, due: 30 May)"). Without its key the value says less: a list of names is
 * not a list of attendees. A dialogue's labels are speakers (`TURN`).
 */
const LINE_FIELD =
  /(?<=^[ \t]*(?:[-*+][ \t]+|\d{1,3}[.)][ \t]+)?)(?:\*\*)?[\p{Lu}][\p{L}\p{N}/&'-]*(?: [\p{L}\p{N}/&'-]+){0,2}(?:\*\*)?:(?:\*\*)?(?=[ \t]+\S)/gmu;
const BRACKET = /\(([^()\n]*)\)/g;
const BRACKET_FIELD = /(?<=^|[,;][ \t]*)\p{Ll}{3,}(?: \p{Ll}+)?:(?=[ \t]+\S)/gu;

/**
 * A Markdown table, whole (its header, its `|---|` line and its rows, outer pipes or none): its cells are data, and a
 * row thinned by words loses its closing pipe, the header row went as the least informative line.
 */
const MARKDOWN_TABLE =
  /^[^\n|]*\|[^\n]*\n[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)+\|?[ \t]*(?:\n[^\n|]*\|[^\n]*)*$/gm;
/^[ \t]*\|.*\|[ \t]*\n[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*(?:\n[ \t]*\|.*\|[ \t]*)*$/gm;

/** A preformatted or code element's opening tag, or a table's: the element is kept whole. */
const WHOLE_OPEN = /<(pre|code|table)\b[^<>]*>/gi;

/** A short bold or emphasised run whole (what the writer marked as what matters), or a tag. */
const MARKUP_REST = new RegExp(String.raw`<(b|strong|em|mark)\b[^<>]*>[^<>]{1,60}<\/\1>|${MARKUP_TAG}`, 'gi');

/**
 * Structure kept whole whatever the ratio (kind `markup`): tags; a preformatted or code element
 * whole (its words are code, kept as written) and a table (its cells are data: an emptied cell
 * shifts the columns after it); a short bold or emphasised run; Markdown tables. The pruner counts
 * them apart from the ratio, which is of the words. Elements are paired by looking their closer up
 * once per name (a lazy pattern ran to the end of the text for every unclosed `<pre>`: 40,000 of
 * them took 1.4 s).
 */
export function markupSpans(text: string): ProtectedSpan[] {
  const out: ProtectedSpan[] = [];
  const lower = text.toLowerCase();
  /** Per element name, where its next closer is (-1: none left in the text). */
  const closers = new Map<string, number>();
  let from = 0;
  const gaps: [number, number][] = [];
  const open = new RegExp(WHOLE_OPEN.source, WHOLE_OPEN.flags);
  for (let m = open.exec(text); m; m = open.exec(text)) {
    const name = (m[1] as string).toLowerCase();
    const after = m.index + m[0].length;
    let close = closers.get(name);
    if (close === undefined || (close >= 0 && close < after)) {
      close = lower.indexOf(`</${name}>`, after);
      closers.set(name, close);
    }
    if (close < 0) continue;
    const end = close + name.length + 3;
    gaps.push([from, m.index]);
    out.push({ start: m.index, end, kind: 'markup' });
    from = end;
    open.lastIndex = end;
  }
  gaps.push([from, text.length]);
  for (const [a, z] of gaps)
    for (const m of text.slice(a, z).matchAll(MARKUP_REST))
      if (m[0].length) out.push({ start: a + m.index, end: a + m.index + m[0].length, kind: 'markup' });
  out.sort((x, y) => x.start - y.start);
  matches(text, MARKDOWN_TABLE, 'markup', out);
  return out;
}

/** How many Markdown tables a text holds. */
export function markdownTables(text: string): number {
  return markdownTableTexts(text).length;
}

/** A text's Markdown tables, each whole. */
export function markdownTableTexts(text: string): string[] {
  return text.match(MARKDOWN_TABLE) ?? [];
}

function fieldSpans(text: string): ProtectedSpan[] {
  const out: ProtectedSpan[] = [];
  const lines = [...text.matchAll(LINE_FIELD)];
  if (lines.length >= 2) for (const m of lines) out.push({ start: m.index, end: m.index + m[0].length, kind: 'field' });
  for (const b of text.matchAll(BRACKET)) {
    const inner = b.index + 1;
    for (const m of (b[1] ?? '').matchAll(BRACKET_FIELD))
      out.push({ start: inner + m.index, end: inner + m.index + m[0].length, kind: 'field' });
  }
  return out;
}

/** Whether a text looks like a dialogue: most non-empty lines are `Speaker: ...` turns. */
export function looksLikeDialogue(text: string): boolean {
  const lines = text.split('\n').filter((l) => l.trim());
  if (lines.length < 2) return false;
  const heads = new RegExp(HEAD_LINE.source, 'u');
  const turns = lines.filter((l) => new RegExp(TURN.source, 'u').test(l) || heads.test(l)).length;
  return turns >= Math.max(2, lines.length * 0.5);
}

/** Speaker labels ("Caroline:") with their optional stamp, one per turn line, and session headers. */
export function speakerSpans(text: string): ProtectedSpan[] {
  const out: ProtectedSpan[] = [];
  matches(text, TURN, 'speaker', out);
  matches(text, HEAD_LINE, 'speaker', out);
  matches(text, HEADER, 'header', out);
  return out;
}

/** Where the caller's own protected strings and patterns (`--protect`) stand in `text`, unsorted. */
export function userSpans(text: string, protect: readonly (string | RegExp)[] = []): ProtectedSpan[] {
  const spans: ProtectedSpan[] = [];
  for (const item of protect) {
    if (typeof item === 'string') {
      if (item) matches(text, new RegExp(escapeRegExp(item), 'g'), 'user', spans);
    } else {
      matches(text, item, 'user', spans);
    }
  }
  return spans;
}

/** Sorted, non-overlapping protected spans of `text`. */
export function findProtectedSpans(text: string, options: ProtectOptions = {}): ProtectedSpan[] {
  const spans = userSpans(text, options.protect);
  if (options.domain === 'chat' || looksLikeDialogue(text)) spans.push(...speakerSpans(text));
  else if (options.domain !== 'code') spans.push(...fieldSpans(text));
  spans.push(...markupSpans(text));
  for (const [kind, re] of PATTERNS) matches(text, re, kind, spans);
  spans.push(...nameSpans(text));
  return mergeSpans(spans);
}

/**
 * Sorts spans and merges overlapping or touching ones; a merged span keeps the kind of its first
 * part. A tag touching its neighbour stays apart (`</p><p>`, `<p>Dana`): each must be found on its
 * own, as the pruner may drop the element after it whole.
 */
export function mergeSpans(spans: readonly ProtectedSpan[]): ProtectedSpan[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: ProtectedSpan[] = [];
  for (const s of sorted) {
    const last = out.at(-1);
    if (last && (s.start < last.end || (s.start === last.end && s.kind !== 'markup' && last.kind !== 'markup'))) {
      if (s.end > last.end) last.end = s.end;
      continue;
    }
    out.push({ ...s });
  }
  return out;
}
