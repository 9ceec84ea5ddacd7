import { terms } from './bm25.ts';

/**
 * Per row, the question's terms found in its cells, each weighed by how rare it is among the rows
 * (ln of rows / rows holding it, at least ln 2: a term more than half the rows hold tells none apart;
 * with two rows, a city one of them has still tells), and how many of them are a cell alone (a city,
 * a name), which orders rows holding the same terms ("in Lisbon": the city column's Lisbon before a
 * note mentioning it). Rarity first: a name the question gives picks its one or two rows before a
 * word that is a category of many (review 4, F-11: "the vet bill at Vets4Pets" kept the six rows of
 * category "Bills", the Vets4Pets row not; so would "Status: Open" in a CRM export or "Type" in an
 * inventory).
 */
export function valueMatches(
  header: readonly string[],
  cellRows: readonly (readonly string[])[],
  query: string,
  negated: readonly string[],
): { weight: Float64Array; whole: Float64Array } {
  const rows = cellRows.map((cells) => cells.map((c) => terms(c)));
  const holding = (t: string) => rows.filter((cells) => cells.some((c) => c.includes(t))).length;
  // A word naming a column says which field, not which value: "Which orders are still pending?" of
  // an export with an `order_id` column asks for the status "pending", and the notes saying "address
  // changed after order" are no answer (review: rarer than "pending", "order" put six such rows
  // first; at 0.1 one of the nine pending orders was kept).
  const columns = new Set(header.flatMap((c) => terms(c)));
  const wanted = [...new Set(terms(query))]
    .filter((t) => !negated.includes(t) && !columns.has(t))
    .map((t) => ({ t, n: holding(t) }))
    .filter(({ n }) => n > 0 && n * 2 <= rows.length);
  const weight = new Float64Array(rows.length);
  const whole = new Float64Array(rows.length);
  rows.forEach((cells, k) => {
    for (const { t, n } of wanted) {
      if (!cells.some((c) => c.includes(t))) continue;
      weight[k] = (weight[k] as number) + Math.log(rows.length / n);
      if (cells.some((c) => c.length === 1 && c[0] === t)) whole[k] = (whole[k] as number) + 1;
    }
  });
  return { weight, whole };
}
