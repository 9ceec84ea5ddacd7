import { fmt, pct, useApi } from '../../hooks.ts';
import { hrefFor } from '../../router.ts';
import { EmptyState } from '../EmptyState/EmptyState.tsx';

interface Qa {
  question?: unknown;
  answer?: unknown;
}

/** A metadata value as one line: strings as they are, anything else as compact JSON. */
function show(v: unknown): string {
  if (typeof v === 'string') return v;
  const s = JSON.stringify(v);
  return s.length > 300 ? `${s.slice(0, 300)}…` : s;
}

/**
 * One source: its text, where it came from, its metadata and QA (the dataset's questions and the
 * stored probes), and every pair made from it, each opening in Review.
 */
export function SourcePage({ params }: { params: URLSearchParams }) {
  const id = Number(params.get('id'));
  const detail = useApi('sources-detail', id > 0 ? { id } : null);
  if (!(id > 0)) return <EmptyState title="No source chosen">Open a source from the Library.</EmptyState>;
  if (detail.error)
    return (
      <section className="page">
        <EmptyState title={`Source ${id} cannot be shown`}>
          <p>{detail.error}</p>
          <a href={hrefFor('library')}>← Library</a>
        </EmptyState>
      </section>
    );
  const d = detail.data;
  if (!d) return <section className="page muted">Loading source {id}…</section>;
  const { source, tags, probes, pairs } = d;
  const { qa, ...meta } = source.metadata as Record<string, unknown> & { qa?: unknown };
  const qaList = Array.isArray(qa) ? (qa as Qa[]) : [];
  return (
    <section className="page source-page" data-testid="source-page">
      <header className="page-head">
        <a href={hrefFor('library')} className="small">
          ← Library
        </a>
        <h1>{source.title ?? source.originRef ?? `Source ${source.id}`}</h1>
        <p className="muted">
          source {source.id} · <span className={`tag d-${source.domain}`}>{source.domain}</span>
          {source.language ? ` · ${source.language}` : ''} · {source.format} · {fmt(source.chars)} characters
          {tags.length > 0 && ` · tags: ${tags.join(', ')}`}
        </p>
      </header>
      <div className="source-grid">
        <section className="card source-text">
          <h2>Text</h2>
          <pre className="text">{source.text}</pre>
        </section>
        <aside className="source-side">
          <section className="card">
            <h2>Metadata</h2>
            <dl className="kv">
              <dt>origin</dt>
              <dd className="mono small">
                {source.originPath ?? '–'}
                {source.originRef ? ` · ${source.originRef}` : ''}
              </dd>
              <dt>hash</dt>
              <dd className="mono small">{source.hash.slice(0, 16)}…</dd>
              <dt>imported</dt>
              <dd className="small">{new Date(source.createdAt).toLocaleString()}</dd>
              {Object.entries(meta).map(([k, v]) => (
                <div key={k} className="kv-row">
                  <dt>{k}</dt>
                  <dd className="small">{show(v)}</dd>
                </div>
              ))}
            </dl>
          </section>
          <section className="card" data-testid="source-qa">
            <h2>QA and probes</h2>
            {qaList.length === 0 && probes.length === 0 ? (
              <p className="muted small">
                The dataset has no questions for this source, and no probes are stored yet: validating a pair writes
                them.
              </p>
            ) : (
              <ol className="qa">
                {qaList.map((q) => (
                  <li key={`qa-${show(q.question)}-${show(q.answer)}`}>
                    {show(q.question)} <span className="muted">→ {show(q.answer)}</span>{' '}
                    <span className="tag">dataset</span>
                  </li>
                ))}
                {probes
                  .filter((p) => p.origin !== 'dataset')
                  .map((p) => (
                    <li key={p.id}>
                      {p.question}
                      {p.reference ? <span className="muted"> → {p.reference}</span> : null}{' '}
                      <span className="tag">{p.origin}</span>
                    </li>
                  ))}
              </ol>
            )}
          </section>
        </aside>
      </div>
      <section className="card" data-testid="source-pairs">
        <div className="row">
          <h2 className="grow">
            Pairs <span className="muted">({fmt(pairs.length)})</span>
          </h2>
          {source.title && pairs.length > 0 && (
            <a href={hrefFor('pairs', { search: source.title })} className="small">
              Find them on the Pairs page →
            </a>
          )}
        </div>
        {pairs.length === 0 ? (
          <p className="muted">
            No pair yet: generate one on the Runs page (<a href={hrefFor('runs')}>Runs →</a>).
          </p>
        ) : (
          <div className="table-scroll">
            <table className="table source-pairs">
              <thead>
                <tr>
                  <th className="num">pair</th>
                  <th>strategy</th>
                  <th className="num">tokens</th>
                  <th className="num">kept</th>
                  <th>equivalence</th>
                  <th>labels</th>
                  <th>compressed</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {pairs.map((p) => {
                  const judged = p.equivalent + p.different + p.judgeErrors;
                  return (
                    <tr key={p.id} data-testid={`source-pair-${p.id}`}>
                      <td className="num">{p.id}</td>
                      <td>
                        {p.strategy}
                        {p.model && <div className="muted small mono">{p.model}</div>}
                      </td>
                      <td className="num">
                        {fmt(p.tokensOriginal)} → {fmt(p.tokensCompressed)}
                      </td>
                      <td className="num">{p.ratio === null ? '–' : pct(p.ratio, 1)}</td>
                      <td>
                        {judged ? `${p.equivalent}/${judged} equivalent` : <span className="muted">not validated</span>}
                      </td>
                      <td>{p.decisions.length ? p.decisions.join(', ') : <span className="muted">unlabelled</span>}</td>
                      <td className="preview-cell">{p.preview}</td>
                      <td>
                        <a href={hrefFor('review', { pair: p.id })}>Review →</a>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </section>
  );
}
