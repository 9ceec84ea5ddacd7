/**
 * Word and turn selection by budget: given units in the order they should be kept and each unit's
 * cost, `take(budget)` is the length of the longest prefix of that order whose summed cost fits
 * the budget (prefix sums once, then a binary search per budget, so a caller correcting its budget
 * against the real token count pays O(log n) per try). The pruner and the token classifier share it.
 */
export function prefixTaker(order: readonly number[], cost: ArrayLike<number>): (budget: number) => number {
  const prefix = new Float64Array(order.length + 1);
  order.forEach((i, k) => {
    prefix[k + 1] = (prefix[k] as number) + (cost[i] as number);
  });
  return (budget: number) => {
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((prefix[mid] as number) <= budget) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
}
