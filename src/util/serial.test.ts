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

  it('lets a waiting call whose signal aborts leave the queue at once, never running it', async () => {
    const serial = serialQueue();
    const events: string[] = [];
    let release: () => void = () => undefined;
    const a = serial(async () => {
      events.push('start a');
      await new Promise<void>((r) => {
        release = r;
      });
      events.push('end a');
    });
    const abort = new AbortController();
    const b = serial(async () => {
      events.push('start b');
    }, abort.signal);
    const c = serial(async () => {
      events.push('start c');
    });
    await new Promise((r) => setTimeout(r, 5));
    abort.abort(new Error('gave up'));
    // Rejected while a still holds the queue, not at its turn.
    await expect(b).rejects.toThrow('gave up');
    expect(events).toEqual(['start a']);
    release();
    await a;
    await c;
    expect(events).toEqual(['start a', 'end a', 'start c']);
    // Aborted before it was even queued: never runs either.
    await expect(serial(async () => events.push('late'), abort.signal)).rejects.toThrow('gave up');
    expect(events).not.toContain('late');
  });
});
