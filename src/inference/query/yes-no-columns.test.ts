import { beforeAll, describe, expect, it } from 'vitest';
import { o200kCounter, type TokenCounter } from '../../tokenizers/o200k-counter.ts';
import { selectForQuery } from './select.ts';
import { yesNoColumn } from './yes-no-columns.ts';

/** A venue's rooms: the "No" rows share every word of the question but the answer. */
const ROOMS = [
  '# Conference venue: rooms',
  '',
  'All rooms have a projector and Wi-Fi. Catering is ordered at the front desk.',
  '',
  '## Rooms',
  '',
  '| Room | Floor | Seats | Refundable booking? |',
  '|---|---|---|---|',
  '| Atlas | 2 | 12 | No, the booking fee is kept by the venue |',
  '| Borealis | 3 | 40 | Yes, up to 48 hours before |',
  '| Cirrus | 3 | 8 | No, the booking fee is kept by the venue |',
  '| Delta | 4 | 120 | Yes, minus a EUR 50 fee |',
  '| Equinox | 4 | 20 | No, the booking fee is kept by the venue |',
  '',
  '## Parking',
  '',
  'The garage under the venue has 60 places; guests pay EUR 12 a day.',
].join('\n');

describe('yes/no columns (review 3 F-21: "Which errors should be retried?" kept the "No" rows)', () => {
  it("finds the yes/no column the question names, and each row's answer", () => {
    const header = ['HTTP', '`code`', 'Meaning', 'Retry?'];
    const rows = [
      ['400', '`invalid_parameter`', 'Malformed', 'No'],
      ['429', '`rate_limited`', 'Too many requests', 'Yes, after `Retry-After` seconds'],
    ];
    expect(yesNoColumn(header, rows, 'Which errors should be retried?')).toEqual({ column: 3, yes: [false, true] });
    // "N/A" says neither yes nor no (re-read of session 30): such a column is none; "Y" and "N" alone are.
    expect(
      yesNoColumn(
        ['Name', 'Retry?'],
        [
          ['a', 'Yes'],
          ['b', 'N/A'],
        ],
        'What should be retried?',
      ),
    ).toBeNull();
    expect(
      yesNoColumn(
        ['Name', 'Retry?'],
        [
          ['a', 'Y'],
          ['b', 'N'],
        ],
        'What should be retried?',
      ),
    ).toEqual({ column: 1, yes: [true, false] });
    // A column the question does not name, or one not all yes and no, is none.
    expect(yesNoColumn(header, rows, 'Which errors mean a bad parameter?')).toBeNull();
    expect(
      yesNoColumn(
        ['Name', 'Retry'],
        [
          ['a', 'Yes'],
          ['b', 'later'],
        ],
        'What should be retried?',
      ),
    ).toBeNull();
  });

  describe('selectForQuery', () => {
    let count: TokenCounter;
    beforeAll(async () => {
      count = await o200kCounter();
    });

    it('keeps the rows saying yes, and the rows saying no for a negated question', async () => {
      const budget = 100;
      const yes = await selectForQuery(ROOMS, { query: 'Which room bookings are refundable?', budget, count });
      expect(yes.text).toContain('| Borealis |');
      expect(yes.text).toContain('| Delta |');
      expect(yes.text).not.toContain('| Atlas |');
      const no = await selectForQuery(ROOMS, { query: 'Which room bookings are not refundable?', budget, count });
      expect(no.text).toContain('| Atlas |');
      expect(no.text).not.toContain('| Delta |');
    });
  });
});
