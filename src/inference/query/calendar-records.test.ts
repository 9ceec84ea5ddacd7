import { describe, expect, it } from 'vitest';
import { rankAskedProperties } from './calendar-records.ts';
import { parseMemory } from './memory-units.ts';

const cards = [
  'BEGIN:VCARD',
  'VERSION:3.0',
  'FN:Dr. Selin Kaya',
  'TITLE:Dentist',
  'TEL;TYPE=WORK:+49 30 4455 6677',
  'END:VCARD',
  'BEGIN:VCARD',
  'VERSION:3.0',
  'FN:Ana Silva',
  'EMAIL:ana.silva@example.com',
  'END:VCARD',
].join('\r\n');

/** The text of the line a unit's record brings when the unit is kept (its group's lead). */
const leadOf = (text: string, line: string) => {
  const m = parseMemory(text);
  const u = m.units.find((x) => x.text === line);
  const lead = u ? m.groups[u.group]?.lead : undefined;
  return lead === undefined ? undefined : m.units[lead]?.text;
};

describe('iCalendar and vCard records (session 34, H2)', () => {
  // Read as prose, a card's lines were sentences apart: at 0.1 the dentist's TITLE was kept beside
  // Ana's EMAIL, read as the dentist's.
  it("brings a card's name with any line of it kept", () => {
    expect(leadOf(cards, 'TEL;TYPE=WORK:+49 30 4455 6677')).toBe('FN:Dr. Selin Kaya');
    expect(leadOf(cards, 'EMAIL:ana.silva@example.com')).toBe('FN:Ana Silva');
  });

  it("brings an event's summary with its start, its alarm inside it", () => {
    const ics = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'BEGIN:VEVENT',
      'DTSTART;VALUE=DATE:20261214',
      'SUMMARY:Marco on vacation',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'DTSTART:20261210T110000',
      'SUMMARY:Dentist',
      'BEGIN:VALARM',
      'TRIGGER:-PT1H',
      'END:VALARM',
      'END:VEVENT',
      'END:VCALENDAR',
    ].join('\n');
    expect(leadOf(ics, 'DTSTART;VALUE=DATE:20261214')).toBe('SUMMARY:Marco on vacation');
    expect(leadOf(ics, 'TRIGGER:-PT1H')).toBe('SUMMARY:Dentist');
    const m = parseMemory(ics);
    expect(m.units.filter((u) => u.pinned).map((u) => u.text)).toEqual(['BEGIN:VCALENDAR', 'END:VCALENDAR']);
  });

  it('reads a calendar with a record never closed as any other text', () => {
    const broken = 'BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:A\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:B\n';
    expect(parseMemory(broken).groups.some((g) => g.lead !== undefined)).toBe(false);
  });
});

describe('calendar and card properties as written, a time span as one fact, properties asked by name (session 35, H2)', () => {
  const ics = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'BEGIN:VEVENT',
    'DTSTAMP:20261201T120000Z',
    'DTSTART;TZID=Europe/Berlin:20261209T140000',
    'DTEND;TZID=Europe/Berlin:20261209T153000',
    'SUMMARY:Quarterly budget review',
    'LOCATION:Boardroom, 6th floor',
    'DESCRIPTION:Bring the Q4 forecast. Marco presents the cloud cost numbers. Th',
    ' e slides are in the shared drive.',
    'END:VEVENT',
    'BEGIN:VEVENT',
    'DTSTART;VALUE=DATE:20261214',
    'DTEND;VALUE=DATE:20261219',
    'SUMMARY:Marco on vacation',
    'END:VEVENT',
    'END:VCALENDAR',
  ].join('\r\n');

  // Read as sentences, the telegraphic style changed values: "LOCATION:Boardroom, 6th floor" lost its comma.
  it('keeps each property as written', () => {
    const m = parseMemory(ics);
    expect(m.units.every((u) => u.kind === 'code')).toBe(true);
    expect(m.units.map((u) => u.text)).toContain('LOCATION:Boardroom, 6th floor');
  });

  // "When is Marco on vacation?" kept the DTEND without its DTSTART: the vacation read as one day.
  it("reads an event's start and end as one unit, a folded line with the line it goes on", () => {
    const texts = parseMemory(ics).units.map((u) => u.text);
    expect(texts).toContain('DTSTART;VALUE=DATE:20261214\r\nDTEND;VALUE=DATE:20261219');
    expect(texts.some((t) => t.startsWith('DESCRIPTION:') && t.endsWith('shared drive.'))).toBe(true);
    expect(texts).not.toContain('e slides are in the shared drive.');
  });

  // "What is the dentist's phone number?" at 0.1 kept the dentist's FN, ORG and TITLE, not the TEL.
  it("puts the property a question asks for just above its record's best line", () => {
    const m = parseMemory(cards);
    const at = (line: string) => m.units.findIndex((u) => u.text === line);
    const score = new Float64Array(m.units.length);
    score[at('TITLE:Dentist')] = 5;
    score[at('FN:Dr. Selin Kaya')] = 4;
    score[at('FN:Ana Silva')] = 1;
    rankAskedProperties(score, m, "What is the dentist's phone number?");
    const tel = score[at('TEL;TYPE=WORK:+49 30 4455 6677')] as number;
    expect(tel).toBeGreaterThan(5);
    expect(tel).toBeLessThan(5.001);
    expect(score[at('EMAIL:ana.silva@example.com')]).toBe(0);
    const asIs = Float64Array.from(score);
    rankAskedProperties(score, m, 'Who is the dentist?');
    expect([...score]).toEqual([...asIs]);
  });
});
