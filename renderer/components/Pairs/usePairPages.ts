import { useCallback, useEffect, useRef, useState } from 'react';
import type { PairRow } from '../../../src/contracts/view.ts';
import { bridge } from '../../bridge/index.ts';
import type { Filters } from './filters.ts';

const PAGE = 200;

/**
 * The view's rows, a page of 200 at a time as the table scrolls to them. A change of filters or of
 * the store starts over; an answer for filters no longer on screen is dropped.
 *
 * A search's total may be a lower bound (`exact` false): the largest bound seen is kept, so the
 * table grows as it is scrolled toward it, until a page near the end or `countAll` gives the count.
 */
export function usePairPages(filters: Filters, version: number) {
  const [total, setTotal] = useState<number | null>(null);
  const [exact, setExact] = useState(true);
  const [counting, setCounting] = useState(false);
  /** The exact count of the current filters, once known: a later lower bound must not replace it. */
  const known = useRef<number | null>(null);
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
        if (res.totalExact) known.current = res.total;
        if (known.current !== null) setTotal(known.current);
        else setTotal((t) => (reset || t === null ? res.total : Math.max(t, res.total)));
        setExact(known.current !== null);
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
    known.current = null;
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

  /** Counts every match of the view (the "count all" action); resolves to the count, or null if stale. */
  const countAll = useCallback(async (): Promise<number | null> => {
    if (known.current !== null) return known.current;
    const mine = generation.current;
    setCounting(true);
    try {
      const res = await bridge.invoke('pairs-list', { ...filters, offset: 0, limit: 1, exactTotal: true });
      if (mine !== generation.current) return null;
      known.current = res.total;
      setTotal(res.total);
      setExact(true);
      setMs(res.ms);
      return res.total;
    } catch (e) {
      setError((e as Error).message);
      return null;
    } finally {
      setCounting(false);
    }
  }, [filters]);
  return { total, exact, counting, countAll, ms, error, tick, ensure, rowAt };
}
