import { useState } from 'react';
import { bridge } from '../../bridge/index.ts';
import { fmt } from '../../hooks.ts';
import { SideBySide } from '../Diff/Diff.tsx';
import type { ModelActions, Tried } from './Models.tsx';
import { isEmbedder } from './ModelTable.tsx';

/** Targets offered: the share of o200k tokens to keep ("" for the configured default). */
const KEEP = [
  ['', 'default size'],
  ['0.5', 'keep 1/2 (2x)'],
  ['0.33', 'keep 1/3 (3x)'],
  ['0.2', 'keep 1/5 (5x)'],
  ['0.1', 'keep 1/10 (10x)'],
  ['0.05', 'keep 1/20 (20x)'],
] as const;

/**
 * A live compression with rules only or rules plus one model, with each stage's time; with a
 * question, query-aware selection instead (what an app's memory goes through in the proxy).
 */
export function TryCompression({ models, busy, run }: ModelActions) {
  const [text, setText] = useState('');
  const [query, setQuery] = useState('');
  const [keep, setKeep] = useState('');
  const [key, setKey] = useState<string>('rules');
  const [tried, setTried] = useState<Tried | null>(null);
  const asking = query.trim() !== '';
  return (
    <section className="card">
      <h2>Try a compression</h2>
      <div className="row wrap">
        <select
          value={key}
          onChange={(e) => setKey(e.target.value)}
          aria-label="Compress with"
          title={
            asking
              ? 'With a question the select stage runs (BM25 + MiniLM); this model runs only when the question cannot be used'
              : undefined
          }
        >
          <option value="rules">rules only</option>
          {models
            .filter((m) => m.exists && !m.kind.endsWith('adapter') && m.kind !== 'onnx-classifier' && !isEmbedder(m))
            .map((m) => (
              <option key={m.key} value={m.key}>
                rules + {m.name}
                {m.kind === 'pruner' ? ' (pruning)' : ''}
              </option>
            ))}
        </select>
        <select value={keep} onChange={(e) => setKeep(e.target.value)} aria-label="Size">
          {KEEP.map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
        <input
          type="text"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          aria-label="Question (optional)"
          placeholder="Question (optional): keep what it needs"
          maxLength={4000}
          className="grow try-question"
        />
        <button
          type="button"
          className="approve"
          disabled={!text.trim() || busy !== null}
          onClick={() =>
            void run('try', async () => {
              setTried(
                await bridge.invoke('models-try', {
                  // Sent with a question too: a question with no word to select by ("Why?") is
                  // compressed without it, by the model chosen (review: rules alone ran, the select
                  // disabled yet reading "rules + pruner").
                  key: key === 'rules' ? null : key,
                  text,
                  ...(keep ? { ratio: Number(keep) } : {}),
                  ...(asking ? { query } : {}),
                }),
              );
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
      {tried.notes.length > 0 && (
        <ul className="small notes" data-testid="try-notes">
          {tried.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
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
                {t.skipped
                  ? 'skipped'
                  : t.refused
                    ? `${fmt(t.tokensIn)} → ${fmt(t.tokensOut)} (refused)`
                    : `${fmt(t.tokensIn)} → ${fmt(t.tokensOut)}`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <SideBySide original={original} compressed={tried.text} />
    </div>
  );
}
