/** Runs `work` over items with at most `n` at once; stops starting new ones when `stop()` says so. */
export async function pool<T>(
  items: readonly T[],
  n: number,
  stop: () => boolean,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(n, items.length)) }, async () => {
    while (next < items.length && !stop()) {
      const item = items[next++] as T;
      await work(item);
    }
  });
  await Promise.all(lanes);
}
