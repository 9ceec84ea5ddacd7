import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiResult } from '../../../src/api.ts';
import type { PairViewQuery } from '../../../src/contracts/view.ts';
import { bridge } from '../../bridge/index.ts';
import { fmt, pct, useAction, useApi } from '../../hooks.ts';
import { navigate } from '../../router.ts';
import { useStudio } from '../../store/index.ts';
import { SideBySide } from '../Diff/Diff.tsx';
import { EmptyState } from '../EmptyState/EmptyState.tsx';

type Detail = ApiResult<'pairs-get'>;
type Mode = 'view' | 'reject' | 'edit';

function ScoreMatrix({ detail }: { detail: Detail }) {
  const [open, setOpen] = useState<{ model: string; probeId: number } | null>(null);
  if (!detail.matrix.length) {
    return (
      <p className="muted" data-testid="matrix-empty">
        Not validated yet: no model has answered probes about this pair. Validation (probes answered with the original
        and with the compression on each model) fills this grid.
      </p>
    );
  }
  const cell = open && detail.matrix.find((m) => m.model === open.model)?.cells.find((c) => c.probeId === open.probeId);
  return (
    <div>
      <table className="matrix">
        <thead>
          <tr>
            <th>model</th>
            {detail.probes.map((p, i) => (
              <th key={p.id} title={p.question}>
                P{i + 1}
              </th>
            ))}
            <th>equivalence</th>
          </tr>
        </thead>
        <tbody>
          {detail.matrix.map((row) => (
            <tr key={row.model}>
              <th>{row.model}</th>
              {row.cells.map((c) => (
                <td key={c.probeId}>
                  <button
                    type="button"
                    className={`cell o-${c.outcome ?? 'none'}`}
                    title={`${c.question}: ${c.outcome ?? 'not judged'}`}
                    onClick={() => setOpen({ model: row.model, probeId: c.probeId })}
                  >
                    {c.outcome === 'equivalent'
                      ? '✓'
                      : c.outcome === 'different'
                        ? '✗'
                        : c.outcome === 'judge-error'
                          ? '!'
                          : '·'}
                  </button>
                </td>
              ))}
              <td>{pct(row.equivalence)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {cell && (
        <div className="answers">
          <p>
            <strong>{open?.model}</strong> · {cell.question}
          </p>
          <div className="sxs">
            <div className="pane">
              <h4>Answer with the original</h4>
              <pre className="text">{cell.answerOriginal ?? '(none)'}</pre>
            </div>
            <div className="pane">
              <h4>Answer with the compression</h4>
              <pre className="text">{cell.answerCompressed ?? '(none)'}</pre>
            </div>
          </div>
        </div>
      )}
    </div>
  );
}

/** The probes asked about this pair's source: a researcher can reword a question or its answer. */
function Probes({ detail }: { detail: Detail }) {
  const act = useAction();
  const [editing, setEditing] = useState<{ id: number; question: string; reference: string } | null>(null);
  if (!detail.probes.length)
    return (
      <p className="muted">No probes yet: validation writes them (the dataset's questions first, then the prober's).</p>
    );
  return (
    <ol className="probes" data-testid="probes">
      {detail.probes.map((p) =>
        editing?.id === p.id ? (
          <li key={p.id}>
            <form
              className="comment"
              onSubmit={(e) => {
                e.preventDefault();
                void act(async () => {
                  await bridge.invoke('probes-update', {
                    id: p.id,
                    question: editing.question,
                    reference: editing.reference || null,
                  });
                  setEditing(null);
                }, 'Probe saved: its answers and verdicts will be made again at the next validation');
              }}
            >
              <input
                value={editing.question}
                onChange={(e) => setEditing({ ...editing, question: e.target.value })}
                aria-label="Question"
              />
              <input
                value={editing.reference}
                placeholder="reference answer (optional)"
                onChange={(e) => setEditing({ ...editing, reference: e.target.value })}
                aria-label="Reference answer"
              />
              <div className="row">
                <button type="submit" className="approve">
                  Save
                </button>
                <button type="button" onClick={() => setEditing(null)}>
                  Cancel
                </button>
              </div>
            </form>
          </li>
        ) : (
          <li key={p.id}>
            {p.question} {p.reference && <span className="muted">→ {p.reference}</span>}{' '}
            <button
              type="button"
              className="link"
              onClick={() => setEditing({ id: p.id, question: p.question, reference: p.reference ?? '' })}
            >
              edit
            </button>
          </li>
        ),
      )}
    </ol>
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

/**
 * One pair at a time, from the keyboard. The queue serves unlabelled pairs and reserves each for
 * this labeler; j/k walk forward and back through what was seen in this session.
 */
export function Focus({
  labeler,
  pairParam,
  query,
}: {
  labeler: string;
  pairParam: number | null;
  query: PairViewQuery;
}) {
  const act = useAction();
  const toast = useStudio((s) => s.toast);
  const [history, setHistory] = useState<number[]>([]);
  const [pos, setPos] = useState(-1);
  const [mode, setMode] = useState<Mode>('view');
  const [comment, setComment] = useState('');
  const [edited, setEdited] = useState('');
  const [heldBy, setHeldBy] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const current = pos >= 0 ? (history[pos] ?? null) : null;
  const detail = useApi('pairs-get', current === null ? null : { id: current });
  const commentRef = useRef<HTMLTextAreaElement>(null);
  const editRef = useRef<HTMLTextAreaElement>(null);

  const show = useCallback((id: number, push = true) => {
    setMode('view');
    setComment('');
    setDone(false);
    if (push) {
      setHistory((h) => {
        const next = [...h, id];
        setPos(next.length - 1);
        return next;
      });
    }
  }, []);

  const next = useCallback(async () => {
    if (pos < history.length - 1) {
      setPos(pos + 1);
      setMode('view');
      return;
    }
    const r = await act(() => bridge.invoke('review-next', { labeler, query }));
    if (!r) return;
    if (r.pairId === null) {
      setDone(true);
      setPos(history.length);
      return;
    }
    setHeldBy(null);
    show(r.pairId);
  }, [act, history.length, labeler, pos, query, show]);

  // Open the pair named in the URL, else the next one from the queue.
  // biome-ignore lint/correctness/useExhaustiveDependencies: on entry and when the URL names a pair
  useEffect(() => {
    if (pairParam !== null) {
      void bridge.invoke('review-claim', { labeler, pairId: pairParam }).then(
        (r) => setHeldBy(r.ok ? null : (r.heldBy ?? null)),
        () => undefined,
      );
      show(pairParam);
    } else if (history.length === 0) void next();
  }, [pairParam, labeler]);

  const submit = useCallback(
    async (decision: 'approve' | 'reject' | 'edit' | 'skip', status: 'submitted' | 'draft' = 'submitted') => {
      if (current === null) return;
      if (decision === 'reject' && !comment.trim()) {
        setMode('reject');
        setTimeout(() => commentRef.current?.focus(), 0);
        toast('error', 'A comment is required when rejecting: say what is lost or wrong.');
        return;
      }
      const ok = await act(() =>
        bridge.invoke('review-submit', {
          pairId: current,
          labeler,
          decision,
          status,
          ...(comment.trim() ? { comment } : {}),
          ...(decision === 'edit' ? { editedText: edited } : {}),
        }),
      );
      if (!ok) return;
      toast('info', status === 'draft' ? `Pair ${current} saved as draft` : `Pair ${current}: ${decision}`);
      if (pairParam !== null) navigate('review', {}, true);
      await next();
    },
    [act, comment, current, edited, labeler, next, pairParam, toast],
  );

  const undo = useCallback(async () => {
    const r = await act(() => bridge.invoke('review-undo', { labeler }));
    if (r === undefined) return;
    if (r === null) {
      toast('info', 'Nothing to undo');
      return;
    }
    toast('info', `Undid your label on pair ${r.pairId}`);
    show(r.pairId);
  }, [act, labeler, show, toast]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      const typing = t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT');
      if (typing) {
        if (e.key === 'Escape') {
          setMode('view');
          (t as HTMLElement).blur();
        } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          void submit(mode === 'edit' ? 'edit' : 'reject');
        } else if (e.key === 'Enter' && mode === 'reject' && !e.shiftKey) {
          e.preventDefault();
          void submit('reject');
        }
        return;
      }
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      switch (e.key) {
        case 'a':
          void submit('approve');
          break;
        case 'r':
          e.preventDefault();
          setMode('reject');
          setTimeout(() => commentRef.current?.focus(), 0);
          break;
        case 'e':
          e.preventDefault();
          setEdited(detail.data?.compressed ?? '');
          setMode('edit');
          setTimeout(() => editRef.current?.focus(), 0);
          break;
        case 's':
          void submit('skip');
          break;
        case 'u':
          void undo();
          break;
        case 'j':
          void next();
          break;
        case 'k':
          if (pos > 0) {
            setPos(pos - 1);
            setMode('view');
          }
          break;
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [detail.data?.compressed, mode, next, pos, submit, undo]);

  if (done || (current === null && !detail.loading)) {
    return (
      <EmptyState title="Nothing left to review">
        <p>Every pair in this view has the labels it needs, or is being reviewed by someone else right now.</p>
        <p>
          Press <kbd>u</kbd> to undo your last label, <kbd>k</kbd> to go back, or widen the view on the{' '}
          <a href="#/pairs">Pairs</a> page.
        </p>
      </EmptyState>
    );
  }
  const d = detail.data;
  const mine = d?.labels.filter((l) => l.labeler === labeler && l.status !== 'discarded');
  return (
    <div className="focus" data-testid="focus" data-pair={current ?? ''}>
      <div className="row actions">
        <span className="grow">
          <strong>Pair {current}</strong>
          {d && (
            <span className="muted">
              {' '}
              · {d.source.title ?? `source ${d.source.id}`} ·{' '}
              <span className={`tag d-${d.source.domain}`}>{d.source.domain}</span> · {d.pair.strategy}
              {d.pair.model ? ` · ${d.pair.model}` : ''}
            </span>
          )}
          {heldBy && <span className="bad"> · {heldBy} is reviewing this pair</span>}
          {mine && mine.length > 0 && (
            <span className="badge-line">
              {' '}
              · your label: {mine.map((l) => `${l.decision} (${l.status})`).join(', ')}
            </span>
          )}
        </span>
        <button type="button" onClick={() => pos > 0 && setPos(pos - 1)} disabled={pos <= 0}>
          Previous <kbd>k</kbd>
        </button>
        <button type="button" onClick={() => void next()}>
          Next <kbd>j</kbd>
        </button>
      </div>
      {d && (
        <>
          <div className="row actions">
            <button type="button" className="approve" onClick={() => void submit('approve')}>
              Approve <kbd>a</kbd>
            </button>
            <button
              type="button"
              className="reject"
              onClick={() => {
                setMode('reject');
                setTimeout(() => commentRef.current?.focus(), 0);
              }}
            >
              Reject <kbd>r</kbd>
            </button>
            <button
              type="button"
              onClick={() => {
                setEdited(d.compressed);
                setMode('edit');
                setTimeout(() => editRef.current?.focus(), 0);
              }}
            >
              Edit <kbd>e</kbd>
            </button>
            <button type="button" onClick={() => void submit('skip')}>
              Skip <kbd>s</kbd>
            </button>
            <button type="button" onClick={() => void undo()}>
              Undo <kbd>u</kbd>
            </button>
            <span className="grow" />
            <TokenSummary detail={d} />
          </div>
          {mode === 'reject' && (
            <div className="card comment">
              <label htmlFor="comment">What is lost or wrong? (required to reject; Enter rejects, Esc cancels)</label>
              <textarea
                id="comment"
                ref={commentRef}
                rows={2}
                value={comment}
                onChange={(e) => setComment(e.target.value)}
                data-testid="comment"
              />
              <div className="row">
                <button
                  type="button"
                  className="reject"
                  onClick={() => void submit('reject')}
                  disabled={!comment.trim()}
                >
                  Reject with comment
                </button>
                <button type="button" onClick={() => void submit('reject', 'draft')} disabled={!comment.trim()}>
                  Save as draft
                </button>
              </div>
            </div>
          )}
          {mode === 'edit' && (
            <div className="card comment">
              <label htmlFor="edited">Edit the compression (Ctrl+Enter saves, Esc cancels)</label>
              <textarea
                id="edited"
                ref={editRef}
                rows={10}
                value={edited}
                onChange={(e) => setEdited(e.target.value)}
                data-testid="edited"
              />
              <input
                placeholder="comment (optional)"
                value={comment}
                onChange={(e) => setComment(e.target.value)}
                aria-label="Comment"
              />
              <div className="row">
                <button type="button" className="approve" onClick={() => void submit('edit')} disabled={!edited.trim()}>
                  Save edit
                </button>
                <button type="button" onClick={() => void submit('edit', 'draft')} disabled={!edited.trim()}>
                  Save as draft
                </button>
              </div>
            </div>
          )}
          <SideBySide original={d.original} compressed={d.compressed} />
          <div className="grid2">
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
            </section>
            <section className="card">
              <h3>Per-model scores</h3>
              <ScoreMatrix detail={d} />
              <h3 className="spaced">Probes</h3>
              <Probes detail={d} />
            </section>
          </div>
          {d.labels.length > 0 && (
            <section className="card">
              <h3>Labels</h3>
              <ul className="labels">
                {d.labels.map((l) => (
                  <li key={l.id} className={l.status === 'discarded' ? 'muted' : ''}>
                    <span className={`badge l-${l.decision}`}>{l.decision}</span> {l.labeler} · {l.status} ·{' '}
                    {new Date(l.createdAt).toLocaleString()}
                    {l.comment && <> · “{l.comment}”</>}
                  </li>
                ))}
              </ul>
            </section>
          )}
        </>
      )}
      {detail.error && <p className="bad">{detail.error}</p>}
    </div>
  );
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
