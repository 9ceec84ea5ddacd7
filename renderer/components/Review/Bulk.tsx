import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiResult } from '../../../src/contracts/api/index.ts';
import { BridgeError } from '../../../src/contracts/bridge.ts';
import type { QueueOrder } from '../../../src/contracts/review.ts';
import type { PairViewQuery } from '../../../src/contracts/view.ts';
import { bridge } from '../../bridge/index.ts';
import { fmt, pct, useApi } from '../../hooks.ts';
import { navigate } from '../../router.ts';
import { useStudio } from '../../store/index.ts';
import { InlineDiff } from '../Diff/Diff.tsx';
import { EmptyState } from '../EmptyState/EmptyState.tsx';
import { keysBlocked } from './keys.ts';
import { Modal } from './Modal.tsx';

type Page = ApiResult<'review-bulk'>;
type Row = Page['rows'][number];

const failing = (r: Row, threshold: number) =>
  r.scores.some((s) => s.equivalence !== null && s.equivalence < threshold);

/** Per-model cells for one row, worst first, pass or fail against the pass line. */
function MiniStrip({ row, threshold }: { row: Row; threshold: number }) {
  if (!row.scores.length) return <span className="muted small">not validated</span>;
  return (
    <span className="mini-strip">
      {row.scores.map((s) => {
        const state = s.equivalence === null ? 'none' : s.equivalence >= threshold ? 'pass' : 'fail';
        return (
          <span key={s.model} className={`score s-${state}`} title={`${s.model}: ${pct(s.equivalence)} (${state})`}>
            {s.model} {pct(s.equivalence)}
          </span>
        );
      })}
    </span>
  );
}

/**
 * Many pairs of the queue at once, each with its inline diff, ratio and scores. Keyboard: j/k
 * move, x selects, Shift+j/k or Shift+x select a range, a approves and r rejects the selection
 * (or the row under the cursor when nothing is selected), with one comment for all.
 */
export function Bulk({
  labeler,
  query,
  order,
}: {
  labeler: string;
  query: PairViewQuery;
  order: QueueOrder | undefined;
}) {
  const toast = useStudio((s) => s.toast);
  const page = useApi('review-bulk', { labeler, query, ...(order ? { order } : {}), limit: 20 });
  const rows = page.data?.rows ?? [];
  const threshold = page.data?.threshold ?? 0.95;
  const [cursor, setCursor] = useState(0);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [anchor, setAnchor] = useState(0);
  const [dialog, setDialog] = useState<null | 'reject' | 'confirm'>(null);
  const [comment, setComment] = useState('');
  const [saving, setSaving] = useState(false);
  const state = useRef({ rows, cursor, selected, anchor, saving, threshold });
  state.current = { rows, cursor, selected, anchor, saving, threshold };

  // A new page keeps no selection of pairs that left it.
  const ids = rows.map((r) => r.id).join(',');
  // biome-ignore lint/correctness/useExhaustiveDependencies: ids stands for rows
  useEffect(() => {
    setSelected((s) => new Set([...s].filter((id) => rows.some((r) => r.id === id))));
    setCursor((c) => Math.min(c, Math.max(rows.length - 1, 0)));
  }, [ids]);

  const targets = useCallback((): Row[] => {
    const { rows: all, selected: sel, cursor: cur } = state.current;
    const picked = all.filter((r) => sel.has(r.id));
    if (picked.length) return picked;
    const one = all[cur];
    return one ? [one] : [];
  }, []);

  const decide = useCallback(
    async (decision: 'approve' | 'reject', note?: string) => {
      const list = targets();
      if (!list.length || state.current.saving) return;
      setSaving(true);
      try {
        // Each item names the texts its row showed; the server saves all or none.
        await bridge.invoke('review-submit-many', {
          labeler,
          decision,
          ...(note ? { comment: note } : {}),
          items: list.map((r) => ({ pairId: r.id, compressedHash: r.compressedHash, originalHash: r.originalHash })),
        });
        toast(
          'info',
          `${decision === 'approve' ? 'Approved' : 'Rejected'} ${list.length} pair${list.length > 1 ? 's' : ''}`,
        );
        setSelected(new Set());
        // The decided rows leave the queue: start again from the top of what is left.
        setCursor(0);
        setAnchor(0);
        setDialog(null);
        setComment('');
        page.reload();
      } catch (error) {
        toast('error', error instanceof Error ? error.message : String(error));
        if (error instanceof BridgeError && error.errorName === 'ConflictError') page.reload();
      } finally {
        setSaving(false);
      }
    },
    [labeler, page, targets, toast],
  );

  const approve = useCallback(() => {
    const list = targets();
    if (!list.length) return;
    if (list.some((r) => failing(r, state.current.threshold))) setDialog('confirm');
    else void decide('approve');
  }, [decide, targets]);

  const selectRange = useCallback((from: number, to: number, on = true) => {
    const { rows: all } = state.current;
    setSelected((s) => {
      const next = new Set(s);
      for (let i = Math.min(from, to); i <= Math.max(from, to); i++) {
        const id = all[i]?.id;
        if (id === undefined) continue;
        if (on) next.add(id);
        else next.delete(id);
      }
      return next;
    });
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (keysBlocked(e) || state.current.saving) return;
      const { rows: all, cursor: cur, anchor: anc, selected: sel } = state.current;
      const move = (to: number) => {
        const next = Math.max(0, Math.min(all.length - 1, to));
        setCursor(next);
        if (e.shiftKey) selectRange(anc, next);
        document.querySelector(`[data-bulk-index="${next}"]`)?.scrollIntoView({ block: 'nearest' });
      };
      switch (e.key) {
        case 'j':
        case 'J':
        case 'ArrowDown':
          e.preventDefault();
          move(cur + 1);
          break;
        case 'k':
        case 'K':
        case 'ArrowUp':
          e.preventDefault();
          move(cur - 1);
          break;
        case 'x':
        case 'X': {
          e.preventDefault();
          const id = all[cur]?.id;
          if (id === undefined) break;
          if (e.shiftKey) selectRange(anc, cur);
          else {
            const next = new Set(sel);
            if (next.has(id)) next.delete(id);
            else next.add(id);
            setSelected(next);
            setAnchor(cur);
          }
          break;
        }
        case 'a':
          e.preventDefault();
          approve();
          break;
        case 'r':
          e.preventDefault();
          if (targets().length) setDialog('reject');
          break;
        default:
          return;
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [approve, selectRange, targets]);

  if (page.data && rows.length === 0) {
    return (
      <EmptyState title="Nothing to label in this queue">
        <p>Every pair here has the labels it needs. Widen the filters on the Pairs page.</p>
      </EmptyState>
    );
  }
  const count = targets().length;
  return (
    <div className="bulk" data-testid="bulk">
      <div className="row bulk-bar">
        <label className="check">
          <input
            type="checkbox"
            checked={rows.length > 0 && selected.size === rows.length}
            onChange={(e) => setSelected(new Set(e.target.checked ? rows.map((r) => r.id) : []))}
          />
          select all
        </label>
        <span className="grow muted" data-testid="bulk-count">
          {selected.size} selected · {rows.length} shown of {fmt(page.data?.total)} in this queue · <kbd>j</kbd>/
          <kbd>k</kbd> move, <kbd>x</kbd> select, <kbd>Shift</kbd> range
        </span>
        <button type="button" className="approve" disabled={!count || saving} onClick={approve}>
          Approve {selected.size ? `${selected.size} selected` : 'this'} <kbd>a</kbd>
        </button>
        <button type="button" className="reject" disabled={!count || saving} onClick={() => setDialog('reject')}>
          Reject {selected.size ? `${selected.size} selected` : 'this'} <kbd>r</kbd>
        </button>
      </div>
      {rows.map((r, i) => (
        // biome-ignore lint/a11y/useKeyWithClickEvents lint/a11y/noStaticElementInteractions: the keyboard path is j/k/x on the page
        <div
          key={r.id}
          className={`bulk-item card${i === cursor ? ' cursor' : ''}${selected.has(r.id) ? ' selected' : ''}`}
          data-bulk-index={i}
          data-pair={r.id}
          data-selected={selected.has(r.id) ? 'true' : 'false'}
          onClick={() => setCursor(i)}
        >
          <div className="row">
            <input
              type="checkbox"
              aria-label={`select pair ${r.id}`}
              checked={selected.has(r.id)}
              onChange={() => undefined}
              onClick={(e) => {
                e.stopPropagation();
                if (e.shiftKey) selectRange(anchor, i, !selected.has(r.id));
                else {
                  const next = new Set(selected);
                  if (next.has(r.id)) next.delete(r.id);
                  else next.add(r.id);
                  setSelected(next);
                  setAnchor(i);
                }
                setCursor(i);
              }}
            />
            <button type="button" className="link" onClick={() => navigate('review', { pair: r.id })}>
              Pair {r.id}
            </button>
            <span className="grow muted ellipsis">
              {r.title ?? ''} · <span className={`tag d-${r.domain}`}>{r.domain}</span> · {r.strategy}
            </span>
            <span className="muted" title="o200k tokens, compressed / original">
              {fmt(r.tokensOriginal)} → {fmt(r.tokensCompressed)} ·{' '}
              <strong>{r.ratio === null ? '–' : r.ratio.toFixed(2)}</strong>
            </span>
            <MiniStrip row={r} threshold={threshold} />
          </div>
          <InlineDiff original={r.original} compressed={r.compressed} />
          {r.truncated && (
            <p className="muted small">Long pair: the first 20,000 characters are shown; open it in Focus for all.</p>
          )}
        </div>
      ))}
      {dialog === 'reject' && (
        <Modal
          title={`Reject ${count} pair${count > 1 ? 's' : ''}`}
          onCancel={() => setDialog(null)}
          testId="bulk-reject-dialog"
        >
          <label htmlFor="bulk-comment">One comment for all: what is lost or wrong? (Enter rejects, Esc cancels)</label>
          <textarea
            id="bulk-comment"
            rows={3}
            data-autofocus
            value={comment}
            onChange={(e) => setComment(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey) {
                e.preventDefault();
                if (comment.trim()) void decide('reject', comment);
              }
            }}
            data-testid="bulk-comment"
          />
          <div className="row">
            <button
              type="button"
              className="reject"
              disabled={!comment.trim() || saving}
              onClick={() => void decide('reject', comment)}
            >
              Reject {count}
            </button>
            <button type="button" onClick={() => setDialog(null)}>
              Cancel <kbd>Esc</kbd>
            </button>
          </div>
        </Modal>
      )}
      {dialog === 'confirm' && (
        <Modal
          title="Approve pairs that fail validation?"
          onCancel={() => setDialog(null)}
          testId="bulk-confirm-dialog"
        >
          <p>
            {targets().filter((r) => failing(r, threshold)).length} of the {count} pairs fail on some model (under the
            pass line of {pct(threshold)}).
          </p>
          <div className="row">
            <button
              type="button"
              className="approve"
              data-autofocus
              disabled={saving}
              onClick={() => void decide('approve')}
            >
              Approve anyway <kbd>Enter</kbd>
            </button>
            <button type="button" onClick={() => setDialog(null)}>
              Cancel <kbd>Esc</kbd>
            </button>
          </div>
        </Modal>
      )}
    </div>
  );
}
