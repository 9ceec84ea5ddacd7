import { useState } from 'react';
import type { PairDetail, ProbeCell } from '../../../src/contracts/view.ts';
import { pct } from '../../hooks.ts';

type Row = PairDetail['matrix'][number];

/** Models worst first; a model with nothing judged goes last. */
export function worstFirst(matrix: readonly Row[]): Row[] {
  return [...matrix].sort((a, b) => (a.equivalence ?? 2) - (b.equivalence ?? 2) || a.model.localeCompare(b.model));
}

/** The models on which a pair fails: their share of equivalent probes is under the pass line. */
export function failingModels(detail: Pick<PairDetail, 'matrix' | 'threshold'>): Row[] {
  return worstFirst(detail.matrix).filter((m) => m.equivalence !== null && m.equivalence < detail.threshold);
}

const MARK: Record<string, string> = { equivalent: '✓', different: '✗', 'judge-error': '!' };

/**
 * The decision's evidence in one line: one cell per validator model, worst first, pass or fail
 * against the threshold of configs/validation.yaml. A cell opens that model's probes.
 */
export function ScoreStrip({ detail }: { detail: PairDetail }) {
  const [open, setOpen] = useState<string | null>(null);
  const rows = worstFirst(detail.matrix);
  if (!rows.length) {
    return (
      <div className="score-strip" data-testid="score-strip">
        <span className="muted" data-testid="matrix-empty">
          Not validated yet: no model has answered probes about this pair.
        </span>
      </div>
    );
  }
  const row = rows.find((r) => r.model === open);
  return (
    <div>
      <div className="score-strip" data-testid="score-strip">
        <span className="muted">pass line {pct(detail.threshold)}</span>
        {rows.map((r) => {
          const state = r.equivalence === null ? 'none' : r.equivalence >= detail.threshold ? 'pass' : 'fail';
          return (
            <button
              type="button"
              key={r.model}
              className={`score s-${state}${open === r.model ? ' on' : ''}`}
              data-model={r.model}
              data-state={state}
              aria-expanded={open === r.model}
              onClick={() => setOpen(open === r.model ? null : r.model)}
            >
              <span className="score-model">{r.model}</span>
              <span className="score-value">{pct(r.equivalence)}</span>
              <span className="score-bar">
                <span style={{ width: `${(r.equivalence ?? 0) * 100}%` }} />
                <i style={{ left: `${detail.threshold * 100}%` }} />
              </span>
              <span>{state === 'pass' ? 'pass' : state === 'fail' ? 'fail' : 'not judged'}</span>
            </button>
          );
        })}
      </div>
      {row && <Evidence model={row.model} cells={row.cells} />}
    </div>
  );
}

function num(x: number | null, digits = 2): string {
  return x === null ? '–' : x.toFixed(digits);
}

/** One model's probes: the question, the reference, both answers, and how the verdict was reached. */
export function Evidence({ model, cells }: { model: string; cells: readonly ProbeCell[] }) {
  return (
    <div className="evidence answers" data-testid="evidence">
      <table className="evidence-table">
        <thead>
          <tr>
            <th>{model}</th>
            <th>question · reference answer</th>
            <th>answer with the original</th>
            <th>answer with the compression</th>
            <th>verdict</th>
          </tr>
        </thead>
        <tbody>
          {cells.map((c, i) => (
            <tr key={c.probeId} className={`o-row-${c.outcome ?? 'none'}`}>
              <td>
                <span className={`badge o-${c.outcome ?? 'none'}`}>
                  {MARK[c.outcome ?? ''] ?? '·'} {c.outcome ?? 'not judged'}
                </span>
              </td>
              <td>
                <strong>Q{i + 1}.</strong> {c.question}
                {c.reference && (
                  <div className="muted">
                    Reference answer: <span className="ref">{c.reference}</span>
                  </div>
                )}
              </td>
              <td className="answer">{c.answerOriginal ?? '(none)'}</td>
              <td className="answer">{c.answerCompressed ?? '(none)'}</td>
              <td className="muted small">
                {c.via ? `by ${c.via}` : 'no verdict'} · F1 {num(c.f1)} · similarity {num(c.similarity, 3)}
                {c.reason ? (
                  <div>
                    judge: <span className="reason">{c.reason}</span>
                  </div>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Probes as rows (their question written out), models as columns; a cell opens its evidence. */
export function ScoreMatrix({ detail }: { detail: PairDetail }) {
  const [open, setOpen] = useState<{ model: string; probeId: number } | null>(null);
  const rows = worstFirst(detail.matrix);
  if (!rows.length) return null;
  const cell = open && rows.find((m) => m.model === open.model)?.cells.find((c) => c.probeId === open.probeId);
  return (
    <div>
      <table className="matrix">
        <thead>
          <tr>
            <th>probe</th>
            {rows.map((r) => (
              <th key={r.model}>{r.model}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {detail.probes.map((p, i) => (
            <tr key={p.id}>
              <th className="probe-question">
                Q{i + 1}. {p.question}
              </th>
              {rows.map((r) => {
                const c = r.cells.find((x) => x.probeId === p.id);
                return (
                  <td key={r.model}>
                    <button
                      type="button"
                      className={`cell o-${c?.outcome ?? 'none'}`}
                      title={`${r.model}: ${c?.outcome ?? 'not judged'}`}
                      onClick={() => setOpen({ model: r.model, probeId: p.id })}
                    >
                      {MARK[c?.outcome ?? ''] ?? '·'}
                    </button>
                  </td>
                );
              })}
            </tr>
          ))}
          <tr>
            <th>equivalence</th>
            {rows.map((r) => (
              <td key={r.model}>{pct(r.equivalence)}</td>
            ))}
          </tr>
        </tbody>
      </table>
      {cell && open && <Evidence model={open.model} cells={[cell]} />}
    </div>
  );
}
