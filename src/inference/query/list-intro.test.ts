import { beforeAll, describe, expect, it } from 'vitest';
import { o200kCounter, type TokenCounter } from '../../tokenizers/o200k-counter.ts';
import { selectForQuery } from './select.ts';

let count: TokenCounter;
beforeAll(async () => {
  count = await o200kCounter();
});

const NOTES = [
  'Following our call on Monday about the detention days, here is where we landed:',
  '',
  '1. Rates stay at EUR 1,840 per container for all of Q1 and the quarter after it.',
  '2. Payment moves to net 45 from January onwards for all of the open invoices.',
  '',
  'The depot in Hamburg is full until March.',
].join('\n');

describe('a line introducing a list', () => {
  it('is kept only with an item of its list (review: "> Following our call on Monday, ..." alone)', async () => {
    for (const budget of [25, 35, 60]) {
      const r = await selectForQuery(NOTES, { query: 'What did we land on after the call on Monday?', budget, count });
      expect(r.text.trim(), `${budget}`).not.toBe('');
      if (r.text.includes('where we landed')) expect(r.text, `${budget}`).toMatch(/\n[12]\. /);
    }
    const wide = await selectForQuery(NOTES, {
      query: 'What did we land on after the call on Monday?',
      budget: 60,
      count,
    });
    expect(wide.text).toMatch(/where we landed:\n+1\. Rates stay/);
  });
});

describe('a list intro that ranks low', () => {
  it('keeps its own place in the ranking, not pulled up to its best item (review 2, recipes.md)', async () => {
    const doc = [
      'Shopping list:',
      '- 500 g fresh lasagne sheets',
      '- 700 ml passata',
      '',
      'Bake the lasagne in the oven at 180 °C for 40 minutes.',
    ].join('\n');
    const query = 'How many grams of lasagne sheets, and at what temperature do I bake the lasagne in the oven?';
    // Pulled up behind the sheets, the intro (matching nothing) took the room of the passata item.
    const r = await selectForQuery(doc, { query, budget: 34, count });
    expect(r.text).toContain('500 g fresh lasagne sheets');
    expect(r.text).toContain('180 °C');
    expect(r.text).not.toContain('Shopping list');
  });
});
