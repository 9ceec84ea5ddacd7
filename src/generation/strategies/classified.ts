import { InputError } from '../../errors/index.ts';
import { countTiktoken } from '../../tokenizers/tiktoken.ts';
import { compressCodePath } from './code-path.ts';
import { compressMixed } from './mixed.ts';
import { addTargetOutput } from './pruned/candidate-list.ts';
import type { Strategy, StrategyOutput } from './spec.ts';

/**
 * `classified`: the fast extractive compressor, the token classifier trained in the app
 * (src/inference/classifier.ts, given as `deps.classifier`), keeping the best words of prose and
 * dialogue to each ratio; code takes the code path and mixed documents are split, as in `pruned`.
 * Deterministic.
 */
export const CLASSIFIED_VERSION = 1;

export const classifiedCandidates: Strategy = async (source, options, deps) => {
  const out: StrategyOutput = { candidates: [], rejected: [] };
  const classifier = deps.classifier;
  if (source.domain !== 'code' && !classifier)
    throw new InputError('classified needs a trained token classifier: studio train classifier --install');
  const before = await countTiktoken(source.text, 'o200k');
  const targets: { ratio?: number; threshold?: number }[] =
    options.threshold !== undefined ? [{ threshold: options.threshold }] : options.ratios.map((ratio) => ({ ratio }));
  const names = [
    ...(options.protect ?? []),
    ...(typeof source.metadata.entryPoint === 'string' ? [source.metadata.entryPoint] : []),
  ];
  const prose = async (text: string, t: { ratio?: number; threshold?: number }) =>
    classifier
      ? (
          await classifier.compress(text, {
            ...t,
            domain: source.domain === 'chat' ? 'chat' : 'nl',
            ...(options.protect?.length ? { protect: options.protect } : {}),
          })
        ).text
      : text;
  const code = async (text: string, language: string | null, t: { ratio?: number }) =>
    language
      ? (
          await compressCodePath(text, {
            language,
            ...(t.ratio !== undefined ? { ratio: t.ratio } : {}),
            protect: names,
          })
        ).text
      : text;

  for (const t of targets) {
    const params = { ...t, ...(options.protect?.length ? { protect: options.protect } : {}) };
    let text: string;
    if (source.domain === 'code') {
      if (!source.language) {
        out.rejected.push({ params, reason: 'the language of this code is unknown: nothing can be removed safely' });
        continue;
      }
      text = await code(source.text, source.language, t);
    } else if (source.domain === 'mixed') {
      text = (await compressMixed(source.text, { prose: (x) => prose(x, t), code: (x, l) => code(x, l, t) })).text;
    } else text = await prose(source.text, t);
    await addTargetOutput(out, { text, before, target: t, params }, (achievedRatio, key) => ({
      compressed: text,
      strategy: 'classified',
      strategyVersion: String(CLASSIFIED_VERSION),
      params,
      model: source.domain === 'code' ? '' : (deps.classifierModel ?? ''),
      costUsd: 0,
      metadata: { achievedRatio, covers: [key] },
    }));
  }
  return out;
};
