import type { Llama, LlamaContext, LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp';
import { InputError } from '../../../errors/index.ts';
import { loadGgufModel } from '../../../providers/local/llama.ts';
import { o200kCounter } from '../../../tokenizers/o200k-counter.ts';
import { serialQueue } from '../../../util/serial.ts';
import { findProtectedSpans } from '../../protect.ts';
import { phraseSpans } from './lexicon.ts';
import { questionBonus } from './question.ts';
import { checkTarget, selectMeetingTarget } from './select.ts';
import type { PruneOptions, PruneResult, Pruner, PrunerOptions, Scored, ScoreOptions } from './types.ts';
import { dialogueTurns, mergeSpans, protectedUnits, splitUnits, type Unit } from './units.ts';
import { vocativeUnits } from './vocatives.ts';

/**
 * `pruned`: extractive, LLMLingua-style compression with a local GGUF. One forward pass scores
 * every model token by its surprisal in context (-ln p(token | prefix)); a word's information is
 * the sum over its tokens. Words are kept by information per o200k token until the requested
 * ratio (o200k tokens out / in) is met, or by a score threshold; protected spans (numbers, names,
 * dates, identifiers, URLs, speaker labels, user marks) are always kept, and only whole
 * whitespace-delimited words are ever removed. Deterministic: same input and settings, same bytes.
 */

interface Loaded {
  llama: Llama;
  model: LlamaModel;
  context: LlamaContext;
  sequence: LlamaContextSequence;
}

/**
 * 1 for each word holding a protected span or a phrase an answer needs whole: kept whatever it
 * scores. Vocatives (a name said to the other speaker) are not.
 */
export function lockedUnits(text: string, units: readonly Unit[], opts: ScoreOptions = {}): Uint8Array {
  const spans = findProtectedSpans(text, {
    ...(opts.protect ? { protect: opts.protect } : {}),
    ...(opts.domain ? { domain: opts.domain } : {}),
  });
  const locked = protectedUnits(units, mergeSpans([...spans, ...phraseSpans(text)]));
  // A name said to the other speaker ("Hey Mel!") is no fact to keep (vocatives.ts).
  const vocative = vocativeUnits(text, units, dialogueTurns(text, units));
  const marked = opts.protect?.length ? markedUnits(text, units, opts.protect) : undefined;
  for (let i = 0; i < units.length; i++) if (vocative[i] && !marked?.[i]) locked[i] = 0;
  return locked;
}

/** 1 for each word holding a span the caller marked (`protect`: strings and regular expressions). */
export function markedUnits(text: string, units: readonly Unit[], protect: readonly (string | RegExp)[]): Uint8Array {
  const spans = findProtectedSpans(text, { protect }).filter((s) => s.kind === 'user');
  return protectedUnits(units, spans);
}

export function createPruner(options: PrunerOptions): Pruner {
  const contextSize = options.contextSize ?? 2048;
  const overlap = options.overlapTokens ?? 64;
  const topK = options.topK ?? 40;
  let loading: Promise<Loaded> | undefined;
  // One sequence: model work runs one call at a time, in call order.
  const serial = serialQueue();

  const load = () => {
    loading ??= (async () => {
      const { llama, model } = await loadGgufModel(options.modelPath, { cpuOnly: true });
      const context = await model.createContext({
        contextSize,
        batchSize: contextSize,
        threads: options.threads ?? 2,
      });
      return { llama, model, context, sequence: context.getSequence() };
    })();
    return loading;
  };

  /**
   * Surprisal (nats) of each token, one forward pass per window. `prefix` conditions the first
   * window (the question); later windows also see the last `overlap` tokens before them.
   * Probabilities come from the model's top-k (renormalised); a token outside it scores as at
   * least as surprising as the k-th candidate.
   */
  async function surprisals(
    loaded: Loaded,
    tokens: readonly Token[],
    prefix: readonly Token[],
    wanted: Uint8Array,
    signal?: AbortSignal,
  ): Promise<{ out: Float64Array; evaluated: number }> {
    const { sequence } = loaded;
    let evaluated = 0;
    const out = new Float64Array(tokens.length).fill(Number.NaN);
    const gen = { generateNext: { probabilities: true, options: { topK, topP: 1, minP: 0, temperature: 1, seed: 1 } } };
    let start = 0;
    while (start < tokens.length) {
      signal?.throwIfAborted();
      const carried = start === 0 ? prefix : tokens.slice(Math.max(0, start - overlap), start);
      const room = contextSize - carried.length - 1;
      const end = Math.min(tokens.length, start + Math.max(1, room));
      const input: Parameters<LlamaContextSequence['controlledEvaluate']>[0] = [];
      for (let i = 0; i < carried.length; i++) {
        const t = carried[i] as Token;
        input.push(i === carried.length - 1 && wanted[start] ? [t, gen] : t);
      }
      for (let i = start; i < end; i++) {
        const t = tokens[i] as Token;
        input.push(i < end - 1 && wanted[i + 1] ? [t, gen] : t);
      }
      await sequence.clearHistory();
      const res = await sequence.controlledEvaluate(input);
      evaluated += input.length;
      // The output at input position j predicts the token at j + 1.
      for (let i = start; i < end; i++) {
        const j = carried.length + (i - start) - 1;
        const probs = j >= 0 ? res[j]?.next.probabilities : undefined;
        if (!probs) continue;
        const p = probs.get(tokens[i] as Token);
        if (p !== undefined && p > 0) {
          out[i] = -Math.log(p);
        } else {
          let min = 1;
          for (const v of probs.values()) if (v < min) min = v;
          out[i] = -Math.log(Math.max(min, 1e-12)) + Math.LN2;
        }
      }
      start = end;
    }
    // A token with no prediction (the very first, or one not wanted) scores as the mean.
    let sum = 0;
    let n = 0;
    for (const v of out) {
      if (!Number.isNaN(v)) {
        sum += v;
        n++;
      }
    }
    const mean = n ? sum / n : 0;
    for (let i = 0; i < out.length; i++) if (Number.isNaN(out[i] as number)) out[i] = mean;
    return { out, evaluated };
  }

  async function score(text: string, opts: ScoreOptions = {}): Promise<Scored> {
    if (opts.domain === 'code')
      throw new InputError(
        'pruned does not prune code: token-level deletion breaks programs; use the code path (whole lines or syntax nodes)',
        { field: 'domain' },
      );
    const loaded = await load();
    const o200k = await o200kCounter();
    const units = splitUnits(text);
    // Model tokens per word: each word (with its leading whitespace) is tokenized alone, which is
    // how a byte-level BPE splits it inside the text too, so token -> word is known exactly.
    const owner: number[] = [];
    const tokens: Token[] = [];
    const cost = new Float64Array(units.length);
    units.forEach((u, i) => {
      const piece = text.slice(u.start, u.end);
      for (const t of loaded.model.tokenize(piece, false)) {
        tokens.push(t);
        owner.push(i);
      }
      cost[i] = Math.max(1, o200k(piece));
    });
    const leadingWs = text.slice(0, units[0]?.start ?? 0);
    const locked = lockedUnits(text, units, opts);
    // Protected words are kept whatever they score: no probabilities are asked for their tokens,
    // which saves the output layer and the sampling for about a sixth of a dialogue's tokens.
    const wanted = Uint8Array.from(owner, (w) => (locked[w] ? 0 : 1));
    const { question, signal } = opts;
    signal?.throwIfAborted();
    const run = async () => {
      opts.onModelStart?.();
      // Models trained with a BOS token (Gemma) predict badly without it; SmolLM2 has none.
      const bos =
        loaded.model.tokens.shouldPrependBosToken && loaded.model.tokens.bos !== null ? [loaded.model.tokens.bos] : [];
      const start = [...bos, ...loaded.model.tokenize(`${leadingWs}\n`, false)];
      const base = await surprisals(loaded, tokens, start, wanted, signal);
      if (!question) return { base: base.out, withQuestion: undefined, modelTokens: base.evaluated };
      const qPrefix = [...bos, ...loaded.model.tokenize(`Question: ${question}\nContext:\n`, false)];
      const withQuestion = await surprisals(loaded, tokens, qPrefix, wanted, signal);
      return { base: base.out, withQuestion: withQuestion.out, modelTokens: base.evaluated + withQuestion.evaluated };
    };
    const { base, withQuestion, modelTokens } = await serial(run, signal);
    return {
      text,
      units,
      cost,
      locked,
      ...(opts.protect?.length ? { marked: markedUnits(text, units, opts.protect) } : {}),
      tokenOwner: Int32Array.from(owner),
      surprisal: base,
      ...(withQuestion ? { questionSurprisal: withQuestion } : {}),
      ...(question ? { bonus: questionBonus(text, units, question) } : {}),
      totalTokens: o200k(text),
      modelTokens,
    };
  }

  async function prune(text: string, opts: PruneOptions): Promise<PruneResult> {
    const t0 = performance.now();
    checkTarget(opts);
    const scored = await score(text, opts);
    const o200k = await o200kCounter();
    const result = selectMeetingTarget(scored, opts, o200k);
    return { ...result, seconds: (performance.now() - t0) / 1000 };
  }

  async function forwardPass(text: string): Promise<{ tokens: number; seconds: number }> {
    const loaded = await load();
    const tokens = splitUnits(text).flatMap((u) => loaded.model.tokenize(text.slice(u.start, u.end), false));
    const run = async () => {
      const t0 = performance.now();
      for (let start = 0; start < tokens.length; start += contextSize) {
        await loaded.sequence.clearHistory();
        await loaded.sequence.evaluateWithoutGeneratingNewTokens(tokens.slice(start, start + contextSize));
      }
      return { tokens: tokens.length, seconds: (performance.now() - t0) / 1000 };
    };
    return serial(run);
  }

  return {
    prune,
    score,
    settings: { contextSize, topK },
    forwardPass,
    async dispose() {
      if (!loading) return;
      const { llama, model, context } = await loading.catch(() => ({}) as Partial<Loaded>);
      await context?.dispose();
      await model?.dispose();
      await llama?.dispose();
      loading = undefined;
    },
  };
}
