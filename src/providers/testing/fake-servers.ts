import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type BatchFault, type FakeBatch, handleBatchRequest } from './fake-batches.ts';

/**
 * One loopback HTTP server that speaks the three providers' wire formats: Anthropic Messages
 * (POST /v1/messages), OpenAI Chat Completions and Responses (POST /v1/chat/completions,
 * /v1/responses) and Gemini generateContent (POST /v1beta/models/{model}:generateContent), with
 * each provider's own error bodies and headers. Faults are queued per provider and served in order.
 */
export type FakeProvider = 'anthropic' | 'openai' | 'gemini';

export interface SeenRequest {
  provider: FakeProvider;
  path: string;
  model: string;
  system: string;
  /** The user/assistant turns as plain text. */
  messages: { role: string; content: string }[];
  wantsJson: boolean;
  headers: IncomingMessage['headers'];
  /** Made as a live call, or answered inside a batch. */
  via: 'live' | 'batch';
}

export type Fault =
  | { kind: 'status'; status: number; retryAfter?: string; message?: string }
  | { kind: 'delay'; ms: number }
  | { kind: 'truncated' }
  | { kind: 'malformed' }
  | { kind: 'drop' };

export interface FakeAnswer {
  text: string;
  inputTokens?: number;
  outputTokens?: number;
  /** Answer with this error instead (live: the status and the provider's error body). */
  error?: { status: number; message: string };
}

export interface FakeServers {
  url: string;
  requests: SeenRequest[];
  count(provider?: FakeProvider, via?: SeenRequest['via']): number;
  fail(provider: FakeProvider, ...faults: Fault[]): void;
  /** Batches submitted to the batch endpoints, in order. */
  batches: FakeBatch[];
  /** Status checks a batch answers "still running" before it ends (default 1). */
  batchPolls: number;
  /** The next batch submitted to this provider ends this way instead of succeeding. */
  failBatch(provider: FakeProvider, outcome: BatchFault): void;
  /** Simulated latency added to every answer. */
  latencyMs: number;
  answer: (req: SeenRequest) => FakeAnswer;
  close(): Promise<void>;
}

function providerOf(path: string): FakeProvider | undefined {
  if (path.startsWith('/v1/messages')) return 'anthropic';
  if (path.startsWith('/v1/chat/completions') || path.startsWith('/v1/responses')) return 'openai';
  if (/\/models\/[^/:]+:(generateContent|countTokens)/.test(path)) return 'gemini';
  return undefined;
}

function textOfContent(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((p) => (p && typeof p === 'object' && 'text' in p && typeof p.text === 'string' ? p.text : ''))
      .join('');
  }
  return '';
}

export function parseRequest(
  provider: FakeProvider,
  path: string,
  body: Record<string, unknown>,
  headers: IncomingMessage['headers'],
  via: SeenRequest['via'] = 'live',
): SeenRequest {
  if (provider === 'anthropic') {
    return {
      provider,
      path,
      model: String(body.model),
      system: textOfContent(body.system),
      messages: ((body.messages as { role: string; content: unknown }[]) ?? []).map((m) => ({
        role: m.role,
        content: textOfContent(m.content),
      })),
      wantsJson: Array.isArray(body.tools) && body.tools.length > 0,
      headers,
      via,
    };
  }
  if (provider === 'openai') {
    if (path.startsWith('/v1/responses')) {
      const input = body.input as { role: string; content: unknown }[] | string;
      return {
        provider,
        path,
        model: String(body.model),
        system: typeof body.instructions === 'string' ? body.instructions : '',
        messages:
          typeof input === 'string'
            ? [{ role: 'user', content: input }]
            : input.map((m) => ({ role: m.role, content: textOfContent(m.content) })),
        wantsJson: Boolean((body.text as { format?: unknown } | undefined)?.format),
        headers,
        via,
      };
    }
    const all = (body.messages as { role: string; content: unknown }[]) ?? [];
    return {
      provider,
      path,
      model: String(body.model),
      system: all
        .filter((m) => m.role === 'system')
        .map((m) => textOfContent(m.content))
        .join('\n'),
      messages: all
        .filter((m) => m.role !== 'system')
        .map((m) => ({ role: m.role, content: textOfContent(m.content) })),
      wantsJson: Boolean(body.response_format),
      headers,
      via,
    };
  }
  const model = /\/models\/([^/:]+):/.exec(path)?.[1] ?? '';
  const sys = body.systemInstruction as { parts?: { text?: string }[] } | string | undefined;
  const config = (body.generationConfig ?? {}) as { responseMimeType?: string };
  return {
    provider,
    path,
    model,
    system: typeof sys === 'string' ? sys : (sys?.parts ?? []).map((p) => p.text ?? '').join(''),
    messages: ((body.contents as { role: string; parts: { text?: string }[] }[]) ?? []).map((c) => ({
      role: c.role === 'model' ? 'assistant' : 'user',
      content: c.parts.map((p) => p.text ?? '').join(''),
    })),
    wantsJson: config.responseMimeType === 'application/json',
    headers,
    via,
  };
}

export function successBody(req: SeenRequest, a: FakeAnswer): unknown {
  const input =
    a.inputTokens ?? Math.ceil((req.system.length + req.messages.reduce((n, m) => n + m.content.length, 0)) / 4);
  const output = a.outputTokens ?? Math.max(1, Math.ceil(a.text.length / 4));
  if (req.provider === 'anthropic') {
    const content = req.wantsJson
      ? [{ type: 'tool_use', id: 'toolu_fake', name: 'answer', input: JSON.parse(a.text) as unknown }]
      : [{ type: 'text', text: a.text }];
    return {
      id: 'msg_fake',
      type: 'message',
      role: 'assistant',
      model: req.model,
      content,
      stop_reason: req.wantsJson ? 'tool_use' : 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: input, output_tokens: output, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
    };
  }
  if (req.provider === 'openai' && req.path.startsWith('/v1/responses')) {
    return {
      id: 'resp_fake',
      object: 'response',
      created_at: Math.floor(Date.now() / 1000),
      status: 'completed',
      model: req.model,
      output: [
        {
          type: 'message',
          id: 'msg_fake',
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', text: a.text, annotations: [] }],
        },
      ],
      usage: {
        input_tokens: input,
        output_tokens: output,
        total_tokens: input + output,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens_details: { reasoning_tokens: 0 },
      },
    };
  }
  if (req.provider === 'openai') {
    return {
      id: 'chatcmpl-fake',
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: req.model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: a.text, refusal: null },
          finish_reason: 'stop',
          logprobs: null,
        },
      ],
      usage: {
        prompt_tokens: input,
        completion_tokens: output,
        total_tokens: input + output,
        prompt_tokens_details: { cached_tokens: 0 },
      },
    };
  }
  return {
    candidates: [{ content: { role: 'model', parts: [{ text: a.text }] }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { promptTokenCount: input, candidatesTokenCount: output, totalTokenCount: input + output },
    modelVersion: req.model,
  };
}

const STATUS_TEXT: Record<number, [string, string, string]> = {
  // status: [anthropic type, openai type, gemini status]
  400: ['invalid_request_error', 'invalid_request_error', 'INVALID_ARGUMENT'],
  401: ['authentication_error', 'invalid_api_key', 'UNAUTHENTICATED'],
  403: ['permission_error', 'permission_denied', 'PERMISSION_DENIED'],
  404: ['not_found_error', 'not_found', 'NOT_FOUND'],
  429: ['rate_limit_error', 'rate_limit_exceeded', 'RESOURCE_EXHAUSTED'],
  500: ['api_error', 'server_error', 'INTERNAL'],
  503: ['api_error', 'server_error', 'UNAVAILABLE'],
  529: ['overloaded_error', 'server_error', 'UNAVAILABLE'],
};

export function errorBody(provider: FakeProvider, status: number, message: string, retryAfter?: string): unknown {
  const [a, o, g] = STATUS_TEXT[status] ?? ['api_error', 'server_error', 'UNKNOWN'];
  if (provider === 'anthropic') return { type: 'error', error: { type: a, message } };
  if (provider === 'openai') return { error: { message, type: o, param: null, code: o } };
  return {
    error: {
      code: status,
      message,
      status: g,
      ...(status === 429 && retryAfter
        ? { details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${retryAfter}s` }] }
        : {}),
    },
  };
}

export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export async function startFakeServers(
  options: { answer?: (req: SeenRequest) => FakeAnswer; latencyMs?: number } = {},
): Promise<FakeServers> {
  const faults: Record<FakeProvider, Fault[]> = { anthropic: [], openai: [], gemini: [] };
  const batchFaults: Record<FakeProvider, BatchFault[]> = { anthropic: [], openai: [], gemini: [] };
  const files = new Map<string, string>();
  const server: Server = createServer();
  const state: FakeServers = {
    url: '',
    requests: [],
    latencyMs: options.latencyMs ?? 0,
    answer:
      options.answer ??
      ((req) => ({ text: req.wantsJson ? '{"answer":"ok"}' : `echo: ${req.messages.at(-1)?.content ?? ''}` })),
    count: (provider, via) =>
      state.requests.filter((r) => (!provider || r.provider === provider) && (!via || r.via === via)).length,
    fail: (provider, ...f) => faults[provider].push(...f),
    batches: [],
    batchPolls: 1,
    failBatch: (provider, outcome) => batchFaults[provider].push(outcome),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const path = req.url ?? '';
      const raw = Buffer.concat(chunks);
      if (await handleBatchRequest({ state, batchFaults, files }, req, res, path, raw)) return;
      const provider = providerOf(path);
      if (!provider) return send(res, 404, { error: { message: `no such endpoint ${path}` } });
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        return send(res, 400, errorBody(provider, 400, 'request body is not JSON'));
      }
      // Count-tokens endpoints: a deterministic count (characters / 4), not a completion.
      if (path.startsWith('/v1/messages/count_tokens')) {
        return send(res, 200, { input_tokens: Math.ceil(JSON.stringify(body.messages ?? '').length / 4) + 7 });
      }
      if (/:countTokens/.test(path)) {
        return send(res, 200, { totalTokens: Math.ceil(JSON.stringify(body.contents ?? '').length / 4) });
      }
      const seen = parseRequest(provider, path, body, req.headers);
      state.requests.push(seen);
      let fault = faults[provider].shift();
      while (fault?.kind === 'delay') {
        await new Promise((r) => setTimeout(r, fault && fault.kind === 'delay' ? fault.ms : 0));
        fault = faults[provider].shift();
      }
      if (state.latencyMs) await new Promise((r) => setTimeout(r, state.latencyMs));
      if (res.destroyed) return;
      if (fault?.kind === 'status') {
        const headers: Record<string, string> = fault.retryAfter ? { 'retry-after': fault.retryAfter } : {};
        return send(
          res,
          fault.status,
          errorBody(provider, fault.status, fault.message ?? `simulated ${fault.status}`, fault.retryAfter),
          headers,
        );
      }
      if (fault?.kind === 'drop') {
        req.socket.destroy();
        return;
      }
      const answered = state.answer(seen);
      if (answered.error)
        return send(res, answered.error.status, errorBody(provider, answered.error.status, answered.error.message));
      const answer = successBody(seen, answered);
      if (fault?.kind === 'malformed') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"id": "broken", "content": [');
        return;
      }
      if (fault?.kind === 'truncated') {
        const full = JSON.stringify(answer);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(full.length) });
        res.write(full.slice(0, Math.floor(full.length / 2)));
        setTimeout(() => req.socket.destroy(), 5);
        return;
      }
      send(res, 200, answer, { 'request-id': `req_${state.requests.length}` });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

/** The environment that points the three official SDKs at the fake servers. */
export function fakeProviderEnv(url: string): Record<string, string> {
  return {
    ANTHROPIC_API_KEY: 'fake-key',
    ANTHROPIC_BASE_URL: url,
    OPENAI_API_KEY: 'fake-key',
    OPENAI_BASE_URL: `${url}/v1`,
    GEMINI_API_KEY: 'fake-key',
    GEMINI_BASE_URL: url,
  };
}
