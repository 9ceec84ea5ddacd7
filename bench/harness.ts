import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProvidersConfigSchema } from '../src/contracts/providers.ts';
import { cacheMiddleware } from '../src/providers/middleware/cache.ts';
import { costMiddleware } from '../src/providers/middleware/cost.ts';
import { rateLimitMiddleware } from '../src/providers/middleware/rate-limit.ts';
import { retryMiddleware } from '../src/providers/middleware/retry.ts';
import { createOpenAiProvider } from '../src/providers/openai/index.ts';
import { type Middleware, wrapProvider } from '../src/providers/spec.ts';
import { type FakeServers, startFakeServers } from '../src/providers/testing/fake-servers.ts';
import { openDb } from '../src/store/db.ts';
import { stamp, table, writeSection } from './results-file.ts';

const WORK = join(process.cwd(), 'bench', '.work');
/** promptfoo lives in a scratch folder, installed with `npm i promptfoo` (PROMPTFOO_DIR). */
const PROMPTFOO_DIR = process.env.PROMPTFOO_DIR ?? '/tmp/pf';

const settings = ProvidersConfigSchema.parse({
  anthropic: { apiKeyEnv: 'A', baseUrlEnv: 'AB' },
  openai: { apiKeyEnv: 'OPENAI_API_KEY', baseUrlEnv: 'OPENAI_BASE_URL', retry: { maxRetries: 3 } },
  gemini: { apiKeyEnv: 'G', baseUrlEnv: 'GB' },
  models: {
    generator: { provider: 'openai', model: 'm' },
    prober: { provider: 'openai', model: 'm' },
    judge: { provider: 'openai', model: 'm' },
    validators: [{ provider: 'openai', model: 'm' }],
  },
}).openai;

/** Our stack, as a validation run uses it: cost log, cache, rate limit, retry, OpenAI SDK. */
async function ours(
  fake: FakeServers,
  calls: number,
  concurrency: number,
  cache: boolean,
  dbDir: string,
  tag: string,
): Promise<{ ms: number; requests: number; costUsd: number }> {
  const db = openDb(join(dbDir, 'studio.db'), { create: true });
  try {
    const stack: Middleware[] = [
      costMiddleware({
        db,
        pricing: { openai: { 'test-model': { input: 0.4, output: 1.6 } } },
        logFile: join(dbDir, 'costs.log'),
      }),
      ...(cache ? [cacheMiddleware(db)] : []),
      rateLimitMiddleware({ maxInFlight: concurrency }),
      retryMiddleware(settings.retry),
    ];
    const p = wrapProvider(
      createOpenAiProvider(settings, { OPENAI_API_KEY: 'x', OPENAI_BASE_URL: `${fake.url}/v1` }),
      stack,
    );
    const before = fake.requests.length;
    const t0 = performance.now();
    const results = await Promise.all(
      Array.from({ length: calls }, (_, i) =>
        p.complete({
          model: 'test-model',
          messages: [{ role: 'user', content: `question ${tag} ${i}` }],
          maxTokens: 16,
          temperature: 0,
        }),
      ),
    );
    const ms = performance.now() - t0;
    return { ms, requests: fake.requests.length - before, costUsd: results.reduce((n, r) => n + (r.costUsd ?? 0), 0) };
  } finally {
    db.close();
  }
}

/** promptfoo's CLI on the same server, cache off, the same number of calls. */
/** Spawned asynchronously: the fake server lives in this process and must keep answering. */
async function promptfoo(
  fake: FakeServers,
  calls: number,
  concurrency: number,
  tag: string,
): Promise<{ ms: number; requests: number } | undefined> {
  const bin = join(PROMPTFOO_DIR, 'node_modules', '.bin', 'promptfoo');
  if (!existsSync(bin)) return undefined;
  const dir = join(WORK, `pf-${tag}`);
  mkdirSync(dir, { recursive: true });
  const tests = Array.from({ length: calls }, (_, i) => `  - vars: { q: "question ${tag} ${i}" }`).join('\n');
  writeFileSync(
    join(dir, 'promptfooconfig.yaml'),
    `prompts: ['{{q}}']\nproviders:\n  - id: openai:chat:test-model\n    config:\n      apiBaseUrl: ${fake.url}/v1\n      apiKey: x\n      max_tokens: 16\n      temperature: 0\ntests:\n${tests}\n`,
  );
  const before = fake.requests.length;
  const t0 = performance.now();
  const child = spawn(
    bin,
    [
      'eval',
      '-c',
      'promptfooconfig.yaml',
      '-j',
      String(concurrency),
      '--no-cache',
      '--no-write',
      '--no-table',
      '--no-progress-bar',
    ],
    {
      cwd: dir,
      env: {
        ...process.env,
        PROMPTFOO_DISABLE_TELEMETRY: '1',
        PROMPTFOO_DISABLE_UPDATE: '1',
        PROMPTFOO_CACHE_ENABLED: 'false',
        PROMPTFOO_CONFIG_DIR: dir,
        OPENAI_API_KEY: 'x',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (d) => {
    output += d;
  });
  child.stderr.on('data', (d) => {
    output += d;
  });
  await once(child, 'close');
  const ms = performance.now() - t0;
  if (fake.requests.length - before < calls) {
    console.log(`promptfoo made ${fake.requests.length - before} of ${calls} calls: ${output.slice(-500)}`);
    return undefined;
  }
  return { ms, requests: fake.requests.length - before };
}

export async function benchHarness(): Promise<void> {
  mkdirSync(WORK, { recursive: true });
  const fake = await startFakeServers({ answer: () => ({ text: 'ok' }) });
  const rows: (string | number)[][] = [];
  let pfStartup: number | undefined;
  try {
    const baseline = await promptfoo(fake, 1, 1, 'startup');
    pfStartup = baseline?.ms;
    for (const latency of [0, 200]) {
      fake.latencyMs = latency;
      for (const concurrency of [1, 8, 64]) {
        const calls = concurrency === 1 ? (latency ? 25 : 100) : latency ? 200 : 400;
        const dbDir = join(WORK, `harness-${latency}-${concurrency}`);
        rmSync(dbDir, { recursive: true, force: true });
        mkdirSync(dbDir, { recursive: true });
        const tag = `${latency}-${concurrency}`;
        const mine = await ours(fake, calls, concurrency, false, dbDir, tag);
        const theirs = await promptfoo(fake, calls, concurrency, tag);
        // Time a call costs beyond the server's own latency, per call at this concurrency.
        const overhead = (ms: number) => ((ms * concurrency) / calls - latency).toFixed(2);
        rows.push([
          `${latency} ms`,
          concurrency,
          calls,
          `${(calls / (mine.ms / 1000)).toFixed(0)} /s`,
          overhead(mine.ms),
          theirs ? `${(calls / (theirs.ms / 1000)).toFixed(0)} /s` : 'not run',
          theirs && pfStartup !== undefined ? `${(calls / ((theirs.ms - pfStartup) / 1000)).toFixed(0)} /s` : '-',
          theirs && pfStartup !== undefined ? overhead(theirs.ms - pfStartup) : '-',
          `${mine.requests}/${theirs?.requests ?? '-'}`,
        ]);
        console.log(`harness: ${tag} done`);
      }
    }
    // Cache: the same job twice.
    fake.latencyMs = 0;
    const dbDir = join(WORK, 'harness-cache');
    rmSync(dbDir, { recursive: true, force: true });
    mkdirSync(dbDir, { recursive: true });
    const first = await ours(fake, 200, 8, true, dbDir, 'cache');
    const second = await ours(fake, 200, 8, true, dbDir, 'cache');
    writeSection(
      'harness',
      `## Provider harness: throughput and overhead per call, side by side with promptfoo

${stamp()} · \`npm run bench -- harness\` (promptfoo from \`npm i promptfoo\` in \`$PROMPTFOO_DIR\`, default /tmp/pf)

The same loopback server speaking the OpenAI Chat Completions format, answering "ok" after the
simulated latency. Ours: the full stack a validation run uses (cost log to SQLite and
data/costs.log, rate limiter, retry, official openai SDK), cache off. promptfoo ${pfVersion()}: \`promptfoo eval -j N --no-cache --no-write\`, the
same calls; its CLI start-up (${pfStartup === undefined ? 'not measured' : `${(pfStartup / 1000).toFixed(1)} s`}, an eval of one call) is subtracted in the "net" columns.
Overhead = wall time × concurrency / calls − latency: what a call costs beyond the server. At\nconcurrency 64 with no latency both sides are bound by this machine's 2 cores (the server runs in\nthe benchmark's own process), so that row measures CPU per call more than waiting.

${table(['latency', 'concurrency', 'calls', 'ours', 'ours: overhead ms/call', 'promptfoo (wall)', 'promptfoo (net)', 'promptfoo: overhead ms/call', 'requests seen (ours/promptfoo)'], rows)}

Cache: the same 200-call job twice, cache on: first run ${first.requests} requests ($${first.costUsd.toFixed(6)}),
rerun ${second.requests} requests, cache-hit rate ${(((200 - second.requests) / 200) * 100).toFixed(0)} %, cost $${second.costUsd.toFixed(6)}.
`,
    );
  } finally {
    await fake.close();
  }
}

function pfVersion(): string {
  try {
    return (
      JSON.parse(readFileSync(join(PROMPTFOO_DIR, 'node_modules', 'promptfoo', 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
  } catch {
    return '(not installed)';
  }
}
