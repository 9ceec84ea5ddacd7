import type { ProtectedSpan } from '../../protect.ts';

/**
 * A number with what it measures or counts: "400 g", "1 h 55", "8 400 €", "3 tbsp tamari". The
 * number alone is locked elsewhere (protect.ts); thinned around it, "2 tins chickpeas (400 g each)"
 * read "2 tins 400" and "moins de 1 h 55" "moins de 1 55" (review).
 */

/**
 * A number in digits: a space-grouped one ("8 400", "215 000", "1 236,50": French, Spanish and
 * Scandinavian thousands) counts as one, so its unit is found after its last group. A comma or a
 * point after it ends a clause, not the number ("depuis 2020, mais" is no 2020 "mais"). Its groups
 * are bounded (a trillion's): unbounded, each number of a long line of numbers without a unit (an
 * embedding, a data row) matched on to the line's end and backed off, quadratic (16,000 took 25 s).
 */
const NUMBER = String.raw`(?:\d{1,3}(?:[ \u00a0\u202f]\d{3}){1,4}(?![\d])(?:[.,]\d+)?|\d+(?:[.,:]\d+){0,4})`;

/**
 * What may follow a number as its unit: a plural noun (not a function word ending in "s") or a
 * unit of measure, money or time, written out or abbreviated, and an hour with its minutes ("1 h
 * 15 min", "1h55").
 */
export const UNIT = [
  '(?!(?:is|was|has|does|this|his|its|as|us|yes|thus|less|unless|across|plus|always|perhaps|towards|besides|sometimes|yours|ours|hers|theirs|whereas)(?![\\p{L}]))[\\p{Ll}]+s',
  '%',
  '(?:euro|dollar|pound|cent|pence|penny|percent|hour|minute|second|day|week|month|year|mile|meter|metre|kilometre|kilometer|kilo|gram|litre|liter|foot|inch|degree|point|page|person|people|km|kg|mg|lb|mi|cm|mm|ml|ms|min|hr|mph|kph|gb|mb|tb|kb|kW|MW|Wh|kWh|mV|mA|mAh|Hz|kHz|MHz|GHz|dB|px|rpm|fps|Mbps|Gbps|GB|MB|TB|KB)(?![\\p{L}])',
  '(?:W|V)(?![\\p{L}])',
  // Kitchen and everyday measures, and currencies written after the amount ("8 400 €", "120 EUR").
  '(?:g|l|L|cl|dl|mL|oz|tbsp|tbs|tsp|cup|pinch|m|sec|EUR|USD|GBP|CHF)(?![\\p{L}])',
  '°[CF]?',
  '[€$£¥₹]',
  'h(?:[ \\t]*\\d{1,2}(?![\\d])(?:[ \\t]*min)?)?(?![\\p{L}])',
  // Seconds as an API's or a runbook's docs write them ("capped at 30 s": review 3, read "30").
  "s(?![\\p{L}\\p{N}'’])",
].join('|');

/** A number in digits with its unit: "25 euros", "50,000 rows", "340 ms", "3 million", "8 400 €". */
const MEASURE = new RegExp(
  // Within a line: "Chapter 3\nA new day" is no 3 A (review).
  `(?<![\\p{L}\\p{N}])${NUMBER}(?:[ \\t]+(?:million|billion|thousand|hundred))?[ \\t]*(?:${UNIT})(?![\\p{L}\\p{N}])`,
  'gu',
);

/**
 * A number's scale after it: "GBP 48.2 million" thinned read "GBP 48.2", a millionth of it (session
 * 36, board minutes at keep 0.5: "Revenue GBP 48.2 7% Operating fell GBP 3.1 GBP 3.9").
 */
const SCALE = String.raw`(?:million|billion|trillion|thousand|hundred|bn|mn|m|k)(?![\p{L}\p{N}])`;

/** A currency written before its amount (and after a bound: lexicon.ts). */
export const CURRENCY = '(?:EUR|USD|GBP|CHF|DKK|SEK|NOK|PLN|CZK|HUF|JPY|CNY|INR|CAD|AUD|NZD|ZAR|[€$£¥₹])';

/**
 * An amount with its currency before it ("GBP 35,000": review 3, read "35,000" in a file with CHF,
 * DKK, GBP and EUR), and what a number or a measure is per, or how often ("100 requests per second",
 * "20 per second", "DKK 1,150/seat/year", "210 mg once daily": review 3, read "100 requests", "20",
 * "210 mg"): without it the number says another quantity.
 */
const RATE = new RegExp(
  `(?<![\\p{L}\\p{N}])(?:${CURRENCY}[ \\t]?)?${NUMBER}(?:[ \\t]+${SCALE})?(?:[ \\t]*(?:${UNIT})(?![\\p{L}\\p{N}]))?(?:[ \\t]+(?:per[ \\t]+[\\p{L}-]+|(?:a|an|each)[ \\t]+(?:second|minute|hour|day|night|week|month|year|person|passenger|seat|user|account|customer|claim|device|item|trip|request|call|page|head|unit)s?(?![\\p{L}])))*(?:[ \\t]+(?:once|twice|(?:three|four|\\d+)[ \\t]+times)[ \\t]+(?:daily|weekly|monthly|yearly|nightly|hourly|a[ \\t]+day|a[ \\t]+week|per[ \\t]+day))?`,
  'gu',
);

/** A bracket on one line, short enough to hold a measure and its qualifier. */
const QUALIFIED_MEASURE = /\([^()\n]{1,40}\)/gu;
/** How many words a bracket holding a measure may have and be kept whole ("(160 °C fan)", "(400 g each)"). */
const BRACKET_WORDS = 4;

/** Whether a bracket holds a measure and a word or two besides it ("(fan 160 °C)", not "(8 400 €)"). */
function qualifiesMeasure(bracket: string): boolean {
  const measure = new RegExp(MEASURE.source, 'u').exec(bracket);
  if (!measure || (bracket.match(/\S+/g) ?? []).length > BRACKET_WORDS) return false;
  const rest = bracket.slice(1, measure.index) + bracket.slice(measure.index + measure[0].length, -1);
  return /\p{L}/u.test(rest);
}

/** A list item's marker: a bullet or a number with its point. */
const ITEM = /^[ \t]*(?:[-*•+]|\d{1,3}[.)])[ \t]+/u;

/** How many words a counted noun may run to ("8 chicken thighs", "250 g dried red lentils"). */
const COUNTED_WORDS = 3;

/**
 * Where a count in a list item opens: at the item's start, after a label's colon, a comma, a
 * semicolon or a bracket, or after "and"/"or" (in the languages of NEGATIONS): "- 3 red peppers",
 * "Glaze: 3 tbsp tamari, 1 tbsp honey", "rice (400 g) and 150 g grated cheddar". A number said in
 * a sentence ("a loan of 215 000 € over 20 years") counts nothing that follows it.
 */
const COUNT_OPENS = String.raw`(?:^|(?<!\d)[,;:(][ \t]*|[ \t](?:and|or|plus|et|ou|y|o|e|und|oder|en)[ \t]+)`;
// The words after the count are looked at, not taken: the next count's opener may be among them.
const COUNT = new RegExp(
  `${COUNT_OPENS}(${NUMBER}(?:[ \\t]*(?:${UNIT})(?![\\p{L}\\p{N}]))?)(?=((?:[ \\t]+[^\\s]+){1,${COUNTED_WORDS + 1}}))`,
  'gu',
);

/**
 * Numbers with their units anywhere, and in a list item each count with the noun it counts: "3 tbsp
 * tamari", "2 tins chickpeas", "250 g dried red lentils" kept as "250 g red lentils" (`countedNoun`).
 * A list of ingredients or of things to buy thinned to its numbers says nothing ("- 3 2 1",
 * review). Not the whole noun phrase: on the review's meal plan, locked words went from 47 % of its
 * tokens to 64 % with it (60 % with the head alone, 52 % with units alone).
 */
export function quantitySpans(text: string, isGlue: (word: string) => boolean): ProtectedSpan[] {
  const out: ProtectedSpan[] = [];
  for (const m of text.matchAll(MEASURE)) out.push({ start: m.index, end: m.index + m[0].length, kind: 'number' });
  // Only a currency or a rate said with the number: a bare number is locked elsewhere (protect.ts).
  for (const m of text.matchAll(RATE))
    if (/^\D/u.test(m[0]) || /[ \t](?:per|a|an|each|once|twice|times)[ \t]/u.test(m[0]))
      out.push({ start: m.index, end: m.index + m[0].length, kind: 'number' });
  // A count in brackets, on any line, with what it counts: "(5 voix pour, 1 abstention : M. Lefèvre)"
  // read "(5 1 Lefèvre)" (review 3), which vote was which gone.
  for (const b of text.matchAll(/\(([^()\n]{1,60})\)/gu))
    for (const m of (b[1] as string).matchAll(COUNT)) {
      const amount = m[1] as string;
      const start = (b.index as number) + 1 + (m.index as number) + m[0].length - amount.length;
      const end = start + amount.length;
      const noun = countedNoun(m[2] as string, isGlue);
      if (noun)
        out.push({ start, end, kind: 'number' }, { start: end + noun.start, end: end + noun.end, kind: 'number' });
    }
  // A measure in brackets with a word or two that qualify it, kept whole: "Bake at 180 °C (160 °C
  // fan)" read "Bake 180 °C 160 °C" (review), the fan oven's setting read as a second temperature.
  for (const m of text.matchAll(QUALIFIED_MEASURE))
    if (qualifiesMeasure(m[0])) out.push({ start: m.index, end: m.index + m[0].length, kind: 'number' });
  let lineStart = 0;
  for (const line of text.split('\n')) {
    const marker = ITEM.exec(line)?.[0];
    if (marker) {
      const at = lineStart + marker.length;
      for (const m of line.slice(marker.length).matchAll(COUNT)) {
        const amount = m[1] as string;
        const start = at + m.index + m[0].length - amount.length;
        const end = start + amount.length;
        const noun = countedNoun(m[2] as string, isGlue);
        if (!noun) continue;
        out.push({ start, end, kind: 'number' }, { start: end + noun.start, end: end + noun.end, kind: 'number' });
      }
    }
    lineStart += line.length + 1;
  }
  return out;
}

/**
 * How many words of the noun are kept: the head and the word before it, which says which one ("2
 * tsp *chilli* powder", "1 tbsp *cocoa* powder"; the head alone read "2 tsp powder, 1 tbsp powder").
 */
const HEAD_WORDS = 2;

/** Joins a measure to what it measures, the noun first after it: "2 boîtes de tomates cerises". */
const HEAD_FIRST = /^(?:de|d'|du|des|di|del|da|do)$/iu;
/** Joins it too, the noun last: "2 tins of chopped tomatoes". */
const HEAD_LAST = /^(?:of|van|von)$/iu;

/**
 * The noun a count counts, as a range of `rest` (the words after the count): of the open-class
 * words that follow (up to COUNTED_WORDS, through one that ends with punctuation, "onions,", before
 * a bracket, a number or a word `isGlue` says only joins), the last HEAD_WORDS ("3 red *peppers*",
 * "250 g dried *red lentils*"), or the first after a Romance "de" ("500 g de *farine complète*").
 * Undefined when none follows.
 */
function countedNoun(rest: string, isGlue: (word: string) => boolean): { start: number; end: number } | undefined {
  const words: { start: number; end: number }[] = [];
  let headFirst = false;
  for (const m of rest.matchAll(/[ \t]+(\S+)/gu)) {
    const word = m[1] as string;
    const start = (m.index as number) + m[0].length - word.length;
    if (!words.length && !headFirst && (HEAD_FIRST.test(word) || HEAD_LAST.test(word))) {
      headFirst = HEAD_FIRST.test(word);
      continue;
    }
    if (/^[([{"'\d€$£]/u.test(word) || isGlue(word)) break;
    words.push({ start, end: start + word.replace(/[^\p{L}\p{N}'’-]+$/u, '').length });
    if (words.length >= COUNTED_WORDS || /[^\p{L}\p{N}'’-]$/u.test(word)) break;
  }
  const head = headFirst ? words.slice(0, HEAD_WORDS) : words.slice(-HEAD_WORDS);
  const first = head[0];
  const last = head.at(-1);
  return first && last ? { start: first.start, end: last.end } : undefined;
}
