/**
 * An iCalendar export (.ics) or a vCard file read as records: each event, to-do, journal entry or
 * card (`BEGIN:VEVENT` ... `END:VEVENT`, an alarm inside it included) is a group of its property
 * lines, led by its SUMMARY (a card's FN): any line of it kept brings that line, as a commit's body
 * brings its subject (git-log.ts). Read as prose, each property line was a sentence of its own,
 * kept apart from whose it was (review, session 34: "What is the dentist's phone number?" at 0.1
 * kept the dentist's TITLE beside Ana's EMAIL; the daily standup's LOCATION stood right above the
 * budget review's lines, with no SUMMARY of its own). The lines stay units: an event kept whole (a
 * unit of 100-170 tokens) was over a tenth's budget and nothing of it was kept.
 */

import type { MemoryGroup, MemoryUnit, ParsedMemory } from './memory-units.ts';

/** A component that is one record: what a question asks about. */
const RECORD = /^BEGIN:(VEVENT|VTODO|VJOURNAL|VFREEBUSY|VCARD|VTIMEZONE)\s*$/i;

/** What a record is: an event's or a to-do's summary, a card's name. Brought by any line of it kept. */
const TITLE = /^(?:SUMMARY|FN)[;:]/i;

/** The frame of a calendar: its lines open and close the file, kept so no component is left open. */
const FRAME = /^(?:BEGIN|END):VCALENDAR\s*$/i;

interface Span {
  start: number;
  end: number;
}

/** The lines of a text with their offsets, a CRLF's CR left out. */
function linesOf(text: string): Span[] {
  const out: Span[] = [];
  for (let start = 0; start <= text.length; ) {
    const nl = text.indexOf('\n', start);
    const end = nl === -1 ? text.length : nl;
    out.push({ start, end: text[end - 1] === '\r' ? end - 1 : end });
    start = end + 1;
  }
  return out;
}

/**
 * The records of an iCalendar or vCard text, or null when it is none: its first line that is not
 * blank opens a calendar or a card, and two records or more close (`END:` of the same name).
 */
export function parseCalendar(text: string): ParsedMemory | null {
  const lines = linesOf(text);
  const said = (l: Span) => text.slice(l.start, l.end);
  const first = lines.find((l) => said(l).trim());
  if (!first || !/^BEGIN:(?:VCALENDAR|VCARD)$/i.test(said(first).trim())) return null;
  const units: MemoryUnit[] = [];
  const groups: MemoryGroup[] = [];
  const from = (l: Span) => l.start + said(l).length - said(l).trimStart().length;
  const push = (l: Span, group: number, pinned: boolean) => {
    const lead = said(l).length - said(l).trimStart().length;
    const body = said(l).trim();
    const index = units.length;
    units.push({
      index,
      start: l.start + lead,
      end: l.start + lead + body.length,
      text: body,
      kind: 'line',
      speaker: null,
      group,
      turn: index,
      label: null,
      first: true,
      pinned,
    });
    groups[group]?.units.push(index);
  };
  /** The group of the lines outside any record (the calendar's frame, its version, its name). */
  let outside = -1;
  let records = 0;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] as Span;
    const line = said(l).trim();
    if (!line) continue;
    const open = RECORD.exec(line);
    if (!open) {
      if (outside < 0) outside = groups.push({ header: null, headerDate: null, units: [] }) - 1;
      push(l, outside, FRAME.test(line));
      continue;
    }
    const close = new RegExp(`^END:${open[1]}$`, 'i');
    let k = i + 1;
    while (k < lines.length && !close.test(said(lines[k] as Span).trim())) k++;
    // A record never closed: no calendar to read, the text is read as any other.
    if (k >= lines.length) return null;
    const body = lines.slice(i + 1, k).filter((b) => said(b).trim());
    const title = body.find((b) => TITLE.test(said(b).trim()));
    const group = groups.push({ header: null, headerDate: null, units: [] }) - 1;
    for (const b of body) push(b, group, false);
    if (title) (groups[group] as MemoryGroup).lead = units.find((u) => u.start === from(title))?.index;
    records++;
    outside = -1;
    i = k;
  }
  return records >= 2 ? { text, format: 'prose', units, groups } : null;
}
