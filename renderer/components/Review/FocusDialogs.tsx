import { pct } from '../../hooks.ts';
import type { Detail } from './Focus.tsx';
import { Modal } from './Modal.tsx';
import { failingModels } from './ScoreStrip.tsx';
import type { SubmitExtra } from './useFocusQueue.ts';

/** A rejection needs a comment: Enter rejects, Shift+Enter a new line, Esc cancels; or a draft. */
export function RejectDialog({
  detail,
  comment,
  setComment,
  saving,
  onReject,
  onCancel,
}: {
  detail: Detail;
  comment: string;
  setComment: (c: string) => void;
  saving: boolean;
  onReject: (extra: SubmitExtra) => void;
  onCancel: () => void;
}) {
  return (
    <Modal title={`Reject pair ${detail.pair.id}`} onCancel={onCancel} testId="reject-dialog">
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
            if (comment.trim() && !saving) onReject({ comment });
          }
        }}
        data-testid="comment"
      />
      <div className="row">
        <button
          type="button"
          className="reject"
          onClick={() => onReject({ comment })}
          disabled={!comment.trim() || saving}
        >
          Reject with comment
        </button>
        <button
          type="button"
          onClick={() => onReject({ comment, status: 'draft' })}
          disabled={!comment.trim() || saving}
        >
          Save as draft
        </button>
        <button type="button" onClick={onCancel}>
          Cancel <kbd>Esc</kbd>
        </button>
      </div>
    </Modal>
  );
}

/** A pair failing on some model is approved only after this confirmation, which names the models. */
export function ConfirmApproveDialog({
  detail,
  saving,
  onApprove,
  onCancel,
}: {
  detail: Detail;
  saving: boolean;
  onApprove: () => void;
  onCancel: () => void;
}) {
  return (
    <Modal title={`Approve pair ${detail.pair.id}? It fails validation`} onCancel={onCancel} testId="confirm-dialog">
      <ul>
        {failingModels(detail).map((m) => (
          <li key={m.model}>
            <strong>{m.model}</strong>: {pct(m.equivalence)} of probes answered the same, under the pass line of{' '}
            {pct(detail.threshold)}
          </li>
        ))}
      </ul>
      <div className="row">
        <button type="button" className="approve" data-autofocus disabled={saving} onClick={onApprove}>
          Approve anyway <kbd>Enter</kbd>
        </button>
        <button type="button" onClick={onCancel}>
          Cancel <kbd>Esc</kbd>
        </button>
      </div>
    </Modal>
  );
}
