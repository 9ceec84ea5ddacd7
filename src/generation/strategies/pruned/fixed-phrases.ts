import type { Unit } from './units.ts';

/**
 * Fixed phrases whose words mean nothing alone, or something else: "heads up" thinned read "Heads"
 * (review, `studio compress --ratio 0.33`), "of course" reads "course", "by the way" "way", "under
 * the weather" "weather", "more or less" "more less". The pruner keeps such a phrase whole or drops
 * it whole (select.ts), as it keeps "once or twice a year" whole by locking it (lexicon.ts
 * phraseSpans); these are not locked: most say little, and go first when the budget is short.
 * English, the language of the fitted selection; a phrase's literal reading that differs ("after
 * all the guests left", "at all times") is left out by the lookahead after it.
 */
const PHRASES = [
  'heads up',
  'by the way',
  'of course',
  'in fact',
  'as a matter of fact',
  'kind of',
  'sort of',
  String.raw`after all(?=\s*(?:[,.;:!?)]|$))`,
  String.raw`at all(?=\s*(?:[,.;:!?)]|$))`,
  'so far',
  'for now',
  'right away',
  'in other words',
  'on the other hand',
  'at the end of the day',
  'long story short',
  'to be honest',
  'all of a sudden',
  'out of the blue',
  'under the weather',
  'over the moon',
  'on the fence',
  'in a nutshell',
  'so to speak',
  "for what it(?:'|’)?s worth",
  'once in a while',
  'every now and then',
  'more or less',
  'sooner or later',
  'by and large',
  'in the loop',
  'up to speed',
  'touch(?:es|ed|ing)? base',
  '(?:get|gets|getting|got|gotten) rid of',
  '(?:keep|keeps|keeping|kept) an eye on',
  'call(?:s|ed|ing)? it a day',
  'piece of cake',
  'break a leg',
  'hang in there',
  // A phrasal verb's particle is half its meaning: "switched off" and "switched on" both read
  // "switched" (review 3: "v2 is deprecated; it will be switched off on ..." read "v2 switched").
  '(?:switch|turn|shut|phase|roll|opt|sign|log|power)(?:s|es|ed|ing|ped|ping)? (?:off|on|out|down|in|up)',
  // "Got it, Tomasz." read "Got Tomasz." (review 3).
  'got it',
];

const FIXED_PHRASE = new RegExp(
  `(?<![\\p{L}\\p{N}'’-])(?:${PHRASES.map((p) => p.replace(/ /g, String.raw`[ \t]+`)).join('|')})(?![\\p{L}\\p{N}'’-])`,
  'giu',
);

/**
 * For each unit, the first unit of the fixed phrase it is part of (its bond), or -1: units of one
 * phrase share it. Locked units are left out (kept whatever), and a phrase with fewer than two
 * units left bonds nothing.
 */
export function fixedPhraseBonds(text: string, units: readonly Unit[], locked: Uint8Array): Int32Array {
  const bonds = new Int32Array(units.length).fill(-1);
  let u = 0;
  for (const m of text.matchAll(FIXED_PHRASE)) {
    const end = m.index + m[0].length;
    while (u < units.length && (units[u] as Unit).end <= m.index) u++;
    const members: number[] = [];
    for (let i = u; i < units.length && (units[i] as Unit).word < end; i++) if (!locked[i]) members.push(i);
    if (members.length < 2) continue;
    for (const i of members) bonds[i] = members[0] as number;
  }
  return bonds;
}
