import { beforeAll, describe, expect, it } from 'vitest';
import { o200kCounter, type TokenCounter } from '../../tokenizers/o200k-counter.ts';
import { selectForQuery } from './select.ts';

let count: TokenCounter;
beforeAll(async () => {
  count = await o200kCounter();
});

const VOLUNTEERS = [
  '# Harbour festival volunteers',
  '',
  '| Volunteer | Team | Shift | Phone | T-shirt size | Town | Notes |',
  '|---|---|---|---|---|---|---|',
  '| Ines Moreau | Tickets | Saturday morning | +33 6 12 44 90 01 | M | Brest | first year |',
  '| Karl Jensen | Stage | Saturday evening | +33 6 55 10 32 77 | XL | Quimper | has a van |',
  '| Lou Tanguy | Bar | Sunday morning | +33 6 71 08 64 12 | S | Brest | speaks Breton |',
  '| Marc Vidal | Tickets | Sunday evening | +33 6 20 93 15 48 | L | Lorient | — |',
  '| Nadia Bensaid | First aid | Saturday morning | +33 6 88 27 40 36 | M | Quimper | nurse |',
  '',
  'Shifts are four hours. Meals are served in the school canteen.',
].join('\n');

describe('a Markdown table in a document, with a question naming a value of its rows', () => {
  it('keeps every row asked for, cut to the columns the question needs, when the whole header leaves no room', async () => {
    // Review, session 35: a roster's 30-token header let one of the two rows in the asked city fit.
    const r = await selectForQuery(VOLUNTEERS, {
      query: 'Who lives in Quimper?',
      budget: 40,
      count,
      style: 'telegraphic',
    });
    expect(r.text).toContain(
      '# Harbour festival volunteers\n\n| Volunteer | Town |\n|---|---|\n| Karl Jensen | Quimper |\n| Nadia Bensaid | Quimper |',
    );
    expect(r.columnsCut).toEqual([{ columns: ['Volunteer', 'Town'], width: 7 }]);
    expect(r.namedRowsMissed).toBe(0);
    expect(r.tokens).toBeLessThanOrEqual(40);
  });

  it('takes the columns the question names, and says the rows asked for that did not fit', async () => {
    const r = await selectForQuery(VOLUNTEERS, {
      query: 'Which shift is Marc Vidal on?',
      budget: 40,
      count,
      style: 'telegraphic',
    });
    expect(r.text).toContain('| Volunteer | Shift |\n|---|---|\n| Marc Vidal | Sunday evening |');
    // Only the rows the question names: the others, cheap once cut, are no answer.
    expect(r.text).not.toContain('Ines');
    const few = await selectForQuery(VOLUNTEERS, {
      query: 'Which volunteers are on the Tickets team?',
      budget: 26,
      count,
      style: 'telegraphic',
    });
    expect(few.text).toContain('| Volunteer | Team |\n|---|---|\n| Marc Vidal | Tickets |');
    expect(few.namedRowsMissed).toBe(1);
  });

  it("reads a column named for the one who does what the question asks ('owns': Owner, 'reviews': Reviewer)", async () => {
    // Found by use: "Who owns the ledger?" of a wiki's services table kept the Runbook column (its
    // "runbooks/ledger.md" holds the value) and not the Owner's.
    const services = [
      '## Services',
      '',
      '| Service | Owner | Language | Pager rotation | Runbook | Reviewer |',
      '|---|---|---|---|---|---|',
      '| billing-api | Maya Chen | Go | payments-primary | runbooks/billing.md | Lena Vogt |',
      '| ledger | Omar Haddad | Rust | payments-primary | runbooks/ledger.md | Tom Becker |',
      '| search-indexer | Priya Nair | Python | search | runbooks/search.md | Maya Chen |',
      '| notifications | Tom Becker | TypeScript | growth | runbooks/notify.md | Omar Haddad |',
      '',
      'Office hours are Tuesdays at 14:00 CET.',
    ].join('\n');
    for (const [query, column, answer] of [
      ['Who owns the ledger?', 'Owner', 'Omar Haddad'],
      ['Who reviews the ledger?', 'Reviewer', 'Tom Becker'],
    ] as const) {
      const r = await selectForQuery(services, { query, budget: 24, count, style: 'telegraphic' });
      // The row's key already shows "ledger": its Runbook path, which holds it too, is not needed.
      expect(r.columnsCut[0]?.columns).toEqual(['Service', column]);
      expect(r.text).toMatch(new RegExp(`\\| ledger \\| (?:[^|\\n]*\\| )*${answer} \\|`));
    }
  });

  it('gives a when-question the columns that say when', async () => {
    // Found by use: "When does Dr. Ian Patel speak?" of a schedule was cut to Day and Speaker, the
    // hour left out.
    const schedule = [
      '# Onboarding week',
      '',
      '| Day | Time | Session | Speaker | Room |',
      '|---|---|---|---|---|',
      '| Monday | 09:00 | Welcome and badge pickup | Maria Costa | Lobby |',
      '| Monday | 10:30 | Security training | Dr. Ian Patel | Room B |',
      '| Tuesday | 13:00 | Product overview | Lea Brandt | Room B |',
      '| Wednesday | 15:00 | Data privacy | Dr. Ian Patel | Room A |',
      '| Thursday | 11:00 | Team lunch | Maria Costa | Canteen |',
      '',
      'Questions about the week go to onboarding@example.com.',
    ].join('\n');
    const r = await selectForQuery(schedule, {
      query: 'When does Dr. Ian Patel speak?',
      budget: 44,
      count,
      style: 'telegraphic',
    });
    expect(r.columnsCut[0]?.columns).toEqual(['Day', 'Time', 'Speaker']);
    expect(r.text).toMatch(/\| (?:Monday \| 10:30|Wednesday \| 15:00) \| Dr\. Ian Patel \|/);
  });

  it('leaves a table that fits as written, and one whose question negates a value', async () => {
    const wide = await selectForQuery(VOLUNTEERS, { query: 'Who lives in Quimper?', budget: 120, count });
    expect(wide.text).toContain('| Karl Jensen | Stage | Saturday evening |');
    expect(wide.columnsCut).toEqual([]);
    const not = await selectForQuery(VOLUNTEERS, {
      query: 'Who does not live in Brest?',
      budget: 40,
      count,
      style: 'telegraphic',
    });
    expect(not.columnsCut).toEqual([]);
  });
});

describe('a question naming a value several rows hold, and no field (session 38)', () => {
  it('keeps those rows cut to their first column and the column holding the value', async () => {
    // Before: "What do we buy from OfficeCo?" of an order list (only the table) at 0.3 kept one of the
    // three OfficeCo rows under the whole 30-token header: the question asks no "which", so no cut.
    const orders = [
      'Item | Qty | Unit price | Supplier | Notes',
      '--- | --- | --- | --- | ---',
      'A4 paper (box of 5 reams) | 12 | €24.90 | OfficeCo | Recycled, 80 gsm',
      'Toner HP 59A | 3 | €89.00 | PrintDirect | For the 2nd floor printer',
      'Whiteboard markers (4 pack) | 20 | €5.40 | OfficeCo | Assorted colours',
      'Coffee beans 1kg | 6 | €18.50 | Roastery Lda | Medium roast, whole bean',
      'Stapler heavy duty | 2 | €32.00 | OfficeCo | Staples 50 sheets',
      'Printer paper A3 | 4 | €15.20 | PrintDirect | For the plotter',
      'Hand soap refill 5L | 3 | €21.75 | CleanPro | Unscented',
    ].join('\n');
    const r = await selectForQuery(orders, { query: 'What do we buy from OfficeCo?', budget: 56, count });
    for (const item of ['A4 paper (box of 5 reams)', 'Whiteboard markers (4 pack)', 'Stapler heavy duty'])
      expect(r.text).toContain(`| ${item} | OfficeCo |`);
    expect(r.text).not.toContain('PrintDirect');
    expect(r.tokens).toBeLessThanOrEqual(56);
  });
});

/** A lab's rota, one column per day: each technician's shift ("Day", "Late", "Off") that day. */
const ROTA = `# Lab bench rota, week 7

Benches are cleaned at the end of every shift. Report broken equipment to the technician on duty.

| Technician | Mon | Tue | Wed | Thu | Fri | Sat | Sun |
|---|---|---|---|---|---|---|---|
| Aiko Tanaka | Day | Day | Off | Late | Late | Off | Late |
| Bruno Silva | Late | Off | Day | Day | Off | Late | Late |
| Chloe Martin | Late | Late | Off | Off | Day | Day | Day |
| Dev Sharma | Off | Late | Late | Late | Late | Off | Off |
| Eva Novak | Day | Day | Day | Off | Off | Late | Day |

Questions about the rota go to the lab manager.`;

describe('a cross-tab (a column per day) and a question naming a value and a day (session 38, F7)', () => {
  it("reads the value in the day's column, and cuts the table to it", async () => {
    // "Late" is in every row on some day: as a word of the row it named none, and no row was kept.
    const query = 'Who is on the late shift on Sunday?';
    const r = await selectForQuery(ROTA, { query, budget: 45, count, style: 'telegraphic' });
    expect(r.text).toContain('| Technician | Sun |\n|---|---|\n| Aiko Tanaka | Late |\n| Bruno Silva | Late |');
    expect(r.text).not.toContain('Chloe');
  });
});

/** A meeting's action items: four of six still Open. */
const ACTIONS = `# Support team sync – 9 June

Present: Lena, Omar, Rosa, Kwame.

## Action items

| # | Action | Owner | Due | Status |
|---|---|---|---|---|
| 1 | Update the refund macro for the new policy | Lena | 12 Jun | Open |
| 2 | Draft the holiday cover rota | Omar | 13 Jun | Done |
| 3 | Tag the backlog of billing tickets | Rosa | 11 Jun | Open |
| 4 | Ask product about the CSV export bug | Kwame | 16 Jun | Open |
| 5 | Archive the old chat widget replies | Omar | 10 Jun | Done |
| 6 | Book the team training on the new CRM | Lena | 20 Jun | Open |

Next sync: 16 June.`;

describe('a status most rows hold, asked for (session 39)', () => {
  it('keeps every row holding it, a whole cell, though more than half the rows do', async () => {
    // "open" was in four of six rows: read as a word too common to tell rows apart, it named none,
    // and one of the four was kept.
    const query = 'Which actions are still open?';
    const r = await selectForQuery(ACTIONS, { query, budget: 100, count, style: 'telegraphic' });
    for (const n of ['| 1 |', '| 3 |', '| 4 |', '| 6 |']) expect(r.text).toContain(n);
    expect(r.text).not.toContain('Done');
  });
});

describe('a table row asked for that did not fit (session 39)', () => {
  it('gives its room to no line naming nothing asked', async () => {
    // "Next sync: 16 June" was kept where the fourth open action did not fit (at 80 then; keyed by
    // their Action column, all four fit there since session 40).
    const query = 'Which actions are still open?';
    const r = await selectForQuery(ACTIONS, { query, budget: 60, count, style: 'telegraphic' });
    expect(r.namedRowsMissed).toBeGreaterThan(0);
    expect(r.text).not.toContain('Next sync');
    expect(r.text).not.toContain('Present');
  });
});

const WORKSHOPS = [
  '# Spring maker fair: Saturday',
  '',
  '| Start | Workshop | Hall | Host |',
  '|---|---|---|---|',
  '| 09:30 | Soldering for beginners | Hall 1 | Greta Lind |',
  '| 09:30 | Bread sourdough starter | Hall 3 | Omar Haddad |',
  '| 11:00 | Repairing bicycle brakes | Hall 2 | Pia Kowal |',
  '| 11:00 | Knitting socks | Hall 1 | Ruth Ames |',
  '| 14:00 | Building a bird box | Hall 2 | Sean Doyle |',
  '| 15:30 | Screen printing tote bags | Hall 3 | Lena Fox |',
  '| 16:00 | Mending jeans by hand | Hall 2 | Ada Brook |',
].join('\n');

describe('a question asking which records of a table hold a value (session 39, N3)', () => {
  it('keys the cut rows by the column naming the records asked for, when that lets more of them fit', async () => {
    // A programme's "Which sessions are in Room B?" kept one of three rows under Time, Session and
    // Room: the Session column says which session a row is, the Time column adds nothing asked.
    const r = await selectForQuery(WORKSHOPS, {
      query: 'Which workshops are in Hall 2?',
      budget: 50,
      count,
      style: 'telegraphic',
    });
    expect(r.text).toContain(
      '| Workshop | Hall |\n|---|---|\n| Repairing bicycle brakes | Hall 2 |\n| Building a bird box | Hall 2 |\n| Mending jeans by hand | Hall 2 |',
    );
    expect(r.namedRowsMissed).toBe(0);
    expect(r.tokens).toBeLessThanOrEqual(50);
  });
});
