import { useEffect, useState } from 'react';
import type { ApiResult } from '../../../src/contracts/api/index.ts';
import { bridge } from '../../bridge/index.ts';
import { fmt, useAction, useApi } from '../../hooks.ts';
import { SideBySide } from '../Diff/Diff.tsx';

type Model = ApiResult<'models-overview'>['models'][number];
type Tried = ApiResult<'models-try'>;
type Fit = ApiResult<'models-fit'>;

const mb = (b: number | null) => (b === null ? '–' : `${(b / 2 ** 20).toFixed(1)} MB`);
/** The token classifier (ONNX): no GGUF to estimate; a trained one is used once installed as the classifier stage. */
const isClassifier = (m: Model) => m.kind === 'token classifier' || m.kind === 'onnx-classifier';

function StepState({ model }: { model: Model }) {
  const s = model.state;
  const steps: [string, string][] = [
    ['model', s.model],
    ['context', s.context],
    ['adapter', s.adapter],
  ];
  return (
    <span className="steps" data-testid={`state-${model.key}`}>
      {steps
        .filter(([, v]) => v !== 'none')
        .map(([k, v]) => (
          <span key={k} className={`step ${v}`} title={v === 'failed' && s.error ? s.error.message : undefined}>
            {k}: {v}
          </span>
        ))}
      {s.error && (
        <span className="bad small">
          {' '}
          · failed at the {s.error.step} step: {s.error.message}
        </span>
      )}
    </span>
  );
}

/**
 * Local models: the pipeline's compressor and pruner (configs/inference.yaml) and the GGUFs this
 * project trained or downloaded. Load and unload them, see each load step's state, estimate
 * whether one fits in memory before loading, try a compression live, and download a GGUF.
 */
export function Models() {
  const act = useAction();
  const [tick, setTick] = useState(0);
  const overview = useApi('models-overview', {});
  const models = overview.data?.models ?? [];
  const downloads = overview.data?.downloads ?? [];
  const [fits, setFits] = useState<Record<string, Fit>>({});
  const [busy, setBusy] = useState<string | null>(null);
  const [text, setText] = useState('');
  const [key, setKey] = useState<string>('rules');
  const [tried, setTried] = useState<Tried | null>(null);
  const [url, setUrl] = useState('');
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
      <table className="table models" aria-label="Models">
        <thead>
          <tr>
            <th>name</th>
            <th>kind</th>
            <th className="num">size</th>
            <th>base / quantisation</th>
            <th>state</th>
            <th>memory</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {models.map((m) => (
            <tr key={m.key} data-testid={`model-${m.key}`}>
              <td>
                {m.name}
                <div className="muted small mono">{m.path}</div>
              </td>
              <td>
                {m.kind}
                {m.domains.length > 0 && <div className="muted small">for {m.domains.join(', ')}</div>}
              </td>
              <td className="num">{mb(m.bytes)}</td>
              <td className="small">
                {m.base ?? '–'}
                {m.quantization ? ` · ${m.quantization}` : ''}
              </td>
              <td>{m.exists ? <StepState model={m} /> : <span className="bad small">no file</span>}</td>
              <td className="small" data-testid={`fit-${m.key}`}>
                {fits[m.key] ? (
                  <span className={fits[m.key]?.fits ? 'good' : 'bad'} title={fits[m.key]?.detail}>
                    {fits[m.key]?.fits ? 'fits' : 'does not fit'}: {fits[m.key]?.detail}
                  </span>
                ) : (
                  <button
                    type="button"
                    disabled={!m.exists || m.key.startsWith('gguf:') || isClassifier(m)}
                    title={
                      isClassifier(m)
                        ? 'the token classifier is small (about 12-23 MB of ONNX, 1 thread): it fits'
                        : m.key.startsWith('gguf:')
                          ? 'estimates are for the configured and registered models'
                          : undefined
                    }
                    onClick={() =>
                      void act(async () => {
                        const f = await bridge.invoke('models-fit', { key: m.key });
                        setFits((x) => ({ ...x, [m.key]: f }));
                      })
                    }
                  >
                    Will it fit?
                  </button>
                )}
              </td>
              <td className="actions">
                <div className="row">
                  <button
                    type="button"
                    disabled={!m.exists || busy !== null || m.kind.endsWith('adapter') || m.kind === 'onnx-classifier'}
                    title={
                      m.kind.endsWith('adapter')
                        ? 'an adapter loads with its base model'
                        : m.kind === 'onnx-classifier'
                          ? 'install it as the classifier stage to load it: studio train classifier --install'
                          : undefined
                    }
                    onClick={() => void run(m.key, () => bridge.invoke('models-load', { key: m.key }))}
                  >
                    {busy === m.key ? 'Loading…' : 'Load'}
                  </button>
                  <button
                    type="button"
                    disabled={m.state.model !== 'ready' || busy !== null}
                    onClick={() =>
                      void run(m.key, () => bridge.invoke('models-unload', { key: m.key }), `Unloaded ${m.name}`)
                    }
                  >
                    Unload
                  </button>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <section className="card">
        <h2>Try a compression</h2>
        <div className="row">
          <select value={key} onChange={(e) => setKey(e.target.value)} aria-label="Compress with">
            <option value="rules">rules only</option>
            {models
              .filter((m) => m.exists && !m.kind.endsWith('adapter') && m.kind !== 'onnx-classifier')
              .map((m) => (
                <option key={m.key} value={m.key}>
                  rules + {m.name}
                  {m.kind === 'pruner' ? ' (pruning)' : ''}
                </option>
              ))}
          </select>
          <button
            type="button"
            className="approve"
            disabled={!text.trim() || busy !== null}
            onClick={() =>
              void run('try', async () => {
                setTried(await bridge.invoke('models-try', { key: key === 'rules' ? null : key, text }));
              })
            }
          >
            {busy === 'try' ? 'Compressing…' : 'Compress'}
          </button>
        </div>
        <textarea
          value={text}
          onChange={(e) => setText(e.target.value)}
          aria-label="Text to compress"
          rows={6}
          placeholder="Paste a memory block, a document or code"
        />
        {tried && (
          <div data-testid="try-result">
            <p>
              <strong>{tried.strategy}</strong> · {tried.domain} · {fmt(tried.tokensBefore)} → {fmt(tried.tokensAfter)}{' '}
              o200k tokens (
              {tried.tokensBefore ? `−${(100 * (1 - tried.tokensAfter / tried.tokensBefore)).toFixed(1)} %` : '–'}) ·{' '}
              {tried.totalMs.toFixed(1)} ms{tried.cached ? ' (cached)' : ''}
            </p>
            {tried.fallback && (
              <p className="bad small">
                The model's output was not used ({tried.fallback.reason}): {tried.fallback.detail}
              </p>
            )}
            <table className="table small">
              <thead>
                <tr>
                  <th>stage</th>
                  <th className="num">ms</th>
                  <th className="num">tokens in → out</th>
                </tr>
              </thead>
              <tbody>
                {tried.timings.map((t) => (
                  <tr key={t.stage}>
                    <td>{t.stage}</td>
                    <td className="num">{t.ms.toFixed(1)}</td>
                    <td className="num">
                      {fmt(t.tokensIn)} → {fmt(t.tokensOut)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <SideBySide original={text} compressed={tried.text} />
          </div>
        )}
      </section>

      <section className="card">
        <h2>Download a GGUF</h2>
        <div className="row">
          <input
            className="grow"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            aria-label="Model URL"
            placeholder="https://…/model.gguf or hf:owner/repo/file.gguf"
          />
          <button
            type="button"
            disabled={!url.trim()}
            onClick={() =>
              void act(async () => {
                await bridge.invoke('models-download', { url: url.trim() });
                setUrl('');
                reload();
              })
            }
          >
            Download
          </button>
        </div>
        {downloads.map((d) => (
          <div key={d.id} className="row small" data-testid={`download-${d.id}`} data-status={d.status}>
            <span className="grow mono">{d.url}</span>
            <progress max={d.total || 1} value={d.done} />
            <span>
              {mb(d.done)} / {mb(d.total || null)} · {d.status}
              {d.error ? `: ${d.error}` : ''}
            </span>
            {d.status === 'running' && (
              <button
                type="button"
                onClick={() => void act(() => bridge.invoke('models-download-cancel', { id: d.id }))}
              >
                Cancel
              </button>
            )}
          </div>
        ))}
      </section>
    </section>
  );
}
