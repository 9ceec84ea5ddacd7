import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiResult } from '../../../src/contracts/api/index.ts';
import { BridgeError } from '../../../src/contracts/bridge.ts';
import type { QueueOrder } from '../../../src/contracts/review.ts';
import { DomainSchema } from '../../../src/contracts/source.ts';
import type { PairViewQuery } from '../../../src/contracts/view.ts';
import { bridge } from '../../bridge/index.ts';
import { fmt, pct, useAction } from '../../hooks.ts';
import { navigate } from '../../router.ts';
import { useStudio } from '../../store/index.ts';
import { SideBySide } from '../Diff/Diff.tsx';
import { EmptyState } from '../EmptyState/EmptyState.tsx';
import { EditPanel } from './EditPanel.tsx';
import { keysBlocked } from './keys.ts';
import { Modal } from './Modal.tsx';
import { failingModels, ScoreMatrix, ScoreStrip } from './ScoreStrip.tsx';

type Detail = ApiResult<'pairs-get'>;

/**
 * What the Focus view shows: one object per loaded pair. The id in the header, the texts, the
 * counts and the hashes a label sends all come from `detail`, so they cannot disagree.
 */
type View =
  | { status: 'loading'; id: number | null }
  | { status: 'ready'; detail: Detail }
  | { status: 'empty' }
  | { status: 'error'; id: number | null; message: string };
type Mode = 'view' | 'reject' | 'edit' | 'confirm';

/**
 * One pair at a time, from the keyboard. The queue (the view's filters, in the queue's order)
 * serves unlabelled pairs and reserves each for this labeler; j/k walk forward and back through
 * what was seen in this session. Keys do nothing under a dialog, in a field, or while a label is
 * being saved and the next pair loads.
 */
export function Focus({
  labeler,
  pairParam,
  query,
  order,
  viewParams,
}: {
  labeler: string;
  pairParam: number | null;
  query: PairViewQuery;
  order: QueueOrder | undefined;
  /** The view's URL parameters without `pair`, to return to after a pair opened by link. */
  viewParams: Record<string, string>;
}) {
  const toast = useStudio((s) => s.toast);
  const version = useStudio((s) => s.version);
  const [view, setViewState] = useState<View>({ status: 'loading', id: pairParam });
  const [mode, setModeState] = useState<Mode>('view');
  const [saving, setSaving] = useState(false);
  const [heldBy, setHeldBy] = useState<string | null>(null);
  const [comment, setComment] = useState('');
  // Refs mirror the state for the key handler, which must see the state of the moment, not of a render.
  const viewRef = useRef(view);
  const modeRef = useRef(mode);
  const busy = useRef(false);
  // When this view last saved a label: the store change it causes needs no refresh (the answer had the next pair).
  const savedAt = useRef(0);
  const token = useRef(0);
  const hist = useRef<{ ids: number[]; pos: number }>({ ids: [], pos: -1 });
  const setView = useCallback((v: View) => {
    viewRef.current = v;
    setViewState(v);
  }, []);
  const setMode = useCallback((m: Mode) => {
    modeRef.current = m;
    setModeState(m);
  }, []);

  /** Loads a pair; an answer for a pair asked for earlier than the latest request is dropped. */
  const load = useCallback(
    async (id: number, silent = false): Promise<void> => {
      const mine = ++token.current;
      if (!silent) {
        setView({ status: 'loading', id });
        setMode('view');
        setComment('');
      }
      try {
        const detail = await bridge.invoke('pairs-get', { id });
        if (mine === token.current) setView({ status: 'ready', detail });
      } catch (error) {
        if (mine === token.current && !silent)
          setView({ status: 'error', id, message: error instanceof Error ? error.message : String(error) });
      }
    },
    [setMode, setView],
  );

  /** Runs one action at a time; keys and buttons do nothing until it and the next pair's load end. */
  const guarded = useCallback(
    async (fn: () => Promise<void>) => {
      if (busy.current) return;
      busy.current = true;
      setSaving(true);
      try {
        await fn();
      } catch (error) {
        toast('error', error instanceof Error ? error.message : String(error));
      } finally {
        busy.current = false;
        setSaving(false);
      }
    },
    [toast],
  );

  const queryKey = JSON.stringify(query);
  // biome-ignore lint/correctness/useExhaustiveDependencies: queryKey stands for query
  const advance = useCallback(async () => {
    const h = hist.current;
    if (h.pos < h.ids.length - 1) {
      h.pos++;
      await load(h.ids[h.pos] as number);
      return;
    }
    const r = await bridge.invoke('review-next', { labeler, query, ...(order ? { order } : {}) });
    if (r.pairId === null) {
      token.current++;
      h.pos = h.ids.length;
      setView({ status: 'empty' });
      return;
    }
    h.ids.push(r.pairId);
    h.pos = h.ids.length - 1;
    setHeldBy(null);
    await load(r.pairId);
  }, [labeler, queryKey, order, load, setView]);

  const back = useCallback(async () => {
    const h = hist.current;
    if (h.pos <= 0) return;
    h.pos = Math.min(h.pos, h.ids.length) - 1;
    await load(h.ids[h.pos] as number);
  }, [load]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: queryKey stands for query
  const submit = useCallback(
    (
      decision: 'approve' | 'reject' | 'edit' | 'skip',
      extra: { comment?: string; editedText?: string; status?: 'submitted' | 'draft' } = {},
    ) =>
      guarded(async () => {
        const v = viewRef.current;
        if (v.status !== 'ready') return;
        const d = v.detail;
        const status = extra.status ?? 'submitted';
        const h = hist.current;
        // At the end of what was seen, the queue's next pair comes back with the label's answer.
        const fromQueue = h.pos >= h.ids.length - 1;
        const mine = ++token.current;
        let answer: ApiResult<'review-submit'>;
        try {
          answer = await bridge.invoke('review-submit', {
            pairId: d.pair.id,
            labeler,
            decision,
            status,
            compressedHash: d.pair.compressedHash,
            originalHash: d.source.hash,
            ...(extra.comment?.trim() ? { comment: extra.comment } : {}),
            ...(extra.editedText !== undefined ? { editedText: extra.editedText } : {}),
            ...(fromQueue ? { next: { query, ...(order ? { order } : {}) } } : {}),
          });
        } catch (error) {
          if (error instanceof BridgeError && error.errorName === 'ConflictError') {
            // The pair's text is not what was on the screen: show what it is now, save nothing.
            toast('error', error.message);
            await load(d.pair.id);
            return;
          }
          throw error;
        }
        savedAt.current = performance.now();
        toast('info', status === 'draft' ? `Pair ${d.pair.id} saved as draft` : `Pair ${d.pair.id}: ${decision}`);
        setMode('view');
        setComment('');
        if (pairParam !== null) navigate('review', viewParams, true);
        const next = answer.next;
        if (!next) {
          await advance();
          return;
        }
        if (mine !== token.current) return;
        if (next.pairId === null || next.detail === null) {
          h.pos = h.ids.length;
          setView({ status: 'empty' });
          return;
        }
        h.ids.push(next.pairId);
        h.pos = h.ids.length - 1;
        setHeldBy(null);
        setView({ status: 'ready', detail: next.detail });
      }),
    [advance, guarded, labeler, load, pairParam, setMode, setView, toast, viewParams, queryKey, order],
  );

  const approve = useCallback(() => {
    const v = viewRef.current;
    if (v.status !== 'ready') return;
    // A pair failing on some model is approved only after one confirmation.
    if (failingModels(v.detail).length) setMode('confirm');
    else void submit('approve');
  }, [setMode, submit]);

  const undo = useCallback(
    () =>
      guarded(async () => {
        const r = await bridge.invoke('review-undo', { labeler });
        if (r === null) {
          toast('info', 'Nothing to undo');
          return;
        }
        toast('info', `Undid your label on pair ${r.pairId}`);
        const h = hist.current;
        h.ids.push(r.pairId);
        h.pos = h.ids.length - 1;
        await load(r.pairId);
      }),
    [guarded, labeler, load, toast],
  );

  const actions = useRef({ approve, submit, undo, advance, back, guarded, setMode });
  actions.current = { approve, submit, undo, advance, back, guarded, setMode };

  // One key handler for the life of the view; it reads the moment's state through refs.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (keysBlocked(e) || busy.current || modeRef.current !== 'view') return;
      const ready = viewRef.current.status === 'ready';
      const a = actions.current;
      switch (e.key) {
        case 'a':
          if (ready) a.approve();
          break;
        case 'r':
          if (ready) {
            e.preventDefault();
            a.setMode('reject');
          }
          break;
        case 'e':
          if (ready) {
            e.preventDefault();
            a.setMode('edit');
          }
          break;
        case 's':
          if (ready) void a.submit('skip');
          break;
        case 'u':
          void a.undo();
          break;
        case 'j':
          void a.guarded(a.advance);
          break;
        case 'k':
          void a.guarded(a.back);
          break;
        default:
          return;
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // Open the pair named in the URL, else the next one from the queue.
  // biome-ignore lint/correctness/useExhaustiveDependencies: on entry and when the URL names a pair
  useEffect(() => {
    if (pairParam !== null) {
      const v = viewRef.current;
      if (v.status === 'ready' && v.detail.pair.id === pairParam) return;
      void bridge.invoke('review-claim', { labeler, pairId: pairParam }).then(
        (r) => setHeldBy(r.ok ? null : (r.heldBy ?? null)),
        () => undefined,
      );
      const h = hist.current;
      h.ids.push(pairParam);
      h.pos = h.ids.length - 1;
      void guarded(() => load(pairParam));
    } else if (hist.current.ids.length === 0) void guarded(advance);
  }, [pairParam, labeler]);

  // Someone wrote (a probe edited, a validation finished): refresh the pair on the screen, quietly.
  const firstVersion = useRef(version);
  useEffect(() => {
    if (version === firstVersion.current || performance.now() - savedAt.current < 1500) return;
    const timer = setTimeout(() => {
      const v = viewRef.current;
      if (v.status === 'ready' && !busy.current && modeRef.current === 'view') void load(v.detail.pair.id, true);
    }, 300);
    return () => clearTimeout(timer);
  }, [version, load]);

  if (view.status === 'empty') {
    return (
      <EmptyState title="Nothing left to review">
        <p>Every pair in this queue has the labels it needs, or is being reviewed by someone else right now.</p>
        <p>
          Press <kbd>u</kbd> to undo your last label, <kbd>k</kbd> to go back, or widen the view on the{' '}
          <a href="#/pairs">Pairs</a> page.
        </p>
      </EmptyState>
    );
  }
  const d = view.status === 'ready' ? view.detail : null;
  const h = hist.current;
  return (
    <div
      className="focus"
      data-testid="focus"
      data-pair={d?.pair.id ?? ''}
      data-state={view.status}
      data-saving={saving ? 'true' : 'false'}
      data-compressed-hash={d?.pair.compressedHash ?? ''}
      data-original-hash={d?.source.hash ?? ''}
    >
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
        <button type="button" onClick={() => void guarded(back)} disabled={h.pos <= 0 || saving}>
          Previous <kbd>k</kbd>
        </button>
        <button type="button" onClick={() => void guarded(advance)} disabled={saving}>
          Next <kbd>j</kbd>
        </button>
      </div>
      {d && (
        <>
          <ScoreStrip key={`strip-${d.pair.id}`} detail={d} />
          <div className="row actions">
            <button type="button" className="approve" disabled={saving} onClick={approve}>
              Approve <kbd>a</kbd>
            </button>
            <button type="button" className="reject" disabled={saving} onClick={() => setMode('reject')}>
              Reject <kbd>r</kbd>
            </button>
            <button type="button" disabled={saving} onClick={() => setMode('edit')}>
              Edit <kbd>e</kbd>
            </button>
            <button type="button" disabled={saving} onClick={() => void submit('skip')}>
              Skip <kbd>s</kbd>
            </button>
            <button type="button" disabled={saving} onClick={() => void undo()}>
              Undo <kbd>u</kbd>
            </button>
            <span className="grow" />
            {saving && <span className="muted">saving…</span>}
            <TokenSummary detail={d} />
          </div>
          {mode === 'edit' ? (
            <EditPanel
              key={`edit-${d.pair.id}`}
              original={d.original}
              initial={d.compressed}
              originalTokens={d.tokens.find((t) => t.tokenizer === 'o200k')?.before ?? null}
              domain={DomainSchema.safeParse(d.source.domain).data}
              saving={saving}
              onCancel={() => setMode('view')}
              onSave={(text, note, status) => void submit('edit', { editedText: text, comment: note, status })}
            />
          ) : (
            <SideBySide
              key={`diff-${d.pair.id}`}
              original={d.original}
              compressed={d.compressed}
              dropped={d.dropped}
              height="max(240px, calc(100vh - 300px))"
            />
          )}
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
              <Probes detail={d} onSaved={() => load(d.pair.id, true)} />
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
          {mode === 'reject' && (
            <Modal title={`Reject pair ${d.pair.id}`} onCancel={() => setMode('view')} testId="reject-dialog">
              <label htmlFor="comment">
                What is lost or wrong? (required; Enter rejects, Shift+Enter a new line, Esc cancels)
              </label>
              <textarea
                id="comment"
                rows={3}
                value={comment}
                data-autofocus
                onChange={(e) => setComment(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' && !e.shiftKey) {
                    e.preventDefault();
                    if (comment.trim() && !saving) void submit('reject', { comment });
                  }
                }}
                data-testid="comment"
              />
              <div className="row">
                <button
                  type="button"
                  className="reject"
                  onClick={() => void submit('reject', { comment })}
                  disabled={!comment.trim() || saving}
                >
                  Reject with comment
                </button>
                <button
                  type="button"
                  onClick={() => void submit('reject', { comment, status: 'draft' })}
                  disabled={!comment.trim() || saving}
                >
                  Save as draft
                </button>
                <button type="button" onClick={() => setMode('view')}>
                  Cancel <kbd>Esc</kbd>
                </button>
              </div>
            </Modal>
          )}
          {mode === 'confirm' && (
            <Modal
              title={`Approve pair ${d.pair.id}? It fails validation`}
              onCancel={() => setMode('view')}
              testId="confirm-dialog"
            >
              <ul>
                {failingModels(d).map((m) => (
                  <li key={m.model}>
                    <strong>{m.model}</strong>: {pct(m.equivalence)} of probes answered the same, under the pass line of{' '}
                    {pct(d.threshold)}
                  </li>
                ))}
              </ul>
              <div className="row">
                <button
                  type="button"
                  className="approve"
                  data-autofocus
                  disabled={saving}
                  onClick={() => void submit('approve')}
                >
                  Approve anyway <kbd>Enter</kbd>
                </button>
                <button type="button" onClick={() => setMode('view')}>
                  Cancel <kbd>Esc</kbd>
                </button>
              </div>
            </Modal>
          )}
        </>
      )}
    </div>
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

/** The probes asked about this pair's source: a researcher can reword a question or its answer. */
function Probes({ detail, onSaved }: { detail: Detail; onSaved: () => Promise<void> }) {
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
                  // The edit dropped the probe's answers and verdicts: show that now, not at the next event.
                  await onSaved();
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
