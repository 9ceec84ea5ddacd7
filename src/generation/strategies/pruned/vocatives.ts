import { bare } from './lexicon.ts';
import type { Turn, Unit } from './units.ts';

/**
 * Vocatives: the name a speaker calls the other by ("Hey Mel!", "Thanks, Jon!", "... by your
 * side, Gina."). A reader of a dialogue knows who is addressed, so the name says little there,
 * yet as a name it was protected and cost about two tokens in half the turns of a chat (2 % of
 * what was left at keep 0.33). A vocative is not protected: it is ranked as any other word, so a
 * name said before (in a label, or called again) goes with the repeats, while the first "Mel"
 * (a nickname, which an answer may use) can stay as a new word. Names anywhere else (what was
 * said about someone) stay protected.
 */

// Words that open an address: after them a lone capitalised word set off by punctuation is a name
// being called ("Thanks, Mell!"), even one that is not a speaker's.
const ADDRESS = new Set(
  'hey hi hello hiya heya yo thanks thank you thx congrats congratulations bye goodbye morning evening night dear sorry'.split(
    ' ',
  ),
);
/** Whether a word opens an address ("Hey", "Thanks,", "Good morning,"): the word after it may be a name being called. */
export const opensAddress = (word: string): boolean => ADDRESS.has(word.replace(/[^\p{L}]/gu, '').toLowerCase());

// Interjections that can stand before a vocative ("Wow, Jon!"); after them only a speaker's name is one.
const INTERJECTION = new Set(
  'oh ah aw aww awww wow whoa yeah yes yep yup ok okay sure well haha lol omg hmm great awesome cool nice good'.split(
    ' ',
  ),
);
// A capitalised word of letters ending a phrase: "Mel,", "Jon!", "Gina." (an emoji may follow).
const CALLED = /^\p{Lu}[\p{Ll}\p{Lu}'’-]*[,!.?…]+\p{Extended_Pictographic}*$/u;

/**
 * 1 on each unit that is a vocative in a turn's body: at its start (after at most three
 * greetings or interjections) or closing a sentence after a comma. A name the speakers go by
 * (a label's first word, its first three letters or more, "Mel" for "Melanie", or the name
 * with more after it, "Benji" for "Ben") qualifies
 * anywhere there; another capitalised word only after a greeting or thanks.
 */
export function vocativeUnits(text: string, units: readonly Unit[], turns: readonly Turn[]): Uint8Array {
  const out = new Uint8Array(units.length);
  const word = (i: number) => text.slice((units[i] as Unit).word, (units[i] as Unit).end);
  const names = new Set<string>();
  for (const t of turns) {
    const first = bare(word(t.first).replace(/:$/, ''));
    if (first) names.add(first);
  }
  const speakerLike = (w: string) => {
    const b = bare(w);
    if (b.length < 3) return false;
    for (const n of names) if (n.length >= 3 && (n.startsWith(b) || b.startsWith(n))) return true;
    return false;
  };
  for (const t of turns) {
    // At the start: "Hey Mel!", "Thanks, Mell!", "Wow, Jon!", "Gina, ...".
    let addressed = false;
    for (let i = t.labelEnd + 1; i <= Math.min(t.last, t.labelEnd + 4); i++) {
      const w = word(i);
      if (CALLED.test(w) && (addressed || speakerLike(w))) {
        out[i] = 1;
        break;
      }
      const b = bare(w);
      if (ADDRESS.has(b)) addressed = true;
      else if (!INTERJECTION.has(b)) break;
    }
    // Closing a sentence after a comma: "I'll be right by your side, Jon.".
    for (let i = t.labelEnd + 2; i <= t.last; i++) {
      const w = word(i);
      if (/[,]$/.test(word(i - 1)) && /[!.?…]\p{Extended_Pictographic}*$/u.test(w) && CALLED.test(w) && speakerLike(w))
        out[i] = 1;
    }
  }
  return out;
}
