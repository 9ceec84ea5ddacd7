import { useState } from 'react';
import { bridge } from '../../bridge/index.ts';
import { useAction } from '../../hooks.ts';
import type { Fit, Model, ModelActions } from './Models.tsx';

export const mb = (b: number | null) => (b === null ? '–' : `${(b / 2 ** 20).toFixed(1)} MB`);
/** The token classifier (ONNX): no GGUF to estimate; a trained one is used once installed as the classifier stage. */
const isClassifier = (m: Model) => m.kind === 'token classifier' || m.kind === 'onnx-classifier';
/** The sentence embedder (ONNX): loads at the first question, nothing to load or estimate here. */
export const isEmbedder = (m: Model) => m.kind === 'sentence embedder';

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

/** "Will it fit?" until asked, then the estimate. */
function FitCell({ model: m, fit, onFit }: { model: Model; fit: Fit | undefined; onFit: (f: Fit) => void }) {
  const act = useAction();
  if (fit)
    return (
      <span className={fit.fits ? 'good' : 'bad'} title={fit.detail}>
        {fit.fits ? 'fits' : 'does not fit'}: {fit.detail}
      </span>
    );
  return (
    <button
      type="button"
      disabled={!m.exists || m.key.startsWith('gguf:') || isClassifier(m) || isEmbedder(m)}
      title={
        isClassifier(m)
          ? 'the token classifier is small (about 12-23 MB of ONNX, 1 thread): it fits'
          : isEmbedder(m)
            ? 'the embedder is small (about 90 MB of ONNX): it fits'
            : m.key.startsWith('gguf:')
              ? 'estimates are for the configured and registered models'
              : undefined
      }
      onClick={() => void act(async () => onFit(await bridge.invoke('models-fit', { key: m.key })))}
    >
      Will it fit?
    </button>
  );
}

/** One row per model: what it is, its load steps, a memory estimate, load and unload. */
export function ModelTable({ models, busy, run }: ModelActions) {
  const [fits, setFits] = useState<Record<string, Fit>>({});
  return (
    // Scrolls within its card at a narrow width, not the page (review: at 900 px Load was past the edge).
    <div className="table-scroll">
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
              <td>
                {!m.exists ? (
                  <span className="bad small">
                    no file{m.key === 'config:pruner' || isEmbedder(m) ? ' (Pull the default models, below)' : ''}
                  </span>
                ) : isEmbedder(m) ? (
                  <span className="muted small">loads at the first question</span>
                ) : (
                  <StepState model={m} />
                )}
              </td>
              <td className="small" data-testid={`fit-${m.key}`}>
                <FitCell model={m} fit={fits[m.key]} onFit={(f) => setFits((x) => ({ ...x, [m.key]: f }))} />
              </td>
              <td className="actions">
                <div className="row">
                  <button
                    type="button"
                    disabled={
                      !m.exists ||
                      busy !== null ||
                      m.kind.endsWith('adapter') ||
                      m.kind === 'onnx-classifier' ||
                      isEmbedder(m)
                    }
                    title={
                      m.kind.endsWith('adapter')
                        ? 'an adapter loads with its base model'
                        : isEmbedder(m)
                          ? 'it loads at the first question (query-aware selection)'
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
    </div>
  );
}
