import { useCallback, useEffect, useRef, useState } from 'react';
import type { PairRow } from '../../../src/contracts/view.ts';
import { bridge } from '../../bridge/index.ts';
import type { Filters } from './filters.ts';

const PAGE = 200;

/**
 * The view's rows, a page of 200 at a time as the table scrolls to them. A change of filters or of
 * the store starts over; an answer for filters no longer on screen is dropped.
 */
export function usePairPages(filters: Filters, version: number) {
  const [total, setTotal] = useState<number | null>(null);
  const [ms, setMs] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const pages = useRef(new Map<number, PairRow[]>());
  const loading = useRef(new Set<number>());
  const generation = useRef(0);
  const [tick, setTick] = useState(0);

  const load = useCallback(
    async (page: number, reset = false) => {
      if (loading.current.has(page)) return;
      loading.current.add(page);
      const mine = generation.current;
      try {
        const res = await bridge.invoke('pairs-list', { ...filters, offset: page * PAGE, limit: PAGE });
        // An answer for filters that are no longer on screen must not overwrite the current view.
        if (mine !== generation.current) return;
        if (reset) pages.current.clear();
        pages.current.set(page, res.rows);
        setTotal(res.total);
        setMs(res.ms);
        setError(null);
        setTick((t) => t + 1);
      } catch (e) {
        setError((e as Error).message);
      } finally {
        if (mine === generation.current) loading.current.delete(page);
      }
    },
    [filters],
  );

  // biome-ignore lint/correctness/useExhaustiveDependencies: refetch on filter or store change
  useEffect(() => {
    generation.current++;
    loading.current.clear();
    void load(0, true);
  }, [load, version]);

  /** Rows first..last are on screen: load the pages they fall in that are not here yet. */
  const ensure = useCallback(
    (first: number, last: number) => {
      for (let p = Math.floor(first / PAGE); p <= Math.floor(last / PAGE); p++) if (!pages.current.has(p)) void load(p);
    },
    [load],
  );
  const rowAt = useCallback((i: number) => pages.current.get(Math.floor(i / PAGE))?.[i % PAGE], []);
  return { total, ms, error, tick, ensure, rowAt };
}
