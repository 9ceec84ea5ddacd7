import { describe, expect, it } from 'vitest';
import { asksWhich } from './asked-fields.ts';

describe('asksWhich', () => {
  it('reads a question for the records of a kind, not a verb in -s after "what" (session 36)', () => {
    for (const q of ['Which alerts page someone?', 'Who is on call?', 'What jobs run nightly?', 'List every port.'])
      expect(asksWhich(q), q).toBe(true);
    // A verb in -s after "what" asks for one fact: "triggers", "happens", "causes" are no plural nouns.
    for (const q of [
      'What triggers the disk alert?',
      'What happens when the queue is full?',
      'What causes it to restart?',
      'What is the maximum page size?',
    ])
      expect(asksWhich(q), q).toBe(false);
  });
});
