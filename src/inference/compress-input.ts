import { InputError } from '../errors/index.ts';
import { languageFromPath } from '../generation/languages.ts';
import { MAX_TIMER_MS } from '../util/abort.ts';
import { hashJson } from '../util/hash.ts';
import type { CompressOptions } from './compress-types.ts';
import type { InferenceConfig } from './config.ts';
import { stamp } from './model-availability.ts';

/** A call's input checked at the door, and the key its result is cached under. */

/** Bumped when a change to the pipeline changes what a cached result would hold. */
const RESULT_VERSION = 1;

export function checkText(text: unknown, maxChars: number, field = 'text'): asserts text is string {
  if (typeof text !== 'string') throw new InputError('must be a string', { field });
  if (text.length > maxChars)
    throw new InputError(`is ${text.length} characters, over the limit of ${maxChars}`, { field });
  const notText = binaryReason(text);
  if (notText) throw new InputError(notText, { field });
}

/**
 * Why a string is binary data rather than text, if it is: no stage can compress it, and the pruner
 * would hand back bytes mangled into U+FFFD. A NUL is never text; nor is a string in which one
 * character in ten is a control character or U+FFFD (bytes that were not UTF-8, decoded lossily).
 */
export function binaryReason(text: string): string | undefined {
  const nul = text.indexOf('\u0000');
  if (nul >= 0) return `is binary data, not text (a NUL character at offset ${nul})`;
  const head = text.slice(0, 4096);
  const odd = head.match(/[\u0001-\u0008\u000e-\u001f\u007f\ufffd]/g)?.length ?? 0;
  if (head.length >= 32 && odd * 10 > head.length)
    return `is binary data, not text (${odd} of its first ${head.length} characters are control characters or U+FFFD, bytes that were not UTF-8)`;
  return undefined;
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
  if (
    options.denseWithinMs !== undefined &&
    !(Number.isInteger(options.denseWithinMs) && options.denseWithinMs >= 0 && options.denseWithinMs <= MAX_TIMER_MS)
  )
    throw new InputError(
      `must be a whole number of milliseconds from 0 to ${MAX_TIMER_MS}, got ${options.denseWithinMs}`,
      {
        field: 'denseWithinMs',
      },
    );
  if (options.path !== undefined && typeof options.path !== 'string')
    throw new InputError('must be a string', { field: 'path' });
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal))
    throw new InputError('must be an AbortSignal', { field: 'signal' });
}

/** What in the config changes results (hashed once per compressor). */
export function configFingerprint(config: InferenceConfig): string {
  return hashJson({ v: RESULT_VERSION, models: config.models, fallback: config.fallback, query: config.query });
}

/** A model file's (or exported folder's) size and time, or that it is missing. */
function fileKey(path: string): string {
  const st = stamp(path);
  return st ? `${path}:${st.size}:${st.mtimeMs}` : `${path}:missing`;
}

/** Each model file's size and time, or that it is missing: part of every cache key (a few stats). */
const modelFiles = (config: InferenceConfig): string[] => Object.values(config.models).map((m) => fileKey(m.path));

export function resultKey(config: InferenceConfig, fingerprint: string, text: string, options: CompressOptions) {
  return hashJson({
    f: fingerprint,
    files: modelFiles(config),
    // A query ranks with the embedder's vectors: a result made without them (the file missing or
    // broken) must not outlive the file's arrival or repair.
    embedder: options.query?.trim() ? fileKey(config.query.embedder) : null,
    text,
    domain: options.domain ?? null,
    language: options.language ?? null,
    // Only what the path says counts: its extension's language (two files of one kind share results).
    path: options.path !== undefined ? (languageFromPath(options.path) ?? null) : null,
    ratio: options.ratio ?? null,
    model: options.model ?? null,
    protect: (options.protect ?? []).map(String),
    question: options.question ?? null,
    query: options.query?.trim() || null,
    maxTokens: options.maxTokens ?? null,
    // Identical calls in flight share one run: a caller who would wait for the vectors must not get
    // a run that stopped waiting for them at another caller's deadline.
    denseWithinMs: options.denseWithinMs ?? null,
  });
}
