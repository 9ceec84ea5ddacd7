import type { ProtectedSpan } from '../../protect.ts';
import { stemsOf } from './drug-stems.ts';

/**
 * What a clinical note says in words the pruner ranks low: a drug's name, written in lower case
 * and often predictable after "start" or "switched to oral", and a test's result with the test
 * ("troponin negative", "TSH normal", "Chest X-ray unremarkable"). The name or the result is the
 * fact itself (review, F-01: a discharge summary read "negative x2", "COVID PCR", "start" and
 * "switched to oral" with the drug gone). Also what a patient must not have: the line under an
 * "Allergies" heading ("Penicillin (rash)" went), and a product's allergens ("Contains nuts").
 * Locked by phraseSpans (lexicon.ts).
 */

/**
 * A drug's name: a word ending in a stem of international non-proprietary names (drug-stems.ts),
 * three letters at least before it.
 */
const DRUG = new RegExp(String.raw`(?<![\p{L}'’-])\p{L}{3,}(?:${stemsOf()})(?![\p{L}'’-])`, 'giu');
/** The same, for a test (no global state): standing-facts.ts tells a drug allergy from a food one. */
export const DRUG_NAME = new RegExp(DRUG.source, 'iu');

/** A dose: a number with a drug's unit ("5 mg", "2.5 mg", "40 mcg", "10 units"). */
const DOSE = String.raw`\d+(?:[.,]\d+)?[ \t]?(?:mg|mcg|µg|μg|micrograms?|milligrams?|iu|units?|mmol|puffs?)(?![\p{L}])`;

/**
 * The word, or two, right before a dose: what the dose is of ("metoprolol succinate 50 mg"). Not a
 * verb, which says what was done with it: "Sold 10 units" locked "Sold" (re-read of session 32), as
 * "taking 20 mg" or "increased 5 mg" would.
 */
const NOT_OF_A_DOSE =
  /^(?:\p{L}+(?:ed|ing)|sold|bought|sent|took|takes?|gave|given|gives?|made|makes?|got|gets?|kept|keeps?|uses?|needs?|adds?|pours?|mix(?:es)?|stirs?|whisk(?:s)?|drinks?)(?![\p{L}-])[ \t]*/iu;
const BEFORE_DOSE = new RegExp(
  String.raw`(?<![\p{L}'’-])\p{L}[\p{L}-]{3,}(?:[ \t]+\p{Ll}[\p{Ll}-]{3,})?(?=[ \t]+${DOSE})`,
  'gu',
);
/**
 * A liquid medicine's dose in ml, and the name before it, capitalised as a medicine's or a brand's is,
 * with a short bracket between that says what it is for: "Calpol 5 ml", "Meloxicam (pain relief) 3
 * ml". A vet's discharge sheet at keep 0.5 read "Medication: 3 ml once a day", a childminder's report
 * "Medicine: 5 ml 13:00": the dose of nothing (session 41). Capitalised only: "stock 200 ml" in a
 * recipe is no medicine.
 */
const BEFORE_LIQUID_DOSE =
  /(?<![\p{L}'’-])\p{Lu}[\p{L}-]{3,}(?:[ \t]+\([^()\n]{1,30}\))?(?=[ \t]+\d+(?:[.,]\d+)?[ \t]?(?:ml|mL|millilitres?|milliliters?)(?![\p{L}]))/gu;

/**
 * A test's result: a word that says it, with up to two words before it and a copula between
 * ("troponin negative", "COVID PCR negative", "Potassium was low at 3.2", "Creatinine mildly
 * elevated"). "low", "high" and "stable" say one only with a value after them ("low at 3.2"); so
 * "positive", "negative" and "normal" only at their clause's end or before what qualifies them ("x2",
 * "for", "on", "at"), and not after a word that makes them a mood ("stay positive", "a positive
 * change", "That's normal"): a chat says them often, and locked, LoCoMo's tuning sessions lost answers.
 * German "unauffällig", French "négatif" too. The test's words are read from a word's start: tried
 * inside one, they ran to the end of a run without spaces each time (quadratic on CJK text).
 */
const MOOD =
  "a|an|the|so|such|very|how|stay|staying|stays|stayed|remain|remains|remained|be|being|been|feel|feeling|felt|keep|kept|that's|it's|s|is|was|more|most|really|pretty|totally|quite|something|on|super|too|all|and|think|thinking";
const RESULT = new RegExp(
  String.raw`(?<![\p{L}\p{N}])(?:[\p{L}\p{N}][\p{L}\p{N}/-]*[ \t]+){1,2}(?:(?:was|were|is|are|remains|remained|came[ \t]+back|returned|war|ist|sind|waren|est|était)[ \t]+)?(?:(?:mildly|slightly|markedly|moderately|still|now|alles|leicht)[ \t]+)?(?:elevated|unremarkable|undetectable|(?:un)?auffällig|erhöht|(?<!(?:^|[^\p{L}'’-])(?:${MOOD})[ \t]+)(?:negative|positive|normal|abnormal|detected|pending|negativ|positiv|négati(?:f|ve)s?|positi(?:f|ve)s?|normale?s?)(?=[ \t]*(?:[.,;:)\n]|$|x\d|(?:for|on|at|in|and|but|result)(?![\p{L}'’-])))|(?:low|high|stable)(?=[ \t]+(?:at|of)[ \t]+\d))(?![\p{L}'’-])`,
  'giu',
);

/**
 * A line under an allergies heading ("Allergies", "ALLERGIES:", "Allergien", "Allergies connues"),
 * up to its first sentence's end: the heading is kept as a heading, and what the patient is allergic
 * to is the line after it.
 */
const ALLERGY_HEADING =
  /^[ \t]*(?:#{1,6}[ \t]+)?(?:(?:known|drug|food)[ \t]+)?(?:allerg(?:ies|y|ien)|unverträglichkeiten|intolérances?)(?:[ \t]+\p{L}+)?[ \t]*:?[ \t]*\r?\n[ \t]*([^\r\n.]{1,120})/gimu;

/** A product's allergen ("Contains nuts (almonds)", "enthält Nüsse") and what is free of one ("nut-free"). */
const ALLERGEN =
  /(?<![\p{L}'’-])(?:(?:may[ \t]+)?contains?|enthält|contient)[ \t]+(?:traces[ \t]+of[ \t]+)?(?:tree[ \t]+)?(?:nuts?|peanuts?|gluten|wheat|milk|dairy|lactose|eggs?|soy[a]?|sesame|shellfish|fish|mustard|celery|lupin|sulphites?|sulfites?|nüsse|erdnüsse|noix|arachides?)(?:[ \t]*\([^()\n]{1,30}\))?|(?<![\p{L}'’-])(?:nut|peanut|gluten|dairy|lactose|egg|soy|sesame)-free(?![\p{L}'’-])/giu;

/**
 * Advice to stay off something, with what: "avoid NSAIDs such as ibuprofen", "stop taking aspirin",
 * "do not take", "refrain from", German "meiden", French "éviter". Without its verb the advice reads as
 * its opposite (review, F-01: "advised to avoid NSAIDs such as ibuprofen while on apixaban" read
 * "Patient NSAIDs ibuprofen apixaban"). Up to four words on, within the clause.
 */
const AVOID =
  /(?<![\p{L}'’-])(?:avoid(?:s|ed|ing)?|stop[ \t]+taking|refrain(?:ing)?[ \t]+from|(?:ver)?meiden|vermeiden|évite[rz]?)(?:[ \t]+[^\s.,;:!?()[\]]+){1,4}/giu;

/**
 * An intolerance said with a verb, not the word "intolerant": German "verträgt keine Nüsse (mehr)",
 * English "can't tolerate dairy", French "ne supporte pas le gluten", with two words of what (review:
 * a German journal's "Papa verträgt keine Nüsse mehr, also keinen Nusskuchen mitbringen" went whole
 * at keep 0.33).
 */
const INTOLERANCE =
  /(?<![\p{L}'’-])(?:verträg(?:t|st)?[ \t]+(?:keine?[nmrs]?|nicht)|(?:can['’]?t|cannot|can[ \t]+not|doesn['’]t|does[ \t]+not|don['’]t|do[ \t]+not)[ \t]+tolerate|ne[ \t]+(?:supporte|tolère)[ \t]+(?:pas|plus))(?:[ \t]+[^\s.,;:!?()[\]]+){1,2}/giu;

/** Whether a line names an allergen or an intolerance: in a list it never goes whole (pruned/select.ts). */
export const namesAllergen = (line: string): boolean =>
  [ALLERGEN, INTOLERANCE].some((re) => {
    re.lastIndex = 0;
    return re.test(line);
  });

/**
 * A drug's name (one `DRUG` finds) up to three words after a negation: "She is not to take
 * ibuprofen", "never give him diclofenac", "no more omeprazole", "kein Ibuprofen". The negation and
 * the drug are locked words, but a prose document's sentence goes whole (sentences.ts): a care
 * plan's "She is not to take ibuprofen because of her kidneys." went at keep 0.5 and 0.33 while the
 * plan's framing stayed (re-read of session 34).
 */
const NEGATED_DRUG = new RegExp(
  String.raw`(?<![\p{L}'’-])(?:not|never|no|don['’]t|doesn['’]t|mustn['’]t|shouldn['’]t|can['’]t|cannot|nicht|nie|keine?[nmrs]?|jamais|pas)(?![\p{L}'’-])(?:[ \t]+[^\s.,;:!?()[\]]+){0,3}?[ \t]+${DRUG.source}`,
  'iu',
);

/**
 * Whether a line advises staying off something ("avoid NSAIDs such as ibuprofen") or says a drug is
 * not to be taken ("not to take ibuprofen"): a document's sentence saying so never goes whole
 * (pruned/select.ts).
 */
export const advisesAvoiding = (line: string): boolean => {
  AVOID.lastIndex = 0;
  return AVOID.test(line) || NEGATED_DRUG.test(line);
};

export function clinicalSpans(text: string): ProtectedSpan[] {
  const out: ProtectedSpan[] = [];
  for (const re of [DRUG, RESULT, ALLERGEN, AVOID, INTOLERANCE])
    for (const m of text.matchAll(re)) out.push({ start: m.index, end: m.index + m[0].length, kind: 'safety' });
  for (const m of [...text.matchAll(BEFORE_DOSE), ...text.matchAll(BEFORE_LIQUID_DOSE)]) {
    const verb = NOT_OF_A_DOSE.exec(m[0])?.[0].length ?? 0;
    if (verb < m[0].length) out.push({ start: m.index + verb, end: m.index + m[0].length, kind: 'safety' });
  }
  for (const m of text.matchAll(ALLERGY_HEADING)) {
    const line = m[1] as string;
    const start = m.index + m[0].length - line.length;
    out.push({ start, end: start + line.trimEnd().length, kind: 'safety' });
  }
  return out;
}
