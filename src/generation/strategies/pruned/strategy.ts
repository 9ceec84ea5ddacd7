import { InputError } from '../../../errors/index.ts';
import { countTiktoken } from '../../../tokenizers/tiktoken.ts';
import { compressCodePath } from '../code-path.ts';
import { compressMixed } from '../mixed.ts';
import type { Strategy, StrategyOutput } from '../spec.ts';
import { addTargetOutput } from './candidate-list.ts';
import { prunedStrategy as PRUNED, pruneAtRatios } from './candidates.ts';

/**
 * `pruned` over every domain: prose and dialogue through the local model's word pruning; code
 * through the code path (whole comments, docstrings, blank lines and unused blocks, never inside
 * a line); mixed documents split into prose and code, each its own way. Deterministic.
 */
export const prunedCandidates: Strategy = async (source, options, deps) => {
  const out: StrategyOutput = { candidates: [], rejected: [] };
  const entryPoint = typeof source.metadata.entryPoint === 'string' ? [source.metadata.entryPoint] : [];
  const protectNames = [...(options.protect ?? []), ...entryPoint];
  const before = await countTiktoken(source.text, 'o200k');
  const targets: { ratio?: number; threshold?: number }[] =
    options.threshold !== undefined ? [{ threshold: options.threshold }] : options.ratios.map((ratio) => ({ ratio }));
  const needsModel = source.domain !== 'code';
  if (needsModel && !deps.pruner) throw new InputError('pruned needs a local GGUF model: --model path/to.gguf');

  const prose = async (text: string, t: { ratio?: number; threshold?: number }) => {
    if (!deps.pruner) return text;
    const r = await deps.pruner.prune(text, {
      ...t,
      ...(options.question ? { question: options.question } : {}),
      ...(options.protect?.length ? { protect: options.protect } : {}),
      domain: source.domain === 'chat' ? 'chat' : 'nl',
    });
    return r.text;
  };
  const code = async (text: string, language: string | null, t: { ratio?: number }) => {
    if (!language) return text;
    const r = await compressCodePath(text, {
      language,
      ...(t.ratio !== undefined ? { ratio: t.ratio } : {}),
      protect: protectNames,
    });
    return r.text;
  };

  // Prose and dialogue: one forward pass of the model, selected at every target.
  const whole =
    deps.pruner && (source.domain === 'chat' || source.domain === 'nl')
      ? await pruneAtRatios(
          deps.pruner,
          { text: source.text, domain: source.domain },
          {
            ratios: targets.flatMap((t) => (t.ratio !== undefined ? [t.ratio] : [])),
            ...(targets.some((t) => t.threshold !== undefined) ? { threshold: options.threshold as number } : {}),
            ...(options.question ? { question: options.question } : {}),
            ...(options.protect?.length ? { protect: options.protect } : {}),
            model: deps.prunerModel ?? '',
          },
        )
      : null;

  for (const [k, t] of targets.entries()) {
    const params = {
      ...t,
      ...(options.question ? { question: options.question } : {}),
      ...(options.protect?.length ? { protect: options.protect } : {}),
      path: source.domain === 'code' ? 'code-lines' : source.domain === 'mixed' ? 'mixed' : 'words',
    };
    let text: string;
    const notes: string[] = [];
    if (source.domain === 'code') {
      if (!source.language) {
        out.rejected.push({ params, reason: 'the language of this code is unknown: nothing can be removed safely' });
        continue;
      }
      const r = await compressCodePath(source.text, {
        language: source.language,
        ...(t.ratio !== undefined ? { ratio: t.ratio } : {}),
        protect: protectNames,
      });
      text = r.text;
      notes.push(...r.notes);
    } else if (source.domain === 'mixed') {
      text = (await compressMixed(source.text, { prose: (x) => prose(x, t), code: (x, l) => code(x, l, t) })).text;
    } else {
      text = whole?.[k]?.text ?? (await prose(source.text, t));
    }
    await addTargetOutput(
      out,
      { text, before, target: t, params, ...(notes[0] ? { reason: notes[0] } : {}) },
      (achievedRatio, key) => ({
        compressed: text,
        strategy: 'pruned',
        strategyVersion: String(PRUNED.version),
        params,
        model: source.domain === 'code' ? '' : (deps.prunerModel ?? ''),
        costUsd: 0,
        metadata: { achievedRatio, covers: [key], ...(notes.length ? { notes } : {}) },
      }),
    );
  }
  return out;
};
