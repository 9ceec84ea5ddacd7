import { beforeAll, describe, expect, it } from 'vitest';
import { o200kCounter, type TokenCounter } from '../../tokenizers/o200k-counter.ts';
import { parseMemory } from './memory-units.ts';
import { selectForQuery } from './select.ts';

let count: TokenCounter;
beforeAll(async () => {
  count = await o200kCounter();
});

/** The text of the message each unit replies to in a thread, by the unit's text's opening. */
function repliesOf(text: string): Record<string, string> {
  const m = parseMemory(text);
  const out: Record<string, string> = {};
  for (const u of m.units) {
    if (u.replyTo === undefined) continue;
    const parent = m.units.find((v) => v.turn === u.replyTo);
    out[u.text.slice(0, 30)] = parent?.text.slice(0, 30) ?? '?';
  }
  return out;
}

/**
 * Thread replies (review H1 F-04, F-13, F-19): Slack's "↳" replies, Teams' "replied:" heads indented
 * under their message, Discord's "Replying to @name: ..." are read as replies to their message.
 */
describe('thread replies (memory-units.ts replyTo)', () => {
  it('reads no thread in a chat pasted with its first line flush and the rest indented (re-read of session 32)', () => {
    const chat = [
      'Alice: Hey Bob, quick planning chat for the offsite.',
      '  Bob: Sure, what is up?',
      '  Alice: Did you book the venue for the offsite in March?',
      '  Bob: Yes, the Grand Hall on Elm Street, 14 March.',
      '  Alice: Who brings the projector?',
      '  Bob: Priya brings the projector and the clicker.',
    ].join('\n');
    expect(repliesOf(chat)).toEqual({});
  });

  it("reads Slack's marked replies as answering the message above them, not the speaker's turn going on", () => {
    const r = repliesOf(
      [
        '[2023-11-13 09:04] Marcus Bell: @Priya can you submit the Q3 expense report?',
        '    ↳ [2023-11-14 16:40] Priya Nair: Done, sent it Tuesday 14 Nov',
        '    ↳ [2023-11-14 16:52] Marcus Bell: Thanks!',
        '[2023-11-13 09:10] Lena Ortiz: The offsite budget sheet is in the shared drive.',
        '[2023-11-13 11:02] Priya Nair: Can someone approve my travel request?',
        '  ↳ reply from Marcus Bell: yes, approved',
      ].join('\n'),
    );
    expect(r).toEqual({
      '↳ [2023-11-14 16:40] Priya Nai': '[2023-11-13 09:04] Marcus Bell',
      '↳ [2023-11-14 16:52] Marcus Be': '[2023-11-13 09:04] Marcus Bell',
      '↳ reply from Marcus Bell: yes,': '[2023-11-13 11:02] Priya Nair:',
    });
  });

  it("reads a Teams paste's stamped heads as turns, a 'replied:' head as a reply", () => {
    const m = parseMemory(
      [
        '[14/02/2024 11:00] Daniel Osei',
        'Which VPN client should I install?',
        '',
        '    [14/02/2024 11:25] Markus Brandt replied:',
        '    GlobalProtect, log in with your SSO account.',
        '',
        '[14/02/2024 13:45] Anja Vogel',
        'Team lunch on Friday at 12:30.',
        '',
        '[14/02/2024 14:00] Daniel Osei',
        'Thanks Anja!',
      ].join('\n'),
    );
    expect(m.format).toBe('dialogue');
    const reply = m.units.find((u) => u.text.startsWith('GlobalProtect'));
    expect(reply?.speaker).toBe('Markus Brandt');
    expect(m.units.find((u) => u.turn === reply?.replyTo)?.text).toBe('Which VPN client should I install?');
    expect(m.units.find((u) => u.text.startsWith('Team lunch'))?.replyTo).toBeUndefined();
  });

  it("reads Discord's 'Replying to @name: ...' as a reply to the message it quotes", () => {
    const m = parseMemory(
      [
        '[11/20/2023 2:30 PM] mei',
        'reminder: design review for the loyalty points screen is Thursday at 3',
        '',
        '[11/20/2023 2:40 PM] kai.m',
        'deploy is green',
        '',
        '[11/20/2023 3:02 PM] jules',
        'Replying to @mei: reminder: design review for the loyalty points screen is Thursday at 3',
        'can we do 4? I have the vendor call at 3',
        '',
        '[11/20/2023 3:10 PM] mei',
        'sure, moved to 4pm Thursday',
      ].join('\n'),
    );
    const ask = m.units.find((u) => u.text.startsWith('can we do 4'));
    expect(m.units.find((u) => u.turn === ask?.replyTo)?.text).toMatch(/^reminder: design review/);
  });

  it('matches the quoted message by whole words: a quoted "yes" is no "yesterday" (re-read of session 32)', () => {
    const m = parseMemory(
      [
        '[11/20/2023 2:30 PM] kai.m',
        'yes',
        '',
        '[11/20/2023 2:40 PM] mei',
        'yesterday the build broke twice',
        '',
        '[11/20/2023 3:02 PM] jules',
        'replied to a thread: yes',
        'great, then we ship',
        '',
        '[11/20/2023 3:10 PM] mei',
        'shipping at 4pm then',
      ].join('\n'),
    );
    const ship = m.units.find((u) => u.text.startsWith('great, then we ship'));
    expect(m.units.find((u) => u.turn === ship?.replyTo)?.text).toBe('yes');
  });
});

describe('a thread brings its reply and a reply its message (select.ts)', () => {
  const slack = [
    '#finance-ops',
    '[2023-11-13 09:04] Marcus Bell: @Priya can you submit the Q3 expense report? Finance closes the books on Friday.',
    '    ↳ [2023-11-13 09:20] Sofia Rinaldi: +1, same for the travel claims',
    '    ↳ [2023-11-14 16:40] Priya Nair: Done, sent it Tuesday 14 Nov',
    '[2023-11-13 09:10] Lena Ortiz: Reminder that the offsite budget sheet lives in the shared drive.',
    '[2023-11-13 09:31] Tom Becker: The corporate card portal has been timing out since 8.',
    '[2023-11-13 11:02] Priya Nair: Can someone approve my travel request for the Berlin trade fair (TR-4471)?',
    '    ↳ [2023-11-13 14:20] Marcus Bell: yes, approved',
    '[2023-11-13 11:45] Lena Ortiz: Lunch order for the Thursday workshop goes in by Wednesday noon.',
    '[2023-11-13 13:05] Tom Becker: The vendor invoice from Northwind is still missing a PO number.',
    '[2023-11-13 15:30] Marcus Bell: Heads-up: the audit team arrives on 27 November for two days.',
    '[2023-11-14 09:20] Lena Ortiz: The new mileage rate is 0.30 EUR per km from 1 December.',
    '[2023-11-14 11:00] Tom Becker: FYI the coffee machine on floor 3 is fixed.',
  ].join('\n');

  it('a best message brings the reply in its thread that answers it, past one that does not (F-04)', async () => {
    const r = await selectForQuery(slack, {
      query: 'When did Priya submit the expense report?',
      budget: 95,
      count,
    });
    expect(r.text).toContain('expense report');
    expect(r.text).toContain('sent it Tuesday 14 Nov');
  });

  it('a kept reply brings its message (F-19)', async () => {
    const r = await selectForQuery(slack, { query: 'Who said yes, approved?', budget: 60, count });
    expect(r.text).toContain('yes, approved');
    expect(r.text).toContain('TR-4471');
  });

  it("in a Slack paste, a thread's reply, quoting its message, comes before the channel's next line", async () => {
    const paste = [
      'Monday, November 13th',
      '',
      'Marcus Bell  9:04 AM',
      '@Priya can you submit the Q3 expense report? Finance closes the books on Friday.',
      'Lena Ortiz  9:10 AM',
      'Reminder that the offsite budget sheet lives in the shared drive under Finance/2023/Offsite.',
      'Tom Becker  9:31 AM',
      'Is anyone else seeing the corporate card portal time out? It has been down since 8.',
      'Tuesday, November 14th',
      '',
      'Sofia Rinaldi  9:20 AM',
      'The new mileage rate is 0.30 EUR per km from 1 December.',
      'Priya Nair  4:40 PM',
      'replied to a thread: @Priya can you submit the Q3 expense report? Finance closes…',
      'Done, sent it Tuesday 14 Nov',
      'Sofia Rinaldi  5:10 PM',
      'Who signed off the Q3 accruals?',
    ].join('\n');
    const r = await selectForQuery(paste, { query: 'When did Priya submit the expense report?', budget: 70, count });
    expect(r.text).toContain('@Priya can you submit the Q3 expense report?');
    expect(r.text).toContain('Done, sent it Tuesday 14 Nov');
  });
});
