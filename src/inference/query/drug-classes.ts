/**
 * A question naming a family of medicines ("Which blood thinner ...?", "What anticoagulant dose
 * ...?", "Is she on a statin?") and a memory naming the drug itself ("apixaban 5 mg twice daily"):
 * no word is shared, and MiniLM does not link "anticoagulant" to "apixaban" (session 32's discharge
 * summary: the question missed at 0.1 and 0.2). Each family is told by the stems its drugs' names
 * end in (WHO INN stems, as clinical.ts reads a drug) and a few common names: the memory's words
 * of the family the question names are asked for too (relevance.ts lexicalTerms).
 */

interface DrugClass {
  /** How a question names the family. */
  asks: RegExp;
  /** A word of the memory that is one of its drugs (lower case, accents folded). */
  drug: RegExp;
}

const CLASSES: readonly DrugClass[] = [
  {
    asks: /\b(?:anti-?coagula\w*|blood[- ]?thinn\w*|anticoagul\w*)/i,
    drug: /^(?:\w{3,}(?:xaban|gatran|parin)|warfarin|heparin|acenocoumarol|phenprocoumon)$/,
  },
  { asks: /\bstatins?\b|\bcholesterol\b/i, drug: /^\w{3,}statin$/ },
  { asks: /\bbeta[- ]?blockers?\b/i, drug: /^\w{3,}(?:olol|alol)$/ },
  { asks: /\bace[- ]?inhibitors?\b/i, drug: /^\w{3,}pril$/ },
  { asks: /\b(?:angiotensin|arbs?)\b/i, drug: /^\w{3,}sartan$/ },
  { asks: /\b(?:blood[- ]pressure)\b/i, drug: /^\w{3,}(?:pril|sartan|olol|alol|dipine|thiazide)$/ },
  { asks: /\b(?:antibiotics?|anti-?bacterial)\b/i, drug: /^\w{3,}(?:cillin|mycin|micin|cycline|floxacin|oxacin)$/ },
  {
    asks: /\b(?:painkillers?|pain[- ](?:killers?|relief|medication|medicine)|nsaids?|anti-?inflammator\w*)/i,
    drug: /^(?:\w{3,}(?:profen|fenac|coxib)|aspirin|paracetamol|acetaminophen|naproxen|codeine|tramadol)$/,
  },
  {
    asks: /\b(?:antidepressants?|ssris?)\b/i,
    drug: /^(?:\w{3,}(?:oxetine|triptyline|pramine)|sertraline|citalopram|escitalopram)$/,
  },
  { asks: /\b(?:diuretics?|water (?:pills?|tablets?))\b/i, drug: /^\w{3,}(?:semide|thiazide|tizide)$/ },
  { asks: /\b(?:steroids?|corticosteroids?)\b/i, drug: /^\w{3,}(?:isone|olone|sonide|asone)$/ },
  { asks: /\b(?:antivirals?)\b/i, drug: /^\w{3,}(?:ovir|avir)$/ },
  { asks: /\b(?:acid|stomach|reflux|ppis?|proton[- ]pump)\b/i, drug: /^\w{3,}prazole$/ },
  { asks: /\bdiabet\w*|\bblood sugar\b/i, drug: /^(?:\w{3,}(?:gliptin|gliflozin|glutide|formin)|insulin)$/ },
];

/**
 * The words of the memory's vocabulary that are drugs of a family the query names (none for most
 * questions, which then never list the vocabulary).
 */
export function drugsAsked(query: string, vocabulary: () => readonly string[]): string[] {
  const asked = CLASSES.filter((c) => c.asks.test(query));
  if (!asked.length) return [];
  return vocabulary().filter((w) => asked.some((c) => c.drug.test(w)));
}
