import { useState } from 'react';
import { bridge } from '../../bridge/index.ts';
import { useAction } from '../../hooks.ts';
import type { Download } from './Models.tsx';
import { mb } from './ModelTable.tsx';

/**
 * Getting models: the defaults the pipeline looks for (what `studio models pull` fetches), or any
 * GGUF by URL. Each fetch is a row with its progress, and its error in words when it fails.
 */
export function ModelDownloads({ downloads, reload }: { downloads: Download[]; reload: () => void }) {
  const act = useAction();
  const [url, setUrl] = useState('');
  const pulling = downloads.some((d) => d.status === 'running' && d.url.startsWith('pull '));
  return (
    <section className="card">
      <h2>Get models</h2>
      <p className="muted small">
        The pruner (SmolLM2-135M) and the embedder (all-MiniLM-L6-v2), put where configs/inference.yaml looks for them,
        as <code>studio models pull</code> does; a model already in place is kept.
      </p>
      <div className="row">
        <button
          type="button"
          className="approve"
          disabled={pulling}
          onClick={() =>
            void act(async () => {
              await bridge.invoke('models-pull', {});
              reload();
            })
          }
        >
          {pulling ? 'Pulling…' : 'Pull the default models'}
        </button>
      </div>
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
        <div key={d.id} className="download small" data-testid={`download-${d.id}`} data-status={d.status}>
          <div className="row">
            <span className="grow mono">{d.url}</span>
            <progress max={d.total || 1} value={d.status === 'done' ? d.total || 1 : d.done} />
            <span>
              {mb(d.done)} / {mb(d.total || null)} · {d.status}
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
          {d.error && <div className="bad">{d.error}</div>}
        </div>
      ))}
    </section>
  );
}
