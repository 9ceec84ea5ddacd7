import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiArgs, ApiName, ApiResult } from '../src/contracts/api/index.ts';
import { bridge } from './bridge/index.ts';
import { useStudio } from './store/index.ts';

export interface Query<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  reload(): void;
}

/**
 * Calls one API function and keeps its result; calls again when the arguments change or the
 * store changes (a job finished, the CLI wrote). Stale answers never overwrite newer ones.
 */
export function useApi<N extends ApiName>(name: N, args: ApiArgs<N> | null): Query<ApiResult<N>> {
  const version = useStudio((s) => s.version);
  const [state, setState] = useState<{ data?: ApiResult<N>; error?: string; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const key = JSON.stringify(args);
  const seq = useRef(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: key stands for args
  useEffect(() => {
    if (args === null) return;
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    bridge.invoke(name, args).then(
      (data) => {
        if (mine === seq.current) setState({ data, loading: false });
      },
      (error: Error) => {
        if (mine === seq.current) setState((s) => ({ ...s, error: error.message, loading: false }));
      },
    );
  }, [name, key, version, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/** Runs an action and reports its failure as a toast instead of an unhandled rejection. */
export function useAction() {
  const toast = useStudio((s) => s.toast);
  return useCallback(
    async <T>(fn: () => Promise<T>, ok?: string): Promise<T | undefined> => {
      try {
        const r = await fn();
        if (ok) toast('info', ok);
        return r;
      } catch (error) {
        toast('error', error instanceof Error ? error.message : String(error));
        return undefined;
      }
    },
    [toast],
  );
}

export function fmt(n: number | null | undefined): string {
  return n === null || n === undefined ? '–' : n.toLocaleString('en-US');
}

export function pct(x: number | null | undefined, digits = 0): string {
  return x === null || x === undefined || Number.isNaN(x) ? '–' : `${(x * 100).toFixed(digits)} %`;
}
