/** Form fields the job dialogs share, so a budget or a batch option reads the same everywhere. */
export function BudgetInput({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  return (
    <label>
      Budget (US dollars, optional)
      <input
        type="number"
        min="0"
        step="0.01"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-label="Budget"
      />
    </label>
  );
}

export function BatchCheckbox({
  checked,
  onChange,
  note = '',
}: {
  checked: boolean;
  onChange: (checked: boolean) => void;
  note?: string;
}) {
  return (
    <label className="check">
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      Use the providers' batch endpoints: half the price, answers within 24 hours{note}
    </label>
  );
}

export function DialogButtons({
  label,
  disabled,
  onCancel,
}: {
  label: string;
  disabled: boolean;
  onCancel: () => void;
}) {
  return (
    <div className="row">
      <button type="submit" className="approve" disabled={disabled}>
        {label}
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}
