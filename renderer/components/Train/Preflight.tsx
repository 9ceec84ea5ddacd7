import { useState } from 'react';
import type { ApiResult } from '../../../src/contracts/api/index.ts';
import { bridge } from '../../bridge/index.ts';
import { fmt, useAction, useApi } from '../../hooks.ts';
import { useStudio } from '../../store/index.ts';

type Runner = 'local' | 'tinker';
type Preflight = ApiResult<'training-preflight'>;
type Splits = NonNullable<Preflight['dataset']>['splits'];

const duration = (s: number) =>
  s < 90 ? `${Math.round(s)} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`;

const ICON: Record<Preflight['checks'][number]['level'], string> = { ok: '✓', info: 'i', warn: '!', error: '×' };

/** A dataset's split as its manifest records it: examples, sources and o200k tokens per split. */
export function SplitTable({ splits }: { splits: Splits }) {
  return (
    <table className="table small split" data-testid="dataset-split">
      <thead>
        <tr>
          <th>split</th>
          <th className="num">examples</th>
          <th className="num">sources</th>
          <th className="num">tokens original → compressed</th>
          <th className="num">kept</th>
        </tr>
      </thead>
      <tbody>
        {(['train', 'valid', 'test'] as const).map((k) => (
          <tr key={k}>
            <td>{k}</td>
            <td className="num">{fmt(splits[k].examples)}</td>
            <td className="num">{fmt(splits[k].sources)}</td>
            <td className="num">
              {fmt(splits[k].tokensOriginal)} → {fmt(splits[k].tokensCompressed)}
            </td>
            <td className="num">
              {splits[k].tokensOriginal
                ? `${((100 * splits[k].tokensCompressed) / splits[k].tokensOriginal).toFixed(1)} %`
                : '–'}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * Before a run exists: the platform and backend with the expected speed, the base model, the
 * Tinker key, the dataset's split, tokens, size and compression. Errors keep Start disabled;
 * warnings are asked about once.
 */
export function PreflightCard({ activeRunId, onStarted }: { activeRunId: number | null; onStarted: () => void }) {
  const act = useAction();
  const loadRuns = useStudio((s) => s.loadRuns);
  const [runner, setRunner] = useState<Runner>('local');
  const [confirming, setConfirming] = useState(false);
  const [starting, setStarting] = useState(false);
  const pre = useApi('training-preflight', { runner });
  const p = pre.data?.runner === runner ? pre.data : undefined;
  const warnings = p?.checks.filter((c) => c.level === 'warn') ?? [];
  const busy = activeRunId !== null || starting;
  const start = async (confirmed: boolean) => {
    setStarting(true);
    setConfirming(false);
    const r = await act(
      async () => {
        const started = await bridge.invoke('jobs-train', { runner, ...(confirmed ? { confirmed: true } : {}) });
        await loadRuns();
        return started;
      },
      `Training started (${runner === 'local' ? 'MLX' : 'Tinker'})`,
    );
    setStarting(false);
    if (r) onStarted();
    pre.reload();
  };
  return (
    <section className="card preflight" aria-label="Pre-flight" data-testid="preflight">
      <div className="row">
        <h2 className="grow">Pre-flight</h2>
        <fieldset className="segmented" aria-label="Runner">
          <button type="button" className={runner === 'local' ? 'on' : ''} onClick={() => setRunner('local')}>
            Local (MLX)
          </button>
          <button type="button" className={runner === 'tinker' ? 'on' : ''} onClick={() => setRunner('tinker')}>
            Tinker
          </button>
        </fieldset>
      </div>
      {!p ? (
        <p className="muted">{pre.error ?? 'Checking the platform, the base model and the dataset…'}</p>
      ) : (
        <>
          <p className="small">
            <strong>{p.backend}</strong> on {p.platform} · base model <code>{p.baseModel || '–'}</code>
            {p.speed && (
              <>
                {' '}
                · {p.speed.measured ? '' : '~'}
                {p.speed.tokensPerSec.toFixed(p.speed.tokensPerSec < 10 ? 1 : 0)} tokens/s
                {p.speed.etaSeconds ? `, about ${duration(p.speed.etaSeconds)}` : ''}
                {p.speed.measured ? ' (measured)' : ' (estimate)'}
              </>
            )}
          </p>
          <ul className="checks">
            {p.checks.map((c) => (
              <li key={c.id} className={`check-${c.level}`} data-testid={`check-${c.id}`} data-level={c.level}>
                <span className="check-icon" aria-hidden>
                  {ICON[c.level]}
                </span>
                {c.message}
              </li>
            ))}
          </ul>
          {p.dataset && (
            <>
              <SplitTable splits={p.dataset.splits} />
              <p className="muted small">
                {fmt(p.dataset.pairsConsidered)} approved pairs, {fmt(p.dataset.duplicatesRemoved)} duplicates left out
                {p.dataset.meanKept !== null &&
                  ` · compressions keep ${(100 * p.dataset.meanKept).toFixed(1)} % of the tokens`}
                {p.dataset.warnings.map((w) => ` · ${w}`).join('')}
              </p>
            </>
          )}
        </>
      )}
      {confirming ? (
        <div className="confirm" role="alertdialog" aria-label="Confirm training">
          <p>
            <strong>Start anyway?</strong>
          </p>
          <ul>
            {warnings.map((w) => (
              <li key={w.id}>{w.message}</li>
            ))}
          </ul>
          <div className="row">
            <button type="button" className="approve" onClick={() => void start(true)}>
              Start anyway
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Not now
            </button>
          </div>
        </div>
      ) : (
        <div className="row">
          <button
            type="button"
            className="approve"
            disabled={busy || !p?.canStart}
            title={
              activeRunId !== null
                ? `run ${activeRunId} is training: one run at a time`
                : p && !p.canStart
                  ? 'fix the errors above first'
                  : undefined
            }
            onClick={() => (warnings.length ? setConfirming(true) : void start(false))}
          >
            {starting ? 'Starting…' : runner === 'local' ? 'Train locally (MLX)' : 'Train on Tinker'}
          </button>
          {activeRunId !== null && (
            <span className="muted small">Run {activeRunId} is training: one run at a time.</span>
          )}
        </div>
      )}
    </section>
  );
}
