import type { ProtectedSpan } from './protect.ts';

/**
 * A bold title opening a paragraph: `**7.1 Plans.** Larkspur offers ...`, `**Refunds — annual
 * plans.**` alone on its line. A contract's clauses, a policy's rules and a FAQ's questions are
 * titled so, and the title is a heading: it says what the clause is about and whom it applies to
 * (review 4, F-07/F-16: `**8.3 Refunds — annual plans.**` came back `8.3 Refunds`, so 8.3 promised
 * a refund on any renewal, and every title lost its `**`). Kept whole, markers and all, as a
 * Markdown heading of up to twelve words is (structure.ts).
 */
const BOLD_TITLE = /^([ \t]{0,3})(\*\*|__)(?=\S)([^*_\n]+?)(?<=\S)\2/gm;
/** How many words a bold title kept whole may run to, as a Markdown heading. */
const TITLE_MAX_WORDS = 12;

/** Whether the bold text `inner`, at the start of its line, is a title kept whole. */
export function isBoldTitle(inner: string): boolean {
  return inner.trim().split(/\s+/).length <= TITLE_MAX_WORDS;
}

/** The bold titles opening a line of `text`, markers included. */
export function boldTitleSpans(text: string): ProtectedSpan[] {
  const out: ProtectedSpan[] = [];
  for (const m of text.matchAll(BOLD_TITLE)) {
    if (!isBoldTitle(m[3] as string)) continue;
    const start = m.index + (m[1] as string).length;
    out.push({ start, end: m.index + m[0].length, kind: 'header' });
  }
  return out;
}
