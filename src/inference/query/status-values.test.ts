import { describe, expect, it } from 'vitest';
import { parseMemory } from './memory-units.ts';
import { rankStatusValues } from './status-values.ts';

const SUMMARY = [
  'Discharge medications',
  '- Apixaban 5 mg twice daily (NEW)',
  '- Ramipril 5 mg once daily (unchanged)',
  '- Aspirin 75 mg: STOPPED (not needed with apixaban, increases bleeding risk)',
  '',
  'Instructions for the patient',
  '- Do not stop apixaban without speaking to your doctor, even if you feel well.',
  '- Avoid heavy alcohol.',
].join('\n');

/** The unit texts, best first, after the rule, from scores that put the instruction first. */
function ranked(text: string, query: string, first: RegExp): string[] {
  const m = parseMemory(text);
  const score = Float64Array.from(m.units, (u) => (first.test(u.text) ? 3 : 1));
  rankStatusValues(score, m, query);
  return m.units
    .map((u) => u.index)
    .sort((a, b) => (score[b] as number) - (score[a] as number) || a - b)
    .map((i) => m.units[i]?.text ?? '');
}

describe('a status the question asks for (session 35, H2)', () => {
  // At 0.1 "Do not stop apixaban" outranked "Aspirin 75 mg: STOPPED", the answer.
  it("puts the record whose status is the question's state above an instruction naming the verb", () => {
    const order = ranked(SUMMARY, 'Which medicine was stopped?', /Do not stop/);
    expect(order[0]).toMatch(/^- Aspirin 75 mg: STOPPED/);
    expect(order[1]).toMatch(/Do not stop/);
  });

  it('reads a verb in a sentence, a negated one or a chat turn as no status', () => {
    expect(ranked(SUMMARY, 'Which medicine should I not stop?', /Do not stop/)[0]).toMatch(/Do not stop/);
    const notes = 'We stopped the trial in May.\nThe pump was not stopped.\nTeam lunch moved to Friday.';
    expect(ranked(notes, 'What was stopped?', /lunch/)[0]).toMatch(/lunch/);
    const chat = 'Anna: Stopped.\nBen: Did you stop the pump?\nAnna: Yes, and the fan too.';
    expect(ranked(chat, 'What was stopped?', /fan/)[0]).toMatch(/fan/);
  });
});

describe("a task list's state the question asks for (session 35, H2)", () => {
  const AGENDA = [
    '## Agenda',
    '1. On-call rotation for December (owner: Ana Silva, 10 min)',
    '   - Holiday coverage 24–26 Dec still open; volunteers please.',
    '',
    '## Action items from last week',
    '- [x] Marco: rotate the staging database credentials',
    '- [ ] Jonas: benchmark pgbouncer transaction mode (carried over)',
    '- [ ] Ana: update the escalation policy in PagerDuty',
  ].join('\n');
  // The agenda's "still open" line was kept, neither open action item.
  it('puts the open items first for open, the checked ones for done', () => {
    const open = ranked(AGENDA, 'Which action items are still open?', /still open/);
    expect(open.slice(0, 2)).toEqual([
      '- [ ] Jonas: benchmark pgbouncer transaction mode (carried over)',
      '- [ ] Ana: update the escalation policy in PagerDuty',
    ]);
    expect(ranked(AGENDA, 'What was done last week?', /still open/)[0]).toBe(
      '- [x] Marco: rotate the staging database credentials',
    );
    expect(ranked(AGENDA, 'Who owns the on-call rotation?', /still open/)[0]).toMatch(/still open/);
  });

  // Re-read of session 35: "When is the recycling centre closed?" kept three checked chores at 0.1
  // and 0.2 and no opening hours; "What time does the pharmacy open?" an open chore at 0.1.
  it("reads a place's opening hours as no question about the list", () => {
    const notes = [
      '## Chores',
      '- [ ] Call the plumber about the kitchen tap',
      '- [x] Pay the electricity bill',
      '',
      '## Local places',
      'The pharmacy opens at 8:30 on weekdays and at 10:00 on Sundays.',
      'The recycling centre is closed on Mondays.',
    ].join('\n');
    expect(ranked(notes, 'When is the recycling centre closed?', /recycling/)[0]).toMatch(/recycling/);
    expect(ranked(notes, 'What time does the pharmacy open on Sundays?', /pharmacy/)[0]).toMatch(/pharmacy/);
    expect(ranked(notes, 'Which chores are still open?', /pharmacy/)[0]).toMatch(/plumber/);
    expect(ranked(notes, 'What is still open?', /pharmacy/)[0]).toMatch(/plumber/);
    expect(ranked(notes, "What's done?", /pharmacy/)[0]).toMatch(/electricity/);
  });
});
