import { useState } from 'react';
import type { PairViewQuery } from '../../../src/contracts/view.ts';
import { bridge } from '../../bridge/index.ts';
import { useAction, useApi } from '../../hooks.ts';
import { navigate } from '../../router.ts';
import { useStudio } from '../../store/index.ts';
import { BatchCheckbox, BudgetInput, DialogButtons } from '../Fields/Fields.tsx';

const refText = (r: { provider: string; model: string }) => `${r.provider}/${r.model}`;

/**
 * Starts a validation of the current view: validators, judge and prober default to the configured
 * roles and can be changed for this run; a budget stops it before it spends more.
 */
export function ValidateDialog({
  query,
  total,
  onClose,
}: {
  query: Omit<PairViewQuery, 'offset' | 'limit'>;
  total: number;
  onClose: () => void;
}) {
  const act = useAction();
  const settings = useApi('settings-get', {});
  // A labeler's settings carry no model roles (an empty list): only the owner validates.
  const models = settings.data?.models;
  const roles = models && !Array.isArray(models) ? models : undefined;
  const [validators, setValidators] = useState<string | null>(null);
  const [judge, setJudge] = useState<string | null>(null);
  const [prober, setProber] = useState<string | null>(null);
  const [budget, setBudget] = useState('');
  const [batch, setBatch] = useState(false);
  const v = validators ?? roles?.validators.map(refText).join(', ') ?? '';
  const j = judge ?? (roles ? refText(roles.judge) : '');
  const p = prober ?? (roles ? refText(roles.prober) : '');
  const loadRuns = useStudio((s) => s.loadRuns);
  const start = async () => {
    const models = v
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    const r = await act(
      () =>
        bridge.invoke('jobs-validate', {
          query,
          models,
          judge: j,
          prober: p,
          ...(budget ? { budgetUsd: Number(budget) } : {}),
          ...(batch ? { batch: true } : {}),
        }),
      'Validation started: follow it on the Runs page',
    );
    if (r) {
      onClose();
      navigate('runs');
      // The run's row exists now: show it before its first item.
      await loadRuns();
    }
  };
  return (
    <div className="overlay">
      <button type="button" className="backdrop" aria-label="Close" onClick={onClose} />
      <form
        className="dialog comment validate"
        aria-label="Validate this view"
        onSubmit={(e) => {
          e.preventDefault();
          void start();
        }}
      >
        <h2>Validate {total.toLocaleString('en-US')} pairs</h2>
        <p className="muted">
          Each validator answers every probe with the original and with the compression; a judge compares the answers.
          Models as provider/model; local GGUF files as local/path/to/model.gguf.
        </p>
        <label>
          Validators
          <input value={v} onChange={(e) => setValidators(e.target.value)} aria-label="Validators" />
        </label>
        <label>
          Judge
          <input value={j} onChange={(e) => setJudge(e.target.value)} aria-label="Judge" />
        </label>
        <label>
          Prober
          <input value={p} onChange={(e) => setProber(e.target.value)} aria-label="Prober" />
        </label>
        <BudgetInput value={budget} onChange={setBudget} />
        <BatchCheckbox
          checked={batch}
          onChange={setBatch}
          note=" (local models still answer at once; stopping and resuming never pays twice)"
        />
        <DialogButtons label="Start validation" disabled={!v.trim() || !j.trim() || !p.trim()} onCancel={onClose} />
      </form>
    </div>
  );
}
