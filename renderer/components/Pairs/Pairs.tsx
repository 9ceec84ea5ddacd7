import { useMemo, useState } from 'react';
import { bridge } from '../../bridge/index.ts';
import { fmt, useAction, useApi } from '../../hooks.ts';
import { useStudio } from '../../store/index.ts';
import { GenerateDialog } from '../GenerateDialog/GenerateDialog.tsx';
import { ValidateDialog } from '../ValidateDialog/ValidateDialog.tsx';
import { EmptyPairs } from './EmptyPairs.tsx';
import { filtersFromParams } from './filters.ts';
import { PairsFilters } from './PairsFilters.tsx';
import { PairsTable } from './PairsTable.tsx';
import { usePairPages } from './usePairPages.ts';

export function Pairs({ params }: { params: URLSearchParams }) {
  const filters = useMemo(() => filtersFromParams(params), [params]);
  const version = useStudio((s) => s.version);
  const facets = useApi('pairs-facets', {});
  const act = useAction();
  const toast = useStudio((s) => s.toast);
  const { total, exact, counting, countAll, ms, error, tick, ensure, rowAt } = usePairPages(filters, version);
  const [validating, setValidating] = useState(false);
  const [validatingAll, setValidatingAll] = useState(false);
  const [generating, setGenerating] = useState(false);
  // What the project has regardless of the filters: an empty view is explained by them.
  const everything = useApi('pairs-list', { limit: 1 });
  const unvalidated = useApi('pairs-list', { verdict: 'unvalidated', limit: 1 });

  const exportAs = async (format: 'jsonl' | 'csv' | 'dpo') => {
    const out = await act(() => bridge.invoke('pairs-export', { query: filters, format }));
    if (!out) return;
    // Never a 0-byte file: say why there is nothing to export instead.
    if (!out.rows || !out.content) {
      toast(
        'error',
        format === 'dpo'
          ? `No preference pairs in this view: a pair needs a source with an approved (or edited) and a rejected compression, and none of the ${fmt(total ?? 0)}${exact ? '' : '+'} pairs here has both. Label some on the Review page.`
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

  // The dialogs state how many pairs they act on: a lower bound is counted out first.
  const withCount = (open: () => void) => {
    if (exact) open();
    else void countAll().then((n) => n !== null && open());
  };

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
          {total === null ? 'Loading…' : exact ? `${fmt(total)} pairs` : `${fmt(total)}+ pairs match`}
          {ms !== null && ` · query ${ms.toFixed(0)} ms`}
          {!exact && (
            <>
              {' · '}
              <button
                type="button"
                className="link"
                disabled={counting}
                title="A search's count stops a little past the page you are on; count every match (slower on a large project)"
                onClick={() => void countAll()}
              >
                {counting ? 'counting…' : 'count all'}
              </button>
            </>
          )}
        </p>
      </header>
      <PairsFilters
        filters={filters}
        facets={facets.data}
        total={total}
        onExport={(format) => void exportAs(format)}
        onValidate={() => withCount(() => setValidating(true))}
        onGenerate={() => withCount(() => setGenerating(true))}
      />
      {error && <p className="bad">{error}</p>}
      {total === 0 ? (
        <EmptyPairs
          filters={filters}
          all={everything.data?.total ?? null}
          unvalidated={unvalidated.data?.total ?? null}
          onValidateAll={() => setValidatingAll(true)}
        />
      ) : (
        <PairsTable filters={filters} total={total ?? 0} rowAt={rowAt} onRange={ensure} tick={tick} />
      )}
    </section>
  );
}
