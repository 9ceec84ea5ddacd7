import type { ApiResult } from '../../../src/contracts/api/index.ts';
import type { QueueOrder } from '../../../src/contracts/review.ts';
import { DomainSchema } from '../../../src/contracts/source.ts';
import type { PairViewQuery } from '../../../src/contracts/view.ts';
import { SideBySide } from '../Diff/Diff.tsx';
import { EmptyState } from '../EmptyState/EmptyState.tsx';
import { EditPanel } from './EditPanel.tsx';
import { ConfirmApproveDialog, RejectDialog } from './FocusDialogs.tsx';
import { FocusActions, FocusDetails, FocusHeader, LabelsCard } from './FocusPanes.tsx';
import { ScoreStrip } from './ScoreStrip.tsx';
import { useFocusKeys } from './useFocusKeys.ts';
import { useFocusQueue } from './useFocusQueue.ts';

export type Detail = ApiResult<'pairs-get'>;
export type SubmitAnswer = ApiResult<'review-submit'>;

/**
 * One pair at a time, from the keyboard (useFocusQueue: the queue and the labels; useFocusKeys:
 * the keys). j/k walk forward and back through what was seen in this session.
 */
export function Focus(props: {
  labeler: string;
  pairParam: number | null;
  query: PairViewQuery;
  order: QueueOrder | undefined;
  /** The view's URL parameters without `pair`, to return to after a pair opened by link. */
  viewParams: Record<string, string>;
}) {
  const q = useFocusQueue(props);
  const { view, mode, setMode, saving, submit, guarded } = q;
  useFocusKeys(q.refs, q);
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
  const toView = () => setMode('view');
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
      <FocusHeader
        view={view}
        labeler={props.labeler}
        heldBy={q.heldBy}
        canGoBack={q.history.pos > 0}
        saving={saving}
        onBack={() => void guarded(q.back)}
        onNext={() => void guarded(q.advance)}
      />
      {d && (
        <>
          <ScoreStrip key={`strip-${d.pair.id}`} detail={d} />
          <FocusActions
            detail={d}
            saving={saving}
            onApprove={q.approve}
            onReject={() => setMode('reject')}
            onEdit={() => setMode('edit')}
            onSkip={() => void submit('skip')}
            onUndo={() => void q.undo()}
          />
          {mode === 'edit' ? (
            <EditPanel
              key={`edit-${d.pair.id}`}
              original={d.original}
              initial={d.compressed}
              originalTokens={d.tokens.find((t) => t.tokenizer === 'o200k')?.before ?? null}
              domain={DomainSchema.safeParse(d.source.domain).data}
              saving={saving}
              onCancel={toView}
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
          <FocusDetails detail={d} onProbeSaved={() => q.load(d.pair.id, true)} />
          <LabelsCard detail={d} />
          {mode === 'reject' && (
            <RejectDialog
              detail={d}
              comment={q.comment}
              setComment={q.setComment}
              saving={saving}
              onReject={(extra) => void submit('reject', extra)}
              onCancel={toView}
            />
          )}
          {mode === 'confirm' && (
            <ConfirmApproveDialog
              detail={d}
              saving={saving}
              onApprove={() => void submit('approve')}
              onCancel={toView}
            />
          )}
        </>
      )}
    </div>
  );
}
