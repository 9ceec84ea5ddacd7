import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { PairRow, PairViewQuery } from '../../../src/contracts/view.ts';
import { bridge } from '../../bridge/index.ts';
import { fmt, pct, useAction, useApi } from '../../hooks.ts';
import { navigate } from '../../router.ts';
import { useStudio } from '../../store/index.ts';
import { GenerateDialog } from '../GenerateDialog/GenerateDialog.tsx';
import { ValidateDialog } from '../ValidateDialog/ValidateDialog.tsx';
import { EmptyPairs } from './EmptyPairs.tsx';

const PAGE = 200;
const ROW = 34;

type Filters = Omit<PairViewQuery, 'offset' | 'limit'>;

/** Filters live in the URL: a view is a link. */
export function filtersFromParams(p: URLSearchParams): Filters {
  const num = (k: string) => (p.get(k) === null || p.get(k) === '' ? undefined : Number(p.get(k)));
  const f: Filters = {};
  const domain = p.get('domain');
  if (domain === 'nl' || domain === 'chat' || domain === 'code' || domain === 'mixed') f.domain = domain;
  for (const k of ['strategy', 'model', 'search'] as const) {
    const v = p.get(k);
    if (v) f[k] = v;
  }
  const ratioMin = num('ratioMin');
  const ratioMax = num('ratioMax');
  if (ratioMin !== undefined && !Number.isNaN(ratioMin)) f.ratioMin = ratioMin;
  if (ratioMax !== undefined && !Number.isNaN(ratioMax)) f.ratioMax = ratioMax;
  const verdict = p.get('verdict');
  if (verdict) f.verdict = verdict as Filters['verdict'];
  const label = p.get('label');
  if (label) f.label = label as Filters['label'];
  if (p.get('regex') === 'true') f.regex = true;
  const sort = p.get('sort');
  if (sort) f.sort = sort as Filters['sort'];
  if (p.get('desc') === 'true') f.desc = true;
  return f;
}

function setFilter(filters: Filters, patch: Partial<Filters>) {
  navigate(
    'pairs',
    {
      ...(filters as Record<string, string | number | boolean | undefined>),
      ...(patch as Record<string, string | number | boolean | undefined>),
    },
    true,
  );
}

/** A filter menu whose first option ('') means "no filter". */
function FilterSelect(props: {
  label: string;
  value: string | undefined;
  options: [string, string][];
  onChange: (value: string | undefined) => void;
}) {
  return (
    <select
      aria-label={props.label}
      value={props.value ?? ''}
      onChange={(e) => props.onChange(e.target.value || undefined)}
    >
      {props.options.map(([value, text]) => (
        <option key={value} value={value}>
          {text}
        </option>
      ))}
    </select>
  );
}

function RatioInput({ which, filters }: { which: 'ratioMin' | 'ratioMax'; filters: Filters }) {
  return (
    <input
      className="short"
      type="number"
      step="0.05"
      min="0"
      max="2"
      placeholder={which === 'ratioMin' ? 'min' : 'max'}
      value={filters[which] ?? ''}
      onChange={(e) => setFilter(filters, { [which]: e.target.value === '' ? undefined : Number(e.target.value) })}
      aria-label={which === 'ratioMin' ? 'Minimum ratio' : 'Maximum ratio'}
    />
  );
}

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

export function Pairs({ params }: { params: URLSearchParams }) {
  const filters = useMemo(() => filtersFromParams(params), [params]);
  const version = useStudio((s) => s.version);
  const facets = useApi('pairs-facets', {});
  const act = useAction();
  const [total, setTotal] = useState<number | null>(null);
  const [ms, setMs] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const pages = useRef(new Map<number, PairRow[]>());
  const loading = useRef(new Set<number>());
  const generation = useRef(0);
  const [tick, setTick] = useState(0);
  const parent = useRef<HTMLDivElement>(null);
  const [search, setSearch] = useState(filters.search ?? '');
  const [validating, setValidating] = useState(false);
  const [validatingAll, setValidatingAll] = useState(false);
  const [generating, setGenerating] = useState(false);
  const toast = useStudio((s) => s.toast);
  // What the project has regardless of the filters: an empty view is explained by them.
  const everything = useApi('pairs-list', { limit: 1 });
  const unvalidated = useApi('pairs-list', { verdict: 'unvalidated', limit: 1 });

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

  const rows = total ?? 0;
  const virtualizer = useVirtualizer({
    count: rows,
    getScrollElement: () => parent.current,
    estimateSize: () => ROW,
    overscan: 20,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  // Also after each load (tick): a reload that cleared the pages refills the rows on screen.
  // biome-ignore lint/correctness/useExhaustiveDependencies: tick is the signal, not an input
  useEffect(() => {
    for (let p = Math.floor(first / PAGE); p <= Math.floor(last / PAGE); p++) if (!pages.current.has(p)) void load(p);
  }, [first, last, load, tick]);

  const rowAt = (i: number) => pages.current.get(Math.floor(i / PAGE))?.[i % PAGE];

  const exportAs = async (format: 'jsonl' | 'csv' | 'dpo') => {
    const out = await act(() => bridge.invoke('pairs-export', { query: filters, format }));
    if (!out) return;
    // Never a 0-byte file: say why there is nothing to export instead.
    if (!out.rows || !out.content) {
      toast(
        'error',
        format === 'dpo'
          ? `No preference pairs in this view: a pair needs a source with an approved (or edited) and a rejected compression, and none of the ${fmt(total ?? 0)} pairs here has both. Label some on the Review page.`
          : 'Nothing to export: this view has no pairs.',
      );
      return;
    }
    toast('info', `Exported ${fmt(out.rows)} ${format === 'dpo' ? 'preference pairs' : 'pairs'} to ${out.filename}`);
    const url = URL.createObjectURL(new Blob([out.content], { type: out.mime }));
    const a = document.createElement('a');
    a.href = url;
    a.download = out.filename;
    a.click();
    URL.revokeObjectURL(url);
  };

  const sortBy = (sort: NonNullable<Filters['sort']>) =>
    setFilter(filters, { sort, desc: filters.sort === sort ? !filters.desc : false });
  const arrow = (sort: string) => ((filters.sort ?? 'id') === sort ? (filters.desc ? ' ↓' : ' ↑') : '');

  return (
    <section className="page pairs-page">
      {validating && <ValidateDialog query={filters} total={total ?? 0} onClose={() => setValidating(false)} />}
      {validatingAll && (
        <ValidateDialog query={{}} total={everything.data?.total ?? 0} onClose={() => setValidatingAll(false)} />
      )}
      {generating && (
        <GenerateDialog
          onClose={() => setGenerating(false)}
          scope={{ kind: 'pairs', query: filters, total: total ?? 0 }}
        />
      )}
      <header className="page-head">
        <h1>Pairs</h1>
        <p className="muted" data-testid="pairs-count">
          {total === null ? 'Loading…' : `${fmt(total)} pairs`}
          {ms !== null && ` · query ${ms.toFixed(0)} ms`}
        </p>
      </header>
      <div className="filters card">
        <fieldset className="segmented" aria-label="Verdict">
          {(['all', 'failures', 'passes', 'judge-errors', 'models-disagree', 'unvalidated'] as const).map((v) => (
            <button
              type="button"
              key={v}
              className={(filters.verdict ?? 'all') === v ? 'on' : ''}
              onClick={() => setFilter(filters, { verdict: v === 'all' ? undefined : v })}
            >
              {v.replace('-', ' ')}
            </button>
          ))}
        </fieldset>
        <div className="row wrap">
          <form
            className="row grow"
            onSubmit={(e) => {
              e.preventDefault();
              setFilter(filters, { search: search || undefined });
            }}
          >
            <input
              className="grow"
              placeholder={filters.regex ? 'regular expression' : 'search text or title'}
              title="searches the original, the compression and the title"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              aria-label="Search pairs"
            />
            <label className="check">
              <input
                type="checkbox"
                checked={Boolean(filters.regex)}
                onChange={(e) => setFilter(filters, { regex: e.target.checked || undefined })}
              />{' '}
              regex
            </label>
            <button type="submit">Search</button>
          </form>
          <FilterSelect
            label="Domain"
            value={filters.domain}
            options={[
              ['', 'all domains'],
              ['nl', 'prose'],
              ['chat', 'chat'],
              ['code', 'code'],
              ['mixed', 'mixed'],
            ]}
            onChange={(v) => setFilter(filters, { domain: v as Filters['domain'] })}
          />
          <FilterSelect
            label="Strategy"
            value={filters.strategy}
            options={[['', 'all strategies'], ...(facets.data?.strategies ?? []).map((x): [string, string] => [x, x])]}
            onChange={(v) => setFilter(filters, { strategy: v })}
          />
          <FilterSelect
            label="Model"
            value={filters.model}
            options={[['', 'all models'], ...(facets.data?.models ?? []).map((x): [string, string] => [x, x])]}
            onChange={(v) => setFilter(filters, { model: v })}
          />
          <FilterSelect
            label="Label"
            value={filters.label === 'all' ? undefined : filters.label}
            options={[
              ['', 'any label'],
              ['unlabelled', 'unlabelled'],
              ['approve', 'approved'],
              ['reject', 'rejected'],
              ['edit', 'edited'],
              ['skip', 'skipped'],
              ['disagree', 'labelers disagree'],
            ]}
            onChange={(v) => setFilter(filters, { label: v as Filters['label'] })}
          />
          <span className="check">
            ratio
            <RatioInput which="ratioMin" filters={filters} />
            –
            <RatioInput which="ratioMax" filters={filters} />
          </span>
        </div>
        <div className="row">
          <span className="muted grow">Export this view:</span>
          <button type="button" onClick={() => void exportAs('jsonl')}>
            JSONL
          </button>
          <button type="button" onClick={() => void exportAs('csv')}>
            CSV
          </button>
          <button
            type="button"
            onClick={() => void exportAs('dpo')}
            title="chosen/rejected preference pairs from labels"
          >
            Preference pairs
          </button>
          <button
            type="button"
            title="answer the probes with the original and the compression on each validator model (configs/providers.yaml)"
            onClick={() => setValidating(true)}
          >
            Validate this view…
          </button>
          <button type="button" disabled={!total} onClick={() => setGenerating(true)}>
            Generate for this view…
          </button>
          <button type="button" onClick={() => navigate('review', { ...(filters as Record<string, string>) })}>
            Review this view →
          </button>
        </div>
      </div>
      {error && <p className="bad">{error}</p>}
      {total === 0 ? (
        <EmptyPairs
          filters={filters}
          all={everything.data?.total ?? null}
          unvalidated={unvalidated.data?.total ?? null}
          onValidateAll={() => setValidatingAll(true)}
        />
      ) : (
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
      )}
    </section>
  );
}
