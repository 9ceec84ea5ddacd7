/**
 * Telegraphic style for kept memory: the closed-class words of English (determiners, pronouns,
 * auxiliaries, most prepositions and conjunctions, interjections and discourse fillers) go, the
 * open-class words that carry facts stay whole, in order: names, numbers, dates, nouns, verbs,
 * adjectives, and negations (a dropped "not" flips the fact). A reader, human or model, restores
 * the glue; it cannot restore a lost noun. Prepositions of time and place that change a fact
 * ("before", "after", "until", "without") are kept, and so are the words that open a clause with
 * meaning of its own (who, how, where), and -ing forms of the auxiliaries, which are main verbs
 * more often than not ("having picnics", "doing great"). A `Speaker:` label is never touched.
 * The word classes live with the pruner's lexicon, which ranks the same words last.
 */

import { isClosedClass } from '../../generation/strategies/pruned/lexicon.ts';

export { isClosedClass };

/**
 * One line (a turn or a sentence run) in telegraphic style. The label (`Name:` at the start) is
 * kept; a line that would lose every word is kept as it was.
 */
export function telegraph(line: string, label: string | null = null): string {
  const head = label && line.startsWith(label) ? label : '';
  const words = line.slice(head.length).trim().split(/\s+/).filter(Boolean);
  const kept: string[] = [];
  let sentenceStart = true;
  for (const w of words) {
    const end = /[.!?]["')\]]*$/.test(w);
    if (!isClosedClass(w, sentenceStart)) kept.push(w);
    else if (end && kept.length && !/[.!?,;:]["')\]]*$/.test(kept[kept.length - 1] as string))
      // A dropped word that ended a sentence hands its full stop to the word before it.
      kept[kept.length - 1] += w.replace(/^.*?([.!?]+["')\]]*)$/u, '$1');
    sentenceStart = end;
  }
  if (!kept.length) return line;
  return head ? `${head} ${kept.join(' ')}` : kept.join(' ');
}
