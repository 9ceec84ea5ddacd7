/**
 * Telegraphic style for kept memory: the closed-class words of English (determiners, pronouns,
 * auxiliaries, most prepositions and conjunctions, interjections and discourse fillers) go, the
 * open-class words that carry facts stay whole, in order: names, numbers, dates, nouns, verbs,
 * adjectives, and negations (a dropped "not" flips the fact). A reader, human or model, restores
 * the glue; it cannot restore a lost noun. Prepositions of time and place that change a fact
 * ("before", "after", "until", "without") are kept, and so are the words that open a clause with
 * meaning of its own (who, how, where), and -ing forms of the auxiliaries, which are main verbs
 * more often than not ("having picnics", "doing great"). A `Speaker:` label is never touched.
 */

const CLOSED_CLASS = new Set(
  [
    // determiners and quantifying determiners
    'a an the this that these those some any each every either neither another such',
    // personal, possessive and reflexive pronouns, with their contractions
    'i me my mine myself you your yours yourself yourselves he him his himself she her hers herself it its itself',
    'we us our ours ourselves they them their theirs themselves',
    "i'm i've i'll i'd you're you've you'll you'd he's he'd he'll she's she'd she'll it's it'd it'll",
    "we're we've we'll we'd they're they've they'll they'd that's there's here's what's",
    // auxiliaries, copula, modals
    'am is are was were be been do does did have has had will would shall should can could',
    'might must',
    // prepositions and particles that only join
    'of in on at to for with by from into onto upon as than about',
    // coordinating and common subordinating conjunctions
    'and or but so if then because while though although whereas',
    // interjections and discourse fillers
    'oh ah uh um hmm wow hey hi hello yeah yep yes ok okay haha lol well just really very quite',
    'actually basically literally totally definitely honestly seriously anyway',
  ]
    .join(' ')
    .split(' '),
);

/** Lowercased word without surrounding punctuation, curly apostrophes straightened. */
const bareWord = (w: string) =>
  w
    .toLowerCase()
    .replace(/[’]/g, "'")
    .replace(/^[^\p{L}\p{N}']+|[^\p{L}\p{N}']+$/gu, '');

/**
 * Whether a whitespace-delimited word goes: a closed-class word, unless it is capitalised inside
 * a sentence ("May" the month, "US") or carries a digit.
 */
export function isClosedClass(word: string, sentenceStart: boolean): boolean {
  if (/\d/.test(word)) return false;
  const b = bareWord(word);
  if (!b || !CLOSED_CLASS.has(b)) return false;
  if (!sentenceStart && b !== 'i' && /^[^\p{L}]*\p{Lu}/u.test(word)) return false;
  return true;
}

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
