/**
 * A question naming a family of medicines ("Which blood thinner ...?", "What anticoagulant dose
 * ...?", "Is she on a statin?") and a memory naming the drug itself ("apixaban 5 mg twice daily"):
 * no word is shared, and MiniLM does not link "anticoagulant" to "apixaban" (session 32's discharge
 * summary: the question missed at 0.1 and 0.2). Each family is told by the stems its drugs' names
 * end in (WHO INN stems, as clinical.ts reads a drug) and a few common names: the memory's words
 * of the family the question names are asked for too (relevance.ts lexicalTerms).
 */

import { type DrugFamily, stemsOf } from '../../generation/strategies/pruned/drug-stems.ts';

interface DrugClass {
  /** How a question names the family. */
  asks: RegExp;
  /** Its drugs' stems (drug-stems.ts, shared with the pruner's drug names). */
  family: DrugFamily;
  /** Its common drugs whose names end in no stem of it (lower case, accents folded). */
  names?: readonly string[];
}

const CLASSES: readonly DrugClass[] = [
  {
    asks: /\b(?:anti-?coagula\w*|blood[- ]?thinn\w*|anticoagul\w*)/i,
    family: 'anticoagulant',
    names: ['warfarin', 'heparin', 'acenocoumarol', 'phenprocoumon'],
  },
  { asks: /\bstatins?\b|\bcholesterol\b/i, family: 'statin' },
  { asks: /\bbeta[- ]?blockers?\b/i, family: 'beta-blocker' },
  { asks: /\bace[- ]?inhibitors?\b/i, family: 'ace-inhibitor' },
  { asks: /\b(?:angiotensin|arbs?)\b/i, family: 'angiotensin' },
  { asks: /\b(?:blood[- ]pressure)\b/i, family: 'blood-pressure' },
  { asks: /\b(?:antibiotics?|anti-?bacterial)\b/i, family: 'antibiotic' },
  {
    asks: /\b(?:painkillers?|pain[- ](?:killers?|relief|medication|medicine)|nsaids?|anti-?inflammator\w*)/i,
    family: 'painkiller',
    names: ['aspirin', 'paracetamol', 'acetaminophen', 'naproxen', 'codeine', 'tramadol'],
  },
  {
    asks: /\b(?:antidepressants?|ssris?)\b/i,
    family: 'antidepressant',
    names: ['sertraline', 'citalopram', 'escitalopram'],
  },
  { asks: /\b(?:diuretics?|water (?:pills?|tablets?))\b/i, family: 'diuretic' },
  { asks: /\b(?:steroids?|corticosteroids?)\b/i, family: 'steroid' },
  { asks: /\b(?:antivirals?)\b/i, family: 'antiviral' },
  { asks: /\b(?:acid|stomach|reflux|ppis?|proton[- ]pump)\b/i, family: 'acid' },
  { asks: /\bdiabet\w*|\bblood sugar\b/i, family: 'diabetes', names: ['insulin'] },
];

/** A word of the memory that is one of a family's drugs: a name ending in one of its stems, or one of its common names. */
const drugOf = (c: DrugClass): RegExp =>
  new RegExp(`^(?:\\w{3,}(?:${stemsOf(c.family)})${c.names?.length ? `|${c.names.join('|')}` : ''})$`);

const DRUGS = new Map(CLASSES.map((c) => [c, drugOf(c)]));

/**
 * The words of the memory's vocabulary that are drugs of a family the query names (none for most
 * questions, which then never list the vocabulary).
 */
export function drugsAsked(query: string, vocabulary: () => readonly string[]): string[] {
  const asked = CLASSES.filter((c) => c.asks.test(query));
  if (!asked.length) return [];
  return vocabulary().filter((w) => asked.some((c) => DRUGS.get(c)?.test(w)));
}
