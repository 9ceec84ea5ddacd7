import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureMiniLM } from '../../embeddings/minilm.ts';
import { o200kCounter, type TokenCounter } from '../../tokenizers/o200k-counter.ts';
import { createEmbeddingStore, type EmbeddingStore } from './embedding-store.ts';
import { parseMemory } from './memory-units.ts';
import { rankReasons, WHY } from './reasons.ts';
import { selectForQuery } from './select.ts';
import { DESCRIBE_POD } from './test-memory.ts';

let count: TokenCounter;
beforeAll(async () => {
  count = await o200kCounter();
});

/**
 * A why-question keeps, next to its best line, the line giving the reason about the same subject
 * (review H1 F-15: "Why did we roll back 2.3.1?" kept the lines naming the version, not "because
 * the migration locked the orders table", which shares no word with the question).
 */
describe('why-questions (reasons.ts)', () => {
  it('reads why-questions, in English and other languages, and no other', () => {
    for (const q of ['Why did we roll back 2.3.1?', 'What caused the outage?', '¿Por qué cambió el vuelo?', 'Warum?'])
      expect(WHY.test(q)).toBe(true);
    for (const q of ['When did we roll back 2.3.1?', 'Who is on call?', 'What is the reason code field?'])
      expect(WHY.test(q)).toBe(false);
  });

  const chat = [
    'Session 1 (20 November 2023): ravi, jules, kai',
    'ravi: we rolled back 2.3.1 about ten minutes ago, back on 2.3.0 for now',
    'jules: ouch',
    'ravi: checkout was timing out because the migration locked the orders table',
    'kai: 2.3.2 is ready with a concurrent index',
    'jules: the loyalty review is Thursday at 3',
    'ravi: it runs since the deploy hook fired',
    'mei: the flight changed because TAP cancelled the slot',
    'kai: lunch is at noon',
    'jules: 2.3.1 changelog is pinned',
  ].join('\n');

  it('puts the reason near the best line right under it, and no other "because"', () => {
    const memory = parseMemory(chat);
    const score = Float64Array.from(memory.units, (u) =>
      u.text.includes('rolled back') ? 5 : u.text.includes('2.3') ? 3 : 0,
    );
    rankReasons(score, memory, 'Why did we roll back 2.3.1?');
    const order = [...score.keys()].sort((x, y) => (score[y] as number) - (score[x] as number));
    expect(memory.units[order[1] as number]?.text).toMatch(/because the migration locked/);
    // Far from the best lines and naming nothing asked: not raised.
    const flight = memory.units.findIndex((u) => u.text.includes('TAP'));
    expect(score[flight]).toBe(0);
  });

  it('leaves the ranking of another question as it was', () => {
    const memory = parseMemory(chat);
    const score = Float64Array.from(memory.units, (u, k) => (u.text.includes('rolled back') ? 5 : k % 3));
    const before = [...score];
    rankReasons(score, memory, 'When did we roll back 2.3.1?');
    expect([...score]).toEqual(before);
  });

  it('a time after "since" is no reason', async () => {
    const notes = [
      'The card portal has been down since 8 this morning.',
      'The card portal runs on the old cluster.',
      'Payroll went out at 18:00.',
      'The card portal vendor is Paysafe.',
      'Lunch is at noon.',
    ].join('\n');
    const r = await selectForQuery(notes, { query: 'Why is the card portal down?', budget: 40, count });
    expect(r.text).toContain('down since 8');
  });

  it('reads no reason in a time, a plan or another word holding one (re-read of session 32)', () => {
    const notes = [
      'The portal was moved to the new cluster.',
      'The portal has run on Postgres since the 1990s.',
      'The portal vendor is due to arrive on Monday.',
      'Ese portal es una porquería, dijo el portal team.',
      'The portal team meets in Weiler on Fridays.',
    ].join('\n');
    const memory = parseMemory(notes);
    const score = Float64Array.from(memory.units, (u) => (u.text.includes('moved') ? 5 : 0));
    const before = [...score];
    rankReasons(score, memory, 'Why was the portal moved?');
    expect([...score]).toEqual(before);
  });
});

describe("a reason's field (session 34, H2's review of kubectl describe)", () => {
  const POD = DESCRIBE_POD;

  it('keeps "Reason: OOMKilled" for a why-question at a tenth, above the event the question names', async () => {
    const query = 'Why does the pod keep restarting?';
    const r = await selectForQuery(POD, { query, budget: Math.floor(count(POD) / 10) + 10, count, ranker: 'weights' });
    expect(r.text).toContain('Reason:       OOMKilled');
    expect(r.text).toContain('Last State:     Terminated');
    // At half, the back-off event too, without the events that say nothing of why.
    const wide = await selectForQuery(POD, { query, budget: Math.floor(count(POD) / 2), count, ranker: 'weights' });
    expect(wide.text).toContain('Reason:       OOMKilled');
    expect(wide.text).toContain('BackOff');
    expect(wide.text).not.toContain('Pulled');
  });

  describe('with the learned ranker', () => {
    let store: EmbeddingStore;
    beforeAll(async () => {
      store = createEmbeddingStore({ modelPath: await ensureMiniLM(), dbPath: null });
    }, 600_000);
    afterAll(async () => {
      await store.dispose();
    });
    it('keeps the reason above the back-off event, not the other events', async () => {
      const query = 'Why does the pod keep restarting?';
      const budget = Math.floor(count(POD) / 3);
      const r = await selectForQuery(POD, { query, budget, count, store });
      expect(r.text).toContain('Reason:       OOMKilled');
      expect(r.text).toContain('BackOff');
      // The reason and the event it explains; the image pull says nothing of why.
      expect(r.text).not.toContain('Pulled');
    }, 120_000);
  });

  it('raises no field for another question', () => {
    const memory = parseMemory(POD);
    const score = Float64Array.from(memory.units, (_, i) => -i);
    const before = [...score];
    rankReasons(score, memory, 'How much memory may the container use?');
    expect([...score]).toEqual(before);
  });
});
