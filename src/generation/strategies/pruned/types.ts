import type { Domain } from '../../../contracts/source.ts';

import type { Unit } from './units.ts';
export interface PrunerOptions {
  /** Path of the GGUF file (SmolLM2, Gemma 3 270M, ...). */
  modelPath: string;
  /** CPU threads; node-llama-cpp's default oversubscribes small machines badly. */
  threads?: number;
  /** Context size; longer texts are scored in windows of this many tokens. */
  contextSize?: number;
  /** Tokens of the preceding text carried into each later window as conditioning. */
  overlapTokens?: number;
  /** How many of the most likely next tokens the model reports per position (surprisal precision). */
  topK?: number;
}

export interface PruneOptions {
  /** Kept fraction of o200k tokens (compressed / original), in (0, 1]. */
  ratio?: number;
  /** Keep every word whose information per o200k token (nats) is at least this. */
  threshold?: number;
  /**
   * With a ratio, a cap on the o200k tokens of the whole output. The ratio is of the words (markup
   * kept whole is counted apart), so an HTML snippet at the ratio can come out over a cap the ratio
   * was taken from: fewer words are asked until it fits, or no fewer can be.
   */
  maxTokens?: number;
  /** Condition on a question (LongLLMLingua-like): keep what bears on it. */
  question?: string;
  /** Literal strings and regular expressions that must be kept verbatim. */
  protect?: readonly (string | RegExp)[];
  domain?: Domain;
  /**
   * Stops the model between windows, and takes a call still waiting for the model out of the queue
   * (it never runs): a caller that gave up (the service's model timeout) must not leave the model
   * busy, nor the next call queued behind it.
   */
  signal?: AbortSignal;
  /**
   * Called when this call gets the model, after the calls queued before it on the one context:
   * a caller's timeout starts here, so it measures this call's model work and not its wait.
   */
  onModelStart?: () => void;
}

export type ScoreOptions = Pick<PruneOptions, 'question' | 'protect' | 'domain' | 'signal' | 'onModelStart'>;

/** A text scored by the model: what selection needs, at any ratio or threshold. */
export interface Scored {
  text: string;
  units: Unit[];
  /** o200k tokens of each word with its leading whitespace. */
  cost: Float64Array;
  /** 1 where a word holds a protected span. */
  locked: Uint8Array;
  /**
   * 1 where a word holds a span the caller marked (`protect`): its turn is never dropped whole, as
   * the user asked for it to stay. Absent: nothing marked.
   */
  marked?: Uint8Array;
  /** The word each model token belongs to, and each token's surprisal (nats). */
  tokenOwner: Int32Array;
  surprisal: Float64Array;
  /** Surprisal with the question before the text. */
  questionSurprisal?: Float64Array;
  /** Lexical relevance to the question, per word. */
  bonus?: Float64Array;
  totalTokens: number;
  modelTokens: number;
}

/** A range of characters of the input, [start, end). */
export interface TextRange {
  start: number;
  end: number;
}

export interface PruneResult {
  text: string;
  /** o200k tokens of the result and of the input. */
  keptTokens: number;
  totalTokens: number;
  ratio: number;
  keptWords: number;
  totalWords: number;
  /** Words kept because they hold a protected span. */
  protectedWords: number;
  /** The protected words alone exceed the requested ratio: the result is as small as allowed. */
  protectedExceedsBudget: boolean;
  /**
   * What the selection let go on purpose, protected spans and all, in input order: dialogue turns
   * dropped whole (small talk, the turns that say least that is new at a harsh ratio) and names
   * said to the other speaker ("Hey Mel!", vocatives.ts). The inference check
   * (src/inference/checks.ts) does not count a protected span inside one as lost: without this it
   * refused most pruner outputs at a harsh ratio for a name in a dropped "Talk soon!" turn.
   */
  released: TextRange[];
  /** Model tokens evaluated (prefixes and overlaps included). */
  modelTokens: number;
  seconds: number;
}

export interface Pruner {
  prune(text: string, options: PruneOptions): Promise<PruneResult>;
  /** The model's scores for a text, to select from at several ratios (`selectWords`). */
  score(text: string, options?: ScoreOptions): Promise<Scored>;
  /**
   * The speed floor: the same model tokens through the same context in the same windows, without
   * asking for any probabilities (node-llama-cpp's plain evaluation).
   */
  forwardPass(text: string): Promise<{ tokens: number; seconds: number }>;
  /** The settings that change the scores (recorded on candidates). */
  readonly settings: { contextSize: number; topK: number };
  dispose(): Promise<void>;
}
