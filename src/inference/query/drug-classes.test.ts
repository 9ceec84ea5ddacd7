import { describe, expect, it } from 'vitest';
import { o200kCounter } from '../../tokenizers/o200k-counter.ts';
import { drugsAsked } from './drug-classes.ts';
import { selectForQuery } from './select.ts';

const count = await o200kCounter();

describe('a family of medicines asked for (session 32: "anticoagulant" found no "apixaban")', () => {
  const words = ['apixaban', 'metoprolol', 'atorvastatin', 'ramipril', 'aspirin', 'rivaroxaban', 'rash', 'statin'];

  it('names the memory words that are drugs of the family the question names, none for other questions', () => {
    expect(drugsAsked('What anticoagulant dose does she take?', () => words)).toEqual(['apixaban', 'rivaroxaban']);
    expect(drugsAsked('Which blood thinner was she started on?', () => words)).toEqual(['apixaban', 'rivaroxaban']);
    expect(drugsAsked('Is she on a statin?', () => words)).toEqual(['atorvastatin']);
    expect(drugsAsked('Which beta blocker?', () => words)).toEqual(['metoprolol']);
    expect(drugsAsked('Any painkillers allowed?', () => words)).toEqual(['aspirin']);
    expect(drugsAsked('Where did she go on holiday?', () => words)).toEqual([]);
  });

  it("ranks the drug's line first for a question naming its family", async () => {
    const doc = [
      'Hospital course',
      'Palpitations and shortness of breath for two days; the dose of fluids was reduced on day 2.',
      'She was started on apixaban 5 mg twice daily.',
      'Other tablets go with breakfast.',
      'Creatinine 98 umol/L, stable throughout.',
    ].join('\n');
    const r = await selectForQuery(doc, { query: 'What anticoagulant dose does she take?', budget: 22, count });
    expect(r.text).toContain('apixaban 5 mg twice daily');
  });
});
