import { trainingSystemPrompt } from '../contracts/compressor-prompt.ts';
import type { Domain } from '../contracts/source.ts';
import { findTags } from '../generation/markup.ts';
import { findProtectedSpans, markdownTables, markdownTableTexts } from '../generation/protect.ts';
import { compressCodePath } from '../generation/strategies/code-path.ts';
import { compressMixed, splitMixed } from '../generation/strategies/mixed.ts';
import type { PruneOptions, PruneResult, Pruner, TextRange } from '../generation/strategies/pruned/index.ts';
import type { TokenCounter } from '../tokenizers/o200k-counter.ts';
import { MAX_TIMER_MS } from '../util/abort.ts';
import { checkOutput, type Fallback } from './checks.ts';
import { runClassifierStage } from './classifier-stage.ts';
import type { StageTiming } from './compress-types.ts';
import type { GenerateModelEntry, InferenceConfig } from './config.ts';
import { ModelLoadError, modelLabel } from './local-model.ts';
import { ggufProblem, modelProblem, rememberLoadFailure } from './model-availability.ts';
import type { ModelSet } from './models.ts';

/**
 * One model stage of a pipeline: the fine-tuned generator (prompted with the system prompt it was
 * trained with, the text as the user turn) or the pruner. Its output is used only if it passes the
 * fallback rules; a load failure, a timeout or an error is a refusal too, with its reason.
 */

export interface ModelStageRun {
  stage: string;
  config: InferenceConfig;
  models: ModelSet;
  count: TokenCounter;
  text: string;
  /** o200k tokens of `text`. */
  tokens: number;
  /**
   * o200k tokens of the caller's original input, before the rules: a note's share is of it, as the
   * headline's is (a note said "kept 76 %" under a headline of 71 %). `tokens` when not given.
   */
  tokensBefore?: number;
  domain: Domain;
  ratio: number;
  /** The caller's cap on the output's o200k tokens, when it gave one (the ratio is taken from it). */
  maxTokens?: number;
  protect: readonly (string | RegExp)[];
  question?: string;
  /**
   * The caller gave up: the stage leaves the model's queue, stops the model and rejects (with the
   * signal's reason), never refusing for it: a cancelled call is no verdict on the model or the text.
   */
  signal?: AbortSignal;
  /** Filled in: model tokens, tokens/s, tokens out. */
  timing: StageTiming;
}

export type ModelStageOutcome =
  | { kind: 'used'; text: string; model: string; note?: string }
  | { kind: 'refused'; fallback: Fallback }
  | { kind: 'skipped'; note: string };

class TimeoutError extends Error {
  override name = 'TimeoutError';
}

/**
 * A model stage's time limit for an input of `tokens` o200k tokens: limits.modelTimeoutMs plus
 * limits.modelTimeoutMsPer1kTokens per 1,000 tokens, at most a Node timer's longest. The work grows
 * with the input (the pruner scores every token), and one fixed limit was either too short for a
 * long file or far too long for a short one to fall back on.
 */
export function modelTimeLimitMs(limits: InferenceConfig['limits'], tokens: number): number {
  return Math.min(MAX_TIMER_MS, Math.round(limits.modelTimeoutMs + (limits.modelTimeoutMsPer1kTokens * tokens) / 1000));
}

/** Which limit applied to an input and how to raise it, for a timed-out call's detail. */
function limitNote(limits: InferenceConfig['limits'], tokens: number, ms: number): string {
  const { modelTimeoutMs: base, modelTimeoutMsPer1kTokens: per1k } = limits;
  const how = per1k
    ? `limits.modelTimeoutMs ${base} + limits.modelTimeoutMsPer1kTokens ${per1k} a 1,000 tokens`
    : `limits.modelTimeoutMs ${base}`;
  return `limit ${(ms / 1000).toFixed(1)} s for ${tokens.toLocaleString('en-US')} tokens: ${how}; raise ${
    per1k ? 'them' : 'it'
  } in the inference config, configs/inference.yaml`;
}

/**
 * The model timeout, on the model's own work for this call: armed by `start` when the call gets
 * the model, not when it is queued. Calls wait for the pruner's one context (or the generator's
 * sequences) behind each other (compressMany, the service under concurrent requests), and a clock
 * started at the queue charged a call with the others' time: it fell back to the rules while the
 * model had barely looked at it. When it fires it aborts the call, which stops the model at its
 * next window or token. Model loading (shared by every call) is not counted either. Its length
 * follows the input's (modelTimeLimitMs).
 */
function modelClock(limits: InferenceConfig['limits'], tokens: number) {
  const ms = modelTimeLimitMs(limits, tokens);
  const abort = new AbortController();
  const queued = performance.now();
  let started: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let expire: (e: TimeoutError) => void = () => undefined;
  const expired = new Promise<never>((_, reject) => {
    expire = reject;
  });
  const s = (t: number) => `${(t / 1000).toFixed(1)} s`;
  const worked = () => (started === undefined ? 0 : performance.now() - started);
  /** What a timed-out call reports: how long the model worked on it, and waited for it. */
  const detail = () => {
    const waited = (started ?? performance.now()) - queued;
    return `no answer after ${s(worked())} of model work (${limitNote(limits, tokens, ms)})${waited >= 1000 ? `, after waiting ${s(waited)} for the model` : ''}`;
  };
  return {
    signal: abort.signal,
    start() {
      if (started !== undefined) return;
      started = performance.now();
      timer = setTimeout(() => {
        const error = new TimeoutError(detail());
        abort.abort(error);
        expire(error);
      }, ms);
    },
    /** Milliseconds the model has worked on this call (0 before it got the model). */
    worked,
    detail,
    /** `p`, or the timeout's error if it fires first. */
    race<T>(p: Promise<T>): Promise<T> {
      p.catch(() => undefined);
      return Promise.race([p, expired]).finally(() => clearTimeout(timer));
    },
  };
}

/** The model clock's signal, and the caller's when there is one: either stops the model. */
function stopSignal(clock: { signal: AbortSignal }, caller: AbortSignal | undefined): AbortSignal {
  return caller ? AbortSignal.any([clock.signal, caller]) : clock.signal;
}

function failureOf(error: unknown): Omit<Fallback, 'stage' | 'model'> {
  if (error instanceof TimeoutError) return { reason: 'timeout', detail: error.message };
  return { reason: 'error', detail: error instanceof Error ? error.message : String(error) };
}

/** The fallback rules applied to a stage's output, and how a stage says no. */
export type Check = (
  output: string,
  outputTokens: number,
  how?: { cutOff?: boolean; released?: readonly TextRange[] },
) => Omit<Fallback, 'stage' | 'model'> | null;
type Refuse = (f: Omit<Fallback, 'stage' | 'model'>, model: string) => ModelStageOutcome;

export async function runModelStage(run: ModelStageRun): Promise<ModelStageOutcome> {
  const { stage, config, text, tokens, domain, protect } = run;
  const entry = config.models[stage];
  if (!entry) return { kind: 'skipped', note: `${stage}: not configured` };
  run.signal?.throwIfAborted();
  const adapter = entry.kind === 'generate' ? entry.adapter : null;
  const context = entry.kind === 'generate' ? contextSettings(entry) : null;
  // A missing file, or one that already failed to load as it is now (the model file, the model
  // with this adapter, or with these context settings): refused without trying.
  const problem =
    modelProblem({ path: entry.path, adapter, context }) ??
    (entry.kind === 'classify' ? null : await ggufProblem(entry.path));
  if (problem) return { kind: 'refused', fallback: { stage, model: modelLabel(entry.path, adapter), ...problem } };
  const refuse: Refuse = (f, model) => ({ kind: 'refused', fallback: { stage, model, ...f } });
  const check: Check = (output, outputTokens, how = {}) =>
    checkOutput({
      input: text,
      output,
      inputTokens: tokens,
      outputTokens,
      maxRatio: config.fallback.maxRatio,
      kinds: config.fallback.protect,
      protect,
      domain,
      cutOff: how.cutOff ?? false,
      ...(how.released ? { released: how.released } : {}),
    });
  if (entry.kind === 'classify') return runClassifierStage(run, check, refuse);
  if (entry.kind === 'prune') return runPrunerStage(run, entry.path, check, refuse);
  return runGeneratorStage(run, entry, check, refuse);
}

const plural = (n: number, what: string) => (n ? `${n} ${what}${n === 1 ? '' : 's'}` : '');

/** The pruner (a small model's surprisal per word) at the call's ratio. */
async function runPrunerStage(
  run: ModelStageRun,
  path: string,
  check: Check,
  refuse: Refuse,
): Promise<ModelStageOutcome> {
  const { stage, models, count, text, domain, protect, timing } = run;
  const handle = models.pruner(stage);
  if (domain === 'code') return { kind: 'skipped', note: `${stage}: skipped (the pruner does not prune code)` };
  // The pruner stops at its next window when the timeout fires, so a call that gave up does not
  // keep the model (and the calls queued behind it) busy.
  const clock = modelClock(run.config.limits, run.tokens);
  const settings = {
    signal: stopSignal(clock, run.signal),
    onModelStart: clock.start,
    ...(protect.length ? { protect } : {}),
    ...(run.question ? { question: run.question } : {}),
  };
  try {
    const r = await clock.race(
      handle.use((p) =>
        domain === 'mixed'
          ? pruneMixed(p, run, settings)
          : p.prune(text, {
              ratio: run.ratio,
              ...(run.maxTokens !== undefined ? { maxTokens: run.maxTokens } : {}),
              domain,
              ...settings,
            }),
      ),
    );
    // The rate over the model's own work: r.seconds also holds the wait for the model.
    const seconds = clock.worked() / 1000;
    timing.modelTokens = r.modelTokens;
    timing.tokensPerSecond = seconds > 0 ? r.modelTokens / seconds : 0;
    timing.tokensOut = count(r.text);
    const bad = check(r.text, timing.tokensOut, { released: r.released });
    if (bad) return refuse(bad, handle.label);
    const tags = findTags(text);
    const kept = [plural(tags.length, 'markup tag'), plural(markdownTables(text), 'Markdown table')].filter(Boolean);
    const protectedExceeds = 'protectedExceedsBudget' in r && r.protectedExceedsBudget === true;
    const short = kept.length
      ? keptWholeNote(run, timing, kept.join(' and '), wholeTokens(text, tags, count), protectedExceeds)
      : shortOfRatio(run, timing, protectedExceeds);
    return { kind: 'used', text: r.text, model: handle.label, ...(short ? { note: `${stage}: ${short}` } : {}) };
  } catch (error) {
    // The caller gave up (waiting for the model, or between windows): nothing to remember or refuse.
    if (run.signal?.aborted) throw error;
    // Never loaded and not a timeout: the file does not load; do not try it on every call.
    if (handle.state().model !== 'ready' && !(error instanceof TimeoutError))
      rememberLoadFailure({ path }, error instanceof Error ? error.message : String(error));
    return refuse(failureOf(error), handle.label);
  }
}

/**
 * Why the pruner kept more than the ratio asked, when it did by more than 5 points (review: "--ratio
 * 0.33" kept 58 % of an email with nothing said; the code path says as much of its own ratio).
 * Undefined when the ratio was met, or asked through maxTokens (its own note says a miss).
 */
function shortOfRatio(run: ModelStageRun, timing: StageTiming, protectedExceeds: boolean): string | undefined {
  const before = run.tokensBefore ?? timing.tokensIn;
  if (run.maxTokens !== undefined || run.ratio >= 1 || !timing.tokensIn || !before) return undefined;
  const share = (timing.tokensOut ?? timing.tokensIn) / before;
  if (share <= run.ratio + 0.05) return undefined;
  return `kept ${pct(share)} of the tokens (asked ${pct(run.ratio)}): ${whyShort(protectedExceeds)}`;
}

const pct = (x: number) => `${Math.round(x * 100)} %`;

/**
 * Why the words were not brought to the ratio. What the pruner protects is words inside a line it
 * keeps, not every name (review 3: "names ... kept whole" was printed over a text whose patient's
 * name had gone with its line).
 */
const whyShort = (protectedExceeds: boolean) =>
  `${
    protectedExceeds
      ? 'the words it never cuts out of a line it keeps (capitalised names, numbers, dates, identifiers, negations, allergies, speaker labels) are more than that'
      : 'the text has few words the pruner may drop'
  }; ${WITH_A_QUESTION}`;

/**
 * Where a smaller result is to be had: without a question the pruner keeps every rule, field and
 * identifier it can, so a policy came back at 50 % for 0.5, 0.33 and 0.2 alike (review 3), while a
 * question selects what it needs at any ratio.
 */
const WITH_A_QUESTION = 'with a question (--query, or query in a request), the lines it needs are chosen, at any ratio';

/** The tokens of what the pruner keeps whole whatever the ratio: Markdown tables and markup tags. */
function wholeTokens(text: string, tags: readonly { start: number; end: number }[], count: (t: string) => number) {
  let n = 0;
  for (const table of markdownTableTexts(text)) n += count(table);
  for (const tag of tags) n += count(text.slice(tag.start, tag.end));
  return n;
}

/**
 * The note of a text with markup or tables kept whole: under a ratio, the share kept of all the
 * tokens and of the rest, and why when the rest is more than 5 points over the ratio (review 3: "the
 * ratio is of the words" was printed where the prose kept 49 % for 0.33 asked); under maxTokens,
 * whether the words were cut so that the whole fits.
 */
function keptWholeNote(
  run: ModelStageRun,
  timing: StageTiming,
  kept: string,
  whole: number,
  protectedExceeds: boolean,
): string | undefined {
  if (run.ratio >= 1) return undefined;
  if (run.maxTokens !== undefined)
    return `${kept} kept whole${
      (timing.tokensOut ?? Number.POSITIVE_INFINITY) <= run.maxTokens
        ? `; the words cut so that the whole fits maxTokens ${run.maxTokens}`
        : ''
    }`;
  const tokensIn = timing.tokensIn ?? 0;
  const tokensOut = timing.tokensOut ?? tokensIn;
  if (!tokensIn) return `${kept} kept whole`;
  const rest = Math.max(0, tokensOut - whole) / Math.max(1, tokensIn - whole);
  const what = `${kept} kept whole (${whole} tokens); kept ${pct(tokensOut / (run.tokensBefore ?? tokensIn))} of the tokens, ${pct(rest)} of the rest (asked ${pct(run.ratio)})`;
  return rest <= run.ratio + 0.05 ? what : `${what}: ${whyShort(protectedExceeds)}`;
}

/**
 * A document of prose and code (a README with fenced examples): its prose pruned, its code blocks
 * through the code path, put back in order, as the classifier stage does. Before, the pruner was not
 * in the mixed pipeline, and such a document came back from the rules alone, 5x over `--max-tokens`,
 * with a note that no model stage had its file (review). Under `maxTokens`, the prose is pruned to
 * what the code leaves of it.
 */
async function pruneMixed(
  p: Pruner,
  run: ModelStageRun,
  settings: Pick<PruneOptions, 'signal' | 'onModelStart' | 'protect' | 'question'>,
): Promise<Pick<PruneResult, 'text' | 'modelTokens' | 'released'>> {
  const { text, count } = run;
  const segments = splitMixed(text);
  const proseTokens = segments.reduce((n, seg) => n + (seg.kind === 'prose' ? count(seg.text) : 0), 0);
  const ratio =
    run.maxTokens === undefined
      ? run.ratio
      : Math.min(
          1,
          Math.max(MIN_PROSE_RATIO, (run.maxTokens - (count(text) - proseTokens)) / Math.max(1, proseTokens)),
        );
  const names = (settings.protect ?? []).filter((x): x is string => typeof x === 'string');
  // Names and field labels are found over the whole text ("Fires" opening two alerts is a name,
  // "Move date:" a field where the document has two), and the check reads them so: each prose
  // piece alone saw one and let its word go, and the whole output was refused (review: a runbook,
  // and a 180 KB file after 12 minutes of model work).
  const whole = findProtectedSpans(text, { domain: 'nl' })
    .filter((s) => s.kind === 'name' || s.kind === 'field')
    .map((s) => text.slice(s.start, s.end).trim());
  const prose = { ...settings, protect: [...(settings.protect ?? []), ...new Set(whole.filter(Boolean))] };
  let modelTokens = 0;
  // What each piece let go on purpose (whole items, empty headings), as ranges of the whole text, so
  // the check does not count their protected words as lost.
  const released: TextRange[] = [];
  let cursor = 0;
  const out = await compressMixed(text, {
    prose: async (t) => {
      const r = await p.prune(t, { ratio, domain: 'nl', ...prose });
      modelTokens += r.modelTokens;
      const at = text.indexOf(t, cursor);
      if (at >= 0) {
        cursor = at + t.length;
        for (const x of r.released) released.push({ ...x, start: x.start + at, end: x.end + at });
      }
      return r.text;
    },
    code: async (t, language) => (language ? (await compressCodePath(t, { language, ratio, protect: names })).text : t),
  });
  return { text: out.text, modelTokens, released };
}

/** The least share of its prose a mixed document keeps when its code takes most of `maxTokens`. */
const MIN_PROSE_RATIO = 0.1;

/** What a generator's context is made with: a context that failed with them may work with others. */
function contextSettings(entry: GenerateModelEntry): string {
  return `${entry.contextSize} tokens x ${entry.sequences} sequence${entry.sequences === 1 ? '' : 's'}`;
}

/** The fine-tuned generator, prompted as it was trained: the system prompt, the text as the user turn. */
async function runGeneratorStage(
  run: ModelStageRun,
  entry: GenerateModelEntry,
  check: Check,
  refuse: Refuse,
): Promise<ModelStageOutcome> {
  const { stage, config, models, count, text, domain, timing } = run;
  const { path, adapter, maxOutputTokens } = entry;
  const model = models.generator(stage);
  try {
    await model.load();
    const modelIn = await model.countTokens(text);
    const limit = config.limits.maxModelInputTokens;
    if (modelIn > limit)
      return refuse(
        { reason: 'too-long', detail: `${modelIn} model tokens, over maxModelInputTokens ${limit}` },
        model.label,
      );
    // Room for an answer as long as the input allows (and a little over, so "longer" can be seen).
    const maxTokens = Math.max(1, Math.min(maxOutputTokens, Math.ceil(modelIn * config.fallback.maxRatio) + 16));
    const clock = modelClock(config.limits, run.tokens);
    const g = await clock.race(
      model.generate({
        system: trainingSystemPrompt(domain),
        prompt: text,
        maxTokens,
        signal: stopSignal(clock, run.signal),
        onStart: clock.start,
      }),
    );
    timing.modelTokens = g.outputTokens;
    timing.modelInputTokens = g.inputTokens;
    timing.tokensPerSecond = g.ms > 0 ? (g.outputTokens / g.ms) * 1000 : 0;
    // Stopped by the caller rather than by the clock: cancelled, not a timeout.
    run.signal?.throwIfAborted();
    if (g.stopReason === 'abort') return refuse({ reason: 'timeout', detail: clock.detail() }, model.label);
    const out = g.text.trim();
    timing.tokensOut = count(out);
    const bad = check(out, timing.tokensOut, { cutOff: g.stopReason === 'maxTokens' });
    return bad ? refuse(bad, model.label) : { kind: 'used', text: out, model: model.label };
  } catch (error) {
    if (run.signal?.aborted) throw error;
    // Remembered against what failed: an adapter that does not load leaves the model file usable
    // (the pruner, the model without it, another adapter).
    if (error instanceof ModelLoadError)
      rememberLoadFailure(
        error.step === 'adapter'
          ? { path, adapter }
          : error.step === 'context'
            ? { path, context: contextSettings(entry) }
            : { path },
        error.message,
      );
    return refuse(failureOf(error), model.label);
  }
}
