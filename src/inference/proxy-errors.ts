import type { ProxyProvider } from './proxy-marks.ts';

/**
 * The errors the proxy answers itself on a provider's route, in that provider's own shape: an app
 * behind the proxy reads them through the provider's SDK, which finds the error's type, code and
 * message only where the provider puts them (Anthropic `{type:"error", error:{type, message}}`,
 * OpenAI `{error:{message, type, param, code}}`, Gemini's google.rpc.Status `{error:{code,
 * message, status}}`). The service's `name` and `retryable` ride along inside `error`, where the
 * three SDKs keep unknown fields, so a reader of the service's shape still finds them.
 */

/** The statuses the proxy itself answers with on a provider's route. */
export type ProxyErrorStatus = 400 | 401 | 413 | 502;

interface ServiceFields {
  name: string;
  retryable: boolean;
}

export type ProviderErrorBody =
  | { type: 'error'; error: { type: string; message: string } & ServiceFields }
  | { error: { message: string; type: string; param: null; code: string | null } & ServiceFields }
  | { error: { code: number; message: string; status: string } & ServiceFields };

interface Kinds {
  /** docs.claude.com/en/api/errors: one `type` per HTTP status. */
  anthropic: string;
  /** OpenAI answers 4xx as `invalid_request_error` and 5xx as `server_error`; `code` says which. */
  openai: { type: string; code: string | null };
  /**
   * google.rpc.Code names (ai.google.dev/gemini-api/docs/troubleshooting). Google answers a
   * payload over its limit as INVALID_ARGUMENT; no code names a bad gateway, UNAVAILABLE is the
   * one a client retries.
   */
  gemini: string;
}

const KINDS: Record<ProxyErrorStatus, Kinds> = {
  400: {
    anthropic: 'invalid_request_error',
    openai: { type: 'invalid_request_error', code: null },
    gemini: 'INVALID_ARGUMENT',
  },
  401: {
    anthropic: 'authentication_error',
    // Not OpenAI's `invalid_api_key`: the caller's key may be right; the proxy's token is not.
    openai: { type: 'invalid_request_error', code: 'invalid_compressor_token' },
    gemini: 'UNAUTHENTICATED',
  },
  413: {
    anthropic: 'request_too_large',
    openai: { type: 'invalid_request_error', code: 'request_too_large' },
    gemini: 'INVALID_ARGUMENT',
  },
  // Anthropic's overloaded_error (529) says the API is busy; an upstream the proxy cannot reach is not.
  502: {
    anthropic: 'api_error',
    openai: { type: 'server_error', code: 'upstream_unreachable' },
    gemini: 'UNAVAILABLE',
  },
};

/** The body of an error the proxy answers on `provider`'s route, as that provider would write it. */
export function providerErrorBody(
  provider: ProxyProvider,
  status: ProxyErrorStatus,
  name: string,
  message: string,
  retryable = false,
): ProviderErrorBody {
  const kinds = KINDS[status];
  const service = { name, retryable };
  if (provider === 'anthropic') return { type: 'error', error: { type: kinds.anthropic, message, ...service } };
  if (provider === 'openai') return { error: { message, ...kinds.openai, param: null, ...service } };
  return { error: { code: status, message, status: kinds.gemini, ...service } };
}
