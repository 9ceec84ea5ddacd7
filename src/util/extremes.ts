/**
 * The largest and smallest of many numbers. `Math.max(...values)` passes every value as an argument,
 * and past about 120,000 of them (a memory's units, a query's cosines) Node throws "Maximum call
 * stack size exceeded". -Infinity / Infinity for none, as Math.max() / Math.min().
 */
export function maxOf(values: ArrayLike<number>): number {
  let out = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) if ((values[i] as number) > out) out = values[i] as number;
  return out;
}

export function minOf(values: ArrayLike<number>): number {
  let out = Number.POSITIVE_INFINITY;
  for (let i = 0; i < values.length; i++) if ((values[i] as number) < out) out = values[i] as number;
  return out;
}
