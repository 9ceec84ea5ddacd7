import { useState } from 'react';
import { bridge } from '../../bridge/index.ts';
import { useAction } from '../../hooks.ts';
import type { Detail } from './Focus.tsx';

/** The probes asked about this pair's source: a researcher can reword a question or its answer. */
export function Probes({ detail, onSaved }: { detail: Detail; onSaved: () => Promise<void> }) {
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
