import { describe, expect, it } from 'vitest';
import { negatedValue } from './negated-values.ts';

const ROWS = [
  ['billing', 'Kubernetes', 'ok'],
  ['search', 'ECS', 'failed'],
  ['auth', 'Kubernetes', 'failed'],
  ['mail', 'Lambda', 'ok'],
];

describe('negatedValue', () => {
  // A question's auxiliary before its subject negates the verb at its end, not a value: read as
  // one, the rows asked about went below every other unit.
  it('reads no value negated in "why didn\'t the X work?" nor "can\'t we"', () => {
    expect(negatedValue(ROWS, "Why didn't the Kubernetes deploy of auth work?")).toBeNull();
    expect(negatedValue(ROWS, "Can't we move auth off Kubernetes?")).toBeNull();
  });

  it('still reads the value a question negates', () => {
    expect(negatedValue(ROWS, "Which services aren't on Kubernetes?")?.holding).toEqual(new Set([0, 2]));
    expect(negatedValue(ROWS, 'Which services are not on Kubernetes?')?.holding).toEqual(new Set([0, 2]));
    expect(negatedValue(ROWS, "Which services haven't failed?")?.holding).toEqual(new Set([1, 2]));
  });
});
