import { foldLatin, terms } from './bm25.ts';
import { comparedNumbers, comparedRows } from './column-comparisons.ts';
import { namedColumns } from './named-columns.ts';
import { MONTHS } from './query-cues.ts';

/**
 * Each month's name and short name as terms (`novemb`, `nov`), January first. May is a stop word
 * to `terms` (the verb), so its month has a term of its own, which only a question naming the month
 * gives (mayNamed).
 */
const MAY = 'may';
const MONTH_TERMS = MONTHS.map((m) => [...new Set([...terms(m), ...terms(m.slice(0, 3))])]);
(MONTH_TERMS[4] as string[]).push(MAY);

/**
 * A question naming the month May, not the verb: "in May", "since may", "May 2026", "May 3", or
 * "May" capitalised anywhere but the question's first word ("May I ...?" asks leave) when no cell
 * names someone May: then "What did May order?" asks for her rows, not May's (re-read of session 35:
 * an orders export with a customer May Chen kept rows dated in May, none of hers).
 */
const MAY_NAMED =
  /\b(?:in|of|during|since|until|till|by|from|through|before|after|early|late|mid|last|next|this)[\s-]+may\b|\bmay\s+(?:\d{1,4}\b|\d{1,2}(?:st|nd|rd|th)\b)/i;
const mayNamed = (query: string, cellRows: readonly (readonly string[])[]): boolean =>
  MAY_NAMED.test(query) ||
  (/(?<=\S[^.?!]*\s)May\b/.test(query.trimStart()) && !cellRows.some((r) => r.some((c) => /\bMay\b/.test(c))));

/** An ISO date in a cell (`2026-11-03`, `2026-11-03T09:14`): its month. */
const ISO_DATE = /(?<!\d)\d{4}-(0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?!\d)/g;

/**
 * A row's cells as terms, and the names of the months its ISO dates fall in as one cell more: a
 * question's "in November" names the rows dated 2026-11-..., not the one row whose text says
 * "November" (review, session 34: "How much did I spend on groceries in November?" of a month's
 * bank export put "Rent November" first, November being rarer in words than "Groceries"; every row
 * is November's, so the month now tells none apart).
 */
function rowTerms(cells: readonly string[]): string[][] {
  const out = cells.map((c) => terms(c));
  const months = new Set<number>();
  for (const c of cells) for (const m of c.matchAll(ISO_DATE)) months.add(Number(m[1]) - 1);
  if (months.size) out.push([...months].flatMap((m) => MONTH_TERMS[m] ?? []));
  return out;
}

/**
 * Per row, the question's terms found in its cells, each weighed by how rare it is among the rows
 * (ln of rows / rows holding it, at least ln 2: a term more than half the rows hold tells none apart;
 * with two rows, a city one of them has still tells), and how many of them are a cell alone (a city,
 * a name), which orders rows holding the same terms ("in Lisbon": the city column's Lisbon before a
 * note mentioning it). Rarity first: a name the question gives picks its one or two rows before a
 * word that is a category of many (review 4, F-11: "the vet bill at Vets4Pets" kept the six rows of
 * category "Bills", the Vets4Pets row not; so would "Status: Open" in a CRM export or "Type" in an
 * inventory). With the values found (each a term, or a cell's terms: namedPhrases), which a
 * line outside the table may name too (named-rows.ts).
 */
export function valueMatches(
  header: readonly string[],
  cellRows: readonly (readonly string[])[],
  query: string,
  negated: readonly string[],
): { weight: Float64Array; whole: Float64Array; values: string[][] } {
  const rows = cellRows.map(rowTerms);
  // A value under a column the question names is read in that column only: "Who is on nights on
  // Sunday?" of a rota with a column per day asks for the Sun column's "Night", which most rows hold
  // on some day (session 38: as a word of the whole row it named none, and no row was kept).
  const under = namedColumns(header, query);
  const inNamed = (t: string) => rows.some((cells) => under.some((c) => cells[c]?.includes(t)));
  const holds = (cells: readonly string[][], t: string, narrow: boolean) =>
    narrow ? under.some((c) => cells[c]?.includes(t)) : cells.some((c) => c.includes(t));
  const holding = (t: string, narrow: boolean) => rows.filter((cells) => holds(cells, t, narrow)).length;
  // A word naming a column says which field, not which value: "Which orders are still pending?" of
  // an export with an `order_id` column asks for the status "pending", and the notes saying "address
  // changed after order" are no answer (review: rarer than "pending", "order" put six such rows
  // first; at 0.1 one of the nine pending orders was kept).
  const columns = new Set(header.flatMap((c) => terms(c)));
  const bounds = new Set(comparedNumbers(query).flatMap((n) => terms(n)));
  // A value that is a whole cell wherever it is (a status "Open", a shift "Night") names its rows
  // however many hold it, all but every one: "Which actions are still open?" of an action-item
  // table asks for the four Open rows of six (session 39: "open" was in more than half the rows, so
  // it named none, and one of the four was kept). A word of longer cells more than half the rows
  // hold still tells none apart ("Saturday" of "Saturday morning", "Saturday evening").
  const aCellEverywhere = (t: string) =>
    rows.every((cells) => cells.every((c) => !c.includes(t) || (c.length === 1 && c[0] === t)));
  const wanted = [...new Set([...terms(query), ...(mayNamed(query, cellRows) ? [MAY] : [])])]
    .filter((t) => !negated.includes(t) && !columns.has(t) && !bounds.has(t))
    .map((t) => ({ t, narrow: inNamed(t) }))
    .map(({ t, narrow }) => ({ t, narrow, n: holding(t, narrow) }))
    .filter(({ t, n }) => n > 0 && (n * 2 <= rows.length || (n < rows.length && aCellEverywhere(t))));
  const weight = new Float64Array(rows.length);
  const whole = new Float64Array(rows.length);
  rows.forEach((cells, k) => {
    for (const { t, n, narrow } of wanted) {
      if (!holds(cells, t, narrow)) continue;
      weight[k] = (weight[k] as number) + Math.log(rows.length / n);
      if (cells.some((c) => c.length === 1 && c[0] === t)) whole[k] = (whole[k] as number) + 1;
    }
  });
  // The rows meeting a comparison the question states ("below their reorder level", "out of
  // stock") are named as one value is, by its rarity: no word of theirs says so.
  const compared = comparedRows(header, cellRows, query);
  if (compared.size < rows.length)
    for (const k of compared) {
      weight[k] = (weight[k] as number) + Math.max(Math.LN2, Math.log(rows.length / compared.size));
      whole[k] = (whole[k] as number) + 1;
    }
  const phrases = namedPhrases(cellRows, query, negated);
  for (const { rows: holding } of phrases)
    for (const k of holding) {
      weight[k] = (weight[k] as number) + Math.log(rows.length / holding.length);
      whole[k] = (whole[k] as number) + 1;
    }
  return { weight, whole, values: [...wanted.map(({ t }) => [t]), ...phrases.map((p) => p.terms)] };
}

/** A cell's words, lower-cased and unaccented, one space apart: "Room B" -> "room b". */
const wordsOf = (text: string): string =>
  foldLatin(text.toLowerCase())
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

/**
 * The cells of two words or more that the question says as written ("Room B", "Saturday morning",
 * "New York"), with the rows holding each: a value of its own, not its words. Each word alone may
 * name nothing: "room" names the Room column, "b" is one letter, and "Saturday" and "morning" are each
 * in more than half of a weekend schedule's rows, so "Who coaches on Saturday morning?" named no row
 * (session 38). A value every row holds tells none apart.
 */
function namedPhrases(
  cellRows: readonly (readonly string[])[],
  query: string,
  negated: readonly string[],
): { terms: string[]; rows: number[] }[] {
  const said = ` ${wordsOf(query)} `;
  const rowsOf = new Map<string, Set<number>>();
  cellRows.forEach((cells, k) => {
    for (const c of cells) {
      const phrase = wordsOf(c);
      if (!phrase.includes(' ') || !said.includes(` ${phrase} `)) continue;
      rowsOf.set(phrase, (rowsOf.get(phrase) ?? new Set()).add(k));
    }
  });
  return [...rowsOf]
    .map(([phrase, rows]) => ({ terms: terms(phrase), rows: [...rows] }))
    .filter((p) => p.rows.length < cellRows.length && p.terms.length && !p.terms.some((t) => negated.includes(t)));
}
