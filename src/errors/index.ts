/**
 * The project's error family. Every error the domain throws on purpose is a StudioError, so the
 * edges (CLI, IPC, HTTP) can turn it into `{error: {name, message, retryable}}` without guessing.
 */
export class StudioError extends Error {
  override name = 'StudioError';
  readonly retryable: boolean;
  constructor(message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable ?? false;
  }
}

/** Bad input: names the file, the line and the field so a user can fix it. */
export class InputError extends StudioError {
  override name = 'InputError';
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly field: string | undefined;
  constructor(message: string, where: { file?: string; line?: number; field?: string; cause?: unknown } = {}) {
    super(formatWhere(message, where), { cause: where.cause });
    this.file = where.file;
    this.line = where.line;
    this.field = where.field;
  }
}

/** Something asked for by name or id does not exist (HTTP 404 at the bridge). */
export class NotFoundError extends InputError {
  override name = 'NotFoundError';
}

/**
 * The request was about a state that no longer holds (HTTP 409 at the bridge): e.g. a label naming
 * a text the pair no longer has. Reloading and deciding again fixes it.
 */
export class ConflictError extends InputError {
  override name = 'ConflictError';
}

/**
 * A job needs provider keys that are not set. An InputError, so the bridge answers 4xx, never 500:
 * the fix is the user's. `advice` depends on where the keys can be set (desktop: Settings; a
 * browser on `studio serve`: the server's environment), chosen at the edge by `withKeyAdvice`.
 */
export class KeyMissingError extends InputError {
  override name = 'KeyMissingError';
  readonly keys: readonly { provider: string; env: string }[];
  constructor(keys: readonly { provider: string; env: string }[], advice?: 'desktop' | 'browser') {
    super(keyMissingMessage(keys, advice));
    this.keys = keys;
  }
  /** The same error, its message telling this mode's user what to do. */
  withAdvice(mode: 'desktop' | 'browser'): KeyMissingError {
    return new KeyMissingError(this.keys, mode);
  }
}

function keyMissingMessage(keys: readonly { provider: string; env: string }[], advice?: 'desktop' | 'browser') {
  const names = [...new Set(keys.map((k) => k.env))];
  const what = `missing API keys: ${keys.map((k) => `${k.provider} needs ${k.env}`).join('; ')}`;
  if (advice === 'desktop') return `${what}. Add ${names.length > 1 ? 'them' : 'it'} in Settings → Providers and keys.`;
  if (advice === 'browser')
    return `${what}. Set ${names.join(' and ')} in the environment of "studio serve" and restart it (keys cannot be entered in the browser).`;
  return `${what} (set them in the environment or in the app's Settings)`;
}

/** The caller may not do this (a labeler calling an owner's function, a path outside the allowed folders): HTTP 403. */
export class ForbiddenError extends StudioError {
  override name = 'ForbiddenError';
}

/** A configuration file or setting that cannot be used as written. */
export class ConfigError extends StudioError {
  override name = 'ConfigError';
}

/** A call to a model provider failed; `status` is the HTTP status when there was one. */
export class ProviderCallError extends StudioError {
  override name = 'ProviderCallError';
  readonly status: number | undefined;
  /** How long the provider asked us to wait (retry-after), when it said. */
  readonly retryAfterMs: number | undefined;
  constructor(
    message: string,
    options: { status?: number; retryable?: boolean; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, options);
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/**
 * A model file that is there but cannot be used: truncated, corrupt, or not a model of the kind
 * asked for. Not retryable as it stands; `file` names what to replace (a pull with --force).
 */
export class ModelLoadError extends StudioError {
  override name = 'ModelLoadError';
  readonly file: string;
  constructor(message: string, file: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.file = file;
  }
}

/** A job would spend more than its budget: it stops before the call, cleanly. */
export class BudgetExceededError extends StudioError {
  override name = 'BudgetExceededError';
}

/**
 * The caller gave up (its AbortSignal aborted): the work stopped, nothing was cached. Not a
 * failure of the work itself, so never reported as a model timeout or error.
 */
export class CancelledError extends StudioError {
  override name = 'CancelledError';
}

/** A Python worker or other child process died or stopped answering. */
export class WorkerCrashedError extends StudioError {
  override name = 'WorkerCrashedError';
  readonly stderrTail: string;
  constructor(message: string, stderrTail = '', options: { cause?: unknown } = {}) {
    super(message, options);
    this.stderrTail = stderrTail;
  }
}

/** The project store could not be opened or migrated. */
export class StoreError extends StudioError {
  override name = 'StoreError';
}

function formatWhere(message: string, where: { file?: string; line?: number; field?: string }): string {
  const parts: string[] = [];
  if (where.file) parts.push(where.line === undefined ? where.file : `${where.file}:${where.line}`);
  if (where.field) parts.push(`field "${where.field}"`);
  return parts.length ? `${parts.join(', ')}: ${message}` : message;
}

/** The shape every transport sends for a failure. Details stay in the log. */
export interface WireError {
  name: string;
  message: string;
  retryable: boolean;
}

export function toWireError(error: unknown): WireError {
  if (error instanceof StudioError) {
    return { name: error.name, message: error.message, retryable: error.retryable };
  }
  if (error instanceof Error) return { name: error.name, message: error.message, retryable: false };
  return { name: 'Error', message: String(error), retryable: false };
}
