/**
 * "Answer survival", as bench/rules.ts, bench/pruning.ts and the LLMLingua peer's README define it:
 * every content word of a LoCoMo answer still appears in the text of the sessions holding its
 * evidence.
 */
const STOP = new Set(
  'a an the of in on at to for and or but is are was were be been with by from as that this it its his her their they he she i you we my your our me him them into about over after before than then so not no yes do does did has have had will would can could'.split(
    ' ',
  ),
);
const contentWords = (s: string) => (s.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((w) => !STOP.has(w));

export function answerSurvives(answer: string, text: string): boolean {
  const have = new Set(contentWords(text));
  const need = contentWords(answer);
  return need.length > 0 && need.every((w) => have.has(w));
}

export interface LocomoSample {
  sample_id: string;
  qa: { question: string; answer?: string | number; evidence: string[]; category: number }[];
}
