import { describe, expect, it } from 'vitest';
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
