import { compressWithRules, RULES_VERSION } from '../rules/index.ts';
import { type Strategy, targetKey } from './spec.ts';

/** `rules`: the rule-based compressor, one candidate per source whatever the ratios. */
export const rulesCandidates: Strategy = async (source) => {
  const r = await compressWithRules(source.text, { domain: source.domain, language: source.language });
  if (r.text === source.text)
    return { candidates: [], rejected: [{ params: {}, reason: 'the rules leave this source as it is' }] };
  return {
    candidates: [
      {
        compressed: r.text,
        strategy: 'rules',
        strategyVersion: RULES_VERSION,
        params: {},
        model: '',
        costUsd: 0,
        metadata: { verified: r.verified, stats: r.stats, notes: r.notes, covers: [targetKey({})] },
      },
    ],
    rejected: [],
  };
};
