import { compressCodePath } from '../generation/strategies/code-path.ts';
import { compressMixed } from '../generation/strategies/mixed.ts';
import type { TextRange } from '../generation/strategies/pruned/index.ts';
import type { Fallback } from './checks.ts';
import type { Check, ModelStageOutcome, ModelStageRun } from './model-stage.ts';

/**
 * The `classify` model stage: the token classifier keeps the best words of prose and dialogue to
 * the ratio (a missing model folder is 'no-model' before this runs: the next model stage takes
 * over). Code never reaches it (skipped), and the code blocks of a mixed document take the code path.
 */
export async function runClassifierStage(
  run: ModelStageRun,
  check: Check,
  refuse: (f: Omit<Fallback, 'stage' | 'model'>, model: string) => ModelStageOutcome,
): Promise<ModelStageOutcome> {
  const { stage, models, text, domain, protect, timing, count } = run;
  const handle = models.classifier(stage);
  if (domain === 'code') return { kind: 'skipped', note: `${stage}: skipped (code keeps its own path)` };
  try {
    let modelTokens = 0;
    let seconds = 0;
    // What the selection let go on purpose, when the whole text went through it as one piece.
    let released: readonly TextRange[] | undefined;
    const prose = (t: string) =>
      handle.use(async (c) => {
        // Between the prose parts of a mixed document: a caller that gave up stops here.
        run.signal?.throwIfAborted();
        const r = await c.compress(t, {
          ratio: run.ratio,
          domain: domain === 'chat' ? 'chat' : 'nl',
          ...(protect.length ? { protect } : {}),
        });
        modelTokens += r.modelTokens;
        seconds += r.seconds;
        if (t === text) released = r.released;
        return r.text;
      });
    const names = protect.filter((p): p is string => typeof p === 'string');
    const out =
      domain === 'mixed'
        ? (
            await compressMixed(text, {
              prose,
              code: async (t, language) =>
                language ? (await compressCodePath(t, { language, ratio: run.ratio, protect: names })).text : t,
            })
          ).text
        : await prose(text);
    timing.modelTokens = modelTokens;
    timing.tokensPerSecond = seconds > 0 ? modelTokens / seconds : 0;
    timing.tokensOut = count(out);
    const bad = check(out, timing.tokensOut, released ? { released } : {});
    return bad ? refuse(bad, handle.label) : { kind: 'used', text: out, model: handle.label };
  } catch (error) {
    // The caller gave up: a cancelled call is no verdict on the model.
    if (run.signal?.aborted) throw error;
    return refuse({ reason: 'error', detail: error instanceof Error ? error.message : String(error) }, handle.label);
  }
}
