/** A table cell read as a quantity, for comparing rows by a column (column-comparisons.ts, money-flow.ts). */

/** A cell that opens with an ISO date: a quantity by its time, and a column read as dates. */
export const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;

/** A cell read as a quantity: a number (currency marks, thousands separators, a sign) or an ISO date. */
export function quantity(cell: string): number | undefined {
  const c = cell.trim();
  if (ISO_DATE.test(c)) {
    const t = Date.parse(c.slice(0, 10));
    return Number.isNaN(t) ? undefined : t;
  }
  const m = /^([-+(]?)\s*[$€£¥]?\s*(\d[\d,]*(?:\.\d+)?)\s*%?\)?$/.exec(c);
  if (!m) return undefined;
  const v = Number((m[2] as string).replace(/,/g, ''));
  return m[1] === '-' || m[1] === '(' ? -v : v;
}
