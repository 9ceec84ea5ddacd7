import type { PairViewQuery } from '../../../src/contracts/view.ts';
import { fmt } from '../../hooks.ts';
import { navigate } from '../../router.ts';
import { EmptyState } from '../EmptyState/EmptyState.tsx';

type Filters = Omit<PairViewQuery, 'offset' | 'limit'>;

const NEEDS_VERDICTS = new Set(['failures', 'passes', 'judge-errors', 'models-disagree']);

/** The filters that narrow a view, in words ("verdict failures, domain chat"). */
function activeFilters(f: Filters): string[] {
  const out: string[] = [];
  if (f.verdict && f.verdict !== 'all') out.push(`verdict “${f.verdict.replace('-', ' ')}”`);
  if (f.label && f.label !== 'all') out.push(`label “${f.label}”`);
  if (f.domain) out.push(`domain ${f.domain}`);
  if (f.strategy) out.push(`strategy ${f.strategy}`);
  if (f.model) out.push(`model ${f.model}`);
  if (f.search) out.push(`search “${f.search}”`);
  if (f.ratioMin !== undefined || f.ratioMax !== undefined) out.push('a ratio range');
  return out;
}

/**
 * Why a Pairs view is empty, from what the project has: no pairs at all (make some), nothing
 * validated yet for a verdict view (validate), or filters that match nothing (clear them).
 */
export function EmptyPairs({
  filters,
  all,
  unvalidated,
  onValidateAll,
}: {
  filters: Filters;
  all: number | null;
  unvalidated: number | null;
  onValidateAll: () => void;
}) {
  if (all === null) return <EmptyState title="No pairs here">Counting the project's pairs…</EmptyState>;
  if (all === 0)
    return (
      <EmptyState title="No pairs yet">
        <p>
          Pairs are a source plus one compression. Make rule-based ones for every source on the Runs page, or from a
          terminal:
        </p>
        <pre>npx studio compress --all</pre>
      </EmptyState>
    );
  const validated = unvalidated === null ? null : all - unvalidated;
  const verdict = filters.verdict ?? 'all';
  if (NEEDS_VERDICTS.has(verdict) && validated === 0)
    return (
      <EmptyState title={`No ${verdict.replace('-', ' ')}: nothing has been validated yet`}>
        <p>
          The project has {fmt(all)} pairs, but none has verdicts: “{verdict.replace('-', ' ')}” lists pairs after
          validation has answered their probes with the original and the compression.
        </p>
        <div className="row">
          <button type="button" className="approve" onClick={onValidateAll}>
            Validate all {fmt(all)} pairs…
          </button>
          <button type="button" onClick={() => navigate('pairs', {}, true)}>
            Show all pairs
          </button>
        </div>
      </EmptyState>
    );
  const words = activeFilters(filters);
  return (
    <EmptyState title="No pair matches this view">
      <p>
        The project has {fmt(all)} pairs{validated !== null ? ` (${fmt(validated)} validated)` : ''}; none matches{' '}
        {words.length ? words.join(', ') : 'these filters'}.
      </p>
      <button type="button" onClick={() => navigate('pairs', {}, true)}>
        Clear the filters
      </button>
    </EmptyState>
  );
}
