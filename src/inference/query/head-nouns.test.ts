import { beforeAll, describe, expect, it } from 'vitest';
import { o200kCounter, type TokenCounter } from '../../tokenizers/o200k-counter.ts';
import { headOf } from './head-nouns.ts';
import { selectForQuery } from './select.ts';
import { askedClauses } from './sentence-trim.ts';

let count: TokenCounter;
beforeAll(async () => {
  count = await o200kCounter();
});

describe('a question asking for a thing of something, in a document', () => {
  it('reads the thing asked and what it is for', () => {
    expect(headOf('What is the account number for the direct debit?')).toEqual({
      head: ['account', 'number'],
      modifier: ['direct', 'debit'],
    });
    expect(headOf("What's the deposit for the flat?")?.head).toEqual(['deposit']);
    expect(headOf('When is the rent due?')).toBeNull();
    expect(headOf('What is the deposit?')).toBeNull();
  });

  it('keeps the line holding the thing asked over short lines holding only what it is for', async () => {
    // Review, session 36: "the IBAN for payment": two short payment lines outranked the IBAN's.
    const bill = [
      'Riverside Water – annual statement 2026',
      '',
      'Customer: Tomas Berg, Mill Lane 4, Leeds',
      'Your direct debit is collected on the 1st of each month.',
      'To change or cancel a direct debit, call us.',
      'We collect from: Northern Savings Bank, sort code 20-45-77, account number 4471 0093 2216, in the name of T. Berg.',
      'Water used this year: 61 cubic metres.',
    ].join('\n');
    const r = await selectForQuery(bill, {
      query: 'What is the account number for the direct debit?',
      budget: 34,
      count,
      style: 'telegraphic',
    });
    expect(r.text).toContain('4471 0093 2216');
  });

  it('cuts a long best line to its clause holding the thing asked when the line is over the budget', async () => {
    const lease = [
      'TENANCY AGREEMENT',
      '',
      '7. Ending the tenancy. The tenant may leave at the end of the fixed term without notice, and the landlord may end the tenancy early only by a court order after serious arrears; after the fixed term either side may end it, with a notice period of two months for the landlord and one month for the tenant.',
      '',
      '8. Pets. No pets without written consent.',
    ].join('\n');
    const r = await selectForQuery(lease, {
      query: 'What is the notice period for ending the tenancy?',
      budget: 30,
      count,
      style: 'telegraphic',
    });
    expect(r.text).toMatch(/notice period two months landlord one month tenant/);
    expect(r.tokens).toBeLessThanOrEqual(30);
    expect(askedClauses('Rent is due monthly; the notice period is one month.', ['notice', 'period'])).toBe(
      'the notice period is one month.',
    );
  });
});
