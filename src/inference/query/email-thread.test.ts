import { beforeAll, describe, expect, it } from 'vitest';
import { o200kCounter, type TokenCounter } from '../../tokenizers/o200k-counter.ts';
import { parseMemory } from './memory-units.ts';
import { selectForQuery } from './select.ts';

/**
 * A help desk's ticket: its fields, a reply quoting two earlier messages (hard-wrapped inside their
 * quotes, a list item's tail indented under it), then the agents' stamped internal notes
 * (review 5, F-17, in the shape of review5-inputs/support_ticket_email.txt).
 */
const TICKET = [
  'Ticket #5120 - "Locked out after password reset"',
  'Status: Pending   Assignee: Ines Duarte (Accounts, Tier 1)',
  'Customer: Brightwell Bakery (account BW-220), contact Omar Said <omar@brightwell.example>',
  '',
  '----------------------------------------',
  'From: Ines Duarte <ines@keyvault.example>',
  'To: Omar Said <omar@brightwell.example>',
  'Date: Tue, 3 Mar 2026 11:20 +0000',
  'Subject: RE: RE: Locked out after password reset',
  '',
  'Hi Omar,',
  '',
  'Your account is unlocked again and two-factor login is back on. The reset link you used had',
  'expired, which is why it failed.',
  '',
  'Ines',
  '',
  '> From: Omar Said <omar@brightwell.example>',
  '> Date: Mon, 2 Mar 2026 17:02 +0000',
  '> Subject: RE: Locked out after password reset',
  '>',
  '> Thanks. Two more things:',
  '> 1. Our second admin (Leah) is also locked out since this morning and cannot',
  '>    reach the billing page.',
  '> 2. Please send the new invoice to accounts@brightwell.example instead of me.',
  '>',
  '>> From: Ines Duarte <ines@keyvault.example>',
  '>> Date: Mon, 2 Mar 2026 10:15 +0000',
  '>>',
  '>> - Your login was blocked after five failed attempts from a new device in',
  '>>   (Lisbon), which our fraud rules flag. I have asked the security team to',
  '>>   review it.',
  '',
  '----------------------------------------',
  'INTERNAL NOTES',
  '',
  '[2026-03-02 10:20] Ines Duarte: Fraud flag confirmed in the audit log. Security (Kai Berg) reviewing. Customer asked for email only.',
  '[2026-03-03 11:18] Kai Berg (Security): Flag cleared, false positive. Unlocked both admins.',
].join('\n');

let count: TokenCounter;
beforeAll(async () => {
  count = await o200kCounter();
});

describe('e-mail threads (review 5, F-17)', () => {
  it("reads the top message's fields as its heading, its 'From:' with its 'Date:'", () => {
    const m = parseMemory(TICKET);
    const reply = m.units.find((u) => u.text.startsWith('Your account is unlocked'));
    expect(m.groups[reply?.group as number]?.header).toMatch(
      /^From: Ines Duarte <ines@keyvault\.example>\nTo: .*\nDate: /,
    );
    expect(m.units.some((u) => /^(?:>\s*)*From:/.test(u.text))).toBe(false);
  });

  it("reads a quote's wrapped lines at one depth as one block cut into sentences, a quoted message under its own fields", () => {
    const m = parseMemory(TICKET);
    const texts = m.units.map((u) => u.text);
    expect(texts).toContain(
      '> 1. Our second admin (Leah) is also locked out since this morning and cannot reach the billing page.',
    );
    expect(texts).toContain(
      '>> - Your login was blocked after five failed attempts from a new device in (Lisbon), which our fraud rules flag.',
    );
    expect(texts).toContain('I have asked the security team to review it.');
    const quoted = m.units.find((u) => u.text.startsWith('>> - Your login'));
    expect(m.groups[quoted?.group as number]?.header).toMatch(/^>> From: Ines Duarte/);
  });

  it("gives a stamped note's later sentences its stamp and name, under no quoted message's header", async () => {
    const m = parseMemory(TICKET);
    const later = m.units.find((u) => u.text === 'Security (Kai Berg) reviewing.');
    expect(later?.label).toBe('[2026-03-02 10:20] Ines Duarte:');
    expect(m.groups[later?.group as number]?.header ?? null).toBeNull();
    const r = await selectForQuery(TICKET, {
      query: 'Who is reviewing the fraud flag at Security?',
      budget: 40,
      count,
    });
    expect(r.text).toContain('[2026-03-02 10:20] Ines Duarte:');
    expect(r.text).not.toContain('>> From:');
  });
});
