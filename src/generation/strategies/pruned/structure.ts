import { boldTitleSpans } from '../../bold-titles.ts';
import type { ProtectedSpan } from '../../protect.ts';
import { bare, SMALL_TALK } from './lexicon.ts';
import type { TextRange } from './types.ts';
import type { Unit } from './units.ts';

/**
 * The structure of a document the pruner keeps as it keeps a speaker's label: a git log's commit
 * headers and subjects, an email's attribution lines and Subject, a field's short value, a price
 * said in words, a numbered document's capitalised headings. Thinned word by word, each read as
 * something else (review: every "Author:" of a git log went, a Revert's subject read "Redis", an
 * email's "On ..., Marta wrote:" lost its "wrote:", "Domestic transfers: free." read "Domestic
 * transfers:").
 */

/**
 * A git log's commit line ("commit 9f3c2a1e...", its hash captured), as `git log` prints it, and the
 * header fields under it: one reading for the pruner here and the query path (query/git-log.ts).
 */
export const COMMIT = /^commit[ \t]+([0-9a-f]{7,40})\b/;
export const COMMIT_FIELD = /^(?:Author|Commit|Date|AuthorDate|CommitDate|Merge):[ \t]/;
/** Each commit line of a text, whole. */
const COMMIT_LINE = new RegExp(`${COMMIT.source}.*$`, 'gm');

/**
 * A git log's header lines (commit, Author, Date, Merge) and each commit's subject (its message's
 * first line), whole: who changed what and when is what a log is read for, and the subject names
 * the change ("Revert "cache: enable Redis cluster mode by default"" had read "Redis"). The body
 * under the subject is thinned as prose.
 */
function gitLogSpans(text: string): ProtectedSpan[] {
  const out: ProtectedSpan[] = [];
  for (const m of text.matchAll(COMMIT_LINE)) {
    out.push({ start: m.index, end: m.index + m[0].length, kind: 'header' });
    let at = m.index + m[0].length + 1;
    // The header fields, then blank lines, then the subject.
    while (at < text.length) {
      const end = lineEnd(text, at);
      const line = text.slice(at, end);
      if (COMMIT_FIELD.test(line)) out.push({ start: at, end, kind: 'header' });
      else if (line.trim()) {
        if (/^[ \t]/.test(line)) out.push({ start: at + (line.length - line.trimStart().length), end, kind: 'header' });
        break;
      }
      at = end + 1;
    }
  }
  return out;
}

const lineEnd = (text: string, at: number) => {
  const n = text.indexOf('\n', at);
  return n < 0 ? text.length : n;
};

/**
 * A reply's attribution line, at any quote depth: "On Wed, 13 Nov 2024 at 11:05, Daniel Reyes
 * <d.reyes@...> wrote:", and its German, French, Spanish, Italian and Dutch forms. It says whose
 * words the quote below is, and when: thinned, "wrote:" went and the line read as a date and a name.
 */
const ATTRIBUTION =
  /^(?:>[ \t]?)*(?:On|Am|Le|El|Il|Op)[ \t][^\n]{4,200}?(?:wrote|schrieb|a écrit|escribió|ha scritto|schreef)[ \t]?:[ \t]*$/gmu;
const ATTRIBUTION_ONE = new RegExp(ATTRIBUTION.source, 'u');
/** A message's Subject line: what the thread is about, whole ("RE: Q1 cold-chain contract" had read "RE: Q1"). */
const SUBJECT = /^(?:>[ \t]?)*Subject:[ \t]+\S[^\n]*$/gm;

/**
 * A field with a short value, label and value (not the line's marker): "Domestic transfers: free.",
 * "- Status: on hold", at most three words after a capitalised label's colon. Alone, the label says nothing; with a word of its value, the
 * value reads as another (review: "Domestic transfers:" left bare, at keep 0.5).
 */
const SHORT_VALUE =
  /^[ \t]*(?:[-*+•][ \t]+|\d{1,3}[.)][ \t]+)?((?:\*\*)?[\p{Lu}][\p{L}\p{N}/&()'-]*(?:[ \t]+[\p{L}\p{N}/&()'-]+){0,3}(?:\*\*)?:(?:\*\*)?[ \t]+(?:[^\s:]+[ \t]+){0,2}[^\s:]+)[ \t]*$/gmu;

/**
 * A price said in words: "free", "gratis", "free of charge", "at no cost", in a line that also
 * holds a number or an amount ("SEPA transfers: free up to 10 per month, then EUR 0.50 each"), and
 * the "each" or "per ..." after an amount. A value like a number: without it, "free up to 10 per
 * month" read "up to 10 per month" and "EUR 0.50 each" read "EUR 0.50" (review).
 */
const PRICE_WORD =
  /(?<![\p{L}-])(?:free of charge|free|gratis|at no (?:extra )?(?:cost|charge)|no charge)(?![\p{L}-])/giu;
const AMOUNT_EACH =
  /(?:[€$£]|\b(?:EUR|USD|GBP|CHF))[ \t]?\d[\d.,]*(?:[ \t]?(?:[€$£]|EUR|USD|GBP|CHF))?[ \t]+(each|apiece|per[ \t]+[\p{L}]+)(?![\p{L}])/gu;
const HAS_NUMBER = /\d/;

function priceSpans(text: string): ProtectedSpan[] {
  const out: ProtectedSpan[] = [];
  for (const m of text.matchAll(PRICE_WORD)) {
    const start = text.lastIndexOf('\n', m.index) + 1;
    const line = text.slice(start, lineEnd(text, m.index));
    // "feel free to ask" is no price; a line with a number, or a field's value, says one.
    if (HAS_NUMBER.test(line) || /:[ \t]*$/.test(text.slice(start, m.index)))
      out.push({ start: m.index, end: m.index + m[0].length, kind: 'number' });
  }
  for (const m of text.matchAll(AMOUNT_EACH)) {
    const tail = m[1] as string;
    const at = m.index + m[0].length - tail.length;
    out.push({ start: at, end: at + tail.length, kind: 'number' });
  }
  return out;
}

/**
 * A numbered or capitalised heading of a document: "1. DEFINITIONS", "4. TERM AND RETURN", in
 * capitals, eight words at most. A contract's sections are found by them (review: "1. DEFINITIONS"
 * and "2. EXCEPTIONS" went, "4. TERM AND RETURN" stayed).
 */
const CAPS_HEADING =
  /^(?:\d{1,2}(?:\.\d{1,2})*\.?[ \t]+)?(?=[^\n]*\p{Lu}{3})[\p{Lu}\p{N}][\p{Lu}\p{N}&,;'()/ \t-]{2,80}$/gmu;

function capsHeadingSpans(text: string): ProtectedSpan[] {
  const out: ProtectedSpan[] = [];
  for (const m of text.matchAll(CAPS_HEADING)) {
    const words = m[0].trim().split(/\s+/);
    // Shouted small talk is no heading (review: a chat's "OK SOUNDS GOOD" was kept whole at 0.5).
    if (words.every((w) => SMALL_TALK.has(bare(w)))) continue;
    if (words.length <= 8) out.push({ start: m.index, end: m.index + m[0].trimEnd().length, kind: 'header' });
  }
  return out;
}

/** A Markdown heading line, its text after the hashes. */
const MARKDOWN_HEADING_LINE = /^#{1,6}[ \t]+(\S[^\n]*)$/gm;
/** How many words a Markdown heading kept whole may run to. */
const HEADING_MAX_WORDS = 12;

/**
 * Markdown headings of twelve words at most, whole: a heading names what its section is about, and
 * a title often holds the document's identifier (review 3: "# PR #4821: Add retry with jitter ..."
 * went whole, its "#4821:" read as a bare label once the title's words were thinned).
 */
function markdownHeadingSpans(text: string): ProtectedSpan[] {
  const out: ProtectedSpan[] = [];
  for (const m of text.matchAll(MARKDOWN_HEADING_LINE)) {
    const words = (m[1] as string).trim().split(/\s+/);
    if (words.length <= HEADING_MAX_WORDS)
      out.push({ start: m.index, end: m.index + m[0].trimEnd().length, kind: 'header' });
  }
  return out;
}

/**
 * Spans of a document's structure the pruner keeps whatever the ratio (`whole`: a turn holding one
 * never goes whole either), and the short values of its fields (`values`: kept with their label
 * while the line stays; not read in a dialogue, whose labels are speakers).
 */
export function structureSpans(text: string): { whole: ProtectedSpan[]; values: ProtectedSpan[] } {
  const whole = [
    ...gitLogSpans(text),
    ...capsHeadingSpans(text),
    ...markdownHeadingSpans(text),
    ...boldTitleSpans(text),
  ];
  for (const re of [ATTRIBUTION, SUBJECT])
    for (const m of text.matchAll(re)) whole.push({ start: m.index, end: m.index + m[0].length, kind: 'header' });
  const values: ProtectedSpan[] = [...priceSpans(text)];
  for (const m of text.matchAll(SHORT_VALUE)) {
    const value = m[1] as string;
    const at = m.index + m[0].indexOf(value);
    values.push({ start: at, end: at + value.length, kind: 'field' });
  }
  return { whole, values };
}

/** An email signature's delimiter line ("-- "), at any quote depth. */
const SIG_DELIMITER = /^(?:>[ \t]?)*--[ \t]?$/;
/** A sign-off ("Best regards,", "Thanks,") over the sender's name. */
const SIGN_OFF =
  /^(?:>[ \t]?)*(?:(?:best|kind|warm)(?:est)?[ \t]+(?:regards|wishes)|regards|thanks|thank you|cheers|best|sincerely|yours(?:[ \t]+(?:truly|sincerely))?|saludos|grüße|viele grüße|cordialement|groeten)[,.!]?[ \t]*$/i;
const quoteDepth = (line: string) => /^(?:>[ \t]?)*/.exec(line)?.[0].replace(/[^>]/g, '').length ?? 0;
const quoteBody = (line: string) => line.replace(/^(?:>[ \t]?)*/, '').trim();

/**
 * The signatures of an email thread: from a "-- " line to the end of its paragraph (at its quote
 * depth), and the block of contact lines right under a sign-off and its name ("Thanks,\nDaniel\n\n
 * Daniel Reyes\nProcurement Lead, ..."). Each repeats on every mail of its sender and says least of
 * the thread: the pruner drops them before it thins the body (review: the signatures stayed whole
 * while the body was thinned to numbers without their units). Character ranges, in order.
 */
export function signatureBlocks(text: string): TextRange[] {
  const lines: { start: number; end: number; text: string }[] = [];
  for (let at = 0; at <= text.length; ) {
    const end = lineEnd(text, at);
    lines.push({ start: at, end, text: text.slice(at, end) });
    at = end + 1;
  }
  // Only in a message: a sign-off or a delimiter in a note is no signature.
  if (!lines.some((l) => /^(?:>[ \t]?)*(?:From|Subject):[ \t]/.test(l.text) || ATTRIBUTION_ONE.test(l.text))) return [];
  const out: TextRange[] = [];
  // The block from line `k` on, to the end of its paragraph at its quote depth (an attribution ends it).
  const block = (k: number) => {
    const depth = quoteDepth((lines[k] as { text: string }).text);
    let last = k;
    for (let j = k + 1; j < lines.length; j++) {
      const l = lines[j] as { text: string };
      if (!quoteBody(l.text) || quoteDepth(l.text) !== depth || ATTRIBUTION_ONE.test(l.text)) break;
      last = j;
    }
    return last;
  };
  for (let k = 0; k < lines.length; k++) {
    const line = (lines[k] as { text: string }).text;
    if (SIG_DELIMITER.test(line)) {
      const last = block(k);
      if (last > k) {
        out.push({ start: (lines[k] as { start: number }).start, end: (lines[last] as { end: number }).end });
        k = last;
      }
      continue;
    }
    // "Thanks," / "Daniel" / (blank) / "Daniel Reyes" / "Procurement Lead, ..." / "+34 ...".
    if (!SIGN_OFF.test(line)) continue;
    const name = quoteBody((lines[k + 1] as { text: string } | undefined)?.text ?? '');
    if (!/^[\p{Lu}][\p{L}'-]+$/u.test(name)) continue;
    let j = k + 2;
    while (j < lines.length && !quoteBody((lines[j] as { text: string }).text)) j++;
    const first = lines[j];
    if (!first || j === k + 2 || !quoteBody(first.text).startsWith(`${name} `)) continue;
    const last = block(j);
    if (last > j) {
      out.push({ start: first.start, end: (lines[last] as { end: number }).end });
      k = last;
    }
  }
  return out;
}

/** A label's last word ("transfers:", "**Budget:**"). */
const LABEL_END = /:(?:\*\*)?$/;

/**
 * A line left with nothing but its marker and its label ("- Domestic transfers:") goes whole: a
 * label's line never ends bare, whatever locked the label (a field's name is a protected span).
 * Only a label with words after it in the input: "Ingredients:" over a list is a heading. Returns
 * the lines emptied, released as dropped turns are. Mutates `keep`.
 */
export function dropBareLabelLines(
  text: string,
  units: readonly Unit[],
  lines: readonly [number, number][],
  keep: Uint8Array,
  /** The first units of turns, whose labels speaker-labels.ts settles (a turn runs on over the lines under it). */
  turnStarts: ReadonlySet<number>,
): TextRange[] {
  const word = (i: number) => text.slice((units[i] as Unit).word, (units[i] as Unit).end);
  const out: TextRange[] = [];
  for (const [first, last] of lines) {
    if (turnStarts.has(first)) continue;
    // The label's last unit: within the line's first five, after its marker.
    let label = -1;
    for (let i = first; i <= Math.min(last - 1, first + 4); i++)
      if (LABEL_END.test(word(i))) {
        label = i;
        break;
      }
    if (label < 0) continue;
    let head = false;
    let body = false;
    for (let i = first; i <= last; i++) {
      if (!keep[i]) continue;
      if (i <= label) head = true;
      else body = true;
    }
    if (!head || body) continue;
    for (let i = first; i <= label; i++) keep[i] = 0;
    out.push({ start: (units[first] as Unit).word, end: (units[last] as Unit).end });
  }
  return out;
}

/**
 * A pair of marks around a few words on one line: Markdown emphasis (`_Last updated ... SRE._`,
 * `*draft*`) and quotes (`"around CHF 80k/year"`, curly ones too). The opener starts a word and the
 * closer ends one.
 */
const PAIRED =
  /(?<![\p{L}\p{N}_*])(?:_(?=\S)[^_\n]*?\S_|\*(?=[^\s*])[^*\n]*?[^\s*]\*|"(?=\S)[^"\n]*?\S"|“[^”\n]*”)(?![\p{L}\p{N}_*])/gu;

/**
 * Each pair of marks (PAIRED) kept whole or not at all: its first and last words both, when the
 * selection kept one of them. A word kept with the closer and not the opener left a stray mark
 * that reads as the end of something never opened (review 3: `_Last updated 2025-11-30 by @dmitri.v.
 * Owner: Payments SRE._` read `2025-11-30 @dmitri.v. Payments SRE._`; `Budget "around CHF
 * 80k/year".` read `Budget CHF 80k/year".`). The word given back is the one that carries the mark.
 * Mutates `keep`.
 */
export function balancePairs(text: string, units: readonly Unit[], keep: Uint8Array): void {
  let u = 0;
  for (const m of text.matchAll(PAIRED)) {
    const end = m.index + m[0].length;
    while (u < units.length && (units[u] as Unit).end <= m.index) u++;
    let last = u;
    while (last + 1 < units.length && (units[last + 1] as Unit).word < end) last++;
    if (last === u || keep[u] === keep[last]) continue;
    keep[u] = 1;
    keep[last] = 1;
  }
}
