import { describe, expect, it } from 'vitest';
import { parseMemory } from './memory-units.ts';

const headers = (text: string) =>
  parseMemory(text)
    .groups.map((g) => g.header)
    .filter(Boolean);

describe('numbered headings in capitals', () => {
  // A list with one item shouted: the item was read as a heading over the next ones, never ranked
  // itself (shown only above a kept item).
  it('leaves a list item in capitals in its list when the next item follows', () => {
    expect(
      headers(
        [
          'Security rules for the office:',
          '1. DO NOT SHARE YOUR PASSWORD WITH ANYONE',
          '2. Lock your screen when you leave your desk.',
          '3. Report lost badges to the front desk.',
        ].join('\n'),
      ),
    ).toEqual([]);
    expect(headers(['Agencies we work with:', '1. NASA', '2. ESA', 'They share data.'].join('\n'))).toEqual([]);
  });

  it('still reads a section heading over its clauses, and one whose list starts again at 1', () => {
    expect(
      headers(
        [
          '2. SERVICE LEVEL',
          '2.1 The Supplier keeps Availability at 99.9 %.',
          '2.2 Support runs from 9 to 5.',
          '3. SERVICE CREDITS',
          '1. A credit is 5 % of the Fees.',
          '2. Credits are not paid in cash.',
        ].join('\n'),
      ),
    ).toEqual(['2. SERVICE LEVEL', '3. SERVICE CREDITS']);
  });
});
