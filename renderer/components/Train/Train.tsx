import { useEffect, useMemo, useState } from 'react';
import type { TrainingEvent } from '../../../src/contracts/training.ts';
import { bridge } from '../../bridge/index.ts';
import { fmt, useAction, useApi } from '../../hooks.ts';
import { useStudio } from '../../store/index.ts';
import { EmptyState } from '../EmptyState/EmptyState.tsx';
import { shownStatus } from '../Runs/Runs.tsx';
import { LossChart, type LossPoint } from './LossChart.tsx';
import { PreflightCard, SplitTable } from './Preflight.tsx';

type Splits = Parameters<typeof SplitTable>[0]['splits'];

type Event = TrainingEvent & { seq: number };

/** Events of a run, fetched incrementally (by sequence number) while it runs. */
function useTrainingEvents(runId: number | null, running: boolean): Event[] {
  const [events, setEvents] = useState<Event[]>([]);
  const version = useStudio((s) => s.version);
  // biome-ignore lint/correctness/useExhaustiveDependencies: version refetches after store changes
  useEffect(() => {
    setEvents([]);
    if (runId === null) return;
    let stopped = false;
    let last = 0;
    let all: Event[] = [];
    const pull = async () => {
      const more = await bridge.invoke('training-events', { runId, afterSeq: last });
      if (stopped || !more.length) return;
      last = more.at(-1)?.seq ?? last;
      all = [...all, ...more];
      setEvents(all);
    };
    void pull();
    const timer = running ? setInterval(() => void pull(), 1000) : undefined;
    return () => {
      stopped = true;
      if (timer) clearInterval(timer);
    };
  }, [runId, running, version]);
  return events;
}

function stats(events: Event[]) {
  const points = new Map<number, LossPoint>();
  let start: Extract<TrainingEvent, { type: 'start' }> | undefined;
  let lastTrain: Extract<TrainingEvent, { type: 'train' }> | undefined;
  const checkpoints: { iter: number; path: string }[] = [];
  let error: string | undefined;
  for (const e of events) {
    if (e.type === 'start') start = e;
    else if (e.type === 'train') {
      points.set(e.iter, { ...points.get(e.iter), iter: e.iter, train: e.loss });
      lastTrain = e;
    } else if (e.type === 'val') points.set(e.iter, { ...points.get(e.iter), iter: e.iter, val: e.loss });
    else if (e.type === 'checkpoint') checkpoints.push({ iter: e.iter, path: e.path });
    else if (e.type === 'error') error = e.message;
  }
  const itersPerSec = lastTrain?.itersPerSec;
  const left = start && lastTrain ? start.totalIters - lastTrain.iter : undefined;
  const etaSeconds = itersPerSec && left !== undefined ? left / itersPerSec : undefined;
  return {
    points: [...points.values()].sort((a, b) => a.iter - b.iter),
    start,
    lastTrain,
    checkpoints,
    error,
    etaSeconds,
  };
}

/**
 * The second kind of run: the fast compressor, a keep/drop token classifier trained on the
 * approved pairs (and pruned or prompted candidates), or distilled from `pruned` when there are
 * few approved pairs. Same curve, stop and resume as a LoRA run.
 */
function ClassifierRunCard({ busy, onStarted }: { busy: boolean; onStarted: () => void }) {
  const act = useAction();
  const start = (args: { strategies?: ('pruned' | 'prompted')[]; distil?: { ratios: number[] } }, done: string) =>
    void act(async () => {
      const r = await bridge.invoke('jobs-train', { runner: 'classifier', ...args });
      onStarted();
      return r;
    }, done);
  return (
    <div className="card row" data-testid="classifier-run">
      <p className="grow small">
        <strong>Fast compressor</strong>: a keep/drop token classifier (all-MiniLM-L6-v2, ONNX) trained from the same
        pairs in minutes on the CPU, for the classifier stage of the compressor.
      </p>
      <button
        type="button"
        disabled={busy}
        onClick={() => start({ strategies: ['pruned', 'prompted'] }, 'Classifier training started')}
      >
        Train classifier
      </button>
      <button
        type="button"
        disabled={busy}
        title="Label prose and dialogue with pruned at keep 0.5 and 0.33 first, then train on that"
        onClick={() => start({ distil: { ratios: [0.5, 0.33] } }, 'Labelling with pruned, then training')}
      >
        Distil from pruned
      </button>
    </div>
  );
}

const duration = (s: number) =>
  s < 90 ? `${Math.round(s)} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`;

/**
 * Fine-tuning: start a local (MLX) or Tinker run on the approved pairs, follow its loss curves,
 * speed and ETA live, stop it (the checkpoint is kept) and resume it.
 */
export function Train() {
  const act = useAction();
  const info = useApi('training-info', {});
  const runs = info.data?.runs ?? [];
  const [selected, setSelected] = useState<number | null>(null);
  const run = runs.find((r) => r.id === selected) ?? runs[0];
  const events = useTrainingEvents(run?.id ?? null, run?.status === 'running');
  const s = useMemo(() => stats(events), [events]);
  const cfg = info.data?.config;
  // Any run of this project, from this window or the CLI: one at a time.
  const active = runs.find((r) => r.status === 'running') ?? null;
  const stopping = run?.status === 'running' && run.cancelRequested;
  const dataset = (run?.summary as { dataset?: { splits?: Splits } } | undefined)?.dataset;
  const baseOf = (r: (typeof runs)[number]) => {
    const c = r.config.config as { baseModel?: string; preferModels?: string[] } | undefined;
    return c?.baseModel || c?.preferModels?.join(', ') || 'base model chosen at run time';
  };
  return (
    <section className="page">
      <header className="page-head row">
        <h1 className="grow">Train</h1>
      </header>
      <p className="muted">
        {fmt(info.data?.approvedPairs ?? 0)} approved pairs become the training set (split by source: train, validation,
        test). Local: LoRA on {cfg?.local.baseModel ?? '…'}, {fmt(cfg?.local.iters)} iterations, rank{' '}
        {cfg?.local.lora.rank}; Tinker: {cfg?.tinker.baseModel || cfg?.tinker.preferModels.join(', ')}. Settings in
        configs/training.yaml.
      </p>
      {info.data?.approvedPairs ? (
        <PreflightCard activeRunId={active?.id ?? null} onStarted={() => setSelected(null)} />
      ) : null}
      <ClassifierRunCard busy={active !== null} onStarted={() => setSelected(null)} />
      {!runs.length ? (
        <EmptyState title="No training runs yet">
          <p>Approve pairs on the Review page, then start a run here or with studio train local.</p>
        </EmptyState>
      ) : (
        <div className="train">
          <ul className="train-runs" aria-label="Training runs">
            {runs.map((r) => (
              <li key={r.id}>
                <button
                  type="button"
                  className={r.id === run?.id ? 'active' : ''}
                  onClick={() => setSelected(r.id)}
                  data-testid={`training-run-${r.id}`}
                  data-status={r.status}
                >
                  Run {r.id} · {String(r.config.runner ?? '')} ·{' '}
                  <span className={`status s-${shownStatus(r)}`}>{shownStatus(r)}</span>
                </button>
              </li>
            ))}
          </ul>
          {run && (
            <div className="train-detail">
              <div className="row">
                <h2 className="grow">
                  Run {run.id}: {s.start?.baseModel || baseOf(run)}
                </h2>
                {run.status === 'running' && (
                  <button
                    type="button"
                    disabled={stopping}
                    onClick={() =>
                      void act(async () => {
                        const r = await bridge.invoke('runs-cancel', { id: run.id });
                        info.reload();
                        return r;
                      }, 'Stopping after the current step; the checkpoint is kept')
                    }
                  >
                    {stopping ? 'Stopping…' : 'Stop'}
                  </button>
                )}
                {run.status !== 'running' &&
                  (run.config.runner === 'local' || run.config.runner === 'classifier') &&
                  s.checkpoints.length > 0 && (
                    <button
                      type="button"
                      onClick={() =>
                        void act(() => bridge.invoke('runs-resume', { id: run.id }), 'Resumed from the last checkpoint')
                      }
                    >
                      Resume from iteration {s.checkpoints.at(-1)?.iter}
                    </button>
                  )}
              </div>
              <dl className="train-stats">
                <dt>iteration</dt>
                <dd data-testid="train-iter">
                  {fmt(s.lastTrain?.iter ?? 0)} / {fmt(s.start?.totalIters)}
                </dd>
                <dt>train loss</dt>
                <dd>{s.lastTrain ? s.lastTrain.loss.toFixed(3) : '–'}</dd>
                <dt>validation loss</dt>
                <dd>
                  {s.points
                    .filter((p) => p.val !== undefined)
                    .at(-1)
                    ?.val?.toFixed(3) ?? '–'}
                </dd>
                <dt>tokens/s</dt>
                <dd>
                  {s.lastTrain?.tokensPerSec === undefined
                    ? '–'
                    : s.lastTrain.tokensPerSec >= 100
                      ? fmt(Math.round(s.lastTrain.tokensPerSec))
                      : s.lastTrain.tokensPerSec.toFixed(1)}
                </dd>
                <dt>ETA</dt>
                <dd>{run.status === 'running' && s.etaSeconds !== undefined ? duration(s.etaSeconds) : '–'}</dd>
                <dt>checkpoints</dt>
                <dd>{s.checkpoints.length}</dd>
              </dl>
              {stopping && (
                <p className="warn small" data-testid="train-stopping">
                  {run.message ?? 'Stopping: the trainer saves and stops after its current step.'}
                </p>
              )}
              {s.points.length ? (
                <LossChart points={s.points} />
              ) : (
                <p className="muted">{run.message ?? 'Waiting for the first step…'}</p>
              )}
              {dataset?.splits && run.config.runner !== 'classifier' && <SplitTable splits={dataset.splits} />}
              {(run.error || s.error) && <p className="bad">{run.error ?? s.error}</p>}
            </div>
          )}
        </div>
      )}
    </section>
  );
}
