import { beforeAll, describe, expect, it } from 'vitest';
import { o200kCounter } from '../../../tokenizers/o200k-counter.ts';
import { advisesAvoiding } from './clinical.ts';
import { phraseSpans } from './index.ts';
import { flatPrune, lockCovers } from './testing/flat-prune.ts';

// Selection is pure here: every model token gets the same surprisal, so what is kept follows from
// the word classes and the locked spans alone.

let o200k: (s: string) => number;
beforeAll(async () => {
  o200k = await o200kCounter();
});

const covered = lockCovers;
const prune = (text: string, ratio: number) => flatPrune(text, ratio, o200k);

describe('a clinical note without a question (review F-01)', () => {
  const note = [
    'Hospital course',
    'On arrival troponin negative x2. COVID PCR negative. Chest X-ray unremarkable. TSH normal.',
    'He was rate controlled with IV diltiazem, then switched to oral metoprolol. Potassium was low at 3.2 and was replaced.',
    'He agreed to start apixaban after a long discussion with his daughter about the bleeding risk.',
    'Patient advised to avoid NSAIDs such as ibuprofen while on apixaban.',
    '',
    'Allergies',
    'Penicillin (rash). No other known drug allergies.',
  ].join('\n');

  it('locks drug names by their stem, results with their test, what to avoid, the allergy line', () => {
    for (const phrase of [
      'troponin negative',
      'PCR negative',
      'X-ray unremarkable',
      'TSH normal',
      'diltiazem',
      'metoprolol',
      'apixaban',
      'Potassium was low',
      'avoid NSAIDs',
      'Penicillin (rash)',
    ])
      expect(covered(note, phrase), phrase).toBe(true);
  });

  // The query path's families (drug-classes.ts) knew -coxib, -asone and -tizide, the pruner did not:
  // both read one stem table now (drug-stems.ts, session 34).
  it('locks a drug of a stem the query path knew by its family', () => {
    const text = 'She was started on celecoxib for the knee, and dexamethasone was stopped after three days.';
    for (const phrase of ['celecoxib', 'dexamethasone']) expect(covered(text, phrase), phrase).toBe(true);
  });

  it('locks the allergy line under its heading in CRLF text too (re-read of session 32)', () => {
    expect(covered('Allergies\r\nSulfa drugs (hives).\r\n', 'Sulfa drugs (hives)')).toBe(true);
  });

  it('keeps them through a prune at keep 0.33', () => {
    // The note's sentences go whole, least informative first (session 34): what to avoid and the
    // allergy never do, and a result kept keeps its test.
    for (const ratio of [0.5, 0.33]) {
      const out = prune(note, ratio);
      for (const word of ['avoid NSAIDs', 'apixaban', 'Penicillin']) expect(out, `${ratio}: ${word}`).toContain(word);
      for (const result of ['negative', 'normal', 'unremarkable'])
        expect(out, `${ratio}: ${out}`).not.toMatch(new RegExp(`(?:^|[.:] )${result}`, 'm'));
    }
    expect(prune(note, 0.5)).toContain('troponin negative');
  });

  it('locks the word before a dose and a product allergen', () => {
    expect(covered('- ramipril 2.5 mg once daily', 'ramipril')).toBe(true);
    expect(covered('- bisoprolol fumarate 5 mg', 'bisoprolol fumarate')).toBe(true);
    expect(covered('Contains nuts (almonds). For a nut-free version leave them out.', 'Contains nuts (almonds)')).toBe(
      true,
    );
    expect(covered('For a nut-free version leave them out.', 'nut-free')).toBe(true);
  });

  it('reads no result in "low" or "high" without a value, nor a drug in a common word', () => {
    const text = 'I was feeling low all week. The machine on the line is fine.';
    expect(phraseSpans(text).map((p) => text.slice(p.start, p.end))).toEqual([]);
  });

  it('locks an intolerance said with a verb, in German and English', () => {
    const text =
      'Wichtig: Papa verträgt keine Nüsse mehr, also keinen Nusskuchen mitbringen. She cannot tolerate dairy.';
    expect(covered(text, 'verträgt keine Nüsse mehr')).toBe(true);
    expect(covered(text, 'cannot tolerate dairy')).toBe(true);
  });

  it('reads no result in a mood: "stay positive", "a positive change", "That\'s normal."', () => {
    const text =
      "I'm staying positive. It was such a positive change for us. That's normal. On the positive side, we won.";
    expect(phraseSpans(text).map((p) => text.slice(p.start, p.end))).toEqual([]);
  });

  it("never drops a list's allergen line whole", () => {
    const notes = [
      '- Beef chuck works too; add 30 minutes to the oven time and a little more stock.',
      '- Without a tagine pot, a heavy casserole with a tight lid is perfectly fine.',
      '- Freezes well for up to 3 months. Thaw overnight in the fridge and reheat gently.',
      '- Contains nuts (almonds).',
      '- Ras el hanout brands vary a lot in heat; start with less if yours is hot.',
      '- Serve with couscous, flatbread or a green salad with plenty of fresh mint.',
    ].join('\n');
    expect(prune(notes, 0.33)).toContain('Contains nuts');
  });

  it('reads no drug in "magazine" and no dose\'s drug in a verb before a count (session 33)', () => {
    const all = (text: string) => phraseSpans(text).map((p) => text.slice(p.start, p.end));
    expect(all('She reads a magazine on the train.').filter((s) => /magazine/.test(s))).toEqual([]);
    expect(all('Sold 10 units at the fair.').filter((s) => /sold/i.test(s))).toEqual([]);
    expect(all('Patient was taking insulin 10 units at night.').filter((s) => /taking/.test(s))).toEqual([]);
    // The drug and a phenothiazine are still read.
    expect(covered('Patient was taking insulin 10 units at night.', 'insulin')).toBe(true);
    expect(covered('Given chlorpromazine at night.', 'chlorpromazine')).toBe(true);
  });
});

describe("a prose document's sentence saying a drug is not to be taken (re-read of session 34)", () => {
  // Eleven sentences under plain headings: the pruner drops whole sentences before words here.
  const plan = [
    'Care plan for Mrs. Helen Ward',
    '',
    'Summary',
    'This document summarises the care plan agreed with the family on 12 March. Helen is 84 and lives alone in a ground-floor flat. She walks with a frame and has had two falls this year.',
    '',
    'Medication',
    'Helen takes her tablets with breakfast. She is not to take ibuprofen because of her kidneys. The pharmacy delivers the blister packs every Thursday.',
    '',
    'Visits',
    'Carers come twice a day, at 8 in the morning and at 6 in the evening. Carers must not leave before Helen has eaten. The key safe code is kept by the agency.',
    '',
    'Review',
    'The plan will be reviewed by 30 April. Please let us know if anything changes.',
  ].join('\n');

  it('finds the negated drug, not a drug said without a negation or far after one', () => {
    expect(advisesAvoiding('She is not to take ibuprofen because of her kidneys.')).toBe(true);
    expect(advisesAvoiding('No omeprazole after Monday.')).toBe(true);
    expect(advisesAvoiding('Sie darf kein Ibuprofen nehmen.')).toBe(true);
    expect(advisesAvoiding('She takes ibuprofen with food.')).toBe(false);
    expect(advisesAvoiding('He does not like the taste of ibuprofen.')).toBe(false);
  });

  it('keeps the sentence whole at keep 0.5 and 0.33', () => {
    for (const ratio of [0.5, 0.33]) expect(prune(plan, ratio)).toMatch(/not to take ibuprofen/);
  });
});

describe("a liquid medicine's name before its dose (session 41)", () => {
  const locked = (text: string) =>
    phraseSpans(text)
      .filter((p) => p.kind === 'safety')
      .map((p) => text.slice(p.start, p.end));
  it('locks the name before a dose in ml, over a bracket that says what it is for', () => {
    // Session 41 fresh set: a vet's discharge sheet at keep 0.5 read "Medication: 3 ml once a day 5
    // days" ("Meloxicam (pain relief)" gone), a childminder's report "Medicine: 5 ml 13:00" (Calpol gone).
    expect(locked('Medication: Meloxicam (pain relief) 3 ml by mouth once a day with food.')).toContain(
      'Meloxicam (pain relief)',
    );
    expect(locked('Medicine: Calpol 5 ml at 13:00 for her teeth.')).toContain('Calpol');
    // A verb before the measure is no medicine's name, as before.
    expect(locked('Then add 200 ml of stock.').join(' ')).not.toContain('add');
  });
});
