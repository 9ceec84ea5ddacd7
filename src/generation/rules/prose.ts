/**
 * Prose rules: wordy phrases to their short equivalents and filler words out. Each rule keeps
 * meaning (no fact, name, number or negation is touched); case is preserved at sentence start.
 * They run only on prose, never inside code spans, URLs or quoted code.
 */

type Rule = readonly [RegExp, string];

// Phrase rewrites: the long form and the short form mean the same thing.
const PHRASES: readonly Rule[] = [
  [/\bin order to\b/gi, 'to'],
  [/\bdue to the fact that\b/gi, 'because'],
  [/\bowing to the fact that\b/gi, 'because'],
  [/\bin spite of the fact that\b/gi, 'although'],
  [/\bdespite the fact that\b/gi, 'although'],
  [/\bat this point in time\b/gi, 'now'],
  [/\bat the present time\b/gi, 'now'],
  [/\bfor the purpose of\b/gi, 'for'],
  [/\bin the event that\b/gi, 'if'],
  [/\bwith regard to\b/gi, 'regarding'],
  [/\bwith respect to\b/gi, 'regarding'],
  [/\bin relation to\b/gi, 'regarding'],
  [/\ba large number of\b/gi, 'many'],
  [/\ba majority of\b/gi, 'most'],
  [/\bthe majority of\b/gi, 'most'],
  [/\bis able to\b/gi, 'can'],
  [/\bare able to\b/gi, 'can'],
  [/\bhas the ability to\b/gi, 'can'],
  [/\bhave the ability to\b/gi, 'can'],
  [/\bprior to\b/gi, 'before'],
  [/\bsubsequent to\b/gi, 'after'],
  [/\bin the near future\b/gi, 'soon'],
  [/\bon a daily basis\b/gi, 'daily'],
  [/\bon a weekly basis\b/gi, 'weekly'],
  [/\bon a regular basis\b/gi, 'regularly'],
  [/\bin close proximity to\b/gi, 'near'],
  [/\bfor the reason that\b/gi, 'because'],
  [/\bin the process of\s+/gi, ''],
  [/\bit is possible that\b/gi, 'perhaps'],
  [/\bmake use of\b/gi, 'use'],
  [/\bmakes use of\b/gi, 'uses'],
  [/\bmade use of\b/gi, 'used'],
  [/\bin addition,\s*/gi, 'also, '],
  [/\bas well as\b/gi, 'and'],
];

// Whole sentence openers that carry no content: "Please note that X" says X.
const OPENERS: readonly RegExp[] = [
  /\b(?:it is (?:important|worth|interesting) to (?:note|mention|point out) that|it should be noted that|please note that|note that|it goes without saying that|needless to say,|as a matter of fact,|to be honest,|honestly,|basically,|essentially,|in fact,|of course,)\s+/gi,
];

// Filler adverbs: emphasis, not information. Lower case only: "Really Good Co." is a name.
const FILLERS =
  /\s\b(basically|actually|literally|totally|definitely|certainly|really|very|quite|simply|truly|absolutely|extremely|incredibly)\b(?=\s+\w)(?!\s+(?:much|many|few|little|well|good|bad|same|different|first|last|own|least|most)\b)/g;

function matchCase(original: string, replacement: string): string {
  if (!replacement) return replacement;
  const first = original[0];
  if (first && first === first.toUpperCase() && first !== first.toLowerCase()) {
    return replacement[0]?.toUpperCase() + replacement.slice(1);
  }
  return replacement;
}

// Marks where a sentence opener was removed, so the next letter, and only it, is capitalised.
const OPENER_MARK = '\u0000';

export interface ProseStats {
  phrases: number;
  openers: number;
  fillers: number;
}

/** Applies the prose rules to a run of plain prose (no code inside). */
export function compressProse(text: string, stats: ProseStats): string {
  let out = text;
  for (const [re, short] of PHRASES) {
    out = out.replace(re, (m) => {
      stats.phrases++;
      return matchCase(m, short);
    });
  }
  for (const re of OPENERS) {
    out = out.replace(re, (...args: unknown[]) => {
      // (match, ...groups, offset, whole): read from the end so groups in the pattern do not matter.
      const m = args[0] as string;
      const offset = args.at(-2) as number;
      const whole = args.at(-1) as string;
      // Only at the start of a sentence, where removing it leaves a sentence (a tag's end counts:
      // "<p>Please note that ...").
      const before = whole.slice(Math.max(0, offset - 3), offset);
      if (offset > 0 && !/([.!?:>]\s*|\n\s*|^\s*)$/.test(before)) return m;
      stats.openers++;
      return offset === 0 || /[.!?>]\s*$/.test(before) ? OPENER_MARK : '';
    });
  }
  out = out.replace(FILLERS, () => {
    stats.fillers++;
    return '';
  });
  return out.replace(/\u0000([a-z]?)/g, (_m, ch: string) => ch.toUpperCase());
}
