import { beforeAll, describe, expect, it } from 'vitest';
import { o200kCounter, type TokenCounter } from '../../tokenizers/o200k-counter.ts';
import { fieldLabels, namesAgentOf, rankFieldLabels } from './field-labels.ts';
import { parseMemory } from './memory-units.ts';
import { selectForQuery } from './select.ts';

/** A project register: each project's field line under its banner, then dated notes naming people. */
const REGISTER = [
  'Project register - Facilities - updated 2025-11-30',
  '',
  '=== Project: Lisbon office move ===',
  'Manager: Rui Costa | Sponsor: Ines Prado | Status: Planning',
  '2025-09-02  Kickoff with Rui and the landlord. Lease draft received, 5 years, EUR 14,500/month.',
  '2025-10-11  Ines wants the move before the summer. Movers quoted EUR 38,000. Rui to compare two more quotes.',
  '2025-11-20  Landlord asked for a deposit of three months. Ines approved it. Next step: sign the lease by 5 Dec.',
  '',
  '=== Project: Porto warehouse roof ===',
  'Manager: Helena Sousa | Sponsor: Ines Prado | Status: Done',
  '2025-06-14  Roof repaired after the storm. Cost EUR 21,300, insurer paid EUR 18,000.',
  '2025-08-01  Helena closed the project. Warranty 10 years, contractor Telhados Norte.',
  '',
  '=== Project: Braga canteen ===',
  'Manager: Tiago Reis | Sponsor: Paulo Dias | Status: On hold',
  '2025-10-30  Paulo paused the project until the budget review. Tiago keeps the supplier list.',
].join('\n');

describe('field labels (review 3: "Who owns the Kestrel Air Cargo account?" lost its "Owner:" line)', () => {
  it('links a verb with its agent noun', () => {
    expect(namesAgentOf('Owner', 'own')).toBe(true);
    expect(namesAgentOf('Manager', 'manage')).toBe(true);
    expect(namesAgentOf('Manager', 'manag')).toBe(true);
    expect(namesAgentOf('Signatory', 'sign')).toBe(true);
    expect(namesAgentOf('Supervisor', 'supervise')).toBe(true);
    expect(namesAgentOf('Lead', 'lead', true)).toBe(true);
    // The same word is no agent unless it is the verb after "who": "SEPA transfers:" for "transfer".
    expect(namesAgentOf('transfers', 'transfer')).toBe(false);
    expect(namesAgentOf('Status', 'own')).toBe(false);
    expect(namesAgentOf('Owner', 'ow')).toBe(false);
  });

  it('reads the labels of a line of fields, not a sentence before a colon', () => {
    expect(fieldLabels('Owner: Jonas Okafor | SE: Mei Lin | Stage: Proposal')).toEqual(['Owner', 'SE', 'Stage']);
    expect(fieldLabels('- **Manager**: Rui Costa')).toEqual(['Manager']);
    expect(fieldLabels('The one thing the landlord asked for in the end: a deposit')).toEqual([]);
  });

  it("raises the field line of the section the question names, not the other sections'", () => {
    const m = parseMemory(REGISTER);
    // The ranker's order: the notes naming the project's people first, the field lines low.
    const score = Float64Array.from(m.units, (u) => (u.text.startsWith('Manager:') ? -5 : -2));
    rankFieldLabels(score, m, 'Who manages the Porto warehouse roof project?');
    const best = [...score.keys()].sort((a, b) => (score[b] as number) - (score[a] as number))[0] as number;
    expect(m.units[best]?.text).toBe('Manager: Helena Sousa | Sponsor: Ines Prado | Status: Done');
    const raised = m.units.filter((u) => (score[u.index] as number) > -2).map((u) => u.text);
    expect(raised).toHaveLength(1);
  });

  it('leaves the order alone when no label answers the question, and in a chat', () => {
    const m = parseMemory(REGISTER);
    const score = Float64Array.from(m.units, (_, k) => -k);
    const before = [...score];
    rankFieldLabels(score, m, 'How much did the roof repair cost?');
    expect([...score]).toEqual(before);
    // No question asking who: a label is no answer to "what" or "when".
    rankFieldLabels(score, m, 'When was the manager of the Braga canteen told?');
    expect([...score]).toEqual(before);
    const chat = parseMemory('Owner: who has the keys?\nManager: I do.\nOwner: thanks.');
    const chatScore = Float64Array.from(chat.units, (_, k) => -k);
    rankFieldLabels(chatScore, chat, 'Who manages the keys?');
    expect([...chatScore]).toEqual(chat.units.map((_, k) => -k));
  });

  describe('selectForQuery', () => {
    let count: TokenCounter;
    beforeAll(async () => {
      count = await o200kCounter();
    });

    it('keeps the manager of the project asked about at a small budget', async () => {
      const r = await selectForQuery(REGISTER, {
        query: 'Who manages the Lisbon office move?',
        budget: 45,
        count,
        style: 'telegraphic',
      });
      expect(r.text).toContain('Rui Costa');
      expect(r.text).toContain('Lisbon office move');
    });
  });
});
