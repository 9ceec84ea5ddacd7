import { useCallback, useEffect, useRef, useState } from 'react';
import { BridgeError } from '../../../src/contracts/bridge.ts';
import type { QueueOrder } from '../../../src/contracts/review.ts';
import type { PairViewQuery } from '../../../src/contracts/view.ts';
import { bridge } from '../../bridge/index.ts';
import { navigate } from '../../router.ts';
import { useStudio } from '../../store/index.ts';
import type { Detail, SubmitAnswer } from './Focus.tsx';
import { failingModels } from './ScoreStrip.tsx';

/**
 * What the Focus view shows: one object per loaded pair. The id in the header, the texts, the
 * counts and the hashes a label sends all come from `detail`, so they cannot disagree.
 */
export type View =
  | { status: 'loading'; id: number | null }
  | { status: 'ready'; detail: Detail }
  | { status: 'empty' }
  | { status: 'error'; id: number | null; message: string };
export type Mode = 'view' | 'reject' | 'edit' | 'confirm';
export type Decision = 'approve' | 'reject' | 'edit' | 'skip';
export type SubmitExtra = { comment?: string; editedText?: string; status?: 'submitted' | 'draft' };

/**
 * The Focus view's queue and labels: which pair is on the screen, the walk back and forth through
 * what was seen, and the actions (approve, reject, edit, skip, undo), one at a time. The queue (the
 * view's filters, in the queue's order) serves unlabelled pairs and reserves each for this labeler.
 */
export function useFocusQueue({
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
    (decision: Decision, extra: SubmitExtra = {}) =>
      guarded(async () => {
        const v = viewRef.current;
        if (v.status !== 'ready') return;
        const d = v.detail;
        const status = extra.status ?? 'submitted';
        const h = hist.current;
        // At the end of what was seen, the queue's next pair comes back with the label's answer.
        const fromQueue = h.pos >= h.ids.length - 1;
        const mine = ++token.current;
        let answer: SubmitAnswer;
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

  return {
    view,
    mode,
    setMode,
    saving,
    heldBy,
    comment,
    setComment,
    history: hist.current,
    refs: { viewRef, modeRef, busy },
    load,
    guarded,
    advance,
    back,
    submit,
    approve,
    undo,
  };
}
