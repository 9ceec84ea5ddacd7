import { describe, expect, it } from 'vitest';
import { serialQueue } from './serial.ts';

describe('serialQueue', () => {
  it('runs calls one at a time in call order, and a failure does not stop the next', async () => {
    const serial = serialQueue();
    const events: string[] = [];
    const job = (name: string, ms: number, fail = false) =>
      serial(async () => {
        events.push(`start ${name}`);
        await new Promise((r) => setTimeout(r, ms));
        events.push(`end ${name}`);
        if (fail) throw new Error(name);
        return name;
      });
    const a = job('a', 30);
    const b = job('b', 1, true);
    const c = job('c', 1);
    expect(await a).toBe('a');
    await expect(b).rejects.toThrow('b');
    expect(await c).toBe('c');
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });
});
