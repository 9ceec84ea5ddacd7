import { describe, expect, it } from 'vitest';
import { valueMatches } from './value-matches.ts';

describe("a month the question names, read in the rows' ISO dates (session 34, H2)", () => {
  const header = ['date', 'description', 'category', 'amount'];
  const weights = (rows: string[][], query: string) => [...valueMatches(header, rows, query, []).weight];
  // A month's bank export: every row is November's, one description says "November". Read in words
  // alone, November was the rarest value named and put the rent first, before the groceries asked for.
  it('tells no row apart by a month all rows are dated in', () => {
    const rows = [
      ['2026-11-01', 'Rent November', 'Housing', '-1450.00'],
      ['2026-11-03', 'REWE Markt', 'Groceries', '-64.12'],
      ['2026-11-05', 'Netflix', 'Subscriptions', '-13.99'],
      ['2026-11-18', 'Edeka', 'Groceries', '-42.73'],
      ['2026-11-22', 'Restaurant Nola', 'Dining', '-67.50'],
    ];
    const w = weights(rows, 'How much did I spend on groceries in November?');
    expect(w[0]).toBe(0);
    expect(w[1]).toBeGreaterThan(0);
    expect(w[3]).toBe(w[1]);
  });
  it("names the rows dated in the month asked for, among several months'", () => {
    const rows = [
      ['2026-10-03', 'REWE Markt', 'Groceries', '-51.00'],
      ['2026-10-20', 'Edeka', 'Groceries', '-38.10'],
      ['2026-11-03', 'REWE Markt', 'Groceries', '-64.12'],
      ['2026-10-28', 'Netflix', 'Subscriptions', '-13.99'],
      ['2026-09-05', 'Netflix', 'Subscriptions', '-13.99'],
    ];
    const w = weights(rows, 'What did I pay at REWE in Nov?');
    expect(w[2]).toBeGreaterThan(w[0] as number);
  });
});

describe('May, a month that is also a stop word (session 35, H2)', () => {
  const header = ['date', 'description', 'amount'];
  const rows = [
    ['2026-04-28', 'Bakery', '-4.10'],
    ['2026-05-02', 'Bakery', '-3.80'],
    ['2026-05-19', 'Pharmacy', '-12.00'],
    ['2026-06-01', 'Bakery', '-4.40'],
    ['2026-06-09', 'Pharmacy', '-9.50'],
  ];
  const weights = (query: string) => [...valueMatches(header, rows, query, []).weight];
  // `terms('May')` is empty (the verb): rows dated 2026-05-.. had no month term and "in May" matched none.
  it('names the rows dated in May for "in May"', () => {
    const w = weights('What did I buy at the bakery in May?');
    expect(w[1]).toBeGreaterThan(w[0] as number);
    expect(w[1]).toBeGreaterThan(w[3] as number);
    expect(weights('What did I spend on May 19?')[2]).toBeGreaterThan(0);
  });
  it('reads the verb as no month', () => {
    expect(weights('May I see what I bought at the pharmacy?')[2]).toBe(
      weights('I see what I bought at the pharmacy?')[2],
    );
    expect(weights('What may I have bought at the bakery?')[1]).toBe(weights('What I bought at the bakery?')[1]);
  });
  // Re-read of session 35: of an orders export whose customers include May Chen, "What did May order
  // most recently?" kept three rows dated in May at 0.1 and seven at 0.2, none of hers.
  it("reads May as a person's name when a cell names her", () => {
    const orders = [
      ['May Chen', 'kettle', '2026-03-07'],
      ['Tom Berg', 'grinder', '2026-05-03'],
      ['Lucia Ferri', 'mug', '2026-05-15'],
      ['Omar Haddad', 'scale', '2026-04-02'],
      ['May Chen', 'filter papers', '2026-03-13'],
    ];
    const w = (query: string) => [...valueMatches(['customer', 'item', 'order_date'], orders, query, []).weight];
    expect(w('What did May order most recently?')[1]).toBe(0);
    expect(w('Which orders did May Chen place?')[1]).toBe(0);
    expect(w('What was ordered in May?')[1]).toBeGreaterThan(0);
  });
});
