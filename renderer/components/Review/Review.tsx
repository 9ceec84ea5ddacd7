import { useEffect, useMemo, useState } from 'react';
import type { QueueStatus } from '../../../src/contracts/review.ts';
import { bridge } from '../../bridge/index.ts';
import { fmt, pct, useAction, useApi } from '../../hooks.ts';
import { navigate } from '../../router.ts';
import { useStudio } from '../../store/index.ts';
import { EmptyState } from '../EmptyState/EmptyState.tsx';
import { Markdown } from '../Markdown/Markdown.tsx';
import { filtersFromParams } from '../Pairs/Pairs.tsx';
import { Focus } from './Focus.tsx';

type Tab = 'focus' | 'bulk' | 'queues' | 'agreement' | 'guidelines';

function LabelerGate() {
  const setLabeler = useStudio((s) => s.setLabeler);
  const [name, setName] = useState('');
  return (
    <section className="page">
      <header className="page-head">
        <h1>Review</h1>
      </header>
      <form
        className="card gate"
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim()) setLabeler(name.trim());
        }}
      >
        <h2>Who is labeling?</h2>
        <p className="muted">Your name is recorded on every label, so agreement between labelers can be measured.</p>
        <div className="row">
          <input
            className="grow"
            placeholder="your name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            aria-label="Your name"
          />
          <button type="submit" disabled={!name.trim()}>
            Start reviewing
          </button>
        </div>
      </form>
    </section>
  );
}

function Progress({ labeler }: { labeler: string }) {
  const p = useApi('review-progress', { labeler });
  if (!p.data) return null;
  const { mine, overall } = p.data;
  const myTotal = mine.approve + mine.reject + mine.edit;
  return (
    <div className="progress-line" data-testid="review-progress">
      <span>
        You: <strong>{fmt(myTotal)}</strong> labelled ({mine.approve} approved, {mine.reject} rejected, {mine.edit}{' '}
        edited, {mine.skip} skipped
        {mine.draft ? `, ${mine.draft} drafts` : ''})
      </span>
      <span>
        Everyone: {fmt(overall.done)} of {fmt(overall.pairs)} pairs done (
        {pct(overall.pairs ? overall.done / overall.pairs : 0)}), {overall.labelers} labelers
      </span>
      <div className="progress small">
        <div style={{ width: `${overall.pairs ? (overall.done / overall.pairs) * 100 : 0}%` }} />
      </div>
    </div>
  );
}

function Bulk({ labeler, params }: { labeler: string; params: URLSearchParams }) {
  const act = useAction();
  const query = useMemo(() => ({ ...filtersFromParams(params), label: 'unlabelled' as const, limit: 20 }), [params]);
  const page = useApi('pairs-list', query);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [comments, setComments] = useState<Record<number, string>>({});
  const decide = async (ids: number[], decision: 'approve' | 'reject' | 'skip') => {
    for (const id of ids) {
      const comment = comments[id];
      const ok = await act(() =>
        bridge.invoke('review-submit', { pairId: id, labeler, decision, ...(comment ? { comment } : {}) }),
      );
      if (!ok) return;
    }
    setSelected(new Set());
    page.reload();
  };
  if (page.data?.rows.length === 0) {
    return (
      <EmptyState title="No unlabelled pairs in this view">
        <p>Everything here has a label. Widen the filters on the Pairs page.</p>
      </EmptyState>
    );
  }
  return (
    <div className="bulk">
      <div className="row">
        <label className="check grow">
          <input
            type="checkbox"
            checked={Boolean(page.data?.rows.length) && selected.size === page.data?.rows.length}
            onChange={(e) => setSelected(new Set(e.target.checked ? (page.data?.rows.map((r) => r.id) ?? []) : []))}
          />
          select all on this page ({page.data?.rows.length ?? 0} of {fmt(page.data?.total)} unlabelled)
        </label>
        <button
          type="button"
          className="approve"
          disabled={!selected.size}
          onClick={() => void decide([...selected], 'approve')}
        >
          Approve {selected.size || ''} selected
        </button>
      </div>
      {page.data?.rows.map((r) => (
        <div key={r.id} className="bulk-item card">
          <div className="row">
            <input
              type="checkbox"
              aria-label={`select pair ${r.id}`}
              checked={selected.has(r.id)}
              onChange={(e) => {
                const s = new Set(selected);
                if (e.target.checked) s.add(r.id);
                else s.delete(r.id);
                setSelected(s);
              }}
            />
            <a className="grow" href={`#/review?pair=${r.id}`}>
              Pair {r.id} · {r.title ?? `source ${r.sourceId}`}
            </a>
            <span className="muted">
              {fmt(r.tokensOriginal)} → {fmt(r.tokensCompressed)} tokens
            </span>
            <button type="button" className="approve" onClick={() => void decide([r.id], 'approve')}>
              Approve
            </button>
            <button
              type="button"
              className="reject"
              disabled={!comments[r.id]?.trim()}
              title="write a comment first"
              onClick={() => void decide([r.id], 'reject')}
            >
              Reject
            </button>
            <button type="button" onClick={() => void decide([r.id], 'skip')}>
              Skip
            </button>
          </div>
          <pre className="text preview">{r.preview}</pre>
          <input
            placeholder="comment (required to reject)"
            value={comments[r.id] ?? ''}
            onChange={(e) => setComments({ ...comments, [r.id]: e.target.value })}
            aria-label={`comment on pair ${r.id}`}
          />
        </div>
      ))}
    </div>
  );
}

function Queues({ labeler }: { labeler: string }) {
  const [status, setStatus] = useState<QueueStatus>('pending');
  const items = useApi('review-queue', { labeler, status });
  return (
    <div>
      <fieldset className="segmented" aria-label="Queue">
        {(['pending', 'draft', 'submitted', 'discarded'] as const).map((s) => (
          <button type="button" key={s} className={status === s ? 'on' : ''} onClick={() => setStatus(s)}>
            {s}
          </button>
        ))}
      </fieldset>
      {items.data?.length === 0 ? (
        <p className="muted">Nothing {status}.</p>
      ) : (
        <table className="table compact">
          <tbody>
            {items.data?.map((i) => (
              <tr
                key={`${i.pairId}-${i.updatedAt}`}
                className="clickable"
                onClick={() => navigate('review', { pair: i.pairId })}
              >
                <td className="num">{i.pairId}</td>
                <td>{i.title}</td>
                <td>{i.decision && <span className={`badge l-${i.decision}`}>{i.decision}</span>}</td>
                <td className="muted">{i.updatedAt ? new Date(i.updatedAt).toLocaleString() : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function Agreement() {
  const list = useApi('review-disagreements', {});
  if (list.data?.length === 0) {
    return (
      <EmptyState title="No disagreements">
        <p>
          When two labelers decide differently on a pair, it is listed here. Raise the label overlap in Settings to have
          pairs labelled by more than one person.
        </p>
      </EmptyState>
    );
  }
  return (
    <table className="table">
      <thead>
        <tr>
          <th>pair</th>
          <th>source</th>
          <th>decisions</th>
        </tr>
      </thead>
      <tbody>
        {list.data?.map((d) => (
          <tr key={d.pairId} className="clickable" onClick={() => navigate('review', { pair: d.pairId })}>
            <td className="num">{d.pairId}</td>
            <td>{d.title}</td>
            <td>
              {d.decisions.map((x) => (
                <span key={x.labeler} className="decision">
                  {x.labeler}: <span className={`badge l-${x.decision}`}>{x.decision}</span>
                  {x.comment ? ` “${x.comment}”` : ''}
                </span>
              ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Guidelines() {
  const act = useAction();
  const settings = useApi('settings-get', {});
  const [editing, setEditing] = useState<string | null>(null);
  const text = settings.data?.project.guidelines ?? '';
  if (editing !== null) {
    return (
      <div className="card">
        <textarea
          rows={18}
          value={editing}
          onChange={(e) => setEditing(e.target.value)}
          aria-label="Guidelines (Markdown)"
        />
        <div className="row">
          <button
            type="button"
            className="approve"
            onClick={async () => {
              const r = await act(() => bridge.invoke('settings-update', { guidelines: editing }), 'Guidelines saved');
              if (r) {
                setEditing(null);
                settings.reload();
              }
            }}
          >
            Save
          </button>
          <button type="button" onClick={() => setEditing(null)}>
            Cancel
          </button>
        </div>
      </div>
    );
  }
  return (
    <div className="card">
      <Markdown text={text} />
      <button type="button" onClick={() => setEditing(text)}>
        Edit guidelines
      </button>
    </div>
  );
}

export function Review({ params }: { params: URLSearchParams }) {
  const labeler = useStudio((s) => s.labeler);
  const setLabeler = useStudio((s) => s.setLabeler);
  const [tab, setTab] = useState<Tab>('focus');
  const pairParam = params.get('pair') ? Number(params.get('pair')) : null;
  const query = useMemo(() => filtersFromParams(params), [params]);
  useEffect(() => {
    if (pairParam !== null) setTab('focus');
  }, [pairParam]);
  if (!labeler) return <LabelerGate />;
  const TABS: [Tab, string][] = [
    ['focus', 'Focus'],
    ['bulk', 'Bulk'],
    ['queues', 'Queues'],
    ['agreement', 'Agreement'],
    ['guidelines', 'Guidelines'],
  ];
  return (
    <section className="page">
      <header className="page-head row">
        <h1 className="grow">Review</h1>
        <span className="muted">
          Labeling as <strong data-testid="labeler">{labeler}</strong>{' '}
          <button type="button" className="link" onClick={() => setLabeler('')}>
            change
          </button>
        </span>
      </header>
      <Progress labeler={labeler} />
      <div className="tabs" role="tablist">
        {TABS.map(([t, label]) => (
          <button
            type="button"
            role="tab"
            aria-selected={tab === t}
            key={t}
            className={tab === t ? 'on' : ''}
            onClick={() => setTab(t)}
          >
            {label}
          </button>
        ))}
      </div>
      {tab === 'focus' && <Focus key={`${labeler}`} labeler={labeler} pairParam={pairParam} query={query} />}
      {tab === 'bulk' && <Bulk labeler={labeler} params={params} />}
      {tab === 'queues' && <Queues labeler={labeler} />}
      {tab === 'agreement' && <Agreement />}
      {tab === 'guidelines' && <Guidelines />}
    </section>
  );
}
