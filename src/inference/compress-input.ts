import { statSync } from 'node:fs';
import { InputError } from '../errors/index.ts';
import { hashJson } from '../util/hash.ts';
import type { CompressOptions } from './compress-types.ts';
import type { InferenceConfig } from './config.ts';

/** A call's input checked at the door, and the key its result is cached under. */

/** Bumped when a change to the pipeline changes what a cached result would hold. */
const RESULT_VERSION = 1;

export function checkText(text: unknown, maxChars: number, field = 'text'): asserts text is string {
  if (typeof text !== 'string') throw new InputError('must be a string', { field });
  if (!text.trim()) throw new InputError('is empty', { field });
  if (text.length > maxChars)
    throw new InputError(`is ${text.length} characters, over the limit of ${maxChars}`, { field });
}

export function checkOptions(options: CompressOptions): void {
  if (options.ratio !== undefined && !(options.ratio > 0 && options.ratio <= 1))
    throw new InputError(`must be in (0, 1], got ${options.ratio}`, { field: 'ratio' });
  if (options.maxTokens !== undefined && !(Number.isInteger(options.maxTokens) && options.maxTokens > 0))
    throw new InputError(`must be a positive whole number of tokens, got ${options.maxTokens}`, {
      field: 'maxTokens',
    });
  if (options.query !== undefined && typeof options.query !== 'string')
    throw new InputError('must be a string', { field: 'query' });
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal))
    throw new InputError('must be an AbortSignal', { field: 'signal' });
}

/** What in the config changes results (hashed once per compressor). */
export function configFingerprint(config: InferenceConfig): string {
  return hashJson({ v: RESULT_VERSION, models: config.models, fallback: config.fallback, query: config.query });
}

/** Each model file's size and time, or that it is missing: part of every cache key (a few stats). */
function modelFiles(config: InferenceConfig): string[] {
  return Object.values(config.models).map((m) => {
    try {
      const st = statSync(m.path);
      return `${m.path}:${st.size}:${st.mtimeMs}`;
    } catch {
      return `${m.path}:missing`;
    }
  });
}

export function resultKey(config: InferenceConfig, fingerprint: string, text: string, options: CompressOptions) {
  return hashJson({
    f: fingerprint,
    files: modelFiles(config),
    text,
    domain: options.domain ?? null,
    language: options.language ?? null,
    ratio: options.ratio ?? null,
    model: options.model ?? null,
    protect: (options.protect ?? []).map(String),
    question: options.question ?? null,
    query: options.query?.trim() || null,
    maxTokens: options.maxTokens ?? null,
  });
}
