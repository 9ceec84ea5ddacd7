import { useState } from 'react';
import { bridge } from '../../bridge/index.ts';
import { fmt, useAction } from '../../hooks.ts';
import { useStudio } from '../../store/index.ts';
import type { Run } from '../../store/slices/project.ts';
import { EmptyState } from '../EmptyState/EmptyState.tsx';
import { GenerateDialog } from '../GenerateDialog/GenerateDialog.tsx';

function summaryLine(run: Run): string {
  const s = run.summary as Record<string, unknown>;
  if (run.kind === 'import') {
    return `${fmt(s.records as number)} records, ${fmt(s.inserted as number)} new, ${fmt(s.duplicates as number)} already there, ${fmt(s.issueCount as number)} rejected`;
  }
  if (run.kind === 'validation') {
    const byModel = (s.byModel as { model: string; passed: number; pairs: number }[] | undefined) ?? [];
    const stopped = s.stoppedBy === 'budget' ? ' · stopped at the budget' : '';
    return `${byModel.map((m) => `${m.model}: ${m.passed}/${m.pairs} pass`).join(' · ')}${stopped}`;
  }
  if (run.kind === 'generation' && typeof s.inserted === 'number') {
    const tokens = s.tokens as { before: number; after: number } | undefined;
    const reduction = tokens?.before ? ` · −${(100 * (1 - tokens.after / tokens.before)).toFixed(1)} % o200k` : '';
    const rejected = s.rejectedCount ? ` · ${fmt(s.rejectedCount as number)} rejected` : '';
    const chained = s.chained as { kept: number[]; removed: number } | undefined;
    const kept = chained ? ` · kept ${fmt(chained.kept.length)} passing, removed ${fmt(chained.removed)}` : '';
    const stopped = s.stoppedBy === 'budget' ? ' · stopped at the budget' : '';
    return `${String(s.strategy)}: ${fmt(s.sources as number)} sources, ${fmt(s.inserted)} new pairs, ${fmt(s.existing as number)} already stored${reduction}${rejected}${kept}${stopped}`;
  }
  if (run.kind === 'generation') {
    // A source the rules leave as it is makes no pair: said, or the counts do not add up (review:
    // "14 sources, 13 new pairs, 0 already stored").
    const unchanged =
      typeof s.unchanged === 'number' && s.unchanged > 0 ? `, ${fmt(s.unchanged)} left as they were` : '';
    return `${fmt(s.sources as number)} sources, ${fmt(s.pairsInserted as number)} new pairs, ${fmt(s.pairsExisting as number)} already stored${unchanged}`;
  }
  return '';
}

/**
 * "cancelling" while a stop was asked for and the job finishes its call or step; `asked`: this
 * window asked, and the server has not answered yet.
 */
export function shownStatus(run: Run, asked = false): string {
  return run.status === 'running' && (run.cancelRequested || asked) ? 'cancelling' : run.status;
}

function RunRow({ run }: { run: Run }) {
  const act = useAction();
  const live = useStudio((s) => s.live[run.id]);
  const loadRuns = useStudio((s) => s.loadRuns);
  const [open, setOpen] = useState(false);
  // Set at the click: the answer can come after the job has already stopped (its call aborted at
  // once), and the row went from "running" to "cancelled" with no sign the click was taken.
  const [asked, setAsked] = useState(false);
  const status = shownStatus(run, asked);
  const done = live?.done ?? run.done;
  const total = live?.total ?? run.total ?? 0;
  const percent = run.status === 'succeeded' ? 100 : total ? Math.min(100, (done / total) * 100) : 0;
  const issues = ((run.summary as { issues?: { file: string; line?: number; message: string }[] }).issues ?? []).slice(
    0,
    20,
  );
  return (
    <>
      <tr data-testid={`run-${run.id}`} data-status={status}>
        <td className="num">{run.id}</td>
        <td>{run.kind}</td>
        <td>
          <span className={`status s-${status}`}>{status}</span>
        </td>
        <td className="grow-cell">
          <div
            className="progress"
            role="progressbar"
            aria-valuenow={Math.round(percent)}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-label={`run ${run.id} progress`}
          >
            <div style={{ width: `${percent}%` }} />
          </div>
          <span className="muted small">
            {run.status === 'running'
              ? (live?.label ?? (total ? `${fmt(done)} / ${fmt(total)}` : 'starting…'))
              : summaryLine(run)}
            {status === 'cancelling' && <span> · stopping after the call or step in flight</span>}
            {run.status === 'running' && run.message && <span> · {run.message}</span>}
            {run.error && <span className="bad"> · {run.error}</span>}
          </span>
        </td>
        <td className="num" title={run.unpricedCalls ? `${run.unpricedCalls} calls had no known price` : undefined}>
          {run.spendUsd || run.budgetUsd !== null || run.unpricedCalls ? `$${run.spendUsd.toFixed(4)}` : '–'}
          {run.budgetUsd !== null && <span className="muted"> / ${run.budgetUsd.toFixed(2)}</span>}
          {run.unpricedCalls > 0 && <span className="bad"> + {run.unpricedCalls} unpriced</span>}
        </td>
        <td className="muted">{new Date(run.startedAt).toLocaleString()}</td>
        <td>
          {run.resume.possible && (
            <button
              type="button"
              title={run.resume.reason}
              onClick={() =>
                void act(async () => {
                  const r = await bridge.invoke('runs-resume', { id: run.id });
                  await loadRuns();
                  return r;
                }, `Resumed run ${run.id} as a new run`)
              }
            >
              Resume
            </button>
          )}
          {!run.resume.possible && run.resume.reason && (
            <span className="muted small" data-testid={`no-resume-${run.id}`}>
              no resume: {run.resume.reason}
            </span>
          )}
          {run.status === 'running' && (
            <button
              type="button"
              disabled={status === 'cancelling'}
              onClick={() => {
                setAsked(true);
                void act(async () => {
                  const r = await bridge.invoke('runs-cancel', { id: run.id }).catch((error: unknown) => {
                    // Refused or unreachable (the toast says why): the run goes on, and says so.
                    setAsked(false);
                    throw error;
                  });
                  await loadRuns();
                  return r;
                }, `Asked run ${run.id} to stop`);
              }}
            >
              {status === 'cancelling' ? 'Cancelling…' : 'Cancel'}
            </button>
          )}
          {issues.length > 0 && (
            <button type="button" className="link" onClick={() => setOpen(!open)}>
              {open ? 'hide' : 'errors'}
            </button>
          )}
        </td>
      </tr>
      {open && (
        <tr className="detail">
          <td colSpan={7}>
            <ul className="issues">
              {issues.map((i) => (
                <li key={`${i.file}:${i.line}:${i.message}`}>
                  <code>
                    {i.file}
                    {i.line !== undefined ? `:${i.line}` : ''}
                  </code>{' '}
                  {i.message}
                </li>
              ))}
            </ul>
          </td>
        </tr>
      )}
    </>
  );
}

export function Runs() {
  const runs = useStudio((s) => s.runs);
  const act = useAction();
  const sources = useStudio((s) => s.info?.stats.sources ?? 0);
  const [generating, setGenerating] = useState(false);
  const loadRuns = useStudio((s) => s.loadRuns);
  return (
    <section className="page">
      {generating && <GenerateDialog onClose={() => setGenerating(false)} />}
      <header className="page-head row">
        <h1 className="grow">Runs</h1>
        <button type="button" className="approve" disabled={!sources} onClick={() => setGenerating(true)}>
          Generate candidates…
        </button>
        <button
          type="button"
          disabled={!sources}
          onClick={() =>
            void act(async () => {
              const r = await bridge.invoke('jobs-rules', {});
              await loadRuns();
              return r;
            }, 'Started: rules compression of every source')
          }
          title="store a rule-based compression for every source (sources that already have one are skipped)"
        >
          Compress every source with the rules
        </button>
      </header>
      <p className="muted">
        Imports and compression jobs, from this window or from the command line: a job started with the studio CLI on
        this project shows up here live.
      </p>
      {runs.length === 0 ? (
        <EmptyState title="No runs yet">
          <p>Import a corpus on the Library page, then compress it here.</p>
        </EmptyState>
      ) : (
        <table className="table runs">
          <thead>
            <tr>
              <th className="num">id</th>
              <th>kind</th>
              <th>status</th>
              <th>progress</th>
              <th className="num">spend / budget</th>
              <th>started</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <RunRow key={r.id} run={r} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
