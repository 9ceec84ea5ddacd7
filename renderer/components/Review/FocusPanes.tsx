import { fmt, pct } from '../../hooks.ts';
import type { Detail } from './Focus.tsx';
import { Probes } from './Probes.tsx';
import { ScoreMatrix } from './ScoreStrip.tsx';
import type { View } from './useFocusQueue.ts';

/** The pair's id, source and model, who else holds it, and the walk back and forth. */
export function FocusHeader({
  view,
  labeler,
  heldBy,
  canGoBack,
  saving,
  onBack,
  onNext,
}: {
  view: View;
  labeler: string;
  heldBy: string | null;
  canGoBack: boolean;
  saving: boolean;
  onBack: () => void;
  onNext: () => void;
}) {
  const d = view.status === 'ready' ? view.detail : null;
  return (
    <div className="row focus-head">
      <span className="grow">
        {d ? (
          <>
            <strong data-testid="focus-title">Pair {d.pair.id}</strong>
            <span className="muted">
              {' '}
              · {d.source.title ?? `source ${d.source.id}`} ·{' '}
              <span className={`tag d-${d.source.domain}`}>{d.source.domain}</span> · {d.pair.strategy}
              {d.pair.model ? ` · ${d.pair.model}` : ''}
            </span>
            {heldBy && <span className="bad"> · {heldBy} is reviewing this pair</span>}
            <MyLabel detail={d} labeler={labeler} />
          </>
        ) : view.status === 'error' ? (
          <span className="bad">{view.message}</span>
        ) : (
          <span className="muted">
            Loading{view.status === 'loading' && view.id ? ` pair ${view.id}` : ' the next pair'}…
          </span>
        )}
      </span>
      <button type="button" onClick={onBack} disabled={!canGoBack || saving}>
        Previous <kbd>k</kbd>
      </button>
      <button type="button" onClick={onNext} disabled={saving}>
        Next <kbd>j</kbd>
      </button>
    </div>
  );
}

/** The label buttons, each with its key, and the pair's o200k saving. */
export function FocusActions({
  detail,
  saving,
  onApprove,
  onReject,
  onEdit,
  onSkip,
  onUndo,
}: {
  detail: Detail;
  saving: boolean;
  onApprove: () => void;
  onReject: () => void;
  onEdit: () => void;
  onSkip: () => void;
  onUndo: () => void;
}) {
  return (
    <div className="row actions">
      <button type="button" className="approve" disabled={saving} onClick={onApprove}>
        Approve <kbd>a</kbd>
      </button>
      <button type="button" className="reject" disabled={saving} onClick={onReject}>
        Reject <kbd>r</kbd>
      </button>
      <button type="button" disabled={saving} onClick={onEdit}>
        Edit <kbd>e</kbd>
      </button>
      <button type="button" disabled={saving} onClick={onSkip}>
        Skip <kbd>s</kbd>
      </button>
      <button type="button" disabled={saving} onClick={onUndo}>
        Undo <kbd>u</kbd>
      </button>
      <span className="grow" />
      {saving && <span className="muted">saving…</span>}
      <TokenSummary detail={detail} />
    </div>
  );
}

/** Below the texts: tokens per tokenizer and lost spans, per-model scores and the probes. */
export function FocusDetails({ detail: d, onProbeSaved }: { detail: Detail; onProbeSaved: () => Promise<void> }) {
  return (
    <div className="grid2 below">
      <section className="card">
        <h3>Tokens per tokenizer</h3>
        <TokenTable detail={d} />
        {typeof d.pair.metadata.verified === 'string' && d.pair.metadata.verified !== 'n/a' && (
          <p className="muted">
            Code check:{' '}
            {d.pair.metadata.verified === 'ast'
              ? 'same syntax tree as the original (comments and docstrings aside)'
              : String(d.pair.metadata.verified)}
          </p>
        )}
        {d.dropped.length > 0 && (
          <p className="muted" data-testid="dropped-list">
            Protected spans the compression lost:{' '}
            {d.dropped.slice(0, 20).map((s) => (
              <span key={s.start} className="drop chip" title={s.kind}>
                {s.text}
              </span>
            ))}
            {d.dropped.length > 20 ? ` and ${d.dropped.length - 20} more` : ''}
          </p>
        )}
      </section>
      <section className="card">
        <h3>Per-model scores</h3>
        <ScoreMatrix key={`matrix-${d.pair.id}`} detail={d} />
        <h3 className="spaced">Probes</h3>
        <Probes detail={d} onSaved={onProbeSaved} />
      </section>
    </div>
  );
}

/** Every label the pair has, discarded ones greyed. */
export function LabelsCard({ detail }: { detail: Detail }) {
  if (detail.labels.length === 0) return null;
  return (
    <section className="card">
      <h3>Labels</h3>
      <ul className="labels">
        {detail.labels.map((l) => (
          <li key={l.id} className={l.status === 'discarded' ? 'muted' : ''}>
            <span className={`badge l-${l.decision}`}>{l.decision}</span> {l.labeler} · {l.status} ·{' '}
            {new Date(l.createdAt).toLocaleString()}
            {l.comment && <> · “{l.comment}”</>}
          </li>
        ))}
      </ul>
    </section>
  );
}

function MyLabel({ detail, labeler }: { detail: Detail; labeler: string }) {
  const mine = detail.labels.filter((l) => l.labeler === labeler && l.status !== 'discarded');
  if (!mine.length) return null;
  return <span className="badge-line"> · your label: {mine.map((l) => `${l.decision} (${l.status})`).join(', ')}</span>;
}

function TokenSummary({ detail }: { detail: Detail }) {
  const o = detail.tokens.find((t) => t.tokenizer === 'o200k');
  if (!o) return null;
  return (
    <span className="muted" data-testid="token-summary">
      o200k {fmt(o.before)} → {fmt(o.after)} ({pct(o.before ? 1 - o.after / o.before : 0)} fewer)
    </span>
  );
}

function TokenTable({ detail }: { detail: Detail }) {
  return (
    <table className="table compact tokens" data-testid="token-table">
      <thead>
        <tr>
          <th>tokenizer</th>
          <th className="num">original</th>
          <th className="num">compressed</th>
          <th className="num">ratio</th>
        </tr>
      </thead>
      <tbody>
        {detail.tokens.map((t) => (
          <tr key={t.tokenizer}>
            <td>
              {t.tokenizer}
              {t.method !== 'exact' && <span className="muted"> ({t.method})</span>}
            </td>
            <td className="num">{fmt(t.before)}</td>
            <td className="num">{fmt(t.after)}</td>
            <td className="num">{t.before ? (t.after / t.before).toFixed(2) : '–'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
