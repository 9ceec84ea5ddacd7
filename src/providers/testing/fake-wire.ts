import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The providers' wire formats as the fake servers speak them: what a request says, the success and
 * error bodies. Shared by the live endpoints (fake-servers.ts) and the batch endpoints
 * (fake-batches.ts), so neither imports the other's values.
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

export function providerOf(path: string): FakeProvider | undefined {
  if (path.startsWith('/v1/messages')) return 'anthropic';
  if (path.startsWith('/v1/chat/completions') || path.startsWith('/v1/responses')) return 'openai';
  if (/\/models\/[^/:]+:(generateContent|countTokens)/.test(path)) return 'gemini';
  return undefined;
}

export function textOfContent(content: unknown): string {
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
