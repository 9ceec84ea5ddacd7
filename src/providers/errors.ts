import { ProviderCallError } from '../errors/index.ts';

const NAMES: Record<string, string> = {
  anthropic: 'Anthropic',
  openai: 'OpenAI',
  gemini: 'Gemini',
  local: 'Local model',
};

/** What to fix, in words, for the errors that retrying cannot fix. */
function hint(provider: string, status: number | undefined, keyEnv: string | undefined): string {
  switch (status) {
    case 400:
      return 'the request was refused as invalid: check the model name and parameters in configs/providers.yaml';
    case 401:
      return `the API key was refused: check ${keyEnv ?? 'the key'} (Settings, or the environment)`;
    case 403:
      return `the key has no access to this model or endpoint: check the ${NAMES[provider] ?? provider} account and the model name`;
    case 404:
      return 'the model or endpoint does not exist: check the model name and the base URL';
    default:
      return '';
  }
}

function header(headers: unknown, name: string): string | undefined {
  if (headers && typeof headers === 'object' && 'get' in headers && typeof headers.get === 'function') {
    return (headers.get(name) as string | null) ?? undefined;
  }
  if (headers && typeof headers === 'object') {
    const v = (headers as Record<string, unknown>)[name];
    return typeof v === 'string' ? v : undefined;
  }
  return undefined;
}

/** retry-after as seconds or an HTTP date; retry-after-ms; Gemini's RetryInfo "retryDelay": "2s". */
export function retryAfterMs(headers: unknown, message = ''): number | undefined {
  const ms = header(headers, 'retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Number(ms);
  const after = header(headers, 'retry-after');
  if (after) {
    if (Number.isFinite(Number(after))) return Number(after) * 1000;
    const date = Date.parse(after);
    if (Number.isFinite(date)) return Math.max(0, date - Date.now());
  }
  const delay = /"retryDelay":\s*"(\d+(?:\.\d+)?)s"/.exec(message)?.[1];
  return delay ? Number(delay) * 1000 : undefined;
}

/**
 * Any SDK error as a ProviderCallError: 429, 5xx (529 overloaded included), timeouts and dropped
 * connections are retryable; 4xx are not, and say what to fix.
 */
export function toProviderError(provider: string, error: unknown, keyEnv?: string): ProviderCallError {
  if (error instanceof ProviderCallError) return error;
  const e = error as { status?: unknown; headers?: unknown; message?: unknown; name?: unknown; code?: unknown };
  const status = typeof e?.status === 'number' ? e.status : undefined;
  const message = typeof e?.message === 'string' ? e.message : String(error);
  const name = NAMES[provider] ?? provider;
  if (status === undefined) {
    // No HTTP answer: timeout, refused or dropped connection, or a body we could not read.
    const aborted = e?.name === 'AbortError' || /aborted/i.test(message);
    return new ProviderCallError(`${name}: ${aborted ? 'the call was cancelled' : `no answer (${message})`}`, {
      retryable: !aborted,
      cause: error,
    });
  }
  const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
  const fix = hint(provider, status, keyEnv);
  const after = retryAfterMs(e.headers, message);
  return new ProviderCallError(`${name} answered ${status}: ${message}${fix ? ` (${fix})` : ''}`, {
    status,
    retryable,
    ...(after === undefined ? {} : { retryAfterMs: after }),
    cause: error,
  });
}
