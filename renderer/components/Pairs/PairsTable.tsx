import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import type { PairRow } from '../../../src/contracts/view.ts';
import { fmt, pct } from '../../hooks.ts';
import { navigate } from '../../router.ts';
import { type Filters, setFilter } from './filters.ts';

const ROW = 34;

function decisionBadges(r: PairRow) {
  return r.decisions.map((d, i) => (
    // biome-ignore lint/suspicious/noArrayIndexKey: one badge per labeler, order is stable
    <span key={i} className={`badge l-${d}`}>
      {d}
    </span>
  ));
}

function verdictCell(r: PairRow) {
  const judged = r.equivalent + r.different;
  if (!judged && !r.judgeErrors) return <span className="muted">not validated</span>;
  return (
    <span
      className={r.different ? 'bad' : 'good'}
      title={`${r.equivalent} equivalent, ${r.different} different, ${r.judgeErrors} judge errors`}
    >
      {pct(judged ? r.equivalent / judged : null)}
      {r.judgeErrors ? ` · ${r.judgeErrors} err` : ''}
    </span>
  );
}

/**
 * The view's pairs as a virtual table: only the rows on screen are drawn, and `onRange` asks for the
 * pages they fall in (again after each load, `tick`: a reload that cleared the pages refills them).
 */
export function PairsTable({
  filters,
  total,
  rowAt,
  onRange,
  tick,
}: {
  filters: Filters;
  total: number;
  rowAt: (i: number) => PairRow | undefined;
  onRange: (first: number, last: number) => void;
  tick: number;
}) {
  const parent = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => parent.current,
    estimateSize: () => ROW,
    overscan: 20,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  // biome-ignore lint/correctness/useExhaustiveDependencies: tick is the signal, not an input
  useEffect(() => onRange(first, last), [first, last, onRange, tick]);
  const sortBy = (sort: NonNullable<Filters['sort']>) =>
    setFilter(filters, { sort, desc: filters.sort === sort ? !filters.desc : false });
  const arrow = (sort: string) => ((filters.sort ?? 'id') === sort ? (filters.desc ? ' ↓' : ' ↑') : '');
  return (
    <section className="vtable" aria-label="Pairs">
      <div className="vrow vhead">
        <button type="button" className="c-id" onClick={() => sortBy('id')}>
          id{arrow('id')}
        </button>
        <span className="c-title">source</span>
        <span className="c-domain">domain</span>
        <span className="c-strategy">strategy</span>
        <button type="button" className="c-tokens" onClick={() => sortBy('tokens')}>
          tokens{arrow('tokens')}
        </button>
        <button type="button" className="c-ratio" onClick={() => sortBy('ratio')}>
          ratio{arrow('ratio')}
        </button>
        <span className="c-verdict">equivalence</span>
        <span className="c-labels">labels</span>
        <span className="c-preview">compressed</span>
      </div>
      <div ref={parent} className="vbody" data-testid="pairs-scroll">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const r = rowAt(item.index);
            return (
              <button
                type="button"
                key={item.key}
                className="vrow clickable"
                data-index={item.index}
                // A row drawn before its page has come holds no pair: a click on it opened nothing.
                disabled={!r}
                aria-busy={!r}
                style={{
                  position: 'absolute',
                  top: 0,
                  left: 0,
                  right: 0,
                  height: ROW,
                  transform: `translateY(${item.start}px)`,
                }}
                // The view's filters go along: they stay the review queue (issue 13, finding 3).
                onClick={() =>
                  r &&
                  navigate('review', {
                    ...(filters as Record<string, string | number | boolean | undefined>),
                    pair: r.id,
                  })
                }
              >
                {r ? (
                  <>
                    <span className="c-id">{r.id}</span>
                    <span className="c-title" title={r.title ?? ''}>
                      {r.title ?? `source ${r.sourceId}`}
                    </span>
                    <span className="c-domain">
                      <span className={`tag d-${r.domain}`}>{r.domain}</span>
                    </span>
                    <span className="c-strategy">
                      {r.strategy}
                      {r.model ? ` · ${r.model}` : ''}
                    </span>
                    <span className="c-tokens">
                      {fmt(r.tokensOriginal)} → {fmt(r.tokensCompressed)}
                    </span>
                    <span className="c-ratio">{r.ratio === null ? '–' : r.ratio.toFixed(2)}</span>
                    <span className="c-verdict">{verdictCell(r)}</span>
                    <span className="c-labels">{decisionBadges(r)}</span>
                    <span className="c-preview">{r.preview}</span>
                  </>
                ) : (
                  <span className="muted">…</span>
                )}
              </button>
            );
          })}
        </div>
      </div>
    </section>
  );
}
