import { quantity } from './cell-quantity.ts';

/**
 * The column a question about money going out or coming in compares, when it names none: "Which
 * payments were over 100?" of a bank statement asks for the size of the amounts paid, which its
 * Amount column writes as negative numbers beside the positive ones paid in, or which a "Paid out"
 * / "Debit" column holds, empty on the rows paid in (session 40 B1: no column was named "payments",
 * so no row was compared, and Council Tax -142.00 came back with a 23.99 refund, not the rent of
 * -1,150.00). So does a question of what costs more or less: "Which drinks cost less than 3?" of a
 * price list compares its Price column (session 41: no column was named "cost", and the paragraph
 * under the table was kept, no row).
 */

/** Words asking about money going out, and coming in. */
const OUTGOING =
  /\b(?:payments?|paid(?!\s+in)|pay|spen[dt]|spending|expenses?|expenditures?|debits?|charges?|withdrawals?|withdrew|outgoings?|purchases?|bought)\b/i;
const INCOMING = /\b(?:deposits?|deposited|income|incomings?|received|credits?|credited|refunds?|earned|paid\s+in)\b/i;
/** Columns holding only money going out, or only money coming in. */
const OUT_COLUMN = /^(?:debits?|withdrawals?|paid\s+out|money\s+out|out|spent|expenses?|payments?)$/i;
const IN_COLUMN = /^(?:credits?|deposits?|paid\s+in|money\s+in|in|received|income)$/i;
/** A column of amounts either way, signed: money out below zero. */
const SIGNED_COLUMN = /\b(?:amount|value|sum|net|transaction)s?\b/i;

/** Words asking what a row costs, and the columns saying it. */
const COSTS = /\b(?:costs?|costing|priced?|prices|cheaper|dearer|pricier)\b/i;
const PRICE_COLUMN = /\b(?:price|cost|amount|total|fee|rate|charge)s?\b/i;
/** A sum of money the question names: "under £3". */
const PRICE_SAID = /[$€£¥]\s?\d/;

/** A column read for a comparison: its index and each row's value (undefined: not compared). */
export type FlowSide = { c: number; values: (number | undefined)[] };

/**
 * The side a question about money going out or in compares: a column holding that way only (its
 * empty cells the rows going the other way), else a signed column of amounts read as sizes, the
 * negative rows for money out and the positive for money in. Empty when the question says neither
 * way, or both, and it asks for no price either: else the columns of prices.
 */
export function flowSides(
  header: readonly string[],
  cellRows: readonly (readonly string[])[],
  query: string,
): FlowSide[] {
  const column = (name: RegExp) =>
    header.flatMap((h, c) => {
      if (c === 0 || !name.test(h.replace(/_/g, ' ').trim())) return [];
      const values = cellRows.map((r) => quantity(r[c] ?? ''));
      const written = cellRows.filter((r) => (r[c] ?? '').trim()).length;
      return written && values.filter((v) => v !== undefined).length * 10 >= written * 9 ? [{ c, values }] : [];
    });
  // Neither way, or both: a question of what costs more or less (or naming a sum of money) compares
  // the columns of prices ("Which drinks are under £3?" of a café's Price column).
  const out = OUTGOING.test(query);
  if (out === INCOMING.test(query)) return COSTS.test(query) || PRICE_SAID.test(query) ? column(PRICE_COLUMN) : [];
  const oneWay = column(out ? OUT_COLUMN : IN_COLUMN);
  if (oneWay.length)
    return oneWay.map(({ c, values }) => ({ c, values: values.map((v) => (v === undefined ? v : Math.abs(v))) }));
  return column(SIGNED_COLUMN).map(({ c, values }) => {
    const signed = values.some((v) => v !== undefined && v < 0) && values.some((v) => v !== undefined && v > 0);
    if (!signed) return { c, values };
    return { c, values: values.map((v) => (v === undefined || (out ? v >= 0 : v <= 0) ? undefined : Math.abs(v))) };
  });
}
