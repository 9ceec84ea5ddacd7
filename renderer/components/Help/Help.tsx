import { useStudio } from '../../store/index.ts';

const KEYS: [string, string][] = [
  ['?', 'show or hide this help (labeling keys do nothing while it is open)'],
  ['a', 'approve the pair (Review); a pair failing validation asks once'],
  ['r', 'reject: opens the comment box, a comment is required'],
  ['e', 'edit the compressed text, with a live diff and token count; Ctrl+Enter saves'],
  ['s', 'skip the pair'],
  ['u', 'undo your last label'],
  ['j / k', 'next / previous pair (Bulk: move the cursor)'],
  ['x', 'Bulk: select the pair under the cursor'],
  ['Shift + j / k / x', 'Bulk: select a range'],
  ['Esc', 'close a box or this help'],
];

export function Help() {
  const open = useStudio((s) => s.helpOpen);
  const toggle = useStudio((s) => s.toggleHelp);
  if (!open) return null;
  return (
    <div className="overlay">
      <button type="button" className="backdrop" aria-label="Close" onClick={() => toggle(false)} />
      <div className="dialog" role="dialog" aria-modal="true" aria-label="Keyboard shortcuts">
        <h2>Keyboard shortcuts</h2>
        <table className="keys">
          <tbody>
            {KEYS.map(([k, what]) => (
              <tr key={k}>
                <td>
                  <kbd>{k}</kbd>
                </td>
                <td>{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <button type="button" onClick={() => toggle(false)}>
          Close <kbd>Esc</kbd>
        </button>
      </div>
    </div>
  );
}
