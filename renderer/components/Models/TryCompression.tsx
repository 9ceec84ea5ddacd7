import { useState } from 'react';
import { bridge } from '../../bridge/index.ts';
import { fmt } from '../../hooks.ts';
import { SideBySide } from '../Diff/Diff.tsx';
import type { ModelActions, Tried } from './Models.tsx';

/** A live compression with rules only or rules plus one model, with each stage's time. */
export function TryCompression({ models, busy, run }: ModelActions) {
  const [text, setText] = useState('');
  const [key, setKey] = useState<string>('rules');
  const [tried, setTried] = useState<Tried | null>(null);
  return (
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
      {tried && <TryResult tried={tried} original={text} />}
    </section>
  );
}

function TryResult({ tried, original }: { tried: Tried; original: string }) {
  return (
    <div data-testid="try-result">
      <p>
        <strong>{tried.strategy}</strong> · {tried.domain} · {fmt(tried.tokensBefore)} → {fmt(tried.tokensAfter)} o200k
        tokens ({tried.tokensBefore ? `−${(100 * (1 - tried.tokensAfter / tried.tokensBefore)).toFixed(1)} %` : '–'}) ·{' '}
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
      <SideBySide original={original} compressed={tried.text} />
    </div>
  );
}
