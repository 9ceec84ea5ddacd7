import type { ModelRef, Pricing } from '../../contracts/providers.ts';

/** The models the fake servers' reading model plays (see reading-model.ts), one per provider. */
export const testValidators: ModelRef[] = [
  { provider: 'anthropic', model: 'claude-test' },
  { provider: 'openai', model: 'gpt-test' },
  { provider: 'gemini', model: 'gemini-test' },
];
export const testProber: ModelRef = { provider: 'openai', model: 'prober-test' };
export const testJudge: ModelRef = { provider: 'openai', model: 'judge-test' };

/** Every test model priced, so discounts and budgets show in dollars. */
export const testPricing: Pricing = {
  anthropic: { '*': { input: 3, output: 15 } },
  openai: { '*': { input: 2, output: 8 } },
  gemini: { '*': { input: 1, output: 4 } },
  local: { '*': { input: 0, output: 0 } },
};
