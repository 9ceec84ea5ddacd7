import type { RemoteTokenizerConfig } from '../contracts/config.ts';
import type { Domain } from '../contracts/source.ts';

/**
 * Offline estimate for families without a public tokenizer: the exact o200k count scaled by a
 * per-domain factor from configs/tokenizers.yaml. It is a planning number, never presented as
 * exact: every caller carries method "estimate" along with it.
 */
export function estimateFromO200k(o200kCount: number, config: RemoteTokenizerConfig, domain: Domain = 'nl'): number {
  return Math.ceil(o200kCount * config.estimateFactor[domain]);
}
