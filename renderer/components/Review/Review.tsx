import { type ReactNode, useEffect, useMemo, useState } from 'react';
import {
  QUEUE_ORDER_LABELS,
  type QueueOrder,
  QueueOrderSchema,
  type QueueStatus,
} from '../../../src/contracts/review.ts';
import { bridge } from '../../bridge/index.ts';
import { fmt, pct, useAction, useApi } from '../../hooks.ts';
import { navigate } from '../../router.ts';
import { useStudio } from '../../store/index.ts';
import { EmptyState } from '../EmptyState/EmptyState.tsx';
import { Markdown } from '../Markdown/Markdown.tsx';
import { filtersFromParams } from '../Pairs/filters.ts';
import { Bulk } from './Bulk.tsx';
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
  // The line holds its place while it loads (or fails): coming in above the tabs, it moved them
  // down under a pointer reaching for one. One row, cut with an ellipsis when narrow: the whole
  // line is in the title.
  let text: ReactNode;
  let share = 0;
  if (p.data) {
    const { mine, overall } = p.data;
    const myTotal = mine.approve + mine.reject + mine.edit;
    const myDetail = `(${mine.approve} approved, ${mine.reject} rejected, ${mine.edit} edited, ${mine.skip} skipped${mine.draft ? `, ${mine.draft} drafts` : ''})`;
    share = overall.pairs ? overall.done / overall.pairs : 0;
    const everyone = `Everyone: ${fmt(overall.done)} of ${fmt(overall.pairs)} pairs done (${pct(share)}), ${overall.labelers} labelers`;
    text = (
      <>
        <span title={`You: ${fmt(myTotal)} labelled ${myDetail}`}>
          You: <strong>{fmt(myTotal)}</strong> labelled {myDetail}
        </span>
        <span title={everyone}>{everyone}</span>
      </>
    );
  } else if (p.error)
    text = (
      <span role="alert" title={p.error}>
        Progress could not be read: {p.error}
      </span>
    );
  else
    text = (
      <>
        <span className="visually-hidden">Loading progress…</span>
        <span aria-hidden="true">You: … labelled</span>
        <span aria-hidden="true">Everyone: …</span>
      </>
    );
  return (
    <div className="progress-line" data-testid="review-progress">
      {text}
      <div className="progress small">
        <div style={{ width: `${share * 100}%` }} />
      </div>
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

/** URL parameters that are not the view's filters. */
const NOT_FILTERS = new Set(['pair', 'order', 'tab']);

/**
 * The queue this page serves: the Pairs view it was opened from (its filters, kept in the URL
 * until the labeler leaves the view) in the chosen order.
 */
function QueueBar({
  params,
  order,
  defaultOrder,
}: {
  params: URLSearchParams;
  order: QueueOrder | undefined;
  defaultOrder: QueueOrder | undefined;
}) {
  const filters = [...params.entries()].filter(([k]) => !NOT_FILTERS.has(k));
  const keep = (patch: Record<string, string | undefined>) => {
    const next: Record<string, string | undefined> = Object.fromEntries(
      [...params.entries()].filter(([k]) => k !== 'pair'),
    );
    navigate('review', { ...next, ...patch }, true);
  };
  return (
    <div className="row queue-bar" data-testid="queue-bar">
      <span className="grow">
        {filters.length ? (
          <>
            Queue: the pairs of the view{' '}
            {filters.map(([k, v]) => (
              <span key={k} className="chip" data-testid="queue-filter">
                {k} = {v}
              </span>
            ))}{' '}
            <button
              type="button"
              className="link"
              onClick={() => navigate('review', order ? { order } : {}, true)}
              data-testid="leave-view"
            >
              leave this view
            </button>
          </>
        ) : (
          <span className="muted">Queue: every pair that needs a label</span>
        )}
      </span>
      <label className="check">
        order
        <select
          aria-label="Queue order"
          value={order ?? ''}
          onChange={(e) => keep({ order: e.target.value || undefined })}
        >
          <option value="">default ({QUEUE_ORDER_LABELS[defaultOrder ?? 'informative']})</option>
          {QueueOrderSchema.options.map((o) => (
            <option key={o} value={o}>
              {QUEUE_ORDER_LABELS[o]}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}

export function Review({ params }: { params: URLSearchParams }) {
  const labeler = useStudio((s) => s.labeler);
  const setLabeler = useStudio((s) => s.setLabeler);
  const settings = useApi('settings-get', {});
  const [tab, setTab] = useState<Tab>(params.get('tab') === 'bulk' ? 'bulk' : 'focus');
  const pairParam = params.get('pair') ? Number(params.get('pair')) : null;
  const query = useMemo(() => filtersFromParams(params), [params]);
  const parsedOrder = QueueOrderSchema.safeParse(params.get('order'));
  const order = parsedOrder.success ? parsedOrder.data : undefined;
  // The view's parameters without the pair: where Focus returns after a pair opened by link.
  const viewParams = useMemo(() => Object.fromEntries([...params.entries()].filter(([k]) => k !== 'pair')), [params]);
  const queueKey = JSON.stringify({ query, order });
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
    <section className="page review-page">
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
      {(tab === 'focus' || tab === 'bulk') && (
        <QueueBar params={params} order={order} defaultOrder={settings.data?.project.queueOrder} />
      )}
      {tab === 'focus' && (
        <Focus
          key={`${labeler}|${queueKey}`}
          labeler={labeler}
          pairParam={pairParam}
          query={query}
          order={order}
          viewParams={viewParams}
        />
      )}
      {tab === 'bulk' && <Bulk key={`${labeler}|${queueKey}`} labeler={labeler} query={query} order={order} />}
      {tab === 'queues' && <Queues labeler={labeler} />}
      {tab === 'agreement' && <Agreement />}
      {tab === 'guidelines' && <Guidelines />}
    </section>
  );
}
