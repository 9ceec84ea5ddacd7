import type { ModelRef } from '../../contracts/providers.ts';

/** The models the fake servers' reading model plays (see reading-model.ts), one per provider. */
export const testValidators: ModelRef[] = [
  { provider: 'anthropic', model: 'claude-test' },
  { provider: 'openai', model: 'gpt-test' },
  { provider: 'gemini', model: 'gemini-test' },
];
export const testProber: ModelRef = { provider: 'openai', model: 'prober-test' };
export const testJudge: ModelRef = { provider: 'openai', model: 'judge-test' };
