import { o200kCounter } from '../tokenizers/o200k-counter.ts';
import { runJsonStringsStage } from './compress-json.ts';
import { CUES, JSON_STRINGS, planCompression } from './compress-plan.ts';
import {
  noteOverCap,
  noteSkippedModels,
  type PipelineState,
  runCodePathStage,
  runCuesStage,
  runModelStep,
  runRulesStage,
  runSelectStage,
  type StageContext,
} from './compress-stages.ts';
import type { CompressOptions, CompressResult } from './compress-types.ts';

/**
 * Most of a text's line breaks are CRLF (written on Windows). A text mixing the two (edited on
 * Windows and on Linux) is given back in the ends most of its lines had.
 */
function endsLinesWithCrlf(text: string): boolean {
  const crlf = text.match(/\r\n/g)?.length ?? 0;
  return crlf > 0 && crlf * 2 >= (text.match(/\n/g)?.length ?? 0);
}

/**
 * One uncached call: plan, run the stages in order, report what came out and how. `signal` stops
 * it between stages and inside the model stages (their queue and their work); an aborted run
 * rejects with the signal's reason and never returns a result, so half a pipeline is never cached.
 */
export async function runCompression(
  original: string,
  options: CompressOptions,
  deps: Omit<StageContext, 'count' | 'signal' | 'denseSignal'>,
  signal?: AbortSignal,
): Promise<CompressResult> {
  const t0 = performance.now();
  // Nothing to compress is no error: an app sends a user's memory as it is, empty for a new user,
  // and one empty text must not fail a batch (review: `{"texts": [..., ""]}` was refused whole).
  if (!original.trim()) return emptyResult(original, options, await o200kCounter(), t0);
  // The stages read lines split on "\n" (a turn's "\r" went into its words) and write "\n": a text
  // with CRLF breaks is compressed as LF and given back in CRLF where most of its breaks were, as
  // the caller's file had it. o200k counts "\r\n" as one token, as it does "\n", so the counts
  // hold for either.
  const crlf = endsLinesWithCrlf(original);
  const text = original.includes('\r\n') ? original.replace(/\r\n/g, '\n') : original;
  const ctx: StageContext = {
    ...deps,
    count: await o200kCounter(),
    ...(signal ? { signal } : {}),
    ...(options.denseWithinMs !== undefined ? { denseSignal: AbortSignal.timeout(options.denseWithinMs) } : {}),
  };
  const plan = planCompression(ctx.config, text, options, ctx.count);
  const state: PipelineState = {
    text,
    tokens: plan.tokensBefore,
    used: [],
    result: {
      text,
      domain: plan.domain,
      language: plan.language,
      tokensBefore: plan.tokensBefore,
      tokensAfter: plan.tokensBefore,
      strategy: '',
      pipeline: plan.pipeline,
      model: null,
      timings: [],
      totalMs: 0,
      fallback: null,
      cached: false,
      notes: [...plan.notes],
    },
  };
  for (const stage of plan.pipeline) {
    signal?.throwIfAborted();
    if (stage === 'select' && plan.query !== undefined) await runSelectStage(state, plan, plan.query, ctx);
    else if (stage === 'rules') await runRulesStage(state, plan, ctx);
    else if (stage === 'code-path') await runCodePathStage(state, plan, ctx);
    else if (stage === CUES) runCuesStage(state, plan, ctx);
    else if (stage === JSON_STRINGS)
      await runJsonStringsStage(state, plan, ctx, (string) =>
        runCompression(
          string,
          {
            ratio: plan.ratio,
            protect: plan.protect,
            ...(plan.model !== undefined ? { model: plan.model } : {}),
            ...(plan.question !== undefined ? { question: plan.question } : {}),
          },
          deps,
          signal,
        ),
      );
    else if ((await runModelStep(state, plan, stage, ctx)) === 'stop') break;
  }
  signal?.throwIfAborted();
  noteSkippedModels(state);
  noteOverCap(state, plan, ctx);
  const { result } = state;
  // A text nothing changed comes back as it came, its mixed line ends with it (re-read, session 37).
  result.text = state.text === text ? original : crlf ? state.text.replace(/\n/g, '\r\n') : state.text;
  result.tokensAfter = state.tokens;
  result.strategy = state.used.join('+') || 'none';
  result.totalMs = performance.now() - t0;
  return result;
}

/** An empty (or only white space) text, given back as it came, with a note saying why. */
function emptyResult(
  text: string,
  options: CompressOptions,
  count: (text: string) => number,
  t0: number,
): CompressResult {
  const tokens = count(text);
  return {
    text,
    domain: options.domain ?? 'nl',
    language: options.language ?? null,
    tokensBefore: tokens,
    tokensAfter: tokens,
    strategy: 'none',
    pipeline: [],
    model: null,
    timings: [],
    totalMs: performance.now() - t0,
    fallback: null,
    cached: false,
    notes: [text ? 'the text is only white space: given back as it is' : 'the text is empty: nothing to compress'],
  };
}

/** A cache hit: the stored result, marked cached, timed as the lookup it was. */
export function cachedResult(r: CompressResult, ms: number): CompressResult {
  return {
    ...r,
    cached: true,
    timings: [{ stage: 'cache', ms, tokensIn: r.tokensBefore, tokensOut: r.tokensAfter }],
    totalMs: ms,
  };
}
