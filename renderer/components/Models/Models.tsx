import { useEffect, useState } from 'react';
import type { ApiResult } from '../../../src/contracts/api/index.ts';
import { useAction, useApi } from '../../hooks.ts';
import { ModelDownloads } from './ModelDownloads.tsx';
import { ModelTable } from './ModelTable.tsx';
import { TryCompression } from './TryCompression.tsx';

export type Model = ApiResult<'models-overview'>['models'][number];
export type Download = ApiResult<'models-overview'>['downloads'][number];
export type Tried = ApiResult<'models-try'>;
export type Fit = ApiResult<'models-fit'>;
/** What the table and the try card share: the models, which action runs (one at a time), and how to run one. */
export interface ModelActions {
  models: Model[];
  busy: string | null;
  run: (key: string, what: () => Promise<unknown>, ok?: string) => Promise<void>;
}

/**
 * Local models: the pipeline's compressor and pruner (configs/inference.yaml) and the GGUFs this
 * project trained or downloaded. Load and unload them, see each load step's state, estimate
 * whether one fits in memory before loading, try a compression live, pull the default models and
 * download a GGUF.
 */
export function Models() {
  const act = useAction();
  const [tick, setTick] = useState(0);
  const overview = useApi('models-overview', {});
  const models = overview.data?.models ?? [];
  const downloads = overview.data?.downloads ?? [];
  const [busy, setBusy] = useState<string | null>(null);
  const { reload } = overview;
  // Downloads and loads move on their own: poll while one is under way.
  const active = downloads.some((d) => d.status === 'running') || models.some((m) => m.state.model === 'loading');
  // biome-ignore lint/correctness/useExhaustiveDependencies: tick forces a refetch
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => {
      reload();
      setTick((x) => x + 1);
    }, 500);
    return () => clearInterval(t);
  }, [active, reload, tick]);

  const run = async (k: string, what: () => Promise<unknown>, ok?: string) => {
    setBusy(k);
    await act(what, ok);
    setBusy(null);
    reload();
  };
  return (
    <section className="page">
      <header className="page-head">
        <h1>Models</h1>
      </header>
      <p className="muted">
        The compressor's models (configs/inference.yaml) and the GGUFs this project trained or downloaded. A model loads
        in three steps (model, context, adapter); a failure names its step.
      </p>
      <ModelTable models={models} busy={busy} run={run} />
      <TryCompression models={models} busy={busy} run={run} />
      <ModelDownloads downloads={downloads} reload={reload} />
    </section>
  );
}
