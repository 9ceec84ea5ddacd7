import { describe, expect, it } from 'vitest';
import { completeBareItems, completeBareSentences, procedureSteps } from './items.ts';
import { plainHeadings } from './sentences.ts';
import { lineRanges, renderKept, splitUnits } from './units.ts';

// The pass after the selection, on a selection given by hand: which words were kept is the input.

describe('completeBareItems (review 3)', () => {
  it('gives a list item thinned to a bare name or verb its next content words back', () => {
    // Review 3: "- Mme Roux propose l'installation de bornes de recharge ..." read "- Mme Roux" and
    // "- Refer to gynaecology for heavy menstrual bleeding" "- Refer".
    const text = [
      '- Dr Okafor suggests a second opinion from the sleep clinic in Leeds.',
      '- Book the follow-up scan with radiology in Harrogate.',
      '- Keep the dose at 5 mg until the next review.',
    ].join('\n');
    const units = splitUnits(text);
    const keep = new Uint8Array(units.length);
    const at = (w: string, from = 0) => units.findIndex((u, i) => i >= from && text.slice(u.word, u.end) === w);
    // Kept by hand: the first item's name, the second's verb, the third item fuller.
    for (const i of [0, 1, 2]) keep[i] = 1;
    const book = at('Book');
    keep[book - 1] = 1;
    keep[book] = 1;
    const keepAt = at('Keep');
    for (const i of [keepAt - 1, keepAt, at('dose'), at('5'), at('mg')]) keep[i] = 1;
    completeBareItems(text, units, lineRanges(text, units), keep);
    const out = renderKept(text, units, keep).split('\n');
    expect(out[0]).toBe('- Dr Okafor suggests second opinion');
    expect(out[1]).toBe('- Book follow-up scan radiology');
    // An item that kept more than its head is left as the selection made it.
    expect(out[2]).toBe('- Keep dose 5 mg');
  });
});

describe('completeBareSentences (review 3)', () => {
  it('gives a sentence thinned to its first word its next content words back', () => {
    // Review 3: "Check the time first." and "Check the consumer group first:" read "Check".
    const text = [
      'Usually a full disk. Inspect the largest volumes first:',
      '> Note: Drain the old node. Keep 30 GB free.',
    ].join('\n');
    const units = splitUnits(text);
    const keep = new Uint8Array(units.length);
    const at = (w: string) => units.findIndex((u) => text.slice(u.word, u.end) === w);
    // Kept by hand: each sentence's first word alone, and the last sentence fuller.
    for (const w of ['Inspect', '>', 'Note:', 'Drain', 'Keep', '30', 'GB', 'free.']) keep[at(w)] = 1;
    completeBareSentences(text, units, lineRanges(text, units), keep);
    const out = renderKept(text, units, keep).split('\n');
    expect(out[0]).toBe('Inspect largest volumes');
    expect(out[1]).toBe('> Note: Drain old node. Keep 30 GB free.');
  });
});

describe('a sentence thinned to a number alone (session 36)', () => {
  it('gets back the word before the number, which says what it counts', () => {
    // A recipe at keep 0.5 read "4. Preparation 20 minutes": "Serves 4." as a step's marker.
    const text = 'Serves 4. Preparation 20 minutes.\nThe oven runs at 200C. Total 12.';
    const units = splitUnits(text);
    const keep = new Uint8Array(units.length);
    const at = (w: string) => units.findIndex((u) => text.slice(u.word, u.end) === w);
    for (const w of ['4.', 'Preparation', '20', 'minutes.', 'oven', '200C.', '12.']) keep[at(w)] = 1;
    completeBareSentences(text, units, lineRanges(text, units), keep);
    const out = renderKept(text, units, keep).split('\n');
    expect(out[0]).toBe('Serves 4. Preparation 20 minutes.');
    // A sentence keeping more than its number is left as kept; one whose number stands alone gets its word.
    expect(out[1]).toBe('oven 200C. Total 12.');
  });
});

describe('procedureSteps (session 36)', () => {
  const steps = (text: string) => {
    const units = splitUnits(text);
    const lines = lineRanges(text, units);
    const headings = new Set(plainHeadings(text, units, lines).map(([f]) => f));
    return [...procedureSteps(text, units, lines, headings)].map((i) => text.slice(units[i]?.word, units[i]?.end));
  };
  it('reads numbered instructions under a plain heading as steps, and a list of facts under one as facts', () => {
    const guide = [
      'Tips first.',
      '',
      'Steps',
      '1. Open the brake quick release.',
      '2. Pull the wheel out of the frame.',
      '3. Inflate the new tube just enough to give it shape.',
      '',
      'Requirements',
      '1. Only the list owner can delete the list.',
      '2. An invitation link expires after 7 days.',
      '3. Users under 16 cannot share lists.',
    ].join('\n');
    expect(steps(guide)).toEqual(['1.', '2.', '3.']);
  });
});
