import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureMiniLM } from '../../embeddings/minilm.ts';
import { o200kCounter, type TokenCounter } from '../../tokenizers/o200k-counter.ts';
import { isStopWord, terms } from './bm25.ts';
import { createEmbeddingStore } from './embedding-store.ts';
import { queryNames, TIME, WHEN } from './query-cues.ts';
import { prepare, relevanceSignals } from './relevance.ts';
import { selectForQuery } from './select.ts';

/**
 * Ranking a chat in another language than English (review 4: a Spanish chat kept 5 of 9 answers
 * at a tenth). MiniLM reads English, so such a memory ranks by BM25's terms and the query's cues.
 */

let count: TokenCounter;
beforeAll(async () => {
  count = await o200kCounter();
});

/** The turn ranked first for a query (BM25 and the hand weights: no embedding store). */
async function best(memory: string, query: string): Promise<string> {
  const r = await selectForQuery(memory, { query, budget: 200, count });
  const top = Array.from(r.scores.keys()).sort((a, b) => (r.scores[b] as number) - (r.scores[a] as number))[0];
  return r.memory.units[top as number]?.text ?? '';
}

describe('accents', () => {
  it('are no part of a term: a preterite asked about matches the present said ("pagó" / "pago")', () => {
    expect(terms('¿Cómo pagó el coche?')).toEqual(terms('como pago el coche'));
    expect(terms('José vive en Múnich')).toEqual(terms('Jose vive en Munich'));
    // Another script's marks stay: "が" is not "か".
    expect(terms('が')).not.toEqual(terms('か'));
  });

  it('ranks the turn that says it in the first person first for a question in the third', async () => {
    const memory = [
      'Ana: ¿Qué tal el coche nuevo?',
      'Luis: Muy bien, estoy contento con el coche. Lo pago a plazos, 300 euros al mes.',
      'Ana: ¿Y el seguro del coche?',
      'Luis: El seguro es aparte, con la misma compañía de siempre.',
    ].join('\n');
    expect(await best(memory, '¿Cómo pagó Luis el coche?')).toContain('Lo pago a plazos');
    // Typed without its accents, a question still finds the accented name and word.
    const names = ['Marta: ¿Dónde está Íñigo?', 'Pau: Íñigo está en Múnich hasta el jueves.', 'Marta: Vale.'].join(
      '\n',
    );
    expect(await best(names, 'Donde esta Inigo ahora, en Munich?')).toContain('Múnich hasta el jueves');
  });
});

describe("other languages' cues", () => {
  it('read a "when" question and a date in Spanish, French, German, Portuguese and Italian', () => {
    for (const q of ['¿Cuándo abrió la panadería?', 'Quand est-ce que Paul arrive ?', 'Seit wann wohnt sie dort?'])
      expect(WHEN.test(q), q).toBe(true);
    expect(WHEN.test('¿Dónde vive Lucía?')).toBe(false);
    for (const t of ['el 26 de abril', 'le 3 février', 'am Montag', 'em março', 'giovedì'])
      expect(TIME.test(t), t).toBe(true);
    // English reads as before; French "mars" is the planet's English name too.
    expect(TIME.test('on Monday')).toBe(true);
    expect(TIME.test('a trip to Mars')).toBe(false);
    expect(TIME.test('Mondays')).toBe(false);
  });

  it('take a question word after "¿" for no name', () => {
    expect([...queryNames('¿Qué nota sacó Lucía en el primer ejercicio?')]).toEqual(['lucía']);
    expect([...queryNames('Wann hat Jonas angerufen?')]).toEqual(['jonas']);
    expect([...queryNames('When did Caroline go?')]).toEqual(['caroline']);
  });

  it('rank the turn dating what a Spanish "when" question asks about above one that does not', async () => {
    const memory = [
      'Lola: ¿Qué tal todo?',
      'Iván: La tienda nueva es preciosa, con un escaparate muy grande.',
      'Lola: ¡Qué ganas de verla!',
      'Iván: La tienda, el 14 de mayo, si el electricista termina a tiempo.',
      'Lola: Genial, allí estaré.',
    ].join('\n');
    expect(await best(memory, '¿Cuándo abre Iván la tienda?')).toContain('14 de mayo');
  });
});

describe("a day's ordinal", () => {
  it('is a time expression: "when" finds "on the 14th, not the 15th"', async () => {
    expect(TIME.test('on the 23rd, not the 24th')).toBe(true);
    expect(TIME.test('the 1st and the 31st')).toBe(true);
    expect(TIME.test('the 32nd')).toBe(false);
    const memory = [
      'Mum, 09:00: Your cousins are coming for Easter with their kids and the new puppy.',
      'Me, 09:05: Lovely! Are they bringing the dog?',
      'Mum, 09:06: Yes, the dog too.',
      'Mum, 17:30: Change of plan: the cousins are coming on the 14th, not the 15th, staying a week.',
      'Me, 17:31: OK.',
    ].join('\n');
    expect(await best(memory, 'When are the cousins getting here?')).toContain('on the 14th');
  });
});

describe('accents folded on one side only', () => {
  it('leave a question word with its accent a stop word', () => {
    for (const w of ['où', 'cuándo', 'qué', 'dónde', 'wie']) expect(isStopWord(w), w).toBe(true);
  });

  it("leave a named person's accented name out of the word match, as an unaccented one", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'other-languages-'));
    const store = createEmbeddingStore({ modelPath: await ensureMiniLM(), dbPath: join(dir, 'cache.db') });
    try {
      const memory = [
        'Andrés: ¿Y tu mudanza?',
        'Lucía: Ya tengo piso en Barcelona, en Sant Antoni.',
        'Andrés: ¿Cuánto pagas?',
        'Lucía: 1.150 euros, con balcón.',
      ].join('\n');
      const prep = prepare(memory);
      const named = await relevanceSignals(prep, '¿Dónde vive Lucía?', store);
      const bare = await relevanceSignals(prep, '¿Dónde vive?', store);
      expect(Array.from(named.wordMatch ?? [])).toEqual(Array.from(bare.wordMatch ?? []));
    } finally {
      await store.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
