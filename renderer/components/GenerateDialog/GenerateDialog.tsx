import { useState } from 'react';
import { bridge } from '../../bridge/index.ts';
import { useAction, useApi } from '../../hooks.ts';
import { BatchCheckbox, BudgetInput, DialogButtons } from '../Fields/Fields.tsx';

type Strategy = 'rules' | 'prompted' | 'pruned';
type Domain = 'nl' | 'chat' | 'code' | 'mixed';

const HELP: Record<Strategy, string> = {
  rules: 'No model, no key, instant: filler and markup out of prose, comments and docstrings out of code.',
  prompted:
    'An LLM rewrites each source under its domain’s instruction (configs/prompts/), one candidate per ratio; answers that invent a name, number or date, are not shorter, or do not parse are rejected.',
  pruned:
    'A local GGUF model scores every word and drops the least informative ones, keeping numbers, names, dates and speaker labels; code loses only whole comments, docstrings and unused blocks.',
};

/**
 * Starts a generation job: a strategy over a selection of sources, with its model, target ratios,
 * a budget, and optionally a validation that keeps the shortest candidate that passes.
 */
export function GenerateDialog({ onClose }: { onClose: () => void }) {
  const act = useAction();
  const settings = useApi('settings-get', {});
  const generator = settings.data?.models.generator;
  const [strategy, setStrategy] = useState<Strategy>('prompted');
  const [model, setModel] = useState<string | null>(null);
  const [ratios, setRatios] = useState('0.3, 0.5, 0.7');
  const [domain, setDomain] = useState<Domain | ''>('');
  const [budget, setBudget] = useState('');
  const [batch, setBatch] = useState(false);
  const [validate, setValidate] = useState(false);
  const m = model ?? (strategy === 'prompted' && generator ? `${generator.provider}/${generator.model}` : '');
  const parsed = ratios
    .split(',')
    .map((r) => Number(r.trim()))
    .filter((r) => r > 0 && r < 1);
  const ratiosOk = strategy === 'rules' || (parsed.length > 0 && parsed.length === ratios.split(',').length);
  const start = async () => {
    const r = await act(
      () =>
        bridge.invoke('jobs-generate', {
          strategy,
          ratios: strategy === 'rules' ? [0.5] : parsed,
          ...(m && strategy !== 'rules' ? { model: m } : {}),
          ...(domain ? { domain } : {}),
          ...(budget ? { budgetUsd: Number(budget) } : {}),
          ...(batch && strategy === 'prompted' ? { batch: true } : {}),
          ...(validate ? { validate: true } : {}),
        }),
      'Generation started: it shows below',
    );
    if (r) onClose();
  };
  return (
    <div className="overlay">
      <button type="button" className="backdrop" aria-label="Close" onClick={onClose} />
      <form
        className="dialog comment validate"
        aria-label="Generate candidates"
        onSubmit={(e) => {
          e.preventDefault();
          void start();
        }}
      >
        <h2>Generate candidates</h2>
        <label>
          Strategy
          <select
            value={strategy}
            onChange={(e) => {
              setStrategy(e.target.value as Strategy);
              setModel(null);
            }}
            aria-label="Strategy"
          >
            <option value="prompted">prompted (an LLM rewrites)</option>
            <option value="pruned">pruned (a local model drops words)</option>
            <option value="rules">rules (no model)</option>
          </select>
        </label>
        <p className="muted small">{HELP[strategy]}</p>
        {strategy !== 'rules' && (
          <>
            <label>
              {strategy === 'prompted' ? 'Generator model (provider/model)' : 'Local model (path to a GGUF file)'}
              <input
                value={m}
                onChange={(e) => setModel(e.target.value)}
                aria-label="Model"
                placeholder={strategy === 'pruned' ? '/path/to/model.gguf' : 'openai/gpt-4.1-mini'}
              />
            </label>
            <label>
              Target ratios (kept fraction of tokens, one candidate each)
              <input value={ratios} onChange={(e) => setRatios(e.target.value)} aria-label="Ratios" />
            </label>
          </>
        )}
        <label>
          Sources
          <select value={domain} onChange={(e) => setDomain(e.target.value as Domain | '')} aria-label="Domain">
            <option value="">every source</option>
            <option value="nl">prose</option>
            <option value="chat">conversations</option>
            <option value="code">code</option>
            <option value="mixed">mixed</option>
          </select>
        </label>
        {strategy === 'prompted' && (
          <>
            <BudgetInput value={budget} onChange={setBudget} />
            <BatchCheckbox checked={batch} onChange={setBatch} />
          </>
        )}
        <label className="check">
          <input type="checkbox" checked={validate} onChange={(e) => setValidate(e.target.checked)} />
          Then validate with the configured models and keep, per source, the shortest candidate that passes
        </label>
        {!ratiosOk && <p className="bad small">Ratios are numbers between 0 and 1, separated by commas.</p>}
        <DialogButtons label="Start" disabled={!ratiosOk || (strategy === 'pruned' && !m.trim())} onCancel={onClose} />
      </form>
    </div>
  );
}
