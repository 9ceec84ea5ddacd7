import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureMiniLM } from '../../embeddings/minilm.ts';
import { o200kCounter, type TokenCounter } from '../../tokenizers/o200k-counter.ts';
import { parseInferenceConfig } from '../config.ts';
import { createEmbeddingStore, type EmbeddingStore } from './embedding-store.ts';
import { renderUnits } from './memory-units.ts';
import { RANK_FEATURES, type RankModel, rankFeatures } from './rank-features.ts';
import { RANK_MODEL } from './rank-model.ts';
import { prepare, relevanceSignals } from './relevance.ts';
import { selectForQuery } from './select.ts';
import { MEMORY } from './test-memory.ts';

/** A model that looks at one feature only. */
const only = (feature: (typeof RANK_FEATURES)[number]): RankModel => ({
  bias: 0,
  weights: Object.fromEntries(RANK_FEATURES.map((f) => [f, f === feature ? 1 : 0])) as RankModel['weights'],
});

let count: TokenCounter;
let store: EmbeddingStore;
let dir: string;
beforeAll(async () => {
  count = await o200kCounter();
  dir = mkdtempSync(join(tmpdir(), 'rank-'));
  store = createEmbeddingStore({ modelPath: await ensureMiniLM(), dbPath: join(dir, 'cache.db') });
}, 600_000);
afterAll(async () => {
  await store.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('the learned ranker', () => {
  it('is the default with vectors, and ranks the turn that answers first', async () => {
    expect(RANK_MODEL).not.toBeNull();
    expect(parseInferenceConfig({}).query.ranker).toBe('learned');
    const r = await selectForQuery(MEMORY, { query: 'What did Melanie paint?', budget: 40, count, store });
    const order = Array.from(r.scores.keys()).sort((a, b) => (r.scores[b] as number) - (r.scores[a] as number));
    expect(r.memory.units[order[0] as number]?.text).toBe(
      'Melanie: I painted a lake sunrise last year, it is special to me.',
    );
    // The scores are the model's logits, not the weighted sum: they differ from the weights' ranking.
    const hand = await selectForQuery(MEMORY, {
      query: 'What did Melanie paint?',
      budget: 40,
      count,
      store,
      ranker: 'weights',
    });
    expect(Array.from(r.scores)).not.toEqual(Array.from(hand.scores));
    // A greeting that shares no word with the question ranks below every turn about painting or Melanie's past.
    const greeting = r.memory.units.findIndex((u) => u.text.startsWith('Caroline: Hey Mel!'));
    expect(order.indexOf(greeting)).toBeGreaterThan(
      order.indexOf(r.memory.units.findIndex((u) => /painted/.test(u.text))),
    );
  }, 120_000);

  it('is deterministic: the same memory and question give the same scores and text', async () => {
    const query = 'What activities does Melanie do?';
    const a = await selectForQuery(MEMORY, { query, budget: 60, count, store, style: 'telegraphic' });
    const b = await selectForQuery(MEMORY, { query, budget: 60, count, store, style: 'telegraphic' });
    expect(Array.from(b.scores)).toEqual(Array.from(a.scores));
    expect(b.text).toBe(a.text);
  }, 120_000);

  it("fills the budget in the model's order and keeps the kept turns in their original order", async () => {
    // A model that ranks by "asks something" alone: the kept turns are the questions.
    const query = 'What did Melanie paint?';
    const questions = MEMORY.split('\n').filter((l) => /^\w+: .*\?/.test(l));
    for (const budget of [45, 70, 100]) {
      const r = await selectForQuery(MEMORY, { query, budget, count, store, model: only('asks') });
      expect(r.overBudget).toBe(false);
      expect(count(r.text), `budget ${budget}`).toBeLessThanOrEqual(budget);
      const kept = r.keptUnits.map((i) => r.memory.units[i]?.text ?? '');
      expect(kept.length).toBeGreaterThan(0);
      // Every question turn comes before every other: one left out would not have fitted.
      for (const u of r.memory.units) {
        if (!questions.includes(u.text) || r.keptUnits.includes(u.index)) continue;
        const more = renderUnits(r.memory, new Set([...r.keptUnits, u.index]));
        expect(count(more), `budget ${budget}: ${u.text}`).toBeGreaterThan(budget);
      }
      expect(kept.some((t) => t.includes('?'))).toBe(true);
      // Original order: ascending unit indexes, and the lines appear as in the memory.
      expect([...r.keptUnits].sort((x, y) => x - y)).toEqual(r.keptUnits);
      const lines = r.text.split('\n').filter((l) => /^\w+: /.test(l));
      expect(lines).toEqual(kept);
    }
  }, 120_000);

  it('gives each unit one row of every feature, the named speaker and list cues where the question has them', async () => {
    const prep = prepare(MEMORY);
    const query = 'What activities does Melanie do?';
    const signals = await relevanceSignals(prep, query, store);
    const rows = rankFeatures(prep, query, signals, new Float64Array(prep.memory.units.length));
    expect(rows).toHaveLength(prep.memory.units.length);
    const at = (f: (typeof RANK_FEATURES)[number]) => RANK_FEATURES.indexOf(f);
    prep.memory.units.forEach((u, i) => {
      const x = rows[i] as Float64Array;
      expect(x).toHaveLength(RANK_FEATURES.length);
      expect(x[at('speaker')]).toBe(u.speaker === 'Melanie' ? 1 : 0);
      expect(x[at('listSpeaker')]).toBe(u.speaker === 'Melanie' ? 1 : 0);
      expect(x[at('asks')]).toBe(u.text.includes('?') ? 1 : 0);
    });
    // Not a list question: no list cue.
    const single = rankFeatures(prep, 'What did Melanie paint?', signals, new Float64Array(prep.memory.units.length));
    expect(single.every((x) => x[at('listSpeaker')] === 0)).toBe(true);
  }, 120_000);

  it("matches words the query does not say: a list item under its kind, not the query's own word twice", async () => {
    const memory = [
      'Session 1 (2:00 pm on 3 March, 2024): Ann and Bob',
      'Ann: We went hiking and swimming at the lake on Sunday.',
      'Bob: My tax forms are due on Monday, so I stayed in.',
      'Ann: Hiking again next week?',
    ].join('\n');
    const prep = prepare(memory);
    const at = (text: string) => prep.memory.units.findIndex((u) => u.text.startsWith(text));
    const [lake, tax, again] = [at('Ann: We went hiking'), at('Bob: My tax'), at('Ann: Hiking again')];
    const sports = await relevanceSignals(prep, 'What sports does Ann enjoy?', store);
    // No word of the question is in either turn: BM25 sees neither, the word match sees the sports.
    expect(sports.lexical[lake]).toBe(0);
    expect(sports.lexical[tax]).toBe(0);
    const match = sports.wordMatch as Float64Array;
    expect(match[lake]).toBeGreaterThan((match[tax] as number) + 0.05);
    // A model on the word match alone puts that turn first.
    const r = await selectForQuery(memory, {
      query: 'What sports does Ann enjoy?',
      budget: 200,
      count,
      store,
      model: only('wordMatch'),
    });
    const order = Array.from(r.scores.keys()).sort((a, b) => (r.scores[b] as number) - (r.scores[a] as number));
    expect(order[0]).toBe(lake);
    // The query's own word is BM25's to count: "hiking" asked scores the turn saying it below
    // "trekking" asked, which only the word match can connect to it.
    const own = (await relevanceSignals(prep, 'Who went hiking?', store)).wordMatch as Float64Array;
    const other = (await relevanceSignals(prep, 'Who went trekking?', store)).wordMatch as Float64Array;
    expect(other[again]).toBeGreaterThan((own[again] as number) + 0.05);
    // Names are left out: which person is asked about changes nothing here (the speaker features see it).
    const ann = (await relevanceSignals(prep, 'What does Ann like?', store)).wordMatch as Float64Array;
    const zed = (await relevanceSignals(prep, 'What does Zed like?', store)).wordMatch as Float64Array;
    expect(Array.from(zed)).toEqual(Array.from(ann));
    // Without vectors there is no word match (and the weights rank).
    expect((await relevanceSignals(prep, 'What sports does Ann enjoy?', null)).wordMatch).toBeNull();
  }, 120_000);

  it('leaves ranking to the weights without vectors (the model was fitted with them)', async () => {
    const query = 'What did Melanie paint?';
    const learned = await selectForQuery(MEMORY, { query, budget: 40, count });
    const weights = await selectForQuery(MEMORY, { query, budget: 40, count, ranker: 'weights' });
    expect(Array.from(learned.scores)).toEqual(Array.from(weights.scores));
    expect(learned.text).toBe(weights.text);
  });

  it("does not take a speaker's name in the other's turn for the answer", async () => {
    // Seen on one LoCoMo session at 10x: for "What did Joanna finish writing?" BM25 matched only
    // "Joanna", in Nate's "Glad to hear my support makes a difference, Joanna." (a form of address,
    // rare in one session, so weighted high), and the turn that answers was never kept.
    const session = [
      'Session 5 (6:59 pm on 18 March, 2022)',
      "Joanna: Hey Nate, it's been a minute! I wrapped up my second script, and the feels have been wild.",
      'Nate: Hey Joanna! Awesome to hear from you! Congrats on wrapping up your second one!',
      'Joanna: Thanks! I also adopted two turtles last week, they are tiny.',
      'Nate: Turtles are great pets. Mine love the sun lamp.',
      'Joanna: Appreciated! Having someone to support me is a blessing.',
      'Nate: Glad to hear my support makes a difference, Joanna. I am here!',
      'Joanna: Always good to hear! See you later!',
    ].join('\n');
    const query = 'What did Joanna finish writing?';
    const signals = await relevanceSignals(prepare(session), query, store);
    // Her name is no BM25 term: no turn matches on it alone.
    expect(Math.max(...signals.lexical)).toBe(0);
    // By BM25 alone (no vectors), the turn that only calls her by name is no longer kept first.
    const vocative = 'Nate: Glad to hear my support makes a difference, Joanna. I am here!';
    const lexicalOnly = await selectForQuery(session, { query, budget: count(vocative) + 12, count });
    expect(lexicalOnly.text).not.toContain(vocative);
    // A name that is no speaker's stays a term ("Mia" below), and so do the question's other words.
    const mia = `${session}\nJoanna: My sister Mia read the script first.`;
    const named = await relevanceSignals(prepare(mia), 'What did Mia read?', store);
    expect(named.lexical.at(-1)).toBe(1);
  }, 120_000);
});
