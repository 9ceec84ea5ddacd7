import { useEffect, useState } from 'react';
import { QUEUE_ORDER_LABELS, type QueueOrder, QueueOrderSchema } from '../../../src/contracts/review.ts';
import { bridge } from '../../bridge/index.ts';
import { useAction, useApi } from '../../hooks.ts';
import { useStudio } from '../../store/index.ts';
import { Labelers } from './Labelers.tsx';

export function Settings() {
  const act = useAction();
  const s = useApi('settings-get', {});
  const theme = useStudio((x) => x.theme);
  const setTheme = useStudio((x) => x.setTheme);
  const [overlap, setOverlap] = useState(1);
  const [lease, setLease] = useState(15);
  const [queueOrder, setQueueOrder] = useState<QueueOrder>('informative');
  const [keys, setKeys] = useState<Record<string, string>>({});
  useEffect(() => {
    if (s.data) {
      setOverlap(s.data.project.labelOverlap);
      setLease(s.data.project.leaseMinutes);
      setQueueOrder(s.data.project.queueOrder);
    }
  }, [s.data]);
  const info = useStudio((x) => x.info);
  return (
    <section className="page">
      <header className="page-head">
        <h1>Settings</h1>
        {info && <p className="muted">Project: {info.dbPath}</p>}
      </header>
      <section className="card">
        <h2>Review</h2>
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            void act(async () => {
              await bridge.invoke('settings-update', { labelOverlap: overlap, leaseMinutes: lease, queueOrder });
              s.reload();
            }, 'Review settings saved');
          }}
        >
          <label className="check">
            labels per pair
            <input
              className="short"
              type="number"
              min={1}
              max={10}
              value={overlap}
              onChange={(e) => setOverlap(Number(e.target.value))}
            />
          </label>
          <label className="check">
            reserve a pair for
            <input
              className="short"
              type="number"
              min={1}
              max={1440}
              value={lease}
              onChange={(e) => setLease(Number(e.target.value))}
            />
            minutes
          </label>
          <label className="check" title="most informative: failing or disputed pairs first, then the most compressed">
            serve pairs
            <select
              aria-label="Queue order"
              value={queueOrder}
              onChange={(e) => setQueueOrder(QueueOrderSchema.parse(e.target.value))}
            >
              {QueueOrderSchema.options.map((o) => (
                <option key={o} value={o}>
                  {QUEUE_ORDER_LABELS[o]}
                </option>
              ))}
            </select>
          </label>
          <button type="submit">Save</button>
        </form>
      </section>
      <Labelers />
      <section className="card">
        <h2>Providers and keys</h2>
        {!s.data?.keysWritable && (
          <p className="muted">
            In the browser, keys come from the environment of <code>studio serve</code> (never from this page). The
            desktop app stores them in the system keychain.
          </p>
        )}
        <table className="table">
          <thead>
            <tr>
              <th>provider</th>
              <th>key</th>
              <th>endpoint</th>
              {s.data?.keysWritable && <th>set a key (write-only)</th>}
            </tr>
          </thead>
          <tbody>
            {s.data?.providers.map((p) => (
              <tr key={p.keyEnv}>
                <td>{p.name}</td>
                <td>
                  {p.hasKey ? (
                    <span className="good">configured</span>
                  ) : (
                    <span className="muted">not set ({p.keyEnv})</span>
                  )}
                </td>
                <td className="muted">{p.baseUrl ?? 'default'}</td>
                {s.data?.keysWritable && (
                  <td>
                    <form
                      className="row"
                      onSubmit={(e) => {
                        e.preventDefault();
                        void act(async () => {
                          await bridge.invoke('keys-set', { keyEnv: p.keyEnv, value: keys[p.keyEnv] ?? '' });
                          setKeys({ ...keys, [p.keyEnv]: '' });
                          s.reload();
                        }, `${p.name} key saved`);
                      }}
                    >
                      <input
                        type="password"
                        autoComplete="off"
                        value={keys[p.keyEnv] ?? ''}
                        onChange={(e) => setKeys({ ...keys, [p.keyEnv]: e.target.value })}
                        aria-label={`${p.name} key`}
                      />
                      <button type="submit">Save</button>
                    </form>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="card">
        <h2>Models</h2>
        <p className="muted">
          Cheap models generate and probe, expensive models validate and judge: roles set in configs/providers.yaml.
        </p>
        {s.data && (
          <table className="table compact">
            <tbody>
              {(
                [
                  ['generator', [s.data.models.generator]],
                  ['prober', [s.data.models.prober]],
                  ['judge', [s.data.models.judge]],
                  ['validators', s.data.models.validators],
                ] as const
              ).map(([role, refs]) => (
                <tr key={role}>
                  <td>{role}</td>
                  <td>{refs.map((r) => `${r.provider}/${r.model}`).join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="card">
        <h2>Validation thresholds</h2>
        {s.data && (
          <p>
            A pair passes on a model when at least{' '}
            <strong>{Math.round(s.data.thresholds.taskEquivalence * 100)} %</strong> of its probes get equivalent
            answers; cross-model transfer is reported against{' '}
            <strong>{Math.round(s.data.thresholds.transfer * 100)} %</strong>.{' '}
            <span className="muted">Set in configs/validation.yaml.</span>
          </p>
        )}
      </section>
      <section className="card">
        <h2>Tokenizer targets</h2>
        <ul>
          {s.data?.tokenizers.map((t) => (
            <li key={t.id}>
              <strong>{t.id}</strong>:{' '}
              {t.method === 'exact'
                ? 'exact, offline'
                : t.method === 'api'
                  ? "the provider's count-tokens endpoint"
                  : 'offline estimate (o200k × factor, configs/tokenizers.yaml)'}
            </li>
          ))}
        </ul>
      </section>
      <section className="card">
        <h2>Appearance</h2>
        <fieldset className="segmented" aria-label="Theme">
          <button type="button" className={theme === 'light' ? 'on' : ''} onClick={() => setTheme('light')}>
            Light
          </button>
          <button type="button" className={theme === 'dark' ? 'on' : ''} onClick={() => setTheme('dark')}>
            Dark
          </button>
        </fieldset>
      </section>
    </section>
  );
}
