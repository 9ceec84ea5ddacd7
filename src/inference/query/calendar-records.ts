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

import { linesOf, type Line as Span } from '../../util/text-lines.ts';
import { pushCodeUnit } from './code-units.ts';
import type { MemoryGroup, MemoryUnit, ParsedMemory } from './memory-units.ts';

/** A component that is one record: what a question asks about. */
const RECORD = /^BEGIN:(VEVENT|VTODO|VJOURNAL|VFREEBUSY|VCARD|VTIMEZONE)\s*$/i;

/** What a record is: an event's or a to-do's summary, a card's name. Brought by any line of it kept. */
const TITLE = /^(?:SUMMARY|FN)[;:]/i;

/** The frame of a calendar: its lines open and close the file, kept so no component is left open. */
const FRAME = /^(?:BEGIN|END):VCALENDAR\s*$/i;

/**
 * A record's start and the line ending it: when it starts and when it ends are one fact, a time
 * span, one unit (review, session 35: "When is Marco on vacation?" kept DTEND;VALUE=DATE:20261219
 * without the DTSTART above it, at 0.1 and 0.2: the vacation read as one day).
 */
const SPAN_START = /^DTSTART[;:]/i;
const SPAN_END = /^(?:DTEND|DURATION|DUE)[;:]/i;

/**
 * The records of an iCalendar or vCard text, or null when it is none: its first line that is not
 * blank opens a calendar or a card, and two records or more close (`END:` of the same name).
 */
export function parseCalendar(text: string): ParsedMemory | null {
  const lines = linesOf(text);
  const first = lines.find((l) => l.text.trim());
  if (!first || !/^BEGIN:(?:VCALENDAR|VCARD)$/i.test(first.text.trim())) return null;
  const units: MemoryUnit[] = [];
  const groups: MemoryGroup[] = [];
  /** A unit of the lines first..last (a folded line's continuations, a time span's two lines), as written. */
  const push = (first: Span, last: Span, group: number, pinned: boolean): number => {
    const lead = first.text.length - first.text.trimStart().length;
    const start = first.start + lead;
    const end = last.start + last.text.trimEnd().length;
    // As written: a property's value is data ("FN:Dr. Selin Kaya", "LOCATION:Boardroom, 6th floor"),
    // which the telegraphic style changed ("Dr Selin Kaya", the comma dropped).
    return pushCodeUnit(units, groups, { start, end, text: text.slice(start, end), group, pinned });
  };
  /** The group of the lines outside any record (the calendar's frame, its version, its name). */
  let outside = -1;
  let records = 0;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] as Span;
    const line = l.text.trim();
    if (!line) continue;
    const open = RECORD.exec(line);
    if (!open) {
      if (outside < 0) outside = groups.push({ header: null, headerDate: null, units: [] }) - 1;
      push(l, l, outside, FRAME.test(line));
      continue;
    }
    const close = new RegExp(`^END:${open[1]}$`, 'i');
    let k = i + 1;
    while (k < lines.length && !close.test((lines[k] as Span).text.trim())) k++;
    // A record never closed: no calendar to read, the text is read as any other.
    if (k >= lines.length) return null;
    // Its properties: a line and its folded continuations (RFC 5545 3.1, RFC 6350 3.2: a line opening
    // with a space or a tab goes on with the one above).
    const props: Span[][] = [];
    for (const b of lines.slice(i + 1, k)) {
      if (!b.text.trim()) continue;
      const last = props[props.length - 1];
      if (last && /^[ \t]/.test(b.text)) last.push(b);
      else props.push([b]);
    }
    const group = groups.push({ header: null, headerDate: null, units: [] }) - 1;
    for (let p = 0; p < props.length; p++) {
      const prop = props[p] as Span[];
      const head = (prop[0] as Span).text.trim();
      const next = props[p + 1];
      const spans = SPAN_START.test(head) && next && SPAN_END.test((next[0] as Span).text.trim());
      const last = spans ? (next[next.length - 1] as Span) : (prop[prop.length - 1] as Span);
      const index = push(prop[0] as Span, last, group, false);
      if (spans) p++;
      const g = groups[group] as MemoryGroup;
      if (g.lead === undefined && TITLE.test(head)) g.lead = index;
    }
    records++;
    outside = -1;
    i = k;
  }
  return records >= 2 ? { text, format: 'prose', calendar: true, units, groups } : null;
}

/**
 * The properties a question's words ask for, by name: "the dentist's phone number" asks for a
 * card's TEL, "When is ...?" for an event's time span. The property names are codes no question
 * says ("TEL", "DTSTART"), so relevance alone left them under the lines naming the record (review,
 * session 35: at 0.1 the dentist's FN, ORG and TITLE were kept, not the TEL asked for).
 */
const ASKED: readonly { property: RegExp; words: RegExp }[] = [
  { property: /^TEL[;:]/i, words: /\b(?:phone|telephone|call|ring|number|mobile|cell|fax)\b/i },
  { property: /^EMAIL[;:]/i, words: /\b(?:e-?mail|mail|write)\b/i },
  { property: /^ADR[;:]/i, words: /\b(?:address|where|live|lives|street|postal|post)\b/i },
  { property: /^BDAY[;:]/i, words: /\b(?:birthday|born|birth|old|age)\b/i },
  { property: /^ORG[;:]/i, words: /\b(?:company|employer|organi[sz]ation|works?\s+(?:at|for))\b/i },
  { property: /^TITLE[;:]/i, words: /\b(?:job|title|role|position)\b/i },
  { property: /^URL[;:]/i, words: /\b(?:website|web\s*site|url|homepage|site|link)\b/i },
  {
    property: /^(?:DTSTART|DTEND|DUE|DURATION)[;:]/i,
    words: /\b(?:when|date|day|time|start|starts|begin|begins|end|ends|until|due|long)\b/i,
  },
  { property: /^LOCATION[;:]/i, words: /\b(?:where|location|place|venue|room|address)\b/i },
  { property: /^RRULE[;:]/i, words: /\b(?:often|repeat|repeats|recurring|recur|every|weekly|daily|monthly)\b/i },
  {
    property: /^(?:ATTENDEE|ORGANIZER)[;:]/i,
    words: /\b(?:who|attend|attends|attending|attendees|invited|organi[sz]e[sd]?|organi[sz]er|host)\b/i,
  },
];

/** How far above its record's best line a property asked for is put: below any difference relevance makes. */
const STEP = 1e-6;

/**
 * In a calendar or a card file, each record's properties the question asks for by name go just
 * above the record's best line: the records rank as they did, and the one the question names gives
 * the property asked (its lead, brought with it, says whose it is).
 */
export function rankAskedProperties(score: Float64Array, memory: ParsedMemory, query: string): void {
  if (!memory.calendar) return;
  const asked = ASKED.filter((a) => a.words.test(query));
  if (!asked.length) return;
  for (const g of memory.groups) {
    if (g.lead === undefined) continue;
    let best = Number.NEGATIVE_INFINITY;
    for (const i of g.units) best = Math.max(best, score[i] as number);
    for (const i of g.units) {
      const u = memory.units[i];
      if (u && asked.some((a) => a.property.test(u.text))) score[i] = Math.max(score[i] as number, best + STEP);
    }
  }
}
