import { beforeAll, describe, expect, it } from 'vitest';
import { ensureMiniLMOnnx } from '../../convert/minilm-onnx.ts';
import { o200kCounter, type TokenCounter } from '../../tokenizers/o200k-counter.ts';
import { createEmbeddingStore, type EmbeddingStore } from './embedding-store.ts';
import { parseMemory } from './memory-units.ts';
import { isRosterLine, rosterLinesAside } from './roster-lines.ts';
import { selectForQuery } from './select.ts';

let count: TokenCounter;
let store: EmbeddingStore;
beforeAll(async () => {
  count = await o200kCounter();
  store = createEmbeddingStore({ modelPath: await ensureMiniLMOnnx(), dbPath: null });
}, 600_000);

const NOTES = [
  '# Product sync, 14 May 2025',
  '',
  'Attendees: Lena, Marco, Priya, Tom',
  'Cc: Lena, Dana',
  '',
  'The launch moved to June because the payment provider needs another security review.',
  'Priya said the support queue doubled after the pricing change.',
  '',
  '## Action items',
  '',
  '- Lena to send the revised budget to finance by Friday.',
  '- Marco to fix the onboarding copy before the next test round.',
  '- Action: Lena will book the venue for the customer day in September.',
  '- Priya to draft the FAQ about the pricing change.',
].join('\n');

const LENA = [
  '- Lena to send the revised budget to finance by Friday.',
  '- Action: Lena will book the venue for the customer day in September.',
];
const ROSTERS = ['Attendees: Lena, Marco, Priya, Tom', 'Cc: Lena, Dana'];

describe("a question about a person's actions and the lines listing who was there (review)", () => {
  // The title, the section's heading, her two action items and one more line: what the budget holds
  // (the best line brings the line after it, as a turn its reply).
  const budget = () =>
    count(
      [
        '# Product sync, 14 May 2025',
        '## Action items',
        ...LENA,
        '- Priya to draft the FAQ about the pricing change.',
      ].join('\n\n'),
    );

  it('ranks her action items above the attendee and Cc lines that name her, which the budget leaves out', async () => {
    for (const query of ["What are Lena's action items?", 'What did Lena agree to do?'])
      for (const s of [store, null]) {
        const what = `${query} (${s ? 'MiniLM' : 'BM25'})`;
        const r = await selectForQuery(NOTES, { query, budget: budget(), count, store: s });
        const scoreOf = (line: string) => r.scores[r.memory.units.findIndex((u) => u.text === line)] as number;
        for (const roster of ROSTERS) {
          for (const line of LENA) expect(scoreOf(line), `${what}: ${line}`).toBeGreaterThan(scoreOf(roster));
          if (s) expect(r.text, what).not.toContain(roster);
        }
        expect(r.text, what).toContain(s ? LENA[0] : 'Lena');
      }
  }, 120_000);

  it('still keeps them for a question about who was there', async () => {
    for (const s of [null, store]) {
      const r = await selectForQuery(NOTES, {
        query: 'Who attended the May meeting?',
        budget: budget(),
        count,
        store: s,
      });
      expect(r.text).toContain(ROSTERS[0]);
    }
    const was = await selectForQuery(NOTES, { query: 'Was Lena at the product sync?', budget: budget(), count, store });
    expect(ROSTERS.some((line) => was.text.includes(line))).toBe(true);
  }, 120_000);
});

describe('isRosterLine', () => {
  it('reads a line that only lists people, under a label or not', () => {
    for (const line of [
      'Attendees: Lena, Marco, Priya',
      'Present: Lena (PM), Marco and Tom',
      '**Cc:** lena@acme.com; Dana Whitfield',
      '- Lena, Marco, and Priya.',
      'Team members: Lena, Marco',
      'Teilnehmer: Lena, Marco',
    ])
      expect(isRosterLine(line), line).toBe(true);
    for (const line of [
      '- Lena to send the revised budget to finance by Friday.',
      'Action: Lena will book the venue.',
      'Owner: Lena',
      'Caroline: Melanie and John came too!',
      // Capitalised things under a label that is no people's.
      'Stack: Python, Rust, Go',
      'Location: Berlin, Germany',
      'Days: Monday, Tuesday and Friday',
    ])
      expect(isRosterLine(line), line).toBe(false);
  });
});

describe('rosterLinesAside', () => {
  // A chat's turn that answers with names of places or days ("Lena: Leipzig, Germany.") reads as a
  // label over a list of names: it was set aside, ranked last for "Did Lena end up in Leipzig?".
  it("leaves a chat's turns alone, not its roster lines", () => {
    const chat = parseMemory(
      [
        'Attendees: Lena, Marco, Priya',
        'Marco: Morning all, how was the weekend?',
        'Lena: Pretty quiet, mostly unpacking boxes after the move.',
        'Priya: Oh nice, where did you end up moving to in the end?',
        'Lena: Leipzig, Germany.',
        'Marco: Can you present the roadmap, Lena, on Tuesday or Wednesday?',
        'Lena: Yes, Tuesday.',
        'Priya: I will review the migration script before lunch tomorrow.',
      ].join('\n'),
    );
    expect(chat.format).toBe('dialogue');
    for (const query of ['Did Lena end up in Leipzig or in Dresden?', 'What did Lena agree to do?'])
      expect(
        rosterLinesAside(chat, query).map((i) => chat.units[i]?.text),
        query,
      ).toEqual(['Attendees: Lena, Marco, Priya']);
  });
});
