import { useEffect, useState } from 'react';
import type { ApiArgs } from '../../../src/contracts/api/index.ts';
import { bridge } from '../../bridge/index.ts';
import { fmt, useAction, useApi } from '../../hooks.ts';
import { useStudio } from '../../store/index.ts';
import { BatchCheckbox, BudgetInput, DialogButtons } from '../Fields/Fields.tsx';

type Strategy = 'rules' | 'prompted' | 'pruned';
type Domain = 'nl' | 'chat' | 'code' | 'mixed';
type PairQuery = NonNullable<ApiArgs<'generate-estimate'>['pairQuery']>;

/** Where the dialog was opened from: a Pairs view or a Library filter preselects its sources. */
export type GenerateScope =
  | { kind: 'pairs'; query: PairQuery; total: number }
  | { kind: 'library'; domain?: Domain; tag?: string; query?: string };

const HELP: Record<Strategy, string> = {
  rules: 'No model, no key, instant: filler and markup out of prose, comments and docstrings out of code.',
  prompted:
    'An LLM rewrites each source under its domain’s instruction (configs/prompts/), one candidate per ratio; answers that invent a name, number or date, are not shorter, or do not parse are rejected.',
  pruned:
    'A local GGUF model scores every word and drops the least informative ones, keeping numbers, names, dates and speaker labels; code loses only whole comments, docstrings and unused blocks.',
};

const BROWSE = '__browse__';

const duration = (s: number) =>
  s < 1
    ? 'under a second'
    : s < 90
      ? `~${Math.round(s)} s`
      : s < 5400
        ? `~${Math.round(s / 60)} min`
        : `~${(s / 3600).toFixed(1)} h`;

/** Waits until the value has stopped changing for `ms` (estimates follow typing without a call per key). */
function useSettled<T>(value: T, ms = 250): T {
  const [settled, setSettled] = useState(value);
  const key = JSON.stringify(value);
  // biome-ignore lint/correctness/useExhaustiveDependencies: key stands for value
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [key, ms]);
  return settled;
}

/**
 * Starts a generation job: a strategy that can run now by default, a selection of sources (domain,
 * tag, text, a Pairs view, a Library filter), its model (registered GGUFs and the configured pruner,
 * or a path), target ratios, a budget, and before starting: count, tokens, cost and time.
 */
export function GenerateDialog({ onClose, scope }: { onClose: () => void; scope?: GenerateScope }) {
  const act = useAction();
  const loadRuns = useStudio((s) => s.loadRuns);
  const options = useApi('generate-options', {});
  const [strategy, setStrategy] = useState<Strategy | null>(null);
  const [model, setModel] = useState<string | null>(null);
  const [browsing, setBrowsing] = useState(false);
  const [ratios, setRatios] = useState('0.3, 0.5, 0.7');
  const [domain, setDomain] = useState<Domain | ''>(scope?.kind === 'library' ? (scope.domain ?? '') : '');
  const [tag, setTag] = useState(scope?.kind === 'library' ? (scope.tag ?? '') : '');
  const [text, setText] = useState(scope?.kind === 'library' ? (scope.query ?? '') : '');
  const [fromView, setFromView] = useState(scope?.kind === 'pairs');
  const [budget, setBudget] = useState('');
  const [batch, setBatch] = useState(false);
  const [validate, setValidate] = useState(false);
  const o = options.data;
  // The default is what can run now: the generator only when its key is set.
  const s: Strategy = strategy ?? o?.strategy ?? 'rules';
  const defaultModel = s === 'prompted' ? (o?.generator ?? '') : s === 'pruned' ? (o?.pruner ?? '') : '';
  const m = (model ?? defaultModel).trim();
  const parsed = ratios
    .split(',')
    .map((r) => Number(r.trim()))
    .filter((r) => r > 0 && r < 1);
  const ratiosOk = s === 'rules' || (parsed.length > 0 && parsed.length === ratios.split(',').length);
  const selection = {
    ...(fromView && scope?.kind === 'pairs' ? { pairQuery: scope.query } : {}),
    ...(!fromView && domain ? { domain } : {}),
    ...(!fromView && tag ? { tag } : {}),
    ...(!fromView && text.trim() ? { query: text.trim() } : {}),
  };
  const request = useSettled({
    strategy: s,
    ratios: s === 'rules' ? [0.5] : parsed.length ? parsed : [0.5],
    ...(m && s !== 'rules' ? { model: m } : {}),
    ...selection,
  });
  const estimate = useApi('generate-estimate', options.data ? request : null);
  const e = estimate.data;
  const ggufs = o?.ggufs ?? [];

  const start = async () => {
    const r = await act(async () => {
      const started = await bridge.invoke('jobs-generate', {
        strategy: s,
        ratios: s === 'rules' ? [0.5] : parsed,
        ...(m && s !== 'rules' ? { model: m } : {}),
        // A Pairs view is its sources, resolved by the estimate.
        ...(selection.pairQuery ? { sourceIds: e?.sourceIds ?? [] } : {}),
        ...(selection.domain ? { domain: selection.domain } : {}),
        ...(selection.tag ? { tag: selection.tag } : {}),
        ...(selection.query ? { query: selection.query } : {}),
        ...(budget ? { budgetUsd: Number(budget) } : {}),
        ...(batch && s === 'prompted' ? { batch: true } : {}),
        ...(validate ? { validate: true } : {}),
      });
      await loadRuns();
      return started;
    }, 'Generation started: it shows below');
    if (r) onClose();
  };
  const blocked = e && !e.canRun.ok ? (e.canRun.reason ?? 'cannot run') : null;
  // A job that would make nothing is not offered (it ran, and said "0 new pairs", before).
  const idle =
    e && !blocked && e.candidates === 0
      ? e.sources === 0
        ? 'no source matches these filters'
        : 'every candidate of these sources is stored already (other ratios or another model make new ones)'
      : null;
  return (
    <div className="overlay">
      <button type="button" className="backdrop" aria-label="Close" onClick={onClose} />
      <form
        className="dialog comment validate generate"
        aria-label="Generate candidates"
        onSubmit={(ev) => {
          ev.preventDefault();
          void start();
        }}
      >
        <h2>Generate candidates</h2>
        <label>
          Strategy
          <select
            value={s}
            onChange={(ev) => {
              setStrategy(ev.target.value as Strategy);
              setModel(null);
              setBrowsing(false);
            }}
            aria-label="Strategy"
          >
            <option value="prompted">
              prompted (an LLM rewrites){o?.generatorKeyMissing ? ` · needs ${o.generatorKeyMissing}` : ''}
            </option>
            <option value="pruned">pruned (a local model drops words)</option>
            <option value="rules">rules (no model)</option>
          </select>
        </label>
        <p className="muted small">{HELP[s]}</p>
        {s === 'prompted' && (
          <label>
            Generator model (provider/model)
            <input
              value={model ?? defaultModel}
              onChange={(ev) => setModel(ev.target.value)}
              aria-label="Model"
              placeholder="openai/gpt-4.1-mini"
            />
          </label>
        )}
        {s === 'pruned' && (
          <>
            <label>
              Local model
              <select
                aria-label="GGUF model"
                value={browsing ? BROWSE : ggufs.some((g) => g.path === m) ? m : m ? BROWSE : ''}
                onChange={(ev) => {
                  if (ev.target.value === BROWSE) {
                    setBrowsing(true);
                    setModel('');
                  } else {
                    setBrowsing(false);
                    setModel(ev.target.value);
                  }
                }}
              >
                <option value="">choose a GGUF…</option>
                {ggufs.map((g) => (
                  <option key={g.path} value={g.path} disabled={!g.exists}>
                    {g.name} · {g.origin}
                    {g.exists ? '' : ' · no file'}
                  </option>
                ))}
                <option value={BROWSE}>another file (a path on the machine running the studio)…</option>
              </select>
            </label>
            {(browsing || (m && !ggufs.some((g) => g.path === m))) && (
              <label>
                Path to a GGUF file
                <input
                  value={model ?? ''}
                  onChange={(ev) => setModel(ev.target.value)}
                  aria-label="Model"
                  placeholder="/path/to/model.gguf"
                />
              </label>
            )}
          </>
        )}
        {s !== 'rules' && (
          <label>
            Target ratios (kept fraction of tokens, one candidate each)
            <input value={ratios} onChange={(ev) => setRatios(ev.target.value)} aria-label="Ratios" />
          </label>
        )}
        <fieldset className="sources">
          <legend>Sources</legend>
          {scope?.kind === 'pairs' && (
            <label className="check">
              <input type="checkbox" checked={fromView} onChange={(ev) => setFromView(ev.target.checked)} />
              the sources of the Pairs view I came from ({fmt(scope.total)} pairs)
            </label>
          )}
          {!fromView && (
            <div className="row wrap">
              <select value={domain} onChange={(ev) => setDomain(ev.target.value as Domain | '')} aria-label="Domain">
                <option value="">every domain</option>
                <option value="nl">prose</option>
                <option value="chat">conversations</option>
                <option value="code">code</option>
                <option value="mixed">mixed</option>
              </select>
              <select value={tag} onChange={(ev) => setTag(ev.target.value)} aria-label="Tag">
                <option value="">any tag</option>
                {(o?.tags ?? []).map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </select>
              <input
                className="grow"
                value={text}
                onChange={(ev) => setText(ev.target.value)}
                aria-label="Sources containing"
                placeholder="text the source contains"
              />
            </div>
          )}
        </fieldset>
        {s === 'prompted' && (
          <>
            <BudgetInput value={budget} onChange={setBudget} />
            <BatchCheckbox checked={batch} onChange={setBatch} />
          </>
        )}
        <label className="check">
          <input type="checkbox" checked={validate} onChange={(ev) => setValidate(ev.target.checked)} />
          Then validate with the configured models and keep, per source, the shortest candidate that passes
        </label>
        <div className="estimate card" data-testid="generate-estimate" aria-live="polite">
          {!e ? (
            <span className="muted">Estimating…</span>
          ) : (
            <>
              <span>
                <strong>{fmt(e.sources)}</strong> sources
                {e.stored > 0 && (
                  <span
                    className="muted small"
                    title="Every candidate this job would make for them is stored: the job skips them, and they are not counted in the candidates, calls, cost or time"
                  >
                    {' '}
                    ({fmt(e.stored)} stored already, skipped)
                  </span>
                )}
              </span>
              <span>
                <strong>{fmt(e.tokens)}</strong> o200k tokens{e.tokensExact ? '' : ' (extrapolated)'}
              </span>
              <span>
                <strong>{fmt(e.candidates)}</strong> candidates
              </span>
              {s === 'prompted' && (
                <span>
                  <strong>{fmt(e.calls)}</strong> calls ·{' '}
                  <strong>
                    {e.calls === 0
                      ? 'no cost'
                      : e.costUsd === null
                        ? 'price unknown'
                        : `≤ $${e.costUsd.toFixed(e.costUsd < 1 ? 4 : 2)}`}
                  </strong>
                </span>
              )}
              <span title={e.secondsBasis}>
                <strong>{duration(e.seconds)}</strong>
                {e.secondsBasis && <span className="muted small"> {e.secondsBasis}</span>}
              </span>
            </>
          )}
        </div>
        {blocked && (
          <p className="bad small" role="status">
            Cannot start: {blocked}
            {e?.canRun.missingKeys?.length ? ' (or choose pruned or rules, which need no key)' : ''}
          </p>
        )}
        {idle && (
          <p className="muted small" role="status">
            Nothing to generate: {idle}
          </p>
        )}
        {!ratiosOk && <p className="bad small">Ratios are numbers between 0 and 1, separated by commas.</p>}
        <DialogButtons
          label="Start"
          disabled={!ratiosOk || (s === 'pruned' && !m) || Boolean(blocked) || Boolean(idle) || !e}
          onCancel={onClose}
        />
      </form>
    </div>
  );
}
