import { describe, expect, it } from 'vitest';
import { fieldNames, type LabelUse } from './speaking-labels.ts';

describe('fieldNames', () => {
  it('reads a label a speaker names as a speaker, one word or several', () => {
    const uses: LabelUse[] = [
      { name: 'Nadia', value: 'Welcome back. I am here with Tomás.', chat: false },
      { name: 'Tomás', value: 'Glad to be here, Nadia.', chat: false },
      { name: 'Host', value: 'Nadia Brooks.', chat: false },
      { name: 'tom.k', value: 'Fine.', chat: false },
      { name: 'Nadia', value: 'What did tom.k say?', chat: false },
    ];
    const fields = fieldNames(uses);
    expect(fields.has('tomás')).toBe(false);
    expect(fields.has('tom.k')).toBe(false);
    expect(fields.has('host')).toBe(true);
  });

  it('is linear in the labels: many field lines beside many turns (re-read of session 33)', () => {
    // A regex per field line tried on every speaker's line: 8,000 of each took ~5 s.
    const uses: LabelUse[] = [];
    for (let i = 0; i < 8000; i++) uses.push({ name: `Key${i}`, value: `value ${i}`, chat: false });
    for (let i = 0; i < 8000; i++)
      uses.push({ name: 'Alice', value: `I think item ${i} is fine, you agree?`, chat: false });
    const t = performance.now();
    const fields = fieldNames(uses);
    expect(performance.now() - t).toBeLessThan(1500);
    expect(fields.has('key7')).toBe(true);
    expect(fields.has('alice')).toBe(false);
  });
});
