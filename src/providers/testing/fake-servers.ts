import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type BatchFault, type FakeBatch, handleBatchRequest } from './fake-batches.ts';
import {
  errorBody,
  type FakeAnswer,
  type FakeProvider,
  type Fault,
  parseRequest,
  providerOf,
  type SeenRequest,
  send,
  successBody,
} from './fake-wire.ts';

export {
  errorBody,
  type FakeAnswer,
  type FakeProvider,
  type Fault,
  parseRequest,
  type SeenRequest,
  send,
  successBody,
} from './fake-wire.ts';

/**
 * One loopback HTTP server that speaks the three providers' wire formats: Anthropic Messages
 * (POST /v1/messages), OpenAI Chat Completions and Responses (POST /v1/chat/completions,
 * /v1/responses) and Gemini generateContent (POST /v1beta/models/{model}:generateContent), with
 * each provider's own error bodies and headers. Faults are queued per provider and served in order.
 */
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
