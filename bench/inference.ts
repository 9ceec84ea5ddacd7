import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compressWithRules } from '../src/generation/rules/index.ts';
import {
  type CompressOptions,
  type Compressor,
  createCompressor,
  type StageTiming,
} from '../src/inference/compress.ts';
import { type InferenceConfigInput, parseInferenceConfig } from '../src/inference/config.ts';
import { percentile } from '../src/inference/http-util.ts';
import { type RunningService, startCompressorService } from '../src/inference/service.ts';
import { readLocomo } from '../src/io/locomo.ts';
import { ensureSmolLM2 } from '../src/providers/local/test-model.ts';
import { startFakeServers } from '../src/providers/testing/fake-servers.ts';
import { getEncoder } from '../src/tokenizers/tiktoken.ts';
import { stamp, table, writeSection } from './results-file.ts';

/**
 * The compressor in production: latency per strategy at 256, 1k and 4k input tokens, the cached
 * repeat, batch throughput at 1/4/16 texts per call, the service's overhead over the in-process
 * call, and the proxy's overhead per request against the loopback fake provider server. Model
 * stages use SmolLM2-135M (the generative path with a small output limit; the pruner) on one
 * thread: on a 2-core machine shared with other work, llama.cpp's spinning threads are many times
 * slower with two.
 */

export const SIZES = [256, 1024, 4096] as const;
const THREADS = Number(process.env.BENCH_THREADS ?? 1);

/** Units of `source` (lines; for code, whole programs) from the start until about `tokens` o200k tokens. */
export async function take(source: string, tokens: number, separator = '\n'): Promise<string> {
  const enc = await getEncoder('o200k');
  const out: string[] = [];
  let n = 0;
  for (const unit of source.split(separator)) {
    const c = enc.encode(`${unit}${separator}`, [], []).length;
    if (n + c > tokens && out.length) break;
    out.push(unit);
    n += c;
  }
  return out.join(separator);
}

export function prose(): string {
  const files = ['google-auth-library', 'tar', 'diff', 'yauzl', 'commander/Readme.md', 'ajv', 'buffer', 'bl'].map((p) =>
    join(process.cwd(), 'node_modules', p.includes('/') ? p : `${p}/README.md`),
  );
  return files
    .filter(existsSync)
    .map((f) => readFileSync(f, 'utf8').replace(/```[\s\S]*?```/g, ''))
    .join('\n\n')
    .replace(/\n{3,}/g, '\n\n');
}

export function chat(shared: string | undefined): string {
  const file = shared ? join(shared, 'locomo-dev.json') : '';
  if (!file || !existsSync(file)) return prose();
  const texts: string[] = [];
  for (const item of readLocomo(JSON.parse(readFileSync(file, 'utf8')), { file, tags: [], mapping: {} }))
    if (item.kind === 'record') texts.push(item.record.source.text);
  return texts.join('\n\n');
}

/** Between two HumanEval programs: code is cut between programs, never inside one. */
export const PROGRAMS = '\n\n\n';

export function code(shared: string | undefined): string {
  const file = shared ? join(shared, 'humaneval-dev.jsonl') : '';
  if (!file || !existsSync(file)) return readFileSync(join(process.cwd(), 'src', 'inference', 'compress.ts'), 'utf8');
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const p = JSON.parse(l) as { prompt: string; canonical_solution: string };
      return p.prompt + p.canonical_solution;
    })
    .join(PROGRAMS);
}

async function timeRuns(runs: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn(i);
    ms.push(performance.now() - t0);
  }
  return ms;
}

const f = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toFixed(3));

interface Row {
  strategy: string;
  size: number;
  tokens: number;
  ms: number[];
  saved: number;
  tokensPerSecond?: number;
  fallbacks?: number;
}

function config(extra: InferenceConfigInput, smol: string): ReturnType<typeof parseInferenceConfig> {
  return parseInferenceConfig({
    models: {
      smol: { kind: 'generate', path: smol, contextSize: 6144, sequences: 4, maxOutputTokens: 64, threads: THREADS },
      smolPruner: { kind: 'prune', path: smol, contextSize: 2048, threads: THREADS },
    },
    pipelines: { nl: ['rules'], chat: ['rules'], code: ['rules', 'code-path'], mixed: ['rules'] },
    limits: { maxModelInputTokens: 6000, modelTimeoutMs: 600_000, maxTexts: 64 },
    cache: { entries: 0 },
    ...extra,
  });
}

async function strategyRows(c: Compressor, texts: Record<string, Record<number, string>>): Promise<Row[]> {
  const rows: Row[] = [];
  const runOne = async (
    strategy: string,
    size: number,
    text: string,
    runs: number,
    options: CompressOptions,
    compressor = c,
  ) => {
    const results: Awaited<ReturnType<Compressor['compress']>>[] = [];
    // Uncached: every run is a different text (a run number appended), except for the cache row.
    // Warm-up: grammars, encoders, the model's load (a short text when a model runs).
    await compressor.compress(options.model ? text.slice(0, 400) : text, options);
    const ms = await timeRuns(runs, async (i) => results.push(await compressor.compress(`${text}\n${i}`, options)));
    // Model tokens per second: the pruner's scored tokens; the generator's prompt plus output tokens.
    const model = results.flatMap((r) => r.timings.filter((t) => t.modelTokens !== undefined));
    const rate = (t: StageTiming) => (((t.modelInputTokens ?? 0) + (t.modelTokens ?? 0)) / t.ms) * 1000;
    const tps = model.length ? model.reduce((n, t) => n + rate(t), 0) / model.length : undefined;
    const first = results[0];
    rows.push({
      strategy,
      size,
      tokens: first?.tokensBefore ?? 0,
      ms,
      saved: first ? 1 - first.tokensAfter / first.tokensBefore : 0,
      ...(tps !== undefined ? { tokensPerSecond: tps } : {}),
      ...(model.length ? { fallbacks: results.filter((r) => r.fallback).length } : {}),
    });
    console.log(`inference: ${strategy} @${size}: p50 ${f(percentile(ms, 50))} ms`);
  };
  for (const size of SIZES) {
    const nl = texts.nl?.[size] as string;
    // The rules compressor by itself: what compress() adds is the difference to the next row.
    await compressWithRules(nl, { domain: 'nl', language: null });
    const alone = await timeRuns(30, (i) => compressWithRules(`${nl}\n${i}`, { domain: 'nl', language: null }));
    rows.push({ strategy: 'compressWithRules alone (prose)', size, tokens: 0, ms: alone, saved: Number.NaN });
    await runOne('rules (prose)', size, nl, 30, { domain: 'nl' });
    await runOne('rules (chat)', size, texts.chat?.[size] as string, 30, { domain: 'chat' });
    await runOne('rules + code-path (Python)', size, texts.code?.[size] as string, 10, { domain: 'code' });
  }
  // The cached repeat: the same text and settings again.
  const cached = createCompressor({ ...c.config, cache: { ...c.config.cache, entries: 100 } });
  for (const size of SIZES) {
    const text = texts.nl?.[size] as string;
    await cached.compress(text, { domain: 'nl' });
    const ms = await timeRuns(200, () => cached.compress(text, { domain: 'nl' }));
    rows.push({ strategy: 'cached repeat', size, tokens: 0, ms, saved: Number.NaN });
  }
  for (const size of SIZES) {
    const text = texts.nl?.[size] as string;
    await runOne('rules + pruned (SmolLM2, ratio 0.5)', size, text, size === 4096 ? 2 : 3, {
      domain: 'nl',
      model: 'smolPruner',
      ratio: 0.5,
    });
    await runOne('rules + model (SmolLM2, ≤64 output tokens)', size, text, size === 4096 ? 2 : 3, {
      domain: 'nl',
      model: 'smol',
    });
  }
  await cached.dispose();
  return rows;
}

async function batchRows(c: Compressor, base: string): Promise<string[][]> {
  const out: string[][] = [];
  for (const [label, model] of [
    ['rules', 'none'],
    ['rules + model (SmolLM2, 4 sequences, ≤32 output tokens)', 'smolBatch'],
  ] as const) {
    for (const n of [1, 4, 16]) {
      const texts = Array.from({ length: n }, (_, i) => `${base}\nBatch item ${i} of ${n}.`);
      await c.compressMany(texts.slice(0, 1), { domain: 'nl', model });
      const runs = model === 'none' ? 10 : 1;
      const ms = await timeRuns(runs, (r) =>
        c.compressMany(
          texts.map((t) => `${t} r${r}`),
          { domain: 'nl', model },
        ),
      );
      const p50 = percentile(ms, 50);
      out.push([label, String(n), f(p50), f(p50 / n), f((n / p50) * 1000)]);
      console.log(`inference: batch ${label} x${n}: ${f(p50)} ms`);
    }
  }
  return out;
}

async function serviceRows(c: Compressor, text1k: string): Promise<string[][]> {
  const svc: RunningService = await startCompressorService({ compressor: c, port: 0, token: 'bench' });
  const post = (t: string) =>
    fetch(`${svc.url}/v1/compress`, {
      method: 'POST',
      headers: { authorization: 'Bearer bench', 'content-type': 'application/json' },
      body: JSON.stringify({ text: t, options: { domain: 'nl' } }),
    }).then((r) => r.json());
  await post(text1k);
  const inproc = await timeRuns(100, (i) => c.compress(`${text1k}\n${i}`, { domain: 'nl' }));
  const http = await timeRuns(100, (i) => post(`${text1k}\n${i + 1000}`));
  const cachedC = createCompressor({ ...c.config, cache: { ...c.config.cache, entries: 10 } });
  const cachedSvc = await startCompressorService({ compressor: cachedC, port: 0, token: 'bench' });
  const postCached = () =>
    fetch(`${cachedSvc.url}/v1/compress`, {
      method: 'POST',
      headers: { authorization: 'Bearer bench' },
      body: JSON.stringify({ text: text1k, options: { domain: 'nl' } }),
    }).then((r) => r.json());
  await postCached();
  const inprocCached = await timeRuns(300, () => cachedC.compress(text1k, { domain: 'nl' }));
  const httpCached = await timeRuns(300, postCached);
  await svc.close();
  await cachedSvc.close();
  await cachedC.dispose();
  const row = (label: string, a: number[], b: number[]) => [
    label,
    f(percentile(a, 50)),
    f(percentile(b, 50)),
    f(percentile(b, 50) - percentile(a, 50)),
    f(percentile(b, 95) - percentile(a, 95)),
  ];
  return [row('rules, 1k tokens, uncached', inproc, http), row('cached repeat, 1k tokens', inprocCached, httpCached)];
}

async function proxyRows(smol: string, memory: string): Promise<string[][]> {
  const fake = await startFakeServers();
  const c = createCompressor(
    config(
      {
        cache: { entries: 1000 },
        proxy: { upstreams: { anthropic: fake.url, openai: fake.url, gemini: fake.url }, minSavedTokens: 1 },
      },
      smol,
    ),
  );
  const svc = await startCompressorService({ compressor: c, port: 0, token: 'bench' });
  const body = (content: string) =>
    JSON.stringify({ model: 'claude-x', max_tokens: 20, messages: [{ role: 'user', content }] });
  const call = (base: string, content: string) =>
    fetch(`${base}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'k', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: body(content),
    }).then((r) => r.arrayBuffer());
  const plain = `What is in my memory?\n${memory}`;
  const marked = `What is in my memory?\n<memory>${memory}</memory>`;
  await call(fake.url, plain);
  await call(svc.url, plain);
  const direct = await timeRuns(200, () => call(fake.url, plain));
  const passThrough = await timeRuns(200, () => call(svc.url, plain));
  const compressedCold = await timeRuns(50, (i) => call(svc.url, `${marked} ${i}`));
  await call(svc.url, marked);
  const compressedWarm = await timeRuns(200, () => call(svc.url, marked));
  await svc.close();
  await c.dispose();
  await fake.close();
  const row = (label: string, ms: number[]) => [
    label,
    f(percentile(ms, 50)),
    f(percentile(ms, 95)),
    f(percentile(ms, 50) - percentile(direct, 50)),
  ];
  return [
    row('direct to the fake server', direct),
    row('through the proxy, nothing marked', passThrough),
    row('through the proxy, 1k-token <memory> compressed (rules)', compressedCold),
    row('through the proxy, same <memory> again (cached)', compressedWarm),
  ];
}

/** The section's Markdown (measured now), without writing it. */
export async function inferenceSection(shared?: string): Promise<string> {
  const smol = ensureSmolLM2();
  const sources = { nl: prose(), chat: chat(shared), code: code(shared) };
  const texts: Record<string, Record<number, string>> = {};
  for (const [k, src] of Object.entries(sources)) {
    texts[k] = {};
    for (const size of SIZES)
      (texts[k] as Record<number, string>)[size] = await take(src, size, k === 'code' ? PROGRAMS : '\n');
  }
  const c = createCompressor(
    config(
      {
        models: {
          smol: {
            kind: 'generate',
            path: smol,
            contextSize: 6144,
            sequences: 1,
            maxOutputTokens: 64,
            threads: THREADS,
          },
          smolBatch: {
            kind: 'generate',
            path: smol,
            contextSize: 1024,
            sequences: 4,
            maxOutputTokens: 32,
            threads: THREADS,
          },
          smolPruner: { kind: 'prune', path: smol, contextSize: 2048, threads: THREADS },
        },
      },
      smol,
    ),
  );
  const rows = await strategyRows(c, texts);
  const batch = await batchRows(c, texts.chat?.[256] as string);
  const service = await serviceRows(c, texts.nl?.[1024] as string);
  await c.dispose();
  const proxy = await proxyRows(smol, texts.chat?.[1024] as string);

  const body = `## The compressor in production (src/inference)

${stamp()} · \`npm run bench -- inference\` (llama.cpp threads: ${THREADS}; \`BENCH_THREADS\` to change)

Inputs: prose from installed packages' READMEs (code fences removed), LoCoMo sessions (chat) and
HumanEval programs (Python) from ../shared/data, cut at a line boundary to about 256, 1k and 4k o200k
tokens. Every run but the cached rows is a new text (a run number appended), with the result cache
off. Times are wall-clock per call of \`compress()\`, o200k counts of input and output included.
The model rows use SmolLM2-135M, which is not fine-tuned: they measure speed (model tokens/s is
prompt plus generated tokens for the generator, scored tokens for the pruner), and the generator's
outputs are mostly refused by the fallback rules ("fallbacks" column), as they should be. The
machine is shared with other work (load average 4-9 on 2 cores while this ran): model rows vary
by 2-3x between runs. One llama.cpp thread: with two, generation here was 10-40x slower (both
threads spin-wait on a core another process holds).

${table(
  ['strategy', 'input tokens', 'runs', 'p50 ms', 'p95 ms', 'saved', 'model tokens/s', 'fallbacks'],
  rows.map((r) => [
    r.strategy,
    r.tokens || r.size,
    r.ms.length,
    f(percentile(r.ms, 50)),
    f(percentile(r.ms, 95)),
    Number.isNaN(r.saved) ? '—' : `${(r.saved * 100).toFixed(1)} %`,
    r.tokensPerSecond === undefined ? '—' : r.tokensPerSecond.toFixed(1),
    r.fallbacks === undefined ? '—' : `${r.fallbacks}/${r.ms.length}`,
  ]),
)}

Targets: rules at 4k tokens < 5 ms (p50 ${f(percentile(rows.find((r) => r.strategy === 'rules (prose)' && r.size === 4096)?.ms ?? [], 50))} ms prose,
${f(percentile(rows.find((r) => r.strategy === 'rules (chat)' && r.size === 4096)?.ms ?? [], 50))} ms chat); cached repeat < 1 ms (p95 at 4k ${f(percentile(rows.find((r) => r.strategy === 'cached repeat' && r.size === 4096)?.ms ?? [], 95))} ms).

### Batch throughput (\`compressMany\`, ~256-token chat texts)

${table(['pipeline', 'texts per call', 'ms per call (p50)', 'ms per text', 'texts/s'], batch)}

### Service overhead (POST /v1/compress on loopback vs the in-process call)

${table(['request', 'in-process p50 ms', 'HTTP p50 ms', 'overhead p50 ms', 'overhead p95 ms'], service)}

### Proxy overhead per request (Anthropic Messages, loopback fake provider server)

${table(['path', 'p50 ms', 'p95 ms', 'over direct (p50 ms)'], proxy)}
`;
  return body;
}

export async function benchInference(shared?: string): Promise<void> {
  writeSection('inference', await inferenceSection(shared));
  console.log('inference: written');
}
