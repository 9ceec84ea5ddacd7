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

  it('leaves ranking to the weights without vectors (the model was fitted with them)', async () => {
    const query = 'What did Melanie paint?';
    const learned = await selectForQuery(MEMORY, { query, budget: 40, count });
    const weights = await selectForQuery(MEMORY, { query, budget: 40, count, ranker: 'weights' });
    expect(Array.from(learned.scores)).toEqual(Array.from(weights.scores));
    expect(learned.text).toBe(weights.text);
  });
});
