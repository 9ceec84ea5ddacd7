import { useState } from 'react';
import { navigate } from '../../router.ts';
import { type Filters, setFilter } from './filters.ts';

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

/** The view's filters, all in the URL (a view is a link), and the actions on the view. */
export function PairsFilters({
  filters,
  facets,
  total,
  onExport,
  onValidate,
  onGenerate,
}: {
  filters: Filters;
  facets: { strategies: string[]; models: string[] } | undefined;
  total: number | null;
  onExport: (format: 'jsonl' | 'csv' | 'dpo') => void;
  onValidate: () => void;
  onGenerate: () => void;
}) {
  const [search, setSearch] = useState(filters.search ?? '');
  return (
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
          options={[['', 'all strategies'], ...(facets?.strategies ?? []).map((x): [string, string] => [x, x])]}
          onChange={(v) => setFilter(filters, { strategy: v })}
        />
        <FilterSelect
          label="Model"
          value={filters.model}
          options={[['', 'all models'], ...(facets?.models ?? []).map((x): [string, string] => [x, x])]}
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
      <ViewActions
        filters={filters}
        total={total}
        onExport={onExport}
        onValidate={onValidate}
        onGenerate={onGenerate}
      />
    </div>
  );
}

/** What can be done with the view: export it, validate it, generate for it, review it. */
function ViewActions({
  filters,
  total,
  onExport,
  onValidate,
  onGenerate,
}: {
  filters: Filters;
  total: number | null;
  onExport: (format: 'jsonl' | 'csv' | 'dpo') => void;
  onValidate: () => void;
  onGenerate: () => void;
}) {
  return (
    <div className="row">
      <span className="muted grow">Export this view:</span>
      <button type="button" onClick={() => onExport('jsonl')}>
        JSONL
      </button>
      <button type="button" onClick={() => onExport('csv')}>
        CSV
      </button>
      <button type="button" onClick={() => onExport('dpo')} title="chosen/rejected preference pairs from labels">
        Preference pairs
      </button>
      <button
        type="button"
        title="answer the probes with the original and the compression on each validator model (configs/providers.yaml)"
        onClick={onValidate}
      >
        Validate this view…
      </button>
      <button type="button" disabled={!total} onClick={onGenerate}>
        Generate for this view…
      </button>
      <button type="button" onClick={() => navigate('review', { ...(filters as Record<string, string>) })}>
        Review this view →
      </button>
    </div>
  );
}
