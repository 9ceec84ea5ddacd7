import { useEffect, useRef, useState } from 'react';
import type { Domain } from '../../../src/contracts/source.ts';
import { bridge } from '../../bridge/index.ts';
import { fmt, pct } from '../../hooks.ts';
import { InlineDiff } from '../Diff/Diff.tsx';

/** o200k count of a text, asked of the server (the renderer has no tokenizer) after typing pauses. */
function useTokenCount(text: string, domain: Domain | undefined, delayMs = 250): number | null {
  const [count, setCount] = useState<number | null>(null);
  const seq = useRef(0);
  useEffect(() => {
    const mine = ++seq.current;
    const timer = setTimeout(() => {
      bridge.invoke('tokens-count', { text, ...(domain ? { domain } : {}) }).then(
        (r) => {
          // A slower answer for older text never overwrites the count of newer text.
          if (mine === seq.current) setCount(r[0]?.count ?? null);
        },
        () => undefined,
      );
    }, delayMs);
    return () => clearTimeout(timer);
  }, [text, domain, delayMs]);
  return count;
}

/**
 * Editing a compression: the text on the left, its live word diff against the original on the
 * right, and live o200k counts. Ctrl+Enter saves, Esc cancels.
 */
export function EditPanel({
  original,
  initial,
  originalTokens,
  domain,
  saving,
  onSave,
  onCancel,
}: {
  original: string;
  initial: string;
  originalTokens: number | null;
  domain: Domain | undefined;
  saving: boolean;
  onSave: (text: string, comment: string, status: 'submitted' | 'draft') => void;
  onCancel: () => void;
}) {
  const [text, setText] = useState(initial);
  const [comment, setComment] = useState('');
  const tokens = useTokenCount(text, domain);
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => ref.current?.focus(), []);
  const ok = text.trim().length > 0 && !saving;
  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onCancel();
    } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      if (ok) onSave(text, comment, 'submitted');
    }
  };
  return (
    <div className="card edit-panel" data-testid="edit-panel">
      <div className="row">
        <strong className="grow">Edit the compression</strong>
        <span className="muted" data-testid="edit-tokens">
          o200k {fmt(originalTokens)} → {tokens === null ? '…' : fmt(tokens)}
          {tokens !== null && originalTokens ? ` (${pct(1 - tokens / originalTokens)} fewer)` : ''}
        </span>
      </div>
      <div className="sxs">
        <div className="pane">
          <h3>Your compression (Ctrl+Enter saves, Esc cancels)</h3>
          <textarea
            ref={ref}
            className="edit-text"
            value={text}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={onKeyDown}
            data-testid="edited"
            aria-label="Edited compression"
          />
        </div>
        <div className="pane">
          <h3>Against the original (struck: removed, marked: added)</h3>
          <InlineDiff original={original} compressed={text} testId="edit-diff" />
        </div>
      </div>
      <div className="row">
        <input
          className="grow"
          placeholder="comment (optional)"
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          onKeyDown={onKeyDown}
          aria-label="Comment"
        />
        <button type="button" className="approve" disabled={!ok} onClick={() => onSave(text, comment, 'submitted')}>
          Save edit
        </button>
        <button type="button" disabled={!ok} onClick={() => onSave(text, comment, 'draft')}>
          Save as draft
        </button>
        <button type="button" onClick={onCancel}>
          Cancel <kbd>Esc</kbd>
        </button>
      </div>
    </div>
  );
}
