import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeServers } from './fake-servers.ts';
import { errorBody, type FakeProvider, parseRequest, type SeenRequest, send, successBody } from './fake-wire.ts';

/**
 * The three providers' batch endpoints, on the fake server: Anthropic Message Batches
 * (/v1/messages/batches, results as JSONL at results_url), OpenAI Files + Batch (/v1/files,
 * /v1/batches, output and error files) and Gemini batch mode (models/{m}:batchGenerateContent,
 * batches/{id} with inlined responses). A batch reports "running" for `batchPolls` status checks,
 * then answers every request with the server's answer function at once.
 */
export type BatchFault = { state: 'failed' | 'expired' | 'cancelled'; message?: string };

interface FakeBatchItem {
  id: string;
  /** The request as the live endpoint would have received it. */
  path: string;
  body: Record<string, unknown>;
  /** Gemini: the request's metadata, returned with its response. */
  metadata?: unknown;
}

export interface FakeBatch {
  provider: FakeProvider;
  id: string;
  items: FakeBatchItem[];
  polls: number;
  state: 'running' | 'ended' | 'failed' | 'expired' | 'cancelled';
  fault?: BatchFault;
  results?: { id: string; seen: SeenRequest; status: number; body: unknown }[];
  createdAt: number;
  /** OpenAI: the uploaded input file. Gemini: the model in the URL. */
  inputFileId?: string;
  model?: string;
}

interface Ctx {
  state: FakeServers;
  batchFaults: Record<FakeProvider, BatchFault[]>;
  files: Map<string, string>;
}

const iso = (t: number) => new Date(t).toISOString();
const unix = (t: number) => Math.floor(t / 1000);

/** Moves a batch on by one status check; at the end, answers its requests. */
function advance(ctx: Ctx, b: FakeBatch, headers: IncomingMessage['headers']): void {
  if (b.state !== 'running') return;
  b.polls++;
  if (b.polls <= ctx.state.batchPolls) return;
  if (b.fault) {
    b.state = b.fault.state;
    if (b.fault.state === 'failed') return;
    b.results = [];
    return; // expired or cancelled before any request ran
  }
  b.results = b.items.map((item) => {
    const seen = parseRequest(b.provider, item.path, item.body, headers, 'batch');
    ctx.state.requests.push(seen);
    const answered = ctx.state.answer(seen);
    if (answered.error)
      return {
        id: item.id,
        seen,
        status: answered.error.status,
        body: errorBody(b.provider, answered.error.status, answered.error.message),
      };
    return { id: item.id, seen, status: 200, body: successBody(seen, answered) };
  });
  b.state = 'ended';
}

function create(ctx: Ctx, provider: FakeProvider, items: FakeBatchItem[]): FakeBatch {
  const fault = ctx.batchFaults[provider].shift();
  const b: FakeBatch = {
    provider,
    id: `${provider === 'anthropic' ? 'msgbatch_' : provider === 'openai' ? 'batch_' : ''}${ctx.state.batches.length + 1}${Math.random().toString(36).slice(2, 8)}`,
    items,
    polls: 0,
    state: 'running',
    ...(fault ? { fault } : {}),
    createdAt: Date.now(),
  };
  ctx.state.batches.push(b);
  return b;
}

function anthropicBatch(ctx: Ctx, b: FakeBatch) {
  const ok = b.results?.filter((r) => r.status === 200).length ?? 0;
  const bad = b.results ? b.results.length - ok : 0;
  const expired = b.state === 'expired' ? b.items.length : 0;
  const canceled = b.state === 'cancelled' ? b.items.length : 0;
  const ended = b.state !== 'running';
  return {
    id: b.id,
    type: 'message_batch',
    processing_status: ended ? 'ended' : 'in_progress',
    request_counts: {
      processing: ended ? 0 : b.items.length,
      succeeded: ok,
      errored: bad + (b.state === 'failed' ? b.items.length : 0),
      canceled,
      expired,
    },
    created_at: iso(b.createdAt),
    expires_at: iso(b.createdAt + 86_400_000),
    ended_at: ended ? iso(Date.now()) : null,
    cancel_initiated_at: null,
    archived_at: null,
    results_url: ended ? `${ctx.state.url}/v1/messages/batches/${b.id}/results` : null,
  };
}

function openAiBatch(b: FakeBatch, inputFileId: string) {
  const ok = b.results?.filter((r) => r.status === 200).length ?? 0;
  const failed = b.results ? b.results.length - ok : 0;
  const status =
    b.state === 'running'
      ? b.polls === 0
        ? 'validating'
        : 'in_progress'
      : b.state === 'ended'
        ? 'completed'
        : b.state;
  return {
    id: b.id,
    object: 'batch',
    endpoint: b.items[0]?.path ?? '/v1/chat/completions',
    errors:
      b.state === 'failed'
        ? {
            object: 'list',
            data: [
              { code: 'invalid_request', message: b.fault?.message ?? 'the batch failed', line: null, param: null },
            ],
          }
        : null,
    input_file_id: inputFileId,
    completion_window: '24h',
    status,
    output_file_id: b.results && ok ? `file-out-${b.id}` : null,
    error_file_id: b.results && failed ? `file-err-${b.id}` : null,
    created_at: unix(b.createdAt),
    in_progress_at: b.polls > 0 ? unix(b.createdAt) : null,
    expires_at: unix(b.createdAt + 86_400_000),
    completed_at: b.state === 'ended' ? unix(Date.now()) : null,
    failed_at: b.state === 'failed' ? unix(Date.now()) : null,
    expired_at: b.state === 'expired' ? unix(Date.now()) : null,
    cancelled_at: b.state === 'cancelled' ? unix(Date.now()) : null,
    request_counts: { total: b.items.length, completed: ok, failed },
    metadata: null,
  };
}

function geminiBatch(b: FakeBatch, model: string) {
  const state = {
    running: b.polls === 0 ? 'BATCH_STATE_PENDING' : 'BATCH_STATE_RUNNING',
    ended: 'BATCH_STATE_SUCCEEDED',
    failed: 'BATCH_STATE_FAILED',
    expired: 'BATCH_STATE_EXPIRED',
    cancelled: 'BATCH_STATE_CANCELLED',
  }[b.state];
  const name = `batches/${b.id}`;
  const metadata = {
    '@type': 'type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch',
    name,
    model: `models/${model}`,
    displayName: 'compression-studio',
    createTime: iso(b.createdAt),
    updateTime: iso(Date.now()),
    state,
    batchStats: {
      requestCount: String(b.items.length),
      pendingRequestCount: String(b.state === 'running' ? b.items.length : 0),
      successfulRequestCount: String(b.results?.filter((r) => r.status === 200).length ?? 0),
    },
    ...(b.results
      ? {
          output: {
            inlinedResponses: {
              inlinedResponses: b.results.map((r, i) => ({
                metadata: b.items[i]?.metadata,
                ...(r.status === 200 ? { response: r.body } : { error: (r.body as { error: unknown }).error }),
              })),
            },
          },
        }
      : {}),
  };
  return {
    name,
    metadata,
    done: b.state !== 'running',
    ...(b.state === 'failed' ? { error: { code: 13, message: b.fault?.message ?? 'the batch failed' } } : {}),
  };
}

/** Handles a batch endpoint; false when the path is not one (the caller serves it). */
export async function handleBatchRequest(
  ctx: Ctx,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  raw: Buffer,
): Promise<boolean> {
  const method = req.method ?? 'GET';
  const json = () => JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>;
  const find = (provider: FakeProvider, id: string) =>
    ctx.state.batches.find((b) => b.provider === provider && b.id === id);

  // ---- Anthropic
  let m = /^\/v1\/messages\/batches(?:\/([^/?]+))?(\/results|\/cancel)?(?:\?.*)?$/.exec(path);
  if (m) {
    const [, id, tail] = m;
    if (method === 'POST' && !id) {
      const body = json();
      const requests = (body.requests as { custom_id: string; params: Record<string, unknown> }[] | undefined) ?? [];
      if (!requests.length) {
        send(res, 400, errorBody('anthropic', 400, 'requests: at least one request is required'));
        return true;
      }
      const bad = requests.find((r) => !/^[a-zA-Z0-9_-]{1,64}$/.test(r.custom_id));
      if (bad) {
        send(
          res,
          400,
          errorBody('anthropic', 400, `requests.custom_id: "${bad.custom_id}" does not match ^[a-zA-Z0-9_-]{1,64}$`),
        );
        return true;
      }
      const b = create(
        ctx,
        'anthropic',
        requests.map((r) => ({ id: r.custom_id, path: '/v1/messages', body: r.params })),
      );
      send(res, 200, anthropicBatch(ctx, b));
      return true;
    }
    const b = id ? find('anthropic', id) : undefined;
    if (!b) {
      send(res, 404, errorBody('anthropic', 404, `no batch ${id ?? ''}`));
      return true;
    }
    if (tail === '/cancel' && method === 'POST') {
      if (b.state === 'running') {
        b.state = 'cancelled';
        b.results = [];
      }
      send(res, 200, anthropicBatch(ctx, b));
      return true;
    }
    if (tail === '/results') {
      if (b.state === 'running') {
        send(res, 400, errorBody('anthropic', 400, 'the batch is still processing'));
        return true;
      }
      const lines = b.items.map((item) => {
        const r = b.results?.find((x) => x.id === item.id);
        const result = r
          ? r.status === 200
            ? { type: 'succeeded', message: r.body }
            : { type: 'errored', error: r.body }
          : {
              type: b.state === 'cancelled' ? 'canceled' : b.state === 'failed' ? 'errored' : 'expired',
              ...(b.state === 'failed' ? { error: errorBody('anthropic', 500, 'the batch failed') } : {}),
            };
        return JSON.stringify({ custom_id: item.id, result });
      });
      res.writeHead(200, { 'content-type': 'application/binary' });
      res.end(`${lines.join('\n')}\n`);
      return true;
    }
    advance(ctx, b, req.headers);
    send(res, 200, anthropicBatch(ctx, b));
    return true;
  }

  // ---- OpenAI: files
  m = /^\/v1\/files(?:\/([^/?]+))?(\/content)?(?:\?.*)?$/.exec(path);
  if (m) {
    const [, id, content] = m;
    if (method === 'POST' && !id) {
      const form = await new Request('http://fake/', {
        method: 'POST',
        headers: { 'content-type': req.headers['content-type'] ?? '' },
        body: new Uint8Array(raw),
      }).formData();
      const file = form.get('file');
      if (form.get('purpose') !== 'batch' || !(file instanceof Blob)) {
        send(res, 400, errorBody('openai', 400, "purpose must be 'batch' and file a JSONL file"));
        return true;
      }
      const text = await file.text();
      const fileId = `file-${ctx.files.size + 1}`;
      ctx.files.set(fileId, text);
      send(res, 200, {
        id: fileId,
        object: 'file',
        bytes: Buffer.byteLength(text),
        created_at: unix(Date.now()),
        filename: file instanceof File ? file.name : 'upload.jsonl',
        purpose: 'batch',
        status: 'processed',
        expires_at: null,
        status_details: null,
      });
      return true;
    }
    if (content && id) {
      const out = /^file-(out|err)-(.+)$/.exec(id);
      const b = out ? find('openai', out[2] ?? '') : undefined;
      if (!b?.results) {
        send(res, 404, errorBody('openai', 404, `no file ${id}`));
        return true;
      }
      const wantOk = out?.[1] === 'out';
      const lines = b.results
        .filter((r) => (r.status === 200) === wantOk)
        .map((r, i) =>
          JSON.stringify({
            id: `batch_req_${i + 1}`,
            custom_id: r.id,
            response: { status_code: r.status, request_id: `req_${i + 1}`, body: r.body },
            error: null,
          }),
        );
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(`${lines.join('\n')}\n`);
      return true;
    }
    send(res, 404, errorBody('openai', 404, `no such endpoint ${path}`));
    return true;
  }

  // ---- OpenAI: batches
  m = /^\/v1\/batches(?:\/([^/?]+))?(\/cancel)?(?:\?.*)?$/.exec(path);
  if (m) {
    const [, id, cancel] = m;
    if (method === 'POST' && !id) {
      const body = json();
      const input = ctx.files.get(String(body.input_file_id));
      if (input === undefined) {
        send(res, 404, errorBody('openai', 404, `no file ${String(body.input_file_id)}`));
        return true;
      }
      const items: FakeBatchItem[] = [];
      for (const [n, line] of input.split('\n').entries()) {
        if (!line.trim()) continue;
        try {
          const l = JSON.parse(line) as { custom_id: string; url: string; body: Record<string, unknown> };
          if (l.url !== body.endpoint)
            throw new Error(`url ${l.url} is not the batch endpoint ${String(body.endpoint)}`);
          items.push({ id: l.custom_id, path: l.url, body: l.body });
        } catch (error) {
          send(res, 400, errorBody('openai', 400, `line ${n + 1} of the input file: ${(error as Error).message}`));
          return true;
        }
      }
      const b = create(ctx, 'openai', items);
      b.inputFileId = String(body.input_file_id);
      send(res, 200, openAiBatch(b, String(body.input_file_id)));
      return true;
    }
    const b = id ? find('openai', id) : undefined;
    if (!b) {
      send(res, 404, errorBody('openai', 404, `no batch ${id ?? ''}`));
      return true;
    }
    const inputFileId = b.inputFileId ?? '';
    if (cancel && method === 'POST') {
      if (b.state === 'running') {
        b.state = 'cancelled';
        b.results = [];
      }
      send(res, 200, openAiBatch(b, inputFileId));
      return true;
    }
    advance(ctx, b, req.headers);
    send(res, 200, openAiBatch(b, inputFileId));
    return true;
  }

  // ---- Gemini
  m = /^\/v1beta\/models\/([^/:]+):batchGenerateContent(?:\?.*)?$/.exec(path);
  if (m && method === 'POST') {
    const model = m[1] ?? '';
    const body = json() as { batch?: { inputConfig?: { requests?: { requests?: unknown[] } } } };
    const requests = (body.batch?.inputConfig?.requests?.requests ?? []) as {
      request: Record<string, unknown>;
      metadata?: unknown;
    }[];
    if (!requests.length) {
      send(res, 400, errorBody('gemini', 400, 'batch.input_config.requests: at least one request is required'));
      return true;
    }
    const b = create(
      ctx,
      'gemini',
      requests.map((r, i) => ({
        id: String(i),
        path: `/v1beta/models/${model}:generateContent`,
        body: r.request,
        metadata: r.metadata,
      })),
    );
    b.model = model;
    send(res, 200, geminiBatch(b, model));
    return true;
  }
  m = /^\/v1beta\/batches\/([^/:?]+)(:cancel)?(?:\?.*)?$/.exec(path);
  if (m) {
    const b = find('gemini', m[1] ?? '');
    if (!b) {
      send(res, 404, errorBody('gemini', 404, `batches/${m[1]} not found`));
      return true;
    }
    const model = b.model ?? '';
    if (m[2] && method === 'POST') {
      if (b.state === 'running') {
        b.state = 'cancelled';
        b.results = [];
      }
      send(res, 200, {});
      return true;
    }
    advance(ctx, b, req.headers);
    send(res, 200, geminiBatch(b, model));
    return true;
  }
  return false;
}
