import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../errors/index.ts';
import type { ProtectKind } from '../generation/protect.ts';
import { ensureSmolLM2 } from '../providers/local/test-model.ts';
import { o200kCounter } from '../tokenizers/o200k-counter.ts';
import { getEncoder } from '../tokenizers/tiktoken.ts';
import { checkOutput, droppedSpans, quotable } from './checks.ts';
import { createCompressor } from './compress.ts';
import { loadInferenceConfig, parseInferenceConfig } from './config.ts';
import { LruCache } from './lru.ts';
import { applySegments, findSegments, lastUserQuery, parseMessageHeader, textSlots } from './proxy-marks.ts';
import { MEMORY } from './query/test-memory.ts';

const dir = mkdtempSync(join(tmpdir(), 'inference-'));
const notGguf = join(dir, 'broken.gguf');
writeFileSync(notGguf, 'this is not a model');

const PROSE =
  'Basically, I just wanted to let you know that the meeting with Alice Johnson has been moved to March 3rd, 2025 at 10:30 am in room 42. Please make sure you actually bring the quarterly report, which is really quite important.';
const CODE = `import os
import sys


def add(a, b):
    """Add two numbers."""
    # the sum
    return a + b


def _unused(x):
    return x * 2


if __name__ == "__main__":
    print(add(1, 2))
`;

const compressor = createCompressor(
  parseInferenceConfig({
    models: {
      missing: { kind: 'generate', path: join(dir, 'nope.gguf') },
      broken: { kind: 'generate', path: notGguf },
      prunerMissing: { kind: 'prune', path: join(dir, 'nope.gguf') },
    },
    pipelines: { nl: ['rules', 'missing'], chat: ['rules'], code: ['rules', 'code-path'], mixed: ['rules'] },
    cache: { entries: 10 },
  }),
);
afterAll(() => compressor.dispose());

/** A compressor whose nl pipeline is the rules then SmolLM2's pruner (one thread). */
const smolLM2Compressor = () =>
  createCompressor(
    parseInferenceConfig({
      models: { pruner: { kind: 'prune', path: ensureSmolLM2(), threads: 1, contextSize: 512 } },
      pipelines: { nl: ['rules', 'pruner'], chat: ['rules'], code: ['rules', 'code-path'], mixed: ['rules'] },
    }),
  );

/** The same with the pruner in the mixed pipeline too (prose around code blocks). */
const mixedPrunerCompressor = () =>
  createCompressor(
    parseInferenceConfig({
      models: { pruner: { kind: 'prune', path: ensureSmolLM2(), threads: 1, contextSize: 512 } },
      pipelines: { nl: ['rules', 'pruner'], chat: ['rules'], code: ['rules', 'code-path'], mixed: ['rules', 'pruner'] },
    }),
  );

/** worker.sh (a shell script starting a celery worker) compressed at 0.2 for a question. */
const askWorkerScript = (query: string) =>
  compressor.compress(readFileSync(join(import.meta.dirname, 'query/__fixtures__/worker.sh'), 'utf8'), {
    model: 'none',
    domain: 'code',
    language: 'shell',
    query,
    ratio: 0.2,
  });

describe('compress', () => {
  it('routes by domain and reports tokens, strategy and timings', async () => {
    const r = await compressor.compress(CODE, { model: 'none' });
    expect(r.domain).toBe('code');
    expect(r.language).toBe('python');
    expect(r.strategy).toBe('rules+code-path');
    expect(r.text).not.toContain('Add two numbers');
    expect(r.text).toContain('def add(a, b):');
    expect(r.tokensAfter).toBeLessThan(r.tokensBefore);
    expect(r.timings.map((t) => t.stage)).toEqual(['rules', 'code-path']);
    expect(r.fallback).toBeNull();
  });

  it('says when the result is over maxTokens, and why (it was silent: 10 asked, 22 given)', async () => {
    const none = await compressor.compress(PROSE, { maxTokens: 5, model: 'none' });
    expect(none.tokensAfter).toBeGreaterThan(5);
    expect(none.notes).toContain(
      `rules: ${none.tokensAfter} tokens, over maxTokens 5: no model stage ran, and the rules take out only fillers`,
    );
    const missing = await compressor.compress(PROSE, { maxTokens: 5 });
    expect(missing.notes).toContain(
      `rules: ${missing.tokensAfter} tokens, over maxTokens 5: no model stage has its model file, and the rules take out only fillers`,
    );
    // Data: what the json-strings stage keeps is said for what it is (it had said "comments, unused code").
    const json = await compressor.compress(JSON.stringify({ user: 'Dana', notes: PROSE }), { maxTokens: 5 });
    expect(json.notes.at(-1)).toBe(
      `json-strings: ${json.tokensAfter} tokens, over maxTokens 5: a JSON document: only its prose strings are compressed; keys, numbers and short values are kept`,
    );
    // Within the cap, or with a ratio, nothing is said.
    const within = await compressor.compress(PROSE, { maxTokens: 10_000 });
    expect(within.notes.some((n) => n.includes('over maxTokens'))).toBe(false);
  });

  it('falls back to the rules result: a missing file is "no model file", a broken one is loaded once until it changes', async () => {
    const rulesOnly = await compressor.compress(PROSE, { model: 'none' });
    const r = await compressor.compress(PROSE);
    expect(r.pipeline).toEqual(['rules', 'missing']);
    expect(r.strategy).toBe('rules');
    expect(r.text).toBe(rulesOnly.text);
    expect(r.fallback).toMatchObject({ stage: 'missing', reason: 'no-model' });
    expect(r.fallback?.detail).toBe(`no model file at ${join(dir, 'nope.gguf')}`);
    // The pipeline's last model stage: nothing next to try, and the note says so.
    expect(r.notes).toContain(
      `no model stage ran: the result is the rules' output; skipped: missing (no model file at ${join(dir, 'nope.gguf')})`,
    );
    const p = await compressor.compress(PROSE, { model: 'prunerMissing' });
    expect(p.fallback).toMatchObject({ stage: 'prunerMissing', reason: 'no-model' });
    const info = compressor.models().find((m) => m.name === 'missing');
    expect(info?.exists).toBe(false);
    expect(info?.domains).toEqual(['nl']);

    const b = await compressor.compress(PROSE, { model: 'broken' });
    expect(b.fallback).toMatchObject({ stage: 'broken', reason: 'error' });
    expect(b.fallback?.detail).toMatch(/at the model step: .* is not a GGUF file/);
    // The note says what the result is then, against the ratio (review 3: a text came back at 94 %
    // for 0.5, the note saying only that the model's output was not used).
    const share = Math.round((100 * b.tokensAfter) / b.tokensBefore);
    expect(b.notes).toContain(
      `broken: its output was not used; the result is what the stages before it left (rules): kept ${share} % of the tokens (asked 50 %)`,
    );
    expect(compressor.models().find((m) => m.name === 'broken')?.state.model).toBe('failed');
    // Not loaded again while the file is the same...
    const again = await compressor.compress(`${PROSE} Again.`, { model: 'broken' });
    expect(again.fallback?.reason).toBe('error');
    expect(again.fallback?.detail).toMatch(/is not a GGUF file .*\(not retried until the file changes\)$/);
    // ...and tried again once it changed.
    writeFileSync(notGguf, 'still not a model, but a different file');
    const changed = await compressor.compress(`${PROSE} Changed.`, { model: 'broken' });
    expect(changed.fallback?.detail).toMatch(/is not a GGUF file/);
    expect(changed.fallback?.detail).not.toMatch(/not retried/);
  });

  it('refuses a file that starts "GGUF" and goes on as garbage as an error, without loading it', async () => {
    // llama.cpp spun on such a file: every call waited for the model timeout and said "timeout".
    const garbage = join(dir, 'garbage.gguf');
    writeFileSync(garbage, 'GGUFnotreally');
    const c = createCompressor(
      parseInferenceConfig({
        models: { pruner: { kind: 'prune', path: garbage, threads: 1 } },
        pipelines: { nl: ['rules', 'pruner'], chat: ['rules'], code: ['rules'], mixed: ['rules'] },
        limits: { modelTimeoutMs: 3_000 },
      }),
    );
    try {
      const r = await c.compress(PROSE, { ratio: 0.5 });
      expect(r.fallback).toMatchObject({ stage: 'pruner', reason: 'error' });
      expect(r.fallback?.detail).toContain('is not a readable GGUF file');
      expect(r.strategy).toBe('rules');
    } finally {
      await c.dispose();
    }
  }, 30_000);

  it('answers a repeat from the cache when no model file is there, and misses it once one appears', async () => {
    const path = join(dir, 'appears.gguf');
    const c = createCompressor(
      parseInferenceConfig({
        models: { later: { kind: 'generate', path } },
        pipelines: { nl: ['rules', 'later'], chat: ['rules'], code: ['rules'], mixed: ['rules'] },
        cache: { entries: 10 },
      }),
    );
    try {
      const first = await c.compress(PROSE);
      expect(first.fallback).toMatchObject({ reason: 'no-model' });
      expect(first.cached).toBe(false);
      const repeat = await c.compress(PROSE);
      expect(repeat.cached).toBe(true);
      expect(repeat.text).toBe(first.text);
      // A file at the model's path changes the answer (here: it is tried, and is not a GGUF).
      writeFileSync(path, 'not a model yet');
      const after = await c.compress(PROSE);
      expect(after.cached).toBe(false);
      expect(after.fallback).toMatchObject({ reason: 'error' });
    } finally {
      c.dispose();
    }
  });

  it('says why a ratio asked of code is not met, and measures what it kept against the original', async () => {
    const r = await compressor.compress(CODE, { model: 'none', ratio: 0.2 });
    const note = r.notes.find((n) => n.startsWith('code-path: the ratio is not met'));
    expect(note).toBeDefined();
    const kept = Math.round((r.tokensAfter / r.tokensBefore) * 100);
    expect(kept).toBeLessThan(100);
    expect(note).toContain(`(asked 20 %); kept ${kept} % of the original's tokens`);
    // Its one function's body is a line: nothing to leave out, and the note says so.
    expect(note).toMatch(/no body was left out: no function or method body long enough to leave out$/);
    // The same code with and without a ratio: the same result; a ratio it meets needs no note.
    const met = await compressor.compress(CODE, { model: 'none', ratio: 0.9 });
    expect(met.text).toBe(r.text);
    expect(met.notes.some((n) => n.startsWith('code-path: the ratio'))).toBe(false);
    // A budget in tokens is named as asked, not as the ratio it makes (review: "asked 16 %").
    const capped = await compressor.compress(CODE, { model: 'none', maxTokens: 8 });
    expect(
      capped.notes.find((n) => n.startsWith('code-path: the budget is not met (asked 8 tokens); kept')),
    ).toBeDefined();
  });

  it('says when a query finds no body to leave out of code, instead of dropping it without a word', async () => {
    const r = await compressor.compress(CODE, {
      model: 'none',
      query: 'what does it return for an empty list?',
      ratio: 0.2,
    });
    expect(r.strategy).not.toBe('select');
    expect(r.notes).toContain(
      'code-path: the query was not used: the only body long enough to leave out is the one the question asks about, kept whole; only comments, docstrings, blank lines and unused blocks are removed',
    );
    expect((await compressor.compress(CODE, { model: 'none' })).text).toBe(r.text);
  });

  it('selects a unified diff by its lines, as written, under their file and hunk headers (review s35 h3)', async () => {
    // Read as mixed JavaScript prose, the diff was telegraphed, its lines joined and stripped of
    // their marks, and `+export const MAX_ITEMS = 100;` never kept.
    const diff = readFileSync(join(import.meta.dirname, 'query/__fixtures__/change.diff'), 'utf8');
    for (const ratio of [0.1, 0.2]) {
      const r = await compressor.compress(diff, {
        model: 'none',
        query: 'What was the maximum number of items changed to?',
        ratio,
      });
      expect(r.language).toBe('diff');
      expect(r.text).toContain(
        'diff --git a/src/checkout/limits.ts b/src/checkout/limits.ts\n@@ -1,9 +1,10 @@\n-export const MAX_ITEMS = 50;\n+export const MAX_ITEMS = 100;',
      );
      expect(r.text).not.toContain('payment.ts');
      for (const line of r.text.split('\n')) expect(diff.split('\n')).toContain(line);
    }
    const captured = await compressor.compress(diff, {
      model: 'none',
      query: 'How are payments captured after this change?',
      ratio: 0.2,
    });
    expect(captured.text).toContain(
      '@@ -12,7 +12,7 @@ export async function charge(order: Order): Promise<Charge> {\n',
    );
    expect(captured.text).toContain("-    capture_method: 'automatic',\n+    capture_method: 'manual',");
    // Without a question it is kept as written: the pruner had left `export function withinLimitsitems:`.
    const whole = await compressor.compress(diff, { model: 'none', ratio: 0.2 });
    expect(whole.text).toBe(diff);
    expect(whole.notes.some((n) => n.startsWith('code-path: a unified diff: kept as written'))).toBe(true);
  });

  /** A query fixture compressed with a question, and whether each line it kept is one of the fixture's. */
  const selectFixture = async (name: string, query: string, ratio: number) => {
    const text = readFileSync(join(import.meta.dirname, 'query/__fixtures__', name), 'utf8');
    const r = await compressor.compress(text, { model: 'none', query, ratio });
    return { r, asWritten: r.text.split('\n').every((l) => text.split('\n').includes(l)) };
  };

  it('selects a combined diff (a merge: `@@@` hunks, a mark per parent) by its lines, as written (s38 h2)', async () => {
    // A merge's `git diff` (`diff --cc`, `@@@ -a,b -c,d +e,f @@@`, two columns of marks) was read as
    // no diff: kept whole at 0.2 with a query, the note saying the query was not used.
    const { r, asWritten } = await selectFixture('merge.diff', 'Which origin does CORS allow after the merge?', 0.2);
    expect(r.language).toBe('diff');
    expect(r.text).toContain(
      "@@@ -20,5 -20,5 +20,6 @@@ export async function start() {\n -  app.use(cors({ origin: '*' }));\n +  app.use(cors({ origin: process.env.ALLOWED_ORIGIN }));",
    );
    expect(r.text).not.toContain('ttlSeconds');
    expect(asWritten).toBe(true);
    expect(r.notes.join('\n')).not.toMatch(/the query was not used/);
  });

  it('reads a diff pasted into a chat as a diff: its lines as written under their headers (s38 h2)', async () => {
    // The chat's turns outnumbered the diff's lines: read as turns, the diff came back telegraphed,
    // `+MIN_LATE_FEE_AMOUNT = 50` glued to "Jonas:", without its file or hunk.
    const { r, asWritten } = await selectFixture(
      'chat-with-diff.txt',
      'Below what amount is no late fee charged?',
      0.3,
    );
    expect(r.text).toContain('@@ -8,11 +8,13 @@ from billing.models import Invoice');
    expect(r.text).toMatch(/^\+MIN_LATE_FEE_AMOUNT = 50$/m);
    expect(asWritten).toBe(true);
  });

  it('says a query was not applied to a .diff it reads no unified diff in (re-read of session 36)', async () => {
    // A text only named .diff: kept whole at 0.2 with a query, and the note said the ratio "is
    // applied only with a query" and that "a query selects the lines".
    const notDiff = 'Changes to the config:\n\nthe timeout went from 30 to 60 seconds.\n\nThe retries stay at 3.\n';
    const r = await compressor.compress(notDiff, {
      model: 'none',
      domain: 'code',
      language: 'diff',
      query: 'What is the timeout?',
      ratio: 0.2,
      path: 'notes.diff',
    });
    expect(r.text).toBe(notDiff);
    expect(r.notes.join('\n')).toMatch(/the query was not used: no unified diff read in it/);
    expect(r.notes.join('\n')).not.toMatch(/applied only with a query/);
  });

  it('shows a command continued over lines whole, one line under the other as written (re-read of session 35)', async () => {
    // Before: `curl \` and `ca-certificates \` kept without the lines continuing them (imagemagick,
    // the answer, left out), the next line shown read as the command going on.
    const docker = readFileSync(join(import.meta.dirname, 'query/__fixtures__/Dockerfile'), 'utf8');
    const run = docker.split('\n').slice(5, 11).join('\n');
    expect(run).toMatch(/^RUN apt-get update \\\n[\s\S]*imagemagick \\\n {4}&& rm -rf/);
    const r = await compressor.compress(docker, {
      model: 'none',
      domain: 'code',
      language: 'dockerfile',
      query: 'Which image tools are installed?',
      ratio: 0.3,
    });
    // Over the budget alone (session 39), the RUN is cut to its lines that answer, the others `...`.
    expect(run).toContain('\n       imagemagick \\\n');
    expect(r.text).toMatch(/RUN apt-get update \\\n(?: {4,}[^\n]*\\\n| {4,}\.\.\.\n)* {7}imagemagick \\\n {4}\.\.\.\n/);
    expect(r.tokensAfter).toBeLessThanOrEqual(Math.floor(0.3 * r.tokensBefore));
  });

  it('cuts a command continued over lines, over the budget alone, to its lines that answer (session 38 F3)', async () => {
    // Before: the RUN installing the packages (75 tokens, over 51) was left out, and the Dockerfile's
    // filler (`FROM`, `WORKDIR`, `COPY . .`, `USER appuser`) came back with a note that it was.
    const ask = (fixture: string, language: string, query: string) =>
      compressor.compress(readFileSync(join(import.meta.dirname, 'query/__fixtures__', fixture), 'utf8'), {
        model: 'none',
        domain: 'code',
        language,
        query,
        ratio: 0.2,
      });
    const r = await ask('Dockerfile.web', 'dockerfile', 'Which system packages are installed for image handling?');
    expect(r.tokensAfter).toBeLessThanOrEqual(Math.floor(0.2 * r.tokensBefore));
    expect(r.text).toMatch(/RUN apt-get update \\\n[\s\S]*\n {8}libjpeg62-turbo-dev \\\n {8}zlib1g-dev \\\n/);
    // The lines left out of the command are said to be, not run on into the next instruction.
    expect(r.text).toMatch(/\n {4,}\.\.\.(?:\n|$)/);
    expect(r.notes.join('\n')).not.toMatch(/over the budget alone/);
    // A script's command alike, inside the function holding it, its lines that answer still indented.
    const log = await ask('worker.sh', 'shell', 'Where does the worker write its log file?');
    expect(log.tokensAfter).toBeLessThanOrEqual(Math.floor(0.2 * log.tokensBefore));
    expect(log.text).toMatch(
      /\nstart\(\) \{\n *exec celery -A orders worker \\\n {4}\.\.\.\n[\s\S]* {4}--logfile "\$LOG_DIR\/worker\.log"\n\}$/,
    );
  });

  it("ranks a script's continued command by its lines, the flag asked for kept in its blocks (session 38 F5)", async () => {
    // Before: `exec celery ... \` read as one 5-line unit, its `--concurrency "$WORKERS"` diluted
    // under BM25's length norm: `SERVICE_NAME="orders-worker"` and `prepare() { ... exit 1` came back.
    // Then, each line a unit, the selection's cheap lines each in their blocks were twice the budget.
    const r = await askWorkerScript('What concurrency does the service run with?');
    expect(r.tokensAfter).toBeLessThanOrEqual(Math.floor(0.2 * r.tokensBefore));
    expect(r.text).toMatch(
      /start\(\) \{\n {2}exec celery -A orders worker \\\n {4}\.\.\.\n {4}--concurrency "\$WORKERS" \\\n/,
    );
    expect(r.text).not.toContain('exit 1');
  });

  it("keeps the line setting a variable a kept line reads, when it fits: the flag's value (session 39 item 4)", async () => {
    // Before: `--concurrency "$WORKERS"` came back in its blocks at 25 of 35 tokens without
    // `WORKERS="${WORKERS:-8}"`, the 8 asked for.
    const r = await askWorkerScript('What concurrency does the worker run with?');
    expect(r.tokensAfter).toBeLessThanOrEqual(Math.floor(0.2 * r.tokensBefore));
    expect(r.text).toContain('--concurrency "$WORKERS"');
    expect(r.text).toMatch(/^WORKERS="\$\{WORKERS:-8\}"$/m);
  });

  it('reads a shell parameter default as saying "default" (session 38 F5)', async () => {
    // Before: "by default" met no word of `BRANCH="${1:-main}"`; `ENVIRONMENT="${2:-staging}"` and
    // `log "deploying to $ENVIRONMENT"` came back, the branch's default not.
    const script = [
      '#!/usr/bin/env bash',
      '# Ship the site to a host.',
      'set -euo pipefail',
      '',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter default, not a template
      'BRANCH="${1:-main}"',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter default, not a template
      'TARGET="${2:-staging}"',
      'SITE_DIR="/srv/site"',
      '',
      'fetch_code() {',
      '  cd "$SITE_DIR"',
      '  git fetch origin',
      '  git checkout "$BRANCH"',
      '  git reset --hard "origin/$BRANCH"',
      '}',
      '',
      'reload() {',
      '  if [ "$TARGET" = "production" ]; then',
      '    sudo systemctl reload site',
      '  else',
      '    sudo systemctl reload site-staging',
      '  fi',
      '}',
      '',
      'echo "deploying to $TARGET"',
      'fetch_code',
      'reload',
    ].join('\n');
    const r = await compressor.compress(script, {
      model: 'none',
      domain: 'code',
      language: 'shell',
      query: 'Which branch does deploy use by default?',
      ratio: 0.2,
    });
    expect(r.text).toMatch(/^BRANCH="\$\{1:-main\}"$/m);
  });

  it('compresses a line of 199,000 dashes with a question in seconds (session 40 F6)', async () => {
    // Before: 318 s on a loaded machine, nearly all of it MiniLM running the line's 783 windows of
    // one `-` repeated one by one; a window repeated is run once now (minilm-onnx.ts).
    const defaults = createCompressor(loadInferenceConfig());
    try {
      const t = performance.now();
      const r = await defaults.compress('-'.repeat(199_000), {
        query: 'What does the long rule separate?',
        ratio: 0.5,
      });
      expect(performance.now() - t).toBeLessThan(60_000);
      expect(r.tokensAfter).toBeLessThanOrEqual(Math.ceil(0.5 * 1.05 * r.tokensBefore));
    } finally {
      await defaults.dispose();
    }
  }, 400_000);

  it('reads Terraform as HCL and a systemd unit as INI with a question, the answer kept (session 40 F5)', async () => {
    // Before: Terraform without a name was code of no language, kept whole with the question
    // unused; a unit whose ExecStart goes on over `\\` lines was shell, its lines picked one by one
    // (`Description=`, `User=orders`) and `--workers 6` left out.
    const terraform = [
      'variable "region" {',
      '  type    = string',
      '  default = "eu-west-1"',
      '}',
      '',
      'variable "instance_count" {',
      '  description = "Number of API instances behind the load balancer"',
      '  type        = number',
      '  default     = 3',
      '}',
      '',
      'module "vpc" {',
      '  source          = "terraform-aws-modules/vpc/aws"',
      '  version         = "5.8.1"',
      '  cidr            = "10.20.0.0/16"',
      '  azs             = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]',
      '  private_subnets = ["10.20.1.0/24", "10.20.2.0/24", "10.20.3.0/24"]',
      '}',
      '',
      'resource "aws_lb" "api" {',
      '  name               = "orders-api"',
      '  load_balancer_type = "application"',
      '  idle_timeout       = 120',
      '}',
    ].join('\n');
    const tf = await compressor.compress(terraform, {
      model: 'none',
      query: 'How many API instances run by default?',
      ratio: 0.3,
    });
    expect(tf.tokensAfter).toBeLessThan(0.4 * tf.tokensBefore);
    expect(tf.text).toMatch(/^variable "instance_count" \{\n[\s\S]*^ {2}default {5}= 3\n\}/m);
    const unit = [
      '[Unit]',
      'Description=Orders API (gunicorn)',
      'Documentation=https://wiki.internal/orders-api',
      'After=network-online.target postgresql.service',
      '',
      '[Service]',
      'Type=notify',
      'User=orders',
      'WorkingDirectory=/srv/orders/current',
      'EnvironmentFile=/etc/orders/api.env',
      'Environment=DJANGO_SETTINGS_MODULE=orders.settings.production',
      'ExecStart=/srv/orders/current/.venv/bin/gunicorn orders.wsgi:application \\',
      '    --bind 127.0.0.1:8010 \\',
      '    --workers 6 \\',
      '    --timeout 45',
      'ExecReload=/bin/kill -s HUP $MAINPID',
      'Restart=on-failure',
      'RestartSec=5s',
      'LimitNOFILE=65536',
      'ProtectSystem=full',
      '',
      '[Install]',
      'WantedBy=multi-user.target',
    ].join('\n');
    const r = await compressor.compress(unit, {
      model: 'none',
      query: 'How many gunicorn workers does the API run?',
      ratio: 0.45,
    });
    expect(r.tokensAfter).toBeLessThanOrEqual(Math.ceil(0.45 * 1.05 * r.tokensBefore));
    expect(r.text).toMatch(
      /^\[Service\]\n[\s\S]*^ExecStart=\S+ orders\.wsgi:application \\\n[\s\S]* {4}--workers 6 \\\n/m,
    );
  });

  it('with a query, selects the lines of code it cannot read functions in, as written (a config, a plan)', async () => {
    // Review (session 34): an nginx config read as CSS, a Terraform plan read as JavaScript and a
    // Dockerfile came back whole at 0.2, "the query was not used".
    const nginx = [
      'user  nginx;',
      'worker_processes  auto;',
      '',
      'http {',
      '    include       /etc/nginx/mime.types;',
      '    sendfile        on;',
      '    keepalive_timeout  65;',
      '    client_max_body_size 25m;',
      '    gzip  on;',
      '',
      '    upstream api_backend {',
      '        least_conn;',
      '        server 10.0.2.11:8080 max_fails=3 fail_timeout=30s;',
      '        server 10.0.2.12:8080 max_fails=3 fail_timeout=30s;',
      '    }',
      '',
      '    server {',
      '        listen 443 ssl http2;',
      '        server_name shop.example.com;',
      '        ssl_certificate     /etc/letsencrypt/live/shop.example.com/fullchain.pem;',
      '        location /api/ {',
      '            proxy_pass http://api_backend;',
      '            proxy_read_timeout 120s;',
      '            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
      '        }',
      '    }',
      '}',
    ].join('\n');
    const r = await compressor.compress(nginx, {
      model: 'none',
      domain: 'code',
      language: 'css',
      query: 'What is the proxy read timeout for the API?',
      ratio: 0.3,
    });
    expect(r.tokensAfter).toBeLessThan(0.4 * r.tokensBefore);
    expect(r.text).toContain('proxy_read_timeout 120s;');
    expect(r.notes.some((n) => n.startsWith('code-path: no function could be read (only Python'))).toBe(true);
    // Kept as written: no word of a directive dropped as glue (`...`: a block shown without its lines).
    for (const line of r.text.split('\n').filter(Boolean))
      if (line.trim() !== '...') expect(nginx).toContain(line.trim());
    // A program in a language without a body selection stays whole: its functions are not cut into lines.
    const rust = [
      'fn main() {',
      '    let total = add(2, 3);',
      '    println!("{}", total);',
      '}',
      '',
      'fn add(a: i32, b: i32) -> i32 {',
      '    a + b',
      '}',
      '',
    ].join('\n');
    const rs = await compressor.compress(rust, {
      model: 'none',
      domain: 'code',
      language: 'rust',
      query: 'What does add return?',
      ratio: 0.3,
    });
    expect(rs.text).toContain('fn add(a: i32, b: i32) -> i32 {\n    a + b\n}');
    expect(rs.text).toContain('fn main() {');
    // Python whose one body is the answer is still never cut into lines.
    const py = await compressor.compress(CODE, {
      model: 'none',
      query: 'what does it return for an empty list?',
      ratio: 0.2,
    });
    expect(py.notes.some((n) => n.startsWith('code-path: no function could be read'))).toBe(false);
  });

  it('shows the config lines it selects indented, in the blocks that hold them, closed (review s34 h2)', async () => {
    // Before: `client_max_body_size 25m;` at the left margin under an `http {` never closed, and
    // `location /admin {` outside any server.
    const nginx = [
      'user  nginx;',
      'worker_processes  auto;',
      '',
      'http {',
      '    include       /etc/nginx/mime.types;',
      '    sendfile        on;',
      '    keepalive_timeout  65;',
      '    client_max_body_size 25m;',
      '    gzip  on;',
      '',
      '    server {',
      '        listen 80;',
      '        server_name shop.example.com;',
      '        return 301 https://$host$request_uri;',
      '    }',
      '',
      '    server {',
      '        listen 443 ssl http2;',
      '        server_name shop.example.com;',
      '        ssl_certificate     /etc/letsencrypt/live/shop.example.com/fullchain.pem;',
      '        location /api/ {',
      '            proxy_pass http://api_backend;',
      '            proxy_read_timeout 120s;',
      '        }',
      '        location /admin {',
      '            allow 10.0.0.0/8;',
      '            deny all;',
      '        }',
      '    }',
      '}',
    ].join('\n');
    for (const ratio of [0.2, 0.3]) {
      const r = await compressor.compress(nginx, {
        model: 'none',
        domain: 'code',
        language: 'css',
        query: 'What is the maximum upload size for the admin area?',
        ratio,
      });
      expect(r.tokensAfter).toBeLessThanOrEqual(Math.floor(ratio * r.tokensBefore));
      expect(r.text).toMatch(/^http \{\n(?:.*\n)* {4}client_max_body_size 25m;\n/);
      // Every line as the file writes it, indentation and all (or a block's lines left out, `...`),
      // and every block closed.
      const lines = r.text.split('\n');
      for (const line of lines) if (line.trim() !== '...') expect(nginx.split('\n')).toContain(line);
      const opened = lines.filter((l) => l.endsWith('{')).length;
      expect(lines.filter((l) => l.trim() === '}').length).toBe(opened);
    }
  });

  // Re-read of session 35: when the lines indented did not fit (24 tokens for a budget of 20), the
  // stage gave the selection as it came: `http {`, `server {`, `location /admin {` and one `}`.
  it('closes the blocks of the lines it selects at the margin when indented they do not fit', async () => {
    const nginx = [
      'http {',
      '    sendfile on;',
      '    server {',
      '        listen 80;',
      '        server_name shop.example.com;',
      '        location / {',
      '            proxy_pass http://app:3000;',
      '        }',
      '        location /admin {',
      '            allow 10.0.0.0/8;',
      '            deny all;',
      '            client_max_body_size 25m;',
      '        }',
      '    }',
      '    server {',
      '        listen 81;',
      '        server_name status.example.com;',
      '        location / {',
      '            stub_status;',
      '        }',
      '    }',
      '}',
    ].join('\n');
    // At 0.1 (budget 10) no closed form fits: the lines as selected, without a closer whose opener
    // is not shown (it had shown `client_max_body_size 25m;` and a lone `}`).
    for (const ratio of [0.2, 0.1]) {
      const r = await compressor.compress(nginx, {
        model: 'none',
        domain: 'code',
        language: 'css',
        query: 'What is the maximum upload size for the admin area?',
        ratio,
      });
      expect(r.tokensAfter, `${ratio}`).toBeLessThanOrEqual(Math.floor(ratio * r.tokensBefore));
      expect(r.text, `${ratio}`).toContain('client_max_body_size 25m;');
      const lines = r.text.split('\n');
      for (const line of lines) expect(nginx.split('\n').map((l) => l.trim())).toContain(line);
      expect(lines.filter((l) => l === '}').length, `${ratio}`).toBe(lines.filter((l) => l.endsWith('{')).length);
    }
  });

  it("with a query, selects an .env's settings as written; a script's blocks written at the margin stay whole (review s35 h3)", async () => {
    // Before: the .env came back at 94 %, "the query was not used".
    const env = [
      '# Shop API settings (production)',
      'NODE_ENV=production',
      'PORT=3000',
      'DATABASE_URL=postgres://shop:s3cret@db.internal:5432/shop',
      'DATABASE_POOL_MAX=20',
      'REDIS_URL=redis://cache.internal:6379/1',
      'SESSION_TTL_SECONDS=86400',
      'SMTP_HOST=smtp.mailgun.org',
      'SMTP_PORT=587',
      'LOG_LEVEL=warn',
      'S3_BUCKET=acme-shop-uploads',
      'MAX_UPLOAD_MB=25',
    ].join('\n');
    const r = await compressor.compress(env, {
      model: 'none',
      domain: 'code',
      language: 'shell',
      query: 'How big can an upload be?',
      ratio: 0.2,
    });
    expect(r.tokensAfter).toBeLessThanOrEqual(Math.floor(0.2 * r.tokensBefore));
    expect(r.text).toContain('MAX_UPLOAD_MB=25');
    for (const line of r.text.split('\n')) expect(env.split('\n')).toContain(line);
    // A script whose functions indent their bodies has its lines selected too (the next test).
    // Nor one written at the margin with if/fi, a loop or a here-document (re-read of session 35: a
    // deploy script came back with a lone `fi`, a `cat <<UNIT` without its `UNIT`, and an `if` joined
    // to the command under it on one line).
    const flat = [
      '#!/usr/bin/env bash',
      'KEEP_RELEASES=5',
      'if [ -z "$GIT_SHA" ]; then',
      'echo "GIT_SHA is not set" >&2',
      'exit 1',
      'fi',
      'cat > /tmp/shop-api.service <<UNIT',
      '[Service]',
      'ExecStart=/srv/shop-api/current/bin/server --port 8081',
      'MemoryMax=512M',
      'UNIT',
      'rsync -az --delete build/ "$DEPLOY_HOST:$RELEASE_DIR/$GIT_SHA/"',
    ].join('\n');
    const deploy = await compressor.compress(flat, {
      model: 'none',
      domain: 'code',
      language: 'shell',
      query: 'How much memory may the service use?',
      ratio: 0.2,
    });
    expect(deploy.text).toContain('<<UNIT\n[Service]');
    expect(deploy.text).toContain('MemoryMax=512M\nUNIT');
    expect(deploy.text).toContain('exit 1\nfi');
  });

  it("with a query, selects a script's lines inside their blocks, the line answering first (review s35 h3)", async () => {
    // Before: backup.sh came back at 94 % for any question, "the query was not used"; read as
    // lines with the chat ranker, the header comment alone came back for the dump's format.
    const script = readFileSync(join(import.meta.dirname, 'query/__fixtures__/backup.sh'), 'utf8');
    const lines = script.split('\n');
    const ask = (query: string, ratio: number) =>
      compressor.compress(script, { model: 'none', domain: 'code', language: 'shell', query, ratio });
    const format = await ask('What format does the database dump use?', 0.2);
    expect(format.tokensAfter).toBeLessThanOrEqual(Math.floor(0.2 * format.tokensBefore));
    // Inside its function, closed, as written: indented, as one line fewer fits so (session 38: three
    // retries each 2 tokens smaller brought back the same 44 tokens, and the margin form was shown).
    expect(format.text).toMatch(/dump\(\) \{\n(?: {2}[^\n]*\n)* {2}pg_dump --format=custom [^\n]*\n\}/);
    expect(format.notes.join('\n')).toMatch(/as written, indented/);
    for (const line of format.text.split('\n')) expect(lines).toContain(line);
    // The note names the budget asked beside the smaller one its lines were selected in (re-read of
    // session 37: "budget 45 o200k tokens" for a call asking 49).
    const asked = Math.floor(0.2 * format.tokensBefore);
    for (const n of format.notes)
      for (const [, b, of] of n.matchAll(/budget (\d+) o200k tokens( of the \d+ asked)?/g))
        if (Number(b) < asked) expect(of).toBe(` of the ${asked} asked`);
    // At 0.1 the line with its block is over the budget: kept all the same, and said to be.
    const tenth = await ask('What format does the database dump use?', 0.1);
    expect(tenth.text).toContain('  pg_dump --format=custom');
    expect(tenth.notes.join('\n')).toMatch(/over the budget/);
    const kept = await ask('How long are backups kept?', 0.2);
    expect(kept.text).toContain('RETENTION_DAYS=14');
    expect(kept.tokensAfter).toBeLessThanOrEqual(Math.floor(0.2 * kept.tokensBefore));
  });

  it("with a query, gives a script's retry the room its shared blocks left (re-read of session 37)", async () => {
    // Before: deploy.sh at 0.2 came back at 39 of 59 tokens without `REGISTRY=...`, the line asked
    // for, which 0.1 kept: the retry took the blocks' whole cost off the selection's budget.
    const script = readFileSync(join(import.meta.dirname, 'query/__fixtures__/deploy.sh'), 'utf8');
    const lines = script.split('\n');
    const r = await compressor.compress(script, {
      model: 'none',
      domain: 'code',
      language: 'shell',
      query: 'Which registry are the images pushed to?',
      ratio: 0.2,
    });
    expect(r.text).toContain('REGISTRY="registry.example.com/acme"');
    expect(r.text).toMatch(/\n {2}docker push "\$\{REGISTRY\}\/web:/);
    expect(r.tokensAfter).toBeLessThanOrEqual(Math.floor(0.2 * r.tokensBefore));
    for (const line of r.text.split('\n')) expect(lines).toContain(line);
  });

  it('with a query, keeps the functions it asks about whole and the others as signatures, to the budget', async () => {
    // Before, a question changed nothing on code: every body stayed, whatever was asked.
    const module = [
      'import math',
      '',
      'def late_fee(amount, days_late, daily_rate=0.0005):',
      '    """Interest on a late invoice, compounded daily, never below 5 EUR once late."""',
      '    if days_late <= 0:',
      '        return 0.0',
      '    fee = amount * (math.pow(1 + daily_rate, days_late) - 1)',
      '    return max(5.0, round(fee, 2))',
      '',
      'def split_installments(total, parts):',
      '    """Split a total into equal installments; the last takes the rounding remainder."""',
      '    if parts < 1:',
      '        raise ValueError("parts must be at least 1")',
      '    base = math.floor(total * 100 / parts) / 100',
      '    return [base] * (parts - 1) + [round(total - base * (parts - 1), 2)]',
      '',
      'def installment_dates(first, count, every_days=30):',
      '    """The due date of each installment, the first on the day given."""',
      '    out = []',
      '    for k in range(count):',
      '        out.append(first + k * every_days)',
      '    return out',
      '',
    ].join('\n');
    const r = await compressor.compress(module, { model: 'none', query: 'How is the late fee computed?', ratio: 0.6 });
    expect(r.text).toContain('fee = amount * (math.pow(1 + daily_rate, days_late) - 1)');
    // What the function says of itself stays with it (review 4: a docstring held the answer).
    expect(r.text).toContain('never below 5 EUR once late');
    expect(r.text).toContain('def split_installments(total, parts):\n    ...');
    expect(r.text).not.toContain('rounding remainder');
    expect(r.tokensAfter).toBeLessThanOrEqual(Math.floor(0.6 * r.tokensBefore));
    expect(r.notes.find((n) => n.startsWith('code-path: for the query, the bodies of'))).toMatch(
      /kept whole as the most relevant: late_fee$/,
    );
    expect(r.notes.some((n) => n.includes('the ratio is not met'))).toBe(false);
  });

  it('without a query, a ratio asked of code leaves out the bodies the module uses least, docstrings kept', async () => {
    // Issue 14, item 5: the ratio changed nothing on code without a query ("kept 77 % (asked 50 %)").
    const module = [
      'import math',
      '',
      'def cents(amount):',
      '    """Amounts are kept in integer cents, rounded half to even."""',
      '    value = round(amount * 100)',
      '    if value < 0:',
      '        raise ValueError("negative amount")',
      '    return value',
      '',
      'def late_fee(amount, days_late, daily_rate=0.0005):',
      '    """Interest on a late invoice, compounded daily, never below 5 EUR once late."""',
      '    if days_late <= 0:',
      '        return 0',
      '    fee = amount * (math.pow(1 + daily_rate, days_late) - 1)',
      '    return max(cents(5.0), cents(fee))',
      '',
      'def split_installments(total, parts):',
      '    """Split a total into equal installments; the last takes the rounding remainder."""',
      '    if parts < 1:',
      '        raise ValueError("parts must be at least 1")',
      '    base = math.floor(cents(total) / parts)',
      '    return [base] * (parts - 1) + [cents(total) - base * (parts - 1)]',
      '',
      'def describe_schedule(first_day, count, every_days=30, label="installment"):',
      '    """A line per installment for the letter to the customer."""',
      '    lines = []',
      '    for k in range(count):',
      '        day = first_day + k * every_days',
      '        lines.append(f"{label} {k + 1} due on day {day}")',
      '    return ", ".join(lines)',
      '',
    ].join('\n');
    const whole = await compressor.compress(module, { model: 'none' });
    const r = await compressor.compress(module, { model: 'none', ratio: 0.6 });
    expect(r.tokensAfter).toBeLessThan(whole.tokensAfter);
    expect(r.tokensAfter).toBeLessThanOrEqual(Math.floor(0.6 * r.tokensBefore));
    // The helper the others call stays whole; what nothing calls goes to its signature first.
    expect(r.text).toContain('    value = round(amount * 100)');
    const note = r.notes.find((n) => n.startsWith('code-path: for the ratio, the bod')) ?? '';
    expect(note).toMatch(/kept whole as the most used: cents/);
    const left = /\(([^)]*)\); kept whole/.exec(note)?.[1]?.split(', ') ?? [];
    expect(left.length).toBeGreaterThan(0);
    for (const name of left) {
      expect(['late_fee', 'split_installments', 'describe_schedule']).toContain(name);
      expect(r.text).toMatch(new RegExp(`def ${name}\\(.*\\):\\n(?: {4}""".*"""\\n)? {4}\\.\\.\\.`));
    }
    expect(r.notes.some((n) => n.includes('the ratio is not met'))).toBe(false);
    // Without a ratio asked, code loses only comments, docstrings, blank lines and unused blocks, as before.
    expect(whole.text).toContain('lines.append(f"{label} {k + 1} due on day {day}")');
  });

  it('gives a CRLF text back in CRLF, with the counts and the selection of its LF form', async () => {
    // Found by use: a Windows memory came back with "\n" line ends.
    const crlf = MEMORY.replace(/\n/g, '\r\n');
    for (const options of [
      { domain: 'chat' as const, ratio: 0.3, query: 'Where did they go camping?' },
      { domain: 'chat' as const, ratio: 0.5 },
    ]) {
      const [a, b] = [await compressor.compress(crlf, options), await compressor.compress(MEMORY, options)];
      expect(a.text).toBe(b.text.replace(/\n/g, '\r\n'));
      expect(a.text).toContain('\r\n');
      expect(a.text).not.toMatch(/(?:^|[^\r])\n|\r(?!\n)/);
      expect([a.tokensBefore, a.tokensAfter, a.strategy]).toEqual([b.tokensBefore, b.tokensAfter, b.strategy]);
    }
  });

  it('reads a text mixing CRLF and LF line ends as its LF form, and gives it back in the ends most of its lines had', async () => {
    // Found in review: a file edited on Windows and on Linux came back with its turns' "\r" read as
    // words, and lines ending each way.
    const lines = MEMORY.split('\n');
    const mixed = (crlfShare: number) =>
      lines.map((l, i) => (i === lines.length - 1 ? l : `${l}${i % 10 < crlfShare * 10 ? '\r\n' : '\n'}`)).join('');
    for (const options of [
      { domain: 'chat' as const, ratio: 0.3, query: 'Where did they go camping?' },
      { domain: 'chat' as const, ratio: 0.5 },
    ]) {
      const lf = await compressor.compress(MEMORY, options);
      const mostlyCrlf = await compressor.compress(mixed(0.8), options);
      expect(mostlyCrlf.text).toBe(lf.text.replace(/\n/g, '\r\n'));
      const mostlyLf = await compressor.compress(mixed(0.2), options);
      expect(mostlyLf.text).toBe(lf.text);
      expect([mostlyLf.tokensAfter, mostlyLf.strategy]).toEqual([lf.tokensAfter, lf.strategy]);
    }
    // Nothing to change: given back as it came, line ends and all.
    const short = 'Tom: We land at 9.\r\nAna: OK.\nTom: See you.';
    expect((await compressor.compress(short, { domain: 'chat' })).text).toBe(short);
  });

  it('compresses without a query that has no word to select by ("Ok?", "Why?", "Tell me more"), and says so', async () => {
    // Found by use: the proxy's last user message "Ok?" cut a memory by 90 % to filler turns.
    const memory = MEMORY;
    const plain = await compressor.compress(memory, { domain: 'chat', ratio: 0.3 });
    for (const query of ['Ok?', 'Why?', 'Tell me more', 'and then what?']) {
      const r = await compressor.compress(memory, { domain: 'chat', ratio: 0.3, query });
      expect(r.strategy).not.toBe('select');
      expect(r.text).toBe(plain.text);
      expect(r.notes[0]).toBe(`select: the query "${query}" has no word to select by; compressed without it`);
    }
    const camping = await compressor.compress(memory, {
      domain: 'chat',
      ratio: 0.3,
      query: 'Tell me more about camping',
    });
    expect(camping.strategy).toBe('select');
    expect(camping.text).toContain('camping');
    expect(camping.keptWhole).toBeUndefined();
    expect((await compressor.compress(memory, { domain: 'chat', ratio: 0.3, query: 'May 8?' })).strategy).toBe(
      'select',
    );
    // A budget that holds the whole memory: kept as it is, not rewritten in telegraphic style
    // (found by use: --ratio 1 cut 12,135 tokens to 7,721).
    for (const budget of [{ ratio: 1 }, { maxTokens: 10_000 }]) {
      const all = await compressor.compress(memory, { domain: 'chat', query: 'Where did they go camping?', ...budget });
      expect(all.strategy).toBe('select');
      expect(all.text).toBe(memory);
      expect(all.notes[0]).toMatch(/^select: the memory fits the budget \(\d+ of \d+ o200k tokens\): kept as it is$/);
      // A flag, not the note's wording, tells a caller (the proxy's reason header) nothing was selected.
      expect(all.keptWhole).toBe(true);
    }
  });

  it('keeps a short memory whole under the default ratio, and cuts it as asked (review: a 170-token profile lost "vegetarian")', async () => {
    const profile = [
      '- Dana is vegetarian since 2018.',
      '- Dana is allergic to penicillin.',
      '- Partner: Sam (married 12 October 2019).',
      '- Sam does not eat mushrooms.',
      '- Dana works as a nurse at the Porto general hospital, night shifts on weekends.',
      '- Favourite cuisine: Portuguese and Thai.',
      '- Dana runs the Lisbon half marathon every October.',
    ].join('\n');
    const query = 'Can you suggest a dinner recipe for me and Sam tonight?';
    const r = await compressor.compress(profile, { query });
    expect(r.text).toBe(profile);
    expect(r.keptWhole).toBe(true);
    expect(r.notes).toContain(
      `select: a budget of ${r.tokensBefore} tokens (query.minTokens 1,000), over the default ratio's ${Math.floor(0.1 * r.tokensBefore)}`,
    );
    // Asked for, a ratio is applied as asked.
    const cut = await compressor.compress(profile, { query, ratio: 0.3 });
    expect(cut.tokensAfter).toBeLessThanOrEqual(Math.ceil(0.3 * cut.tokensBefore));
    expect(cut.keptWhole).toBeUndefined();
  });

  it("takes the question before a tool result or an image as the proxy's query (review)", () => {
    const body = {
      messages: [
        { role: 'user', content: '<memory>Dana moved to Lisbon.</memory> Where does Dana live now?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'lookup', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'ok' }] },
      ],
    };
    expect(lastUserQuery('anthropic', body)).toEqual({ text: 'Where does Dana live now?', from: 'earlier', index: 0 });
    expect(lastUserQuery('anthropic', { messages: [{ role: 'user', content: 'Ok?' }] })).toBeNull();
  });

  it("reads a short follow-up that refers back with the question before it, as the proxy's query (review)", () => {
    // Review: "What year was that?" has a word to select by ("year"), so it alone was the query and
    // the sign-up turn the question before it was about was dropped.
    const asked = (last: string) =>
      lastUserQuery('openai', {
        messages: [
          { role: 'system', content: '<memory>Melanie: I signed up for a pottery class!</memory>' },
          { role: 'user', content: 'Did Melanie ever sign up for a pottery class?' },
          { role: 'assistant', content: 'Yes, she did.' },
          { role: 'user', content: last },
        ],
      });
    for (const last of ['What year was that?', 'How did she feel about it afterwards?'])
      expect(asked(last), last).toEqual({
        text: `Did Melanie ever sign up for a pottery class? ${last}`,
        from: 'both',
        index: 3,
      });
    // A new question stands alone.
    expect(asked('What is Caroline studying?')).toEqual({ text: 'What is Caroline studying?', from: 'last', index: 3 });
  });

  it('reads a block nested in another as part of the outer one, and keeps both out of the question (review)', () => {
    // Review: the first closing tag ended the outer block, so " Tom keeps the keys.</memory>" was
    // left uncompressed and read as part of the user's question.
    const content =
      '<memory>Dana moved to Lisbon. <memory>Older: Dana lived in Porto.</memory> Tom keeps the keys.</memory> Where does Dana live now?';
    const body = { messages: [{ role: 'user', content }] };
    expect(lastUserQuery('openai', body)).toEqual({ text: 'Where does Dana live now?', from: 'last', index: 0 });
    expect(findSegments(textSlots('openai', body), undefined).map((s) => s.text)).toEqual([
      'Dana moved to Lisbon. <memory>Older: Dana lived in Porto.</memory> Tom keeps the keys.',
    ]);
    // Two blocks side by side stay two; a tag never closed frames nothing; a block closes as it opened.
    const side = '<memory>A is 1.</memory> and <context>B is 2.</context> <memory>never closed';
    expect(
      findSegments(textSlots('openai', { messages: [{ role: 'user', content: side }] }), undefined).map((s) => s.text),
    ).toEqual(['A is 1.', 'B is 2.']);
    // Crossing pairs: the block runs on to the later one's end, and nothing of it is the question.
    const crossing = '<memory>a <context>b</memory> c</context> Where is Dana?';
    expect(lastUserQuery('openai', { messages: [{ role: 'user', content: crossing }] })?.text).toBe('Where is Dana?');
    const mixed = '<MEMORY>C is 3.</memory> <CONTEXT>D is 4.</CONTEXT>';
    expect(
      findSegments(textSlots('openai', { messages: [{ role: 'user', content: mixed }] }), undefined).map((s) => s.text),
    ).toEqual(['D is 4.']);
  });

  it('finds a marked memory inside an Anthropic tool result, and a Gemini system_instruction (review)', () => {
    const memory = '<memory>Dana moved to Lisbon in March.</memory>';
    const anthropic = {
      messages: [
        { role: 'user', content: 'Where does Dana live?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'recall', input: {} }] },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: memory }] },
            { type: 'tool_result', tool_use_id: 't2', content: memory },
          ],
        },
      ],
    };
    const slots = findSegments(textSlots('anthropic', anthropic), undefined);
    expect(slots.map((s) => [s.slot.message, s.text])).toEqual([
      [2, 'Dana moved to Lisbon in March.'],
      [2, 'Dana moved to Lisbon in March.'],
    ]);
    const gemini = {
      system_instruction: { parts: [{ text: memory }] },
      contents: [{ role: 'user', parts: [{ text: 'Where?' }] }],
    };
    expect(findSegments(textSlots('gemini', gemini), undefined).map((s) => s.slot.message)).toEqual(['system']);
  });

  it("reads an email thread's header fields as each message's heading, never as speakers (review)", async () => {
    // Review: "Was the shipping fee refunded?" kept the June "not refundable" under "Subject: Dear Grace"
    // and showed August's refund signed "From: Grace Whitfield", the next message's sender.
    const message = (from: string, date: string, body: string[]) => [
      `From: ${from}`,
      `Date: ${date}`,
      'Subject: Re: Faulty Studio 8 speaker',
      '',
      ...body,
      '',
      '------------------------------------------------------------',
    ];
    const thread = [
      ...message('Nadia Brooks <nadia.b@brightline-audio.com>', 'Thu, 15 Aug 2024 10:30:00 +0100', [
        'Dear Grace,',
        '',
        "Apologies, the shipping refund was never processed. I've now refunded £49.00 to your Visa ending 4417; it can take up to 5 working days to appear. I have added a note to your account.",
        '',
        'Best wishes,',
        'Nadia Brooks',
      ]),
      ...message('Grace Whitfield <grace.w@fastmail.com>', 'Wed, 14 Aug 2024 19:11:09 +0100', [
        'Hi Nadia,',
        '',
        "The replacement arrived yesterday and it's perfect, no hum at all. But I still haven't seen the £49.00 shipping refund on my card.",
        '',
        'Grace',
      ]),
      ...message('Nadia Brooks <nadia.b@brightline-audio.com>', 'Mon, 17 Jun 2024 10:05:12 +0100', [
        'Dear Grace,',
        '',
        'Please note the £49.00 express shipping fee is not refundable under our terms, as the order was delivered on time.',
        '',
        'Best wishes,',
        'Nadia Brooks',
      ]),
    ].join('\n');
    for (const maxTokens of [60, 90, 130]) {
      const r = await compressor.compress(thread, { query: 'Was the shipping fee refunded?', maxTokens });
      const lines = r.text.split('\n').filter((l) => l.trim());
      // No body under a field's label, and every kept body line under a whole From / Date / Subject.
      for (const l of lines.filter((x) => /^Subject:/.test(x)))
        expect(l, `${maxTokens}`).toBe('Subject: Re: Faulty Studio 8 speaker');
      let fields: string[] = [];
      for (const l of lines) {
        if (/^(?:From|Date|Subject):/.test(l)) {
          fields = /^From:/.test(l) ? [l] : [...fields, l];
          continue;
        }
        expect(
          fields.map((f) => f.split(':')[0]),
          `${maxTokens}: "${l}"`,
        ).toEqual(['From', 'Date', 'Subject']);
        // The refund of August is Nadia's, on 15 August.
        if (/refunded £49\.00/.test(l)) expect(fields.slice(0, 2).join(' '), `${maxTokens}`).toMatch(/Nadia.*15 Aug/);
      }
      expect(r.text, `${maxTokens}`).toMatch(/never processed/);
    }
  });

  it('keeps a protected span with a query: its unit first, as written (review: --protect was ignored with --query)', async () => {
    const chat = [
      'Session 1 (9:00 am on 3 May, 2024): Ben and Tom',
      'Tom: Who deleted the backup of the billing database last night?',
      'Ben: I did it. It was me who deleted the backup, not Tom.',
      'Tom: The restore from the snapshot took about three hours this morning.',
      'Ben: The new backup job runs every night at 2 am and keeps seven copies.',
      'Tom: The billing team wants a report on the outage by Friday.',
      'Ben: I will write the report on the outage and the restore by Thursday.',
    ].join('\n');
    const r = await compressor.compress(chat, {
      query: 'When does the backup job run?',
      ratio: 0.6,
      protect: ['It was me'],
    });
    expect(r.strategy).toBe('select');
    expect(r.text).toContain('Ben: I did it. It was me who deleted the backup, not Tom.');
    expect(r.text).toContain('2 am');
  });

  it('selects a subtitle transcript (WebVTT, SRT) by whole cues, each under its own timing, still a transcript (review)', async () => {
    // Review: a .vtt was read as code and left whole with the query unsaid; read as chat, a cue's
    // timing came out over another speaker's line.
    const lines = [
      ['Marcus Lee', 'Yeah.'],
      ['Dana Whitfield', "That's fair, let's look at the numbers first."],
      ['Priya Raman', 'The churn in the last quarter was four percent, up from three.'],
      ['Marcus Lee', "I don't think we should raise prices in July. Let's wait until the SSO work ships."],
      ['Dana Whitfield', 'Could you repeat that?'],
      ['Dana Whitfield', 'Okay, decision: we will not raise prices in July. We revisit on September 3rd.'],
      ['Priya Raman', 'Mm-hmm.'],
      ['Marcus Lee', 'I will send the pricing memo to the board by Friday.'],
    ];
    const time = (k: number, sep: string) => `00:00:${String(10 + k * 5).padStart(2, '0')}${sep}000`;
    // A NOTE block is the file's own, no cue: kept, and not counted as one (review: "28 of 91 cues" of 90).
    const vtt = `WEBVTT\n\nNOTE Pricing sync, 11 June 2024\n\n${lines
      .map(
        ([who, said], k) =>
          `${k + 1}\n${time(k, '.')} --> ${time(k, '.').replace(/000$/, '900')}\n<v ${who}>${said}</v>`,
      )
      .join('\n\n')}\n`;
    const srt = `${lines
      .map(([who, said], k) => `${k + 1}\n${time(k, ',')} --> ${time(k, ',').replace(/000$/, '900')}\n${who}: ${said}`)
      .join('\n\n')}\n`;
    for (const [doc, name] of [
      [vtt, 'vtt'],
      [srt, 'srt'],
    ] as const) {
      const r = await compressor.compress(doc, { query: 'Are we raising prices in July?', ratio: 0.5 });
      expect(r.strategy, name).toBe('select');
      const cues = r.text.split('\n\n');
      if (name === 'vtt') expect(cues.splice(0, 2)).toEqual(['WEBVTT', 'NOTE Pricing sync, 11 June 2024']);
      // Every kept cue is one of the input's, whole: its number, its own timing and its line.
      for (const cue of cues) expect(doc, name).toContain(cue.trim());
      expect(r.text, name).toContain('we will not raise prices in July');
      expect(r.tokensAfter).toBeLessThan(r.tokensBefore);
      expect(
        r.notes.find((n) => n.startsWith('select: kept')),
        name,
      ).toMatch(
        name === 'vtt'
          ? /^select: kept \d+ of 8 cues for the query \(and the WEBVTT head and 1 NOTE block\).*, as written, each with its number and timing$/
          : /^select: kept \d+ of 8 cues for the query \(budget.*, as written, each with its number and timing$/,
      );
      expect(r.domain, name).toBe('chat');
    }
  });

  it('keeps a block without a timing line as written and does not count it as a cue (review)', async () => {
    const stray = 'This paragraph was pasted by mistake and has no timing at all in it whatsoever.';
    const vtt = [
      'WEBVTT',
      '00:00:01.000 --> 00:00:04.000\n<v Dana>So the budget for the launch is forty thousand dollars, approved by finance.',
      stray,
      '00:00:05.000 --> 00:00:07.000\n<v Mike>Yeah.',
      '00:00:08.000 --> 00:00:12.000\n<v Mike>I will send the contract to the vendor on Monday after the legal review is done.',
    ].join('\n\n');
    const r = await compressor.compress(`${vtt}\n`, { ratio: 0.5 });
    expect(r.strategy).toBe('cues');
    expect(r.notes).toContain(
      'cues: a subtitle transcript: 1 of 3 cues dropped whole as small talk or repeats (2 kept, each with its number and timing)',
    );
    expect(r.notes).toContain('cues: 1 block without a timing line (no cue) kept as written');
    // Blocks stay one blank line apart; the stray one is as it came.
    expect(r.text).not.toContain('\n\n\n');
    expect(r.text.split('\n\n')).toContain(stray);
    expect(r.text).not.toContain('Yeah.');
  });

  it("keeps a transcript's answers and each owner's words, leaves one within its ratio whole, and reads any cue fast (review)", async () => {
    const vtt = (cues: [string, string][]) =>
      `WEBVTT\n\n${cues.map(([who, line], k) => `${k + 1}\n00:00:0${k}.000 --> 00:00:0${k}.900\n<v ${who}>${line}</v>`).join('\n\n')}\n`;
    const meeting = vtt([
      ['Ana', 'Which vendor did we pick for the scanners in the end?'],
      ['Ben', 'Zebra.'],
      ['Mike', 'Will do.'],
      ['Sara', 'Will do.'],
      ['Ana', 'Mm-hmm.'],
    ]);
    const r = await compressor.compress(meeting, { ratio: 0.5 });
    // A name alone answers; each owner's "Will do." is theirs; the backchannel goes.
    for (const kept of ['<v Ben>Zebra', '<v Mike>Will do.', '<v Sara>Will do.']) expect(r.text).toContain(kept);
    expect(r.text).not.toContain('Mm-hmm');
    // Within the ratio asked, nothing goes.
    const whole = await compressor.compress(meeting, { ratio: 1 });
    expect(whole.text).toBe(meeting);
    // A cue of "uhhuh" forty times: a pattern of alternatives took minutes on it.
    const t0 = performance.now();
    await compressor.compress(
      vtt([
        ['Ana', `${'uhhuh '.repeat(40)}so`],
        ['Ben', 'The launch moves to May 3.'],
      ]),
      {
        ratio: 0.5,
      },
    );
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('compresses a transcript without a query cue by cue, still a transcript: small talk goes whole (review)', async () => {
    // Review: without a query a .vtt was read as code of no known language and given back whole.
    const said = [
      ['Marcus Lee', 'Yeah.'],
      ['Dana Whitfield', "That's fair."],
      [
        'Priya Raman',
        'So the headline number: churn in the second quarter was four percent, most of it in the small business tier.',
      ],
      ['Priya Raman', 'Sorry, I was on mute.'],
      ['Marcus Lee', "I don't think we should raise prices in July. Let's wait until the single sign-on work ships."],
      ['Priya Raman', 'Mm-hmm.'],
      ['Dana Whitfield', "That's fair."],
      ['Dana Whitfield', 'Okay, decision: we will not raise prices in July. We revisit on September 3rd.'],
      ['Marcus Lee', 'Could you repeat that? You cut out.'],
      ['Marcus Lee', 'I will send the pricing memo to the board by Friday, and Priya owns the customer interviews.'],
      // A meeting's own small talk goes too; an answer for a task stays (review: kept).
      ['Priya Raman', 'Loud and clear.'],
      ['Marcus Lee', 'Will do.'],
      ['Dana Whitfield', 'Sorry, dog barking, one sec. Thanks everyone, bye!'],
    ];
    const time = (k: number) => `00:00:${String(10 + k * 5).padStart(2, '0')}.000`;
    const cue = ([who, line]: string[], k: number) =>
      `${k + 1}\n${time(k)} --> ${time(k).replace(/000$/, '900')}\n<v ${who}>${line}</v>`;
    const vtt = `WEBVTT\n\nNOTE Pricing sync, 11 June 2024\n\n${said.map(cue).join('\n\n')}\n`;
    const r = await compressor.compress(vtt);
    expect(r).toMatchObject({ strategy: 'cues', domain: 'chat', fallback: null });
    const blocks = r.text.trimEnd().split('\n\n');
    expect(blocks.slice(0, 2)).toEqual(['WEBVTT', 'NOTE Pricing sync, 11 June 2024']);
    const kept = blocks.slice(2);
    // The small talk, the call's mechanics and a stock phrase said again are gone, whole.
    expect(kept.map((b) => b.split('\n')[0])).toEqual(['2', '3', '5', '8', '10', '12']);
    for (const b of kept) {
      const [n, timing, line] = b.split('\n');
      // Each kept cue under its own number and timing, its voice tag as written.
      expect(timing).toBe(`${time(Number(n) - 1)} --> ${time(Number(n) - 1).replace(/000$/, '900')}`);
      expect(line).toMatch(new RegExp(`^<v ${(said[Number(n) - 1] as string[])[0]}>.*</v>$`));
    }
    // Facts stay: the numbers, the dates, the decision's negation.
    for (const fact of ['July', 'September 3rd', 'not raise prices', 'Friday', 'four percent'])
      expect(r.text).toContain(fact);
    expect(r.tokensAfter).toBeLessThan(0.6 * r.tokensBefore);
    expect(r.notes[0]).toBe(
      'cues: a subtitle transcript: 7 of 13 cues dropped whole as small talk or repeats (6 kept, each with its number and timing)',
    );
    expect(r.notes).toContain(
      'cues: telegraphic: closed-class words dropped from the kept cues, their timing and voice tags as written',
    );
  });

  it("drops a transcript's stock acknowledgements and closings whole (review)", async () => {
    // Review: "Makes sense." and "Okay, that's everything. Thanks all, see you next week." were
    // kept at 0.5 while the cues that said something were telegraphed.
    const said = [
      ['Hannah Berg', "Let's move logs older than 30 days to Glacier and delete them after 400 days."],
      ['Tomás Ruiz', 'Makes sense.'],
      ['Kofi Mensah', 'The pgbouncer config still points at the old port, 6432; the new cluster listens on 5433.'],
      ['Hannah Berg', "Okay, that's everything. Thanks all, see you next week."],
      ['Kofi Mensah', 'See you on the 23rd for the cutover.'],
    ];
    const cue = ([who, line]: string[], k: number) =>
      `${k + 1}\n00:00:${10 + k * 5}.000 --> 00:00:${14 + k * 5}.000\n<v ${who}>${line}`;
    const vtt = `WEBVTT\n\n${said.map(cue).join('\n\n')}\n`;
    const r = await compressor.compress(vtt, { ratio: 0.5 });
    expect(r.strategy).toBe('cues');
    const kept = r.text
      .trimEnd()
      .split('\n\n')
      .slice(1)
      .map((b) => b.split('\n')[0]);
    // The closing with a date in it says when: it stays.
    expect(kept).toEqual(['1', '3', '5']);
  });

  it('keeps protected spans and user marks', async () => {
    const r = await compressor.compress(`${PROSE} Really, the code word is basically "zebra".`, {
      model: 'none',
      protect: ['basically "zebra"'],
    });
    for (const s of ['Alice Johnson', 'March 3rd, 2025', '10:30 am', '42', 'basically "zebra"'])
      expect(r.text).toContain(s);
  });

  it('keeps a protected span in code: a comment, a docstring or an import holding it stays (review)', async () => {
    // Review: --protect was ignored for comments, docstrings and imports, with no note.
    const program = [
      'import json',
      'import os',
      '',
      'def total(prices):',
      '    """Sum the prices."""',
      '    # double it for the tax',
      '    return sum(prices) * 2',
      '',
      'def _never_called():',
      '    return 1',
      '',
    ].join('\n');
    const protect = ['import json', 'Sum the prices', 'double it'];
    const r = await compressor.compress(program, { domain: 'code', language: 'python', protect });
    for (const span of protect) expect(r.text, span).toContain(span);
    // What is not protected still goes.
    expect(r.text).not.toContain('import os');
    expect(r.text).not.toContain('_never_called');
  });

  it('keeps JSON that does not parse as written, says where it breaks and that a query could not be used (review)', async () => {
    const lines = [
      '{"user":"ana","event":"login","detail":"Logged in from Madrid on Chrome."}',
      '{"user":"ben","event":"support","detail":"Asked about the refund for the Pro plan."}',
      '{"user":"ana","event":"logout","detail":"Logged out from Porto',
    ].join('\n');
    const r = await compressor.compress(lines, { query: 'Where did ana log in from?', ratio: 0.3 });
    expect(r.text).toBe(lines);
    expect(r.notes).toContain(
      'select: the query was not used: the JSON lines do not parse (see the note below), so no record could be chosen',
    );
    expect(r.notes).toContain('not valid JSON lines (line 3 does not parse): left as is');
    const broken =
      '[{"id": 1, "fact": "Lives in Oslo"},\n {"id": 2, "fact": "Has a cat"}\n {"id": 3, "fact": "Likes jazz"}]';
    const b = await compressor.compress(broken, {});
    expect(b.text).toBe(broken);
    expect(b.notes).toContain('not valid JSON (line 3, column 2): left as is');
  });

  it('says a query was not used on YAML that does not parse, naming the line, and why it is over the budget (review)', async () => {
    // Review: line 4 indented too far; the whole document came back over the budget, the query unsaid,
    // and the over-budget note blamed the prose strings.
    const yaml = [
      'account:',
      '  name: Van der Berg Logistics B.V.',
      '  industry: Freight & logistics',
      '   tier: enterprise',
      'contacts:',
      '  - name: Hendrik Visser',
      '    do_not_contact: false',
      '  - name: Willem de Groot',
      '    do_not_contact: true',
    ].join('\n');
    const query = 'Which contact must we NOT email?';
    // Named by its file, as the CLI does: a few lines of YAML read as prose alone.
    const path = 'crm.yaml';
    const r = await compressor.compress(yaml, { query, ratio: 0.2, path });
    expect(r.text).toBe(yaml);
    expect(r.notes).toContain(
      'select: the query was not used: the YAML does not parse (line 4: indented under the value on line 3), so no record could be chosen; kept as written',
    );
    const m = await compressor.compress(yaml, { query, maxTokens: 20, path });
    expect(m.notes.join('\n')).toMatch(
      /over maxTokens 20: the YAML does not parse \(line 4: indented under the value on line 3\): kept as written/,
    );
    // YAML that parses is still selected from, with no such note.
    const fixed = await compressor.compress(yaml.replace('   tier', '  tier'), { query, ratio: 0.5, path });
    expect(fixed.notes.join('\n')).not.toContain('does not parse');
  });

  it("selects a TOML or INI config's keys for a query, cutting whole lines: a kept key with its section and comment (review)", async () => {
    // Review (h3 finding 4): "no parser for toml: left as is", 100 % kept at 0.2 and 0.1, the question unused.
    const toml = [
      '# Settings for the invoice-renderer service',
      'title = "invoice-renderer"',
      '',
      '[server]',
      'host = "0.0.0.0"',
      'port = 9090',
      'read_timeout = "30s"',
      '',
      '[storage]',
      'bucket = "acme-invoices-prod"',
      'region = "eu-west-1"',
      '# Invoices are kept for 10 years (legal requirement in PT and ES)',
      'retention_days = 3650',
      'encryption = "aws:kms"',
      '',
      '[queue]',
      'url = "amqp://mq.internal:5672/invoices"',
      'prefetch = 8',
      'max_attempts = 5',
      '',
      ...['pt-PT:EUR', 'es-ES:EUR', 'en-GB:GBP', 'de-DE:EUR'].flatMap((l) => [
        '[[locales]]',
        `code = "${l.split(':')[0]}"`,
        `currency = "${l.split(':')[1]}"`,
        'date_format = "dd/MM/yyyy"',
        '',
      ]),
    ].join('\n');
    const r = await compressor.compress(toml, {
      query: 'How long are invoices kept?',
      ratio: 0.2,
      path: 'service.toml',
    });
    expect(r.text).toContain('[storage]\n');
    expect(r.text).toContain(
      '# Invoices are kept for 10 years (legal requirement in PT and ES)\nretention_days = 3650\n',
    );
    expect(r.text).not.toContain('[[locales]]');
    expect(parseToml(r.text)).toMatchObject({ storage: { retention_days: 3650 } });
    expect(r.notes.join('\n')).toMatch(/select: kept \d+ of 15 TOML records for the query, as TOML/);
    const gbp = await compressor.compress(toml, { query: 'Which locales use GBP?', ratio: 0.1, path: 'service.toml' });
    expect(gbp.text).toContain('[[locales]]\ncode = "en-GB"\ncurrency = "GBP"');
    // An INI file likewise (`;` comments, `key: value`).
    const ini = [
      '[general]',
      'name = billing-worker',
      '; Card declines are never retried; failed transfers are retried with backoff',
      'retries = 4',
      'log_level = info',
      '',
      '[database]',
      'host = db.internal',
      'port = 5432',
      'user = billing',
      'pool = 20',
      '',
      '[smtp]',
      'host = smtp.internal',
      'port = 587',
      'from = billing@example.com',
      '',
    ].join('\n');
    const i = await compressor.compress(ini, { query: 'Are card declines retried?', ratio: 0.3, path: 'worker.ini' });
    expect(i.text).toContain(
      '[general]\n; Card declines are never retried; failed transfers are retried with backoff\nretries = 4\n',
    );
    expect(i.text).not.toContain('[smtp]');
    // Without a query, as YAML: kept as written but its prose strings (json-strings), no "no parser for toml".
    const none = await compressor.compress(toml, { ratio: 0.5, path: 'service.toml' });
    expect(none.text).toBe(toml);
    expect(none.notes.join('\n')).not.toContain('no parser');
    expect(none.notes.join('\n')).toContain('json-strings: 0 prose string values');
    // TOML that does not parse: said, kept as written.
    const bad = await compressor.compress(`${toml}\nname = unquoted\n`, {
      query: 'How long are invoices kept?',
      ratio: 0.2,
      path: 'service.toml',
    });
    expect(bad.notes.join('\n')).toContain('select: the query was not used: the TOML does not parse (line 41: ');
  });

  it('selects from JSON with a trailing or missing comma, a comment or a cut end when there is a query, and writes valid JSON back (review)', async () => {
    // Before: each was kept whole, 121 tokens for a budget of 36, with "the query was not used".
    const notes = [
      'Ana works at the bakery on Main Street and starts at 5am every weekday',
      'She has a dog called Biscuit who is afraid of thunder',
      'Her sister Marta lives in Porto and visits each December',
      'She is training for a half marathon in April, running 30 km per week',
      'Prefers emails over phone calls, especially before noon',
      'Her car is a blue 2012 Honda Civic that needs new brakes',
    ].map((n) => JSON.stringify(n));
    const shapes = {
      trailing: `{"user": {"name": "Ana", "notes": [\n ${notes.join(',\n ')},\n ]\n}\n}`,
      missing: `{"user": {"name": "Ana", "notes": [\n ${notes.slice(0, 3).join(',\n ')}\n ${notes.slice(3).join(',\n ')}\n]}}`,
      comment: `{"user": {"name": "Ana", // from onboarding\n "notes": [\n ${notes.join(',\n ')}\n]}}`,
      cut: `{"user": {"name": "Ana", "notes": [\n ${notes.join(',\n ')}`,
      // Cut inside its last string (an app's memory cut at so many characters): that note is left out.
      cutString: `{"user": {"name": "Ana", "notes": [\n ${notes.join(',\n ')},\n "Her favourite café is Lum`,
    };
    const FAULTS = {
      trailing: 'a trailing comma',
      missing: 'a missing comma',
      comment: 'a comment \\(dropped\\)',
      cut: 'an unclosed end',
      cutString: 'a last value cut short \\(left out\\), an unclosed end',
    };
    for (const [shape, text] of Object.entries(shapes)) {
      const r = await compressor.compress(text, { query: 'What is the dog called?', ratio: 0.3 });
      expect(r.strategy, shape).toBe('select');
      expect(r.tokensAfter, shape).toBeLessThanOrEqual(Math.ceil(0.3 * r.tokensBefore));
      const parsed = JSON.parse(r.text) as { user: { notes: string[] } };
      expect(parsed.user.notes, shape).toContain('She has a dog called Biscuit who is afraid of thunder');
      // The note names what was read past (review: it listed every kind, whatever the text held).
      expect(r.notes.join('\n'), shape).toMatch(
        new RegExp(
          `select: the JSON does not parse \\(line \\d+, column \\d+\\); read past ${FAULTS[shape as keyof typeof FAULTS]}, the kept records written back as valid JSON`,
        ),
      );
      expect(r.notes.join('\n'), shape).not.toContain('the query was not used');
      expect(r.text, shape).not.toContain('Lum');
    }
    // Cut inside a number, or inside a string with an escaped quote: that value is left out, never shortened.
    const cutNumber = `{"user": {"name": "Ana", "rent_eur": 1450, "notes": [\n ${notes.join(',\n ')}\n], "deposit_eur": 14`;
    const n = await compressor.compress(cutNumber, { query: 'What is the dog called?', ratio: 0.3 });
    expect(n.strategy).toBe('select');
    expect(n.text).not.toMatch(/deposit|:14\b/);
    const cutEscaped = `{"user": {"name": "Ana", "notes": [\n ${notes.join(',\n ')},\n "Her nickname is \\"Bee\\" because she`;
    const e = await compressor.compress(cutEscaped, { query: 'What is the dog called?', ratio: 0.3 });
    expect(e.strategy).toBe('select');
    expect(e.text).not.toContain('Bee');
    // A quote left unescaped, or a CSV's doubled quotes, reads as two values with no comma between
    // them on one line: no missing comma, and the text is kept as written (review: "code is "4471"
    // at the gym" was split in two, the code dropped, and called valid JSON).
    for (const inner of ['Her locker code is "4471" at the gym', 'Her dog is called ""Biscuit"" at home']) {
      const text = `{"user": "Ana", "memories": [\n ${notes.join(',\n ')},\n "${inner}"\n]}`;
      const r = await compressor.compress(text, {
        query: 'What is the locker code? What is the dog called?',
        ratio: 0.3,
      });
      expect(r.text, inner).toBe(text);
      expect(r.notes.join('\n'), inner).toContain('select: the query was not used');
    }
    // A string broken at a line end in the middle is no cut end: the text goes on past it.
    const brokenInside = `{"user": {"notes": [${notes.slice(0, 3).join(', ')}, "Prefers\nemails", ${notes.slice(3).join(', ')}]}}`;
    const inside = await compressor.compress(brokenInside, { query: 'What is the dog called?', ratio: 0.3 });
    expect(inside.text).toBe(brokenInside);
    // Faults that leave no value whole where it was written are not read past: kept as written, said.
    const single = `{"user": {"notes": [${notes.join(', ')}], "score": NaN}}`;
    const s = await compressor.compress(single, { query: 'What is the dog called?', ratio: 0.3 });
    expect(s.text).toBe(single);
    expect(s.notes.join('\n')).toContain('select: the query was not used');
    // Without a query nothing is selected, and the text is left as written.
    const plain = await compressor.compress(shapes.trailing, {});
    expect(plain.text).toBe(shapes.trailing);
  });

  it('answers a repeat from the cache in under a millisecond', async () => {
    const text = `${PROSE} ${'More words that are really quite filler. '.repeat(200)}`;
    const first = await compressor.compress(text, { model: 'none' });
    expect(first.cached).toBe(false);
    const again = await compressor.compress(text, { model: 'none' });
    expect(again.cached).toBe(true);
    expect(again.text).toBe(first.text);
    // The median of many repeats: one call can meet a GC pause on a loaded machine.
    const times: number[] = [];
    for (let i = 0; i < 21; i++) times.push((await compressor.compress(text, { model: 'none' })).totalMs);
    expect(times.sort((a, b) => a - b)[10]).toBeLessThan(1);
    // Other settings, another entry.
    expect((await compressor.compress(text, { model: 'none', domain: 'chat' })).cached).toBe(false);
  });

  it('batches and refuses bad input', async () => {
    const rs = await compressor.compressMany([PROSE, CODE], { model: 'none' });
    expect(rs.map((r) => r.domain)).toEqual(['nl', 'code']);
    await expect(compressor.compress(PROSE, { ratio: 0 })).rejects.toThrow(/ratio/);
    await expect(compressor.compress(PROSE, { model: 'gpt-9' })).rejects.toThrow(/unknown model/);
    await expect(compressor.compressMany([])).rejects.toThrow(/texts/);
  });

  it('gives an empty text back as it came, and one empty text does not fail a batch (review)', async () => {
    // An app sends a new user's memory as it is: empty. Refused, it failed the whole batch.
    const blank = await compressor.compress('  \n', { model: 'none' });
    expect(blank).toMatchObject({ text: '  \n', strategy: 'none', fallback: null });
    expect(blank.tokensAfter).toBe(blank.tokensBefore);
    expect(blank.notes.join(' ')).toMatch(/only white space/);
    const rs = await compressor.compressMany([PROSE, ''], { model: 'none', query: 'What changed?' });
    expect(rs[0]?.text.length).toBeGreaterThan(0);
    expect(rs[1]).toMatchObject({ text: '', tokensBefore: 0, tokensAfter: 0, strategy: 'none' });
    expect(rs[1]?.notes.join(' ')).toMatch(/empty: nothing to compress/);
  });

  it('refuses binary data, naming where it is, rather than mangling it into U+FFFD', async () => {
    // Found by piping /bin/ls to `studio compress`: the pruner ran and printed replacement characters.
    const elf = `\u007fELF\u0002\u0001\u0001\u0000\u0000${'\ufffd\u0003>'.repeat(40)}`;
    await expect(compressor.compress(elf)).rejects.toThrow(/binary data, not text \(a NUL character at offset 7\)/);
    const lossy = `PK\u0003\u0004${'\ufffd\ufffd\u0014x'.repeat(30)}`;
    await expect(compressor.compress(lossy)).rejects.toThrow(/binary data, not text \(\d+ of its first 124 characters/);
    await expect(compressor.compressMany([PROSE, `a\u0000b ${PROSE}`])).rejects.toThrow(/texts\.1.*NUL/);
    // Text with a few control characters (a form feed, an escape colour code) is still text.
    const r = await compressor.compress(`${PROSE}\f\u001b[1mBold\u001b[0m`, { model: 'none' });
    expect(r.text.length).toBeGreaterThan(0);
  });
});

describe('the pruner stage (SmolLM2)', () => {
  it('says when it kept more than the ratio asked, and why (review: 58 % kept at 0.33, nothing said)', async () => {
    const c = smolLM2Compressor();
    try {
      // An email of identifiers, amounts, dates and negations: what stays whatever is most of it.
      // Its lines indented and apart, as pasted from a mail client: the rules take that whitespace
      // first, and the note's share is of the original all the same, as the headline's (it was of
      // what reached the pruner: "kept 76 %" under a headline of 71 %).
      const email = [
        'Ticket TCK-55120, order #SF-204-77812, invoice INV-2024-0913 for €3,480.50, shipped May 28.',
        'Tracking https://track.shipfast.io/t/9XK2-77PQ shows it NOT received; do not reship to Hauptstrasse 12.',
        'Deliver to Lindenweg 4, 10115 Berlin by Friday June 7, or refund €3,480.50 to IBAN DE44 5001 0517 5407 3249 31.',
      ]
        .map((line) => `        ${line}        `)
        .join('\n\n\n\n');
      const r = await c.compress(email, { ratio: 0.33, domain: 'nl' });
      expect(r.tokensAfter / r.tokensBefore).toBeGreaterThan(0.4);
      const pct = (x: number) => `${Math.round(x * 100)} %`;
      const rules = r.timings.find((t) => t.stage === 'rules');
      expect(rules?.tokensOut ?? 0).toBeLessThan(rules?.tokensIn ?? 0);
      const share = r.tokensAfter / r.tokensBefore;
      expect(r.notes).toContain(
        `pruner: kept ${pct(share)} of the tokens (asked 33 %): the words it never cuts out of a line it keeps (capitalised names, numbers, dates, identifiers, negations, allergies, speaker labels) are more than that; with a question (--query, or query in a request), the lines it needs are chosen, at any ratio`,
      );
      // Met, nothing is said.
      const prose =
        'Well, so basically the thing is that we were all kind of hoping that the weather would be really nice and sunny for the picnic in the park, but honestly it just kept on raining the whole afternoon and everyone went home early feeling a bit sad about it.';
      const met = await c.compress(prose, { ratio: 0.5, domain: 'nl' });
      expect(met.notes.some((n) => n.includes('of the tokens (asked'))).toBe(false);
    } finally {
      await c.dispose();
    }
  }, 120_000);
});

describe('fallback rules', () => {
  const base = { maxRatio: 1, kinds: ['number', 'name', 'date', 'user'] as const, domain: 'nl' as const };
  it('names each reason', () => {
    const input = 'Alice met Bob on 3 May 2024 at 10:30 in room 42.';
    const c = (output: string, extra: { cutOff?: boolean; protect?: string[] } = {}) =>
      checkOutput({ ...base, input, output, inputTokens: 20, outputTokens: output.length / 4, ...extra })?.reason ??
      null;
    expect(c('')).toBe('empty');
    expect(c('x'.repeat(100))).toBe('longer');
    expect(c('Alice, Bob: 3 May 2024 10:30, room 42', { cutOff: true })).toBe('truncated');
    expect(c('Alice met Bob in room 42.')).toBe('dropped-protected');
    expect(c('Alice, Bob: 3 May 2024 10:30, room 42')).toBeNull();
    expect(c('Alice, Bob: 3 May 2024 10:30, room 42', { protect: ['met'] })).toBe('dropped-protected');
    expect(droppedSpans(input, 'Alice met Bob in room 42.', base.kinds)).toEqual(['3 May 2024']);
  });

  it('refuses an output that says the opposite: a negation dropped, the words it negated kept', () => {
    // Found by review: `negation` was a kind the config accepted that the check never looked at, so a
    // model stage's "shops take cards" for "shops do not take cards" passed.
    const input = 'Many small shops do not take cards, so Dana carries cash.';
    const check = (output: string, kinds: ProtectKind[] = ['name', 'negation']) =>
      checkOutput({ ...base, kinds, input, output, inputTokens: 14, outputTokens: 8 });
    expect(check('small shops take cards, Dana carries cash')).toMatchObject({
      reason: 'dropped-protected',
      detail: '1 protected span(s) missing: "not take cards"',
    });
    expect(check("shops don't take cards; Dana carries cash")).toBeNull();
    expect(check('Dana carries cash')).toBeNull();
    expect(check('small shops take cards, Dana carries cash', ['name'])).toBeNull();
    // The shipped config checks it.
    expect(loadInferenceConfig().fallback.protect).toContain('negation');
  });

  it('quotes a missing span by whole words, a bracket it opens closed (review 3: "no piano (Mrs")', () => {
    const input = '- Wednesday 26 November: no piano (Mrs Lindqvist away); lesson moved to Friday.';
    expect(quotable(input, 'no piano (Mrs')).toBe('no piano (Mrs Lindqvist away)');
    expect(quotable(input, 'iano')).toBe('piano');
    // A bracket not closed on its line: the quote stops before it.
    expect(quotable('Call Ana (she is away\nuntil Monday).', 'Ana (she')).toBe('Ana');
    expect(
      checkOutput({
        ...base,
        kinds: ['negation'],
        input,
        output: 'Wednesday 26 November: piano Mrs Lindqvist away; lesson Friday.',
        inputTokens: 20,
        outputTokens: 12,
      })?.detail,
    ).not.toContain('(Mrs"');
  });

  it("does not count a protected span an extractive stage released (a whole turn), except a user's mark", () => {
    const input = 'Ana: We met Bob in Porto on 3 May.\nBo: Say hi to Priya on 4 June!\nAna: Room 42 is booked.';
    const turn2 = { start: input.indexOf('Bo:'), end: input.indexOf('\nAna: Room') };
    const out = 'Ana: met Bob Porto 3 May.\nAna: Room 42 booked.';
    const check = (released: { start: number; end: number }[], protect: string[] = []) =>
      checkOutput({
        ...base,
        input,
        output: out,
        inputTokens: 30,
        outputTokens: 12,
        protect,
        domain: 'chat',
        released,
      });
    // Bo's turn went whole, "Priya" and "4 June" with it: not lost. Without the range they are.
    expect(check([])?.reason).toBe('dropped-protected');
    expect(check([turn2])).toBeNull();
    // A released range excuses only what is inside it: "42" dropped from a kept turn is lost.
    expect(
      droppedSpans(input, 'Ana: met Bob Porto 3 May.\nAna: Room booked.', base.kinds, [], 'chat', [turn2]),
    ).toEqual(['42']);
    // A user's mark must stay even in a released turn.
    expect(check([turn2], ['Say hi'])?.detail).toContain('Say hi');
  });

  it('refuses a config with an unknown stage', () => {
    expect(() =>
      parseInferenceConfig({ pipelines: { nl: ['rules', 'gpt'], chat: ['rules'], code: ['rules'], mixed: ['rules'] } }),
    ).toThrow(ConfigError);
  });
});

describe('pieces', () => {
  it('counts o200k tokens exactly, with a memo per piece', async () => {
    const count = await o200kCounter();
    const enc = await getEncoder('o200k');
    for (const t of [
      PROSE,
      CODE,
      '  a   b \n\n\n x.\n\n y <|endoftext|> 😀👍🏽 中文字符 ',
      'tab\t\tx  \r\n\r\n  end   ',
      '',
    ])
      expect(count(t)).toBe(enc.encode(t, [], []).length);
  });

  it('LRU evicts the least recently used', async () => {
    const lru = new LruCache<number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    lru.get('a');
    lru.set('c', 3);
    expect([lru.get('a'), lru.get('b'), lru.get('c')]).toEqual([1, undefined, 3]);
    const bounded = new LruCache<string>(10, 10, (v) => v.length);
    bounded.set('a', 'xxxx');
    bounded.set('b', 'yyyy');
    bounded.set('c', 'zzzz');
    expect([bounded.get('a'), bounded.get('b'), bounded.size]).toEqual([undefined, 'yyyy', 2]);
    bounded.set('huge', 'x'.repeat(11));
    expect(bounded.get('huge')).toBeUndefined();
    let calls = 0;
    const slow = () => new Promise<number>((r) => setTimeout(() => r(++calls), 10));
    const [x, y] = await Promise.all([lru.getOrCompute('k', slow), lru.getOrCompute('k', slow)]);
    expect([x, y, calls]).toEqual([1, 1, 1]);
  });

  it('finds marked blocks and named messages in each wire format', () => {
    const body = {
      system: [{ type: 'text', text: 'sys <memory>a b</memory>' }],
      messages: [
        { role: 'user', content: 'Q <context>\n c d \n</context> and <memory>e</memory>' },
        { role: 'assistant', content: [{ type: 'text', text: '  whole  ' }] },
      ],
    };
    const segs = findSegments(textSlots('anthropic', body), parseMessageHeader('1'));
    expect(segs.map((s) => s.text)).toEqual(['a b', 'c d', 'e', 'whole']);
    applySegments(
      segs,
      segs.map((s) => s.text.toUpperCase()),
    );
    expect(body.system[0]?.text).toBe('sys <memory>A B</memory>');
    expect(body.messages[0]?.content).toBe('Q <context>\n C D \n</context> and <memory>E</memory>');
    expect(body.messages[1]?.content).toEqual([{ type: 'text', text: '  WHOLE  ' }]);
    const gem = { systemInstruction: { parts: [{ text: 's' }] }, contents: [{ role: 'user', parts: [{ text: 'x' }] }] };
    expect(findSegments(textSlots('gemini', gem), parseMessageHeader('system,0')).map((s) => s.text)).toEqual([
      's',
      'x',
    ]);
    expect(() => parseMessageHeader('1,two')).toThrow(/two/);
  });
});

describe('a JSON document without a query', () => {
  // Seen with `studio compress` on an app's memory kept as a JSON list of sentences: read as prose,
  // the pruner left its quotes and brackets unclosed; read as JSON, it was only minified (9 % fewer
  // at any ratio). Now each long string is compressed on its own and put back: the same JSON.
  const memory = JSON.stringify(
    {
      user: { name: 'Dana Okafor', id: 4411, city: 'Lisbon' },
      memories: [
        {
          date: '2025-03-01',
          text: 'Basically, I just wanted to let you know that Dana booked the flights to Lisbon for the half marathon on 12 October.',
        },
        {
          date: '2025-03-05',
          text: 'It is really quite important to note that Dana does not drink coffee after 2 pm, because it keeps her awake.',
        },
      ],
      tags: ['running', 'travel'],
    },
    null,
    2,
  );
  const shape = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(shape)
      : v && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)]))
        : typeof v;

  it('compresses its long strings one by one, in place: keys, numbers and short strings as written', async () => {
    const r = await compressor.compress(memory, { model: 'none' });
    expect(r).toMatchObject({ domain: 'code', language: 'json', strategy: 'rules+json-strings' });
    const out = JSON.parse(r.text) as { user: unknown; memories: { date: string; text: string }[]; tags: string[] };
    const original = JSON.parse(memory) as typeof out;
    expect(shape(out)).toEqual(shape(original));
    expect(out.user).toEqual(original.user);
    expect(out.tags).toEqual(original.tags);
    expect(out.memories.map((m) => m.date)).toEqual(['2025-03-01', '2025-03-05']);
    // The rules took the filler out of each memory; what it says stayed.
    expect(out.memories[0]?.text).not.toMatch(/Basically/);
    expect(out.memories[1]?.text).not.toMatch(/really quite/);
    expect(out.memories[0]?.text).toContain('Dana booked the flights to Lisbon for the half marathon on 12 October');
    expect(out.memories[1]?.text).toContain('does not drink coffee after 2 pm');
    expect(r.notes).toContain(
      'json-strings: 2 prose string values (8 words or more) compressed (rules, ratio 0.5); 2 shortened; 6 other strings, keys and numbers as written',
    );
    expect(r.tokensAfter).toBeLessThan(r.tokensBefore);
  });

  it('writes back numbers and escapes as they were: only the compressed strings change', async () => {
    const doc =
      '{"id": 12345678901234567890, "price": 1.50, "big": 2e3, "note": "caf\\u00e9", "text": "Basically, I just wanted to say that Dana paid 1.50 euros for the coffee at the club."}';
    const r = await compressor.compress(doc, { model: 'none' });
    expect(r.text).toMatch(/^\{"id":12345678901234567890,"price":1\.50,"big":2e3,"note":"caf\\u00e9","text":"/);
    expect(r.text).not.toContain('Basically');
  });

  it('reads a list of dated memories as the same facts in a dated text list are read: as a log (review 4)', async () => {
    // mem0 lists the newest first; each memory has its dates. Read undated, a mem0 export at 0.5 lost
    // its updates ("Moved with Femi to a house in Milwaukie") and kept what they replace, where the
    // same facts as a dated text list ("- 2025-01-19: Moved ...", a log) kept the updates.
    const memories = [
      ['2025-11-16', 'The Japan honeymoon is booked: Tokyo and then Kanazawa, 8-21 February 2026'],
      ['2025-10-20', 'Promoted to senior clinical nurse educator at OHSU, salary 131,000 USD'],
      ['2025-10-06', 'Finished the Portland Marathon on 5 October 2025 in a time of 3:57:12'],
      ['2025-08-24', 'The honeymoon is postponed to February 2026, and they are planning Japan'],
      ['2025-01-19', 'Moved with Femi to a house in Milwaukie, Oregon on 15 January 2025'],
      ['2024-11-03', 'Flying to Accra on 9 December 2024 via Amsterdam (KLM), returning 22 December'],
      ['2024-09-30', 'Got the clinical nurse educator job at OHSU, starting 28 October 2024'],
      ['2024-07-08', 'Physio advised no runs longer than 10 miles for 4 weeks'],
      ['2024-05-19', 'Bought a used 2019 Subaru Outback from a dealer for 21,500 USD'],
      ['2024-03-20', 'Is training for the Portland Marathon on 6 October 2024, goal under 4 hours 30 minutes'],
      ['2024-02-03', 'Lives in Portland, Oregon, in the Sellwood neighbourhood, in a rented flat'],
    ].map(([date, memory], k) => ({
      id: `m-${k}`,
      memory,
      metadata: { categories: ['personal'] },
      created_at: `${date}T09:13:02-08:00`,
      updated_at: `${date}T09:13:02-08:00`,
    }));
    const c = smolLM2Compressor();
    try {
      const r = await c.compress(JSON.stringify({ results: memories }, null, 2), { ratio: 0.33 });
      const kept = (JSON.parse(r.text) as { results: { id: string; memory: string; created_at: string }[] }).results;
      expect(kept.length).toBeLessThan(memories.length);
      // Written back in the items' own order (newest first), each with its own dates.
      const ids = kept.map((m) => Number(m.id.slice(2)));
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      for (const m of kept) expect(m.created_at).toBe(memories[Number(m.id.slice(2))]?.created_at);
      // The same facts as a dated list, oldest first: the same facts kept.
      const log = [...memories]
        .reverse()
        .map((m) => `- ${m.created_at.slice(0, 10)}: ${m.memory}`)
        .join('\n');
      const t = await c.compress(log, { ratio: 0.33, domain: 'nl' });
      const inLog = memories.filter((m) => t.text.includes(m.created_at.slice(0, 10))).map((m) => m.id);
      expect(kept.map((m) => m.id)).toEqual(inLog);
    } finally {
      await c.dispose();
    }
  }, 120_000);

  it('reads an array holding one fact an item as a list of facts: whole items go, the rest thinned, in place', async () => {
    // Thinned one by one, each memory lost its key word ("Dana not drink after 2 pm keeps": no
    // coffee); read as a list, as the pruner reads an app's memory, whole facts go first.
    const list = JSON.stringify(
      {
        memories: [
          { date: '2025-03-01', text: 'Dana booked the flights to Lisbon for the half marathon on 12 October.' },
          { date: '2025-03-02', text: "Dana's new running shoes are the blue Pegasus ones she bought last week." },
          { date: '2025-03-05', text: 'Dana does not drink coffee after 2 pm because it keeps her awake at night.' },
          { date: '2025-03-09', text: "Dana's sister Ife is visiting from Lagos in April and staying two weeks." },
          { date: '2025-03-12', text: 'Dana prefers window seats and always travels with a carry-on bag only.' },
          // A short fact among the sentences: the list is still one (seen in the JSON bench, where
          // such lists went fact by fact).
          { date: '2025-03-14', text: 'Dana has two cats.' },
        ],
      },
      null,
      2,
    );
    const c = smolLM2Compressor();
    try {
      const r = await c.compress(list, { ratio: 0.5 });
      const out = JSON.parse(r.text) as { memories: { date: string; text: string }[] };
      const original = (JSON.parse(list) as typeof out).memories;
      expect(out.memories.length).toBeLessThan(original.length);
      expect(out.memories.length).toBeGreaterThan(0);
      // Each item kept is its original with words left out, in order, its date with it.
      const words = (t: string) => t.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
      let from = 0;
      for (const m of out.memories) {
        const k = original.findIndex((o, i) => i >= from && o.date === m.date);
        expect(k, m.date).toBeGreaterThanOrEqual(from);
        const kept = words(m.text);
        let at = 0;
        for (const w of words(original[k]?.text ?? '')) if (w === kept[at]) at++;
        expect(at, m.text).toBe(kept.length);
        from = k + 1;
      }
      expect(r.notes.find((n) => n.startsWith('json-strings:'))).toMatch(
        /1 array of one fact an item read as a list \(\d items? dropped whole\)/,
      );
      expect(r.tokensAfter).toBeLessThan(0.65 * r.tokensBefore);
      // mem0's shape, a memory with its nested metadata beside its text, is a list all the same
      // (review: such memories were thinned one by one, "allergic to penicillin" read "allergic").
      const mem0 = JSON.stringify(
        original.map((o, k) => ({ id: `m-${k}`, memory: o.text, created_at: o.date, metadata: { category: 'life' } })),
      );
      const m = await c.compress(mem0, { ratio: 0.5 });
      expect(m.notes.find((n) => n.startsWith('json-strings:'))).toMatch(
        /1 array of one fact an item read as a list \(\d items? dropped whole\)/,
      );
      const kept = JSON.parse(m.text) as { id: string; memory: string; metadata: { category: string } }[];
      expect(kept.length).toBeLessThan(original.length);
      for (const item of kept) expect(item.metadata).toEqual({ category: 'life' });
    } finally {
      await c.dispose();
    }
  }, 120_000);

  it('says plainly when a document of ids and short values stays far above the ratio (review 3)', async () => {
    // A tool log at 94 % for 0.5 said only how many strings were compressed.
    const log = JSON.stringify({
      id: 'call_8812',
      tool: 'calendar.create',
      args: { date: '2025-12-09', time: '16:30', room: 'B-204', attendees: ['priya', 'luis', 'meera'] },
      status: 'ok',
      message: 'Basically, the event was created and all three attendees were invited by email.',
    });
    const r = await compressor.compress(log, { ratio: 0.5, model: 'none' });
    const pct = Math.round((100 * r.tokensAfter) / r.tokensBefore);
    expect(pct).toBeGreaterThan(55);
    expect(r.notes).toContain(
      `json-strings: kept ${pct} % of the tokens (asked 50 %): only 1 of 10 string values is prose that may be compressed; keys, numbers and the other strings are kept as written`,
    );
  });

  it('measures the share kept against the original, not against what the rules left', async () => {
    // A pretty-printed JSON loses its indentation to the rules first: the note said "kept 100 %" of
    // what reached it while the headline said 12 % fewer (the issue's "honest reports" item).
    const records = Array.from({ length: 6 }, (_, k) => ({
      id: `rec_${k}`,
      status: k % 2 ? 'open' : 'closed',
      owner: ['priya', 'luis', 'meera'][k % 3],
      due: `2025-12-0${k + 1}`,
    }));
    const pretty = JSON.stringify(
      { records, summary: 'Basically, all of these records were checked by hand on Monday.' },
      null,
      8,
    );
    const r = await compressor.compress(pretty, { ratio: 0.5, model: 'none' });
    const pct = Math.round((100 * r.tokensAfter) / r.tokensBefore);
    expect(pct).toBeLessThan(95);
    const note = r.notes.find((n) => n.includes('of the tokens (asked 50 %)'));
    expect(note).toContain(`kept ${pct} % of the tokens (asked 50 %)`);
  });

  it("keeps a request's system prompt beside its messages as written (review 3)", async () => {
    const system =
      'Basically, you are Kai, the assistant of Priya Raman. Never share her calendar with anyone outside the family.';
    const request = JSON.stringify({
      model: 'claude',
      system,
      messages: [
        { role: 'user', content: 'Basically, I just wanted to say that my sister Meera visits on 14 June this year.' },
        { role: 'assistant', content: 'Noted, I will remind you about the visit of your sister Meera on 14 June.' },
      ],
    });
    const r = await compressor.compress(request, { model: 'none' });
    const out = JSON.parse(r.text) as { system: string; messages: { role: string; content: string }[] };
    expect(out.system).toBe(system);
    expect(out.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(out.messages[0]?.content).not.toMatch(/Basically/);
  });

  it('prints the ratio a maxTokens comes to rounded (review 3: "ratio 0.32679738562091504")', async () => {
    const doc = JSON.stringify({ user: 'Dana', notes: PROSE });
    const r = await compressor.compress(doc, { maxTokens: 17 });
    const note = r.notes.find((n) => n.startsWith('json-strings: 1 prose')) ?? '';
    expect(note).toMatch(/, ratio 0\.\d{1,2}\)/);
  });

  it("leaves a session's name alone: eight words, but no prose", async () => {
    // Seen in the JSON bench: "Session 1 (1:56 pm on 8 May, 2023)" was thinned to "1 (1:56 pm 8 May, 2023)".
    const doc = JSON.stringify({
      session: 'Session 1 (1:56 pm on 8 May, 2023)',
      facts: [
        'Basically, Dana booked the flights to Lisbon for the half marathon in October.',
        'Dana has two cats.',
        'Dana does not drink coffee after 2 pm because it keeps her awake at night.',
      ],
    });
    const r = await compressor.compress(doc, { model: 'none' });
    const out = JSON.parse(r.text) as { session: string; facts: string[] };
    expect(out.session).toBe('Session 1 (1:56 pm on 8 May, 2023)');
    expect(out.facts).toHaveLength(3);
    expect(out.facts[0]).not.toMatch(/Basically/);
  });

  it('compresses a list fact by fact when a stage rewrote its words (no line to place)', async () => {
    const list =
      '["Dana stays home on Mondays due to the fact that the gym is closed then.", "Dana runs every Tuesday evening with her friend Sam by the river.", "Dana is vegetarian since 2019 and never eats fish or any meat."]';
    const r = await compressor.compress(list, { model: 'none' });
    const out = JSON.parse(r.text) as string[];
    expect(out).toHaveLength(3);
    expect(out[0]).toBe('Dana stays home on Mondays because the gym is closed then.');
    expect(r.notes.find((n) => n.startsWith('json-strings:'))).not.toContain('list');
  });

  it('keeps empty lists and objects, survives deep nesting and a byte-order mark (review)', async () => {
    const doc =
      '{"tags":[],"meta":{},"note":"Basically, I just wanted to say that Dana paid 1.50 euros for the coffee at the club."}';
    const r = await compressor.compress(doc, { model: 'none' });
    expect(r.text.startsWith('{"tags":[],"meta":{},"note":"')).toBe(true);
    expect(r.text).not.toContain('Basically');
    // Nested 3000 deep: not read by the stage (it would recurse as deep), left as it is and said so.
    const deep = `${'['.repeat(3000)}"Basically, I just wanted to say that Dana paid for the coffee."${']'.repeat(3000)}`;
    const d = await compressor.compress(deep, { model: 'none' });
    expect(d.text).toBe(deep);
    expect(d.notes.some((n) => n.includes('nested over 256 deep'))).toBe(true);
    const bom = `\uFEFF${doc}`;
    const b = await compressor.compress(bom, { model: 'none' });
    expect(b.text).not.toContain('Basically');
  });

  it('is minified only when json.strings is off, and a string left unshortened stays as written', async () => {
    const c = createCompressor(
      parseInferenceConfig({
        pipelines: { nl: ['rules'], chat: ['rules'], code: ['rules', 'code-path'], mixed: ['rules'] },
        json: { strings: false },
      }),
    );
    try {
      const r = await c.compress(memory, { ratio: 0.5 });
      expect(r.strategy).toBe('rules');
      expect(JSON.parse(r.text)).toEqual(JSON.parse(memory));
      expect(r.notes).toContain(
        'code-path: the ratio is not applied to JSON with json.strings off (asked 50 %): minified only',
      );
    } finally {
      await c.dispose();
    }
    const plain = '["Dana booked the flights to Lisbon for the half marathon.", "Dana runs every Tuesday with Sam."]';
    const r = await compressor.compress(plain, { model: 'none' });
    expect(JSON.parse(r.text)).toEqual(JSON.parse(plain));
  });

  it("says which stage's output a string did not use, and why (review: it said 'see the fallback rules')", async () => {
    const c = createCompressor(
      parseInferenceConfig({
        models: { broken: { kind: 'generate', path: notGguf } },
        pipelines: { nl: ['rules', 'broken'], chat: ['rules'], code: ['rules', 'code-path'], mixed: ['rules'] },
      }),
    );
    try {
      const doc = JSON.stringify({
        notes: [
          'Dana moved to Lisbon in March and started a new job at the harbour museum there.',
          'Tim plays the cello in a community orchestra that rehearses every Thursday evening.',
        ],
      });
      const r = await c.compress(doc, { ratio: 0.5 });
      const note = r.notes.find((n) => n.startsWith('json-strings: broken'));
      expect(note).toMatch(
        /^json-strings: broken's output not used on 2 texts \(error: .+\); those texts keep what the stage before it left$/,
      );
      expect(r.notes.join('\n')).not.toContain('see the fallback rules');
      expect(JSON.parse(r.text)).toEqual(JSON.parse(doc));
    } finally {
      await c.dispose();
    }
  });

  it('runs the model stage on each string (SmolLM2), and the JSON stays JSON', async () => {
    const c = smolLM2Compressor();
    try {
      const r = await c.compress(memory, { ratio: 0.5 });
      expect(r.strategy).toBe('rules+json-strings');
      expect(r.model).toMatch(/SmolLM2/);
      const out = JSON.parse(r.text) as { memories: { text: string }[] };
      expect(shape(out)).toEqual(shape(JSON.parse(memory)));
      // Protected spans stay: names, numbers, dates, the negation.
      expect(out.memories[0]?.text).toMatch(/Dana.*Lisbon.*12 October/);
      expect(out.memories[1]?.text).toMatch(/not.*2 pm/);
      expect(
        r.notes.some((n) => n.startsWith('json-strings: 2 prose string values') && n.includes('rules+pruner')),
      ).toBe(true);
      expect(r.tokensAfter).toBeLessThan(0.8 * r.tokensBefore);
    } finally {
      await c.dispose();
    }
  }, 120_000);

  it("reads a chat API's messages as a conversation: the system message kept, the JSON the same messages (review 3)", async () => {
    // A messages array had been read as "an array of one fact an item": its system message, the
    // standing instructions, went whole as the fact that said least.
    const messages = [
      {
        role: 'system',
        content:
          'You are Kai, the assistant of Priya Raman. Keep answers short. Never share her calendar with anyone outside the family.',
      },
      { role: 'user', content: 'Hi Kai! Just so you know, I work at Lumen Labs in Leeds and my manager is Hannah.' },
      { role: 'assistant', content: 'Hello Priya, nice to meet you. I have noted Lumen Labs, Leeds, and Hannah.' },
      { role: 'user', content: 'Oh, and the weather here has been lovely all week, we went for a walk by the canal.' },
      { role: 'assistant', content: 'That sounds lovely, I hope the sunshine lasts for the weekend too.' },
      { role: 'user', content: 'My sister Meera visits on 14 June, please remind me to book a table for two.' },
      { role: 'assistant', content: 'Sure, I will remind you about the table for you and Meera before 14 June.' },
      { role: 'user', content: 'I switched teams last week, so from now on my manager is Luis, not Hannah.' },
      { role: 'assistant', content: 'Got it, your manager is now Luis.' },
    ];
    const c = createCompressor(
      parseInferenceConfig({
        models: { pruner: { kind: 'prune', path: ensureSmolLM2(), threads: 1, contextSize: 512 } },
        pipelines: {
          nl: ['rules', 'pruner'],
          chat: ['rules', 'pruner'],
          code: ['rules', 'code-path'],
          mixed: ['rules'],
        },
      }),
    );
    try {
      const r = await c.compress(JSON.stringify(messages, null, 2), { ratio: 0.33 });
      const out = JSON.parse(r.text) as { role: string; content: string }[];
      expect(out[0]).toEqual(messages[0]);
      expect(out.length).toBeLessThan(messages.length);
      // Each message kept is one of the input's, in order, its role as written, its words in order.
      const words = (t: string) => t.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
      let from = 0;
      for (const m of out) {
        expect(Object.keys(m)).toEqual(['role', 'content']);
        const k = messages.findIndex((o, i) => {
          if (i < from || o.role !== m.role) return false;
          const kept = words(m.content);
          let at = 0;
          for (const w of words(o.content)) if (w === kept[at]) at++;
          return at === kept.length;
        });
        expect(k, m.content).toBeGreaterThanOrEqual(from);
        from = k + 1;
      }
      // The stale manager never stays without its correction.
      if (out.some((m) => m.content.includes('Hannah') && !m.content.includes('Luis')))
        expect(out.some((m) => m.content.includes('Luis'))).toBe(true);
      const note = r.notes.find((n) => n.startsWith('json-strings:')) ?? '';
      expect(note).toMatch(
        /an array of 9 chat messages read as a conversation, compressed \(rules\+pruner, ratio 0\.33\): 1 system message kept as written, messages? \d+ \((user|assistant)\)/,
      );
      expect(note).not.toContain('one fact an item');
    } finally {
      await c.dispose();
    }
  }, 120_000);
});

/** Each element's tags in order: a closer always closes the last opener still open. */
function balanced(text: string): boolean {
  const open: string[] = [];
  for (const tag of text.match(/<\/?[a-z][^<>]*>/g) ?? []) {
    const name = /^<\/?(\w+)/.exec(tag)?.[1] as string;
    if (!tag.startsWith('</')) open.push(name);
    else if (open.pop() !== name) return false;
  }
  return open.length === 0;
}

const TRIP = [
  '<article>',
  '<h2>Trip notes</h2>',
  '<p>Please note that we landed in Lisbon on a rainy Tuesday. The hotel lost our booking, so we stayed with Ana for two nights. Ana has a <b>grey cat</b> called Miso.</p>',
  '<p>On Friday we took the train to Porto. The ticket cost 31 euros each and the ride took three hours.</p>',
  '</article>',
].join('\n');

describe('prose inside markup', () => {
  it('selects sentences for a query under their heading, cutting no element in half', async () => {
    // Seen with `studio compress --query` on an HTML note: read as code (html), nothing was
    // selected; read as prose, "Ana has a grey cat called Miso.</p>" kept the paragraph's closer
    // without its opener, and the <h2> heading went.
    const r = await compressor.compress(TRIP, { query: "What is the name of Ana's cat?", ratio: 0.3 });
    expect(r.strategy).toBe('select');
    expect(r.domain).toBe('nl');
    expect(r.text).toMatch(/^<article>\n<h2>Trip notes<\/h2>\n.*Ana.*<b>grey cat<\/b>.*Miso/s);
    expect(r.text).toMatch(/<\/article>$/);
    expect(balanced(r.text)).toBe(true);
    expect(r.text).not.toContain('Porto');
  });

  it("takes a sentence's opener off after a tag, as after a full stop", async () => {
    const r = await compressor.compress(TRIP, { model: 'none' });
    expect(r.text).toContain('<p>We landed in Lisbon');
    expect(balanced(r.text)).toBe(true);
  });

  it('refuses a model output that lost a tag (kind markup), and lets the pruner drop an element whole', () => {
    const input = '<p>Dana booked <b>Lisbon</b> for the trip.</p><p>Thanks so much!</p>';
    const kinds: ProtectKind[] = ['markup'];
    const lost = droppedSpans(input, 'Dana booked Lisbon for the trip.', kinds);
    expect(lost).toContain('<b>Lisbon</b>');
    expect(lost.some((x) => x.startsWith('<p>'))).toBe(true);
    const released = [{ start: input.indexOf('<p>Thanks'), end: input.length }];
    expect(droppedSpans(input, '<p>Dana booked <b>Lisbon</b> trip.</p>', kinds, [], undefined, released)).toEqual([]);
  });
});

const CONTACTS = [
  'name,city,allergy,last_contact,notes',
  'Dana,Tokyo,dairy,2025-09-12,"met at the ""Lisbon"" conference, keen on hiking"',
  'Sam,Cairo,eggs,2025-02-19,prefers email',
  'Ana,Cairo,gluten,2025-09-13,call after 6 pm',
  'Ife,Cairo,dairy,2025-09-17,"owes us, a book"',
  'Jun,Lagos,shellfish,2025-03-18,"owes us, a book"',
  'Priya,Lisbon,eggs,2025-02-12,vegetarian',
  'Marco,Lisbon,gluten,2025-01-14,"owes us, a book"',
  'Lena,Lima,eggs,2025-07-16,vegetarian',
  'Tom,Cairo,shellfish,2025-06-11,prefers email',
  'Omar,Berlin,none,2025-09-16,vegetarian',
].join('\n');

describe('a table (CSV, TSV)', () => {
  it('is data: without a query its rows stay as written, and the note says a query selects rows', async () => {
    // Seen with `studio compress` on a three-line CSV: read as prose, the pruner dropped its header.
    const r = await compressor.compress(CONTACTS, { ratio: 0.5 });
    expect(r).toMatchObject({ domain: 'code', language: 'csv', text: CONTACTS });
    expect(r.notes).toContain(
      'code-path: a table (csv): rows kept as written (the ratio asked, 50 %, is applied only with a query); a query selects the rows it needs',
    );
    expect(r.notes.join(' ')).not.toMatch(/no parser/);
  });

  it('with a query keeps the header and the rows it needs, as written and in order, within the budget', async () => {
    const r = await compressor.compress(CONTACTS, { query: 'Which contacts live in Lisbon?', ratio: 0.3 });
    expect(r.strategy).toBe('select');
    const lines = r.text.split('\n');
    expect(lines[0]).toBe('name,city,allergy,last_contact,notes');
    // The rows whose city is Lisbon come before one whose notes only mention it.
    expect(lines).toContain('Priya,Lisbon,eggs,2025-02-12,vegetarian');
    expect(lines).toContain('Marco,Lisbon,gluten,2025-01-14,"owes us, a book"');
    const input = CONTACTS.split('\n');
    expect(lines.map((l) => input.indexOf(l))).toEqual([...lines.map((l) => input.indexOf(l))].sort((a, b) => a - b));
    expect(r.tokensAfter).toBeLessThanOrEqual(Math.ceil(0.3 * r.tokensBefore));
    expect(r.notes[0]).toMatch(/^select: kept \d of 10 table rows for the query, under the header, as written/);
    // Two rows: the one whose city the question names (a term one row in two holds still tells).
    const two = await compressor.compress('name,age,city\nDana,34,Lisbon\nSam,29,Porto', {
      query: 'Who lives in Porto?',
      ratio: 0.1,
    });
    expect(two.text).toBe('name,age,city\nSam,29,Porto');
  });

  it('finds the row a question after the most or the least asks for by its value (review: the largest purchase lost)', async () => {
    // Review: "What was the largest purchase?" kept 9 grocery rows and lost the Apple Store's -3299.00.
    const shops = ['Whole Foods', 'Trader Joes', 'Safeway', 'Costco', 'CVS Pharmacy', 'Shell', 'Starbucks', 'Amazon'];
    const rows = Array.from({ length: 60 }, (_, k) => {
      const day = String((k % 28) + 1).padStart(2, '0');
      return `2024-0${1 + (k % 3)}-${day},${shops[k % shops.length]},Groceries,-${(20 + ((k * 37) % 180)).toFixed(2)},TX${100000 + k}`;
    });
    rows.splice(33, 0, '2024-02-14,"Apple Store, Union Square",Shopping,-3299.00,TX209999');
    rows.splice(12, 0, '2024-01-31,Payroll ACME Corp,Income,6500.00,TX209998');
    const csv = ['date,description,category,amount,reference', ...rows].join('\n');
    const ask = (query: string) => compressor.compress(csv, { query, maxTokens: 120 });
    const largest = await ask('What was the largest purchase?');
    expect(largest.text).toContain('"Apple Store, Union Square",Shopping,-3299.00');
    expect(largest.text.split('\n')[0]).toBe('date,description,category,amount,reference');
    // The least: the amount nearest zero; the latest: the last date.
    expect((await ask('What was my smallest purchase?')).text).toContain(',-20.00,');
    const latest = rows
      .map((r) => r.slice(0, 10))
      .sort()
      .at(-1) as string;
    expect(
      (await ask('What is the most recent transaction?')).text.split('\n').some((l) => l.startsWith(`${latest},`)),
    ).toBe(true);
    // No superlative, no such row first: the words pick.
    expect((await ask('How much did I spend at Costco?')).text).not.toContain('Apple Store');
    // A name or an idiom is no superlative, and a value the question names comes before an extreme
    // (review: "What did Max buy?" kept the Apple Store and a refund, none of Max's rows).
    const buyers = [
      'buyer,item,amount',
      ...['Max', 'Ana', 'Ben', 'Max', 'Ana', 'Ben', 'Chloe', 'Dan'].map((b, k) => `${b},item ${k},${(k + 1) * 11}.00`),
      'Ana,laptop,3299.00',
    ].join('\n');
    const max = await compressor.compress(buyers, { query: 'What did Max buy?', maxTokens: 24 });
    expect(max.text.split('\n').filter((l) => l.startsWith('Max,'))).toHaveLength(2);
    expect(max.text).not.toContain('laptop');
    const costco = await ask('What was the largest purchase at Costco?');
    expect(costco.text).toMatch(/Costco/);
  });

  it('keeps a row with an extra cell as written and names its line (review: every row was dropped as prose)', async () => {
    const csv = 'date,desc,amount\n2024-01-01,Tesco,10\n2024-01-02,Shell,5,extra\n2024-01-03,Aldi,7';
    const r = await compressor.compress(csv, { query: 'How much at Tesco?', ratio: 0.9 });
    expect(r).toMatchObject({ domain: 'code', language: 'csv', strategy: 'select' });
    expect(r.text.split('\n').slice(0, 2)).toEqual(['date,desc,amount', '2024-01-01,Tesco,10']);
    expect(r.notes[0]).toMatch(/^select: kept \d of 3 table rows for the query/);
    expect(r.notes).toContain(
      "select: the table's line 3 has 4 cells where its header has 3: read as a row all the same, kept as written",
    );
  });

  it('says a short row cut to the columns a question needs is written with its missing cells empty (re-read of session 35)', async () => {
    // Before: "Gus Hale,," under a note that said the row was "kept as written".
    const header =
      'Employee name,Employee ID number,Department or team,Office location city,Line manager full name,Vacation days remaining,Contract type and hours,Emergency contact phone,Notes from HR';
    const rows = ['Ana Silva', 'Ben Okafor', 'Chen Wei', 'Dora Lee', 'Emil Berg', 'Fay Ruiz'].map(
      (name, k) => `${name},E10${k},Sales,Lisbon,Maria Costa,${10 + k},"Full-time, 40h",+351 555 010${k},none`,
    );
    const csv = [header, ...rows, 'Gus Hale,E107,Sales,Porto'].join('\n');
    const r = await compressor.compress(csv, { query: 'How many vacation days does Gus have left?', ratio: 0.15 });
    expect(r.notes[0]).toMatch(/under the \d of the header's 9 columns it needs/);
    expect(r.text).toMatch(/^Gus Hale,*$/m);
    expect(r.notes).toContain(
      "select: the table's line 8 has 4 cells where its header has 9: read as a row all the same, written under the columns kept (a missing cell empty, an extra one left out)",
    );
  });

  it('says how many rows holding a value the query names did not fit (review: a list question lost one silently)', async () => {
    const lisbon = await compressor.compress(CONTACTS, { query: 'Which contacts live in Lisbon?', maxTokens: 22 });
    // Rows that say Lisbon anywhere (one only in its notes).
    const kept = lisbon.text.split('\n').filter((l) => l.includes('Lisbon')).length;
    const all = CONTACTS.split('\n').filter((l) => l.includes('Lisbon')).length;
    expect(kept).toBeLessThan(all);
    expect(lisbon.notes).toContain(
      `select: ${all - kept} more row${all - kept === 1 ? '' : 's'} holding a value the query names did not fit the budget (a larger --ratio or --max-tokens keeps ${all - kept === 1 ? 'it' : 'them'})`,
    );
    const room = await compressor.compress(CONTACTS, { query: 'Which contacts live in Lisbon?', ratio: 0.9 });
    expect(room.notes.join(' ')).not.toContain('did not fit the budget');
  });

  it('says how many rows with the empty cell the query asks for did not fit (review 2: "not assigned to anyone")', async () => {
    const tickets = [
      'key,summary,status,assignee',
      'PAY-412,Refunds over EUR 500 fail with 502 at the gateway,In Progress,Lena Vogt',
      'PAY-415,Add iDEAL as payment method for customers in NL,To Do,',
      'PAY-418,Currency rounding on JPY invoices shows decimals,Done,Lena Vogt',
      'PAY-423,Remove the legacy /v1/charges endpoint after March,To Do,',
      'PAY-424,Payout report shows the wrong fee for Amex cards,To Do,Aiko Tanaka',
    ].join('\n');
    const r = await compressor.compress(tickets, { query: 'Which tickets are not assigned to anyone?', maxTokens: 30 });
    expect(r.text).toMatch(/PAY-41[5]|PAY-423/);
    expect(r.notes).toContain(
      'select: 1 more row with no "assignee", as the query asks, did not fit the budget (a larger --ratio or --max-tokens keeps it)',
    );
  });
});

const MEMORIES_JSONL = [
  '{"date": "2025-03-01", "text": "Please note that Dana booked the flights to Lisbon for the half marathon on 12 October."}',
  '{"date": "2025-03-04", "text": "Dana does not drink any coffee after 2 pm because it keeps her awake at night."}',
  '{"date": "2025-03-09", "text": "Sam adopted a grey cat called Miso from the animal shelter on Elm Street."}',
  '{"date": "2025-03-12", "text": "Ana is allergic to peanuts and shellfish, so she always avoids the Thai place."}',
].join('\n');

describe('JSON Lines', () => {
  // Seen with `studio compress` on samples/notes/support-chats.jsonl: "unknown language: left as
  // is", at any ratio and with a query.
  it('without a query: each record minified on its line, its prose strings compressed in place', async () => {
    const r = await compressor.compress(MEMORIES_JSONL, { ratio: 0.5 });
    expect(r).toMatchObject({ domain: 'code', language: 'jsonl' });
    const lines = r.text.split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) expect(Object.keys(JSON.parse(line))).toEqual(['date', 'text']);
    expect(lines[0]).toMatch(/^\{"date":"2025-03-01","text":"Dana booked the flights to Lisbon/);
    expect(r.notes.some((n) => n.startsWith('json-strings: 4 prose string values'))).toBe(true);
  });

  it('with a query: the records it needs, a record a line, said as JSON lines (review: the note said JSON)', async () => {
    const r = await compressor.compress(MEMORIES_JSONL, { query: "What is the name of Sam's cat?", ratio: 0.4 });
    expect(r.strategy).toBe('select');
    const lines = r.text.split('\n');
    expect(lines.map((l) => JSON.parse(l).date)).toContain('2025-03-09');
    expect(lines.length).toBeLessThan(4);
    expect(r.text).toMatch(/Miso/);
    expect(r.notes[0]).toMatch(/^select: kept \d of 4 records for the query, as JSON lines \(a record a line\) \(/);
  });
});

describe('a YAML document', () => {
  // Seen with `studio compress` on a YAML profile: kept as written at any ratio, its prose notes
  // too ("kept as written (the ratio asked, 50 %, is not applied to YAML)"), and with a query
  // nothing was selected.
  const PROFILE = `# Dana's profile, kept by the assistant
user:
  name: Dana Okafor # preferred: Dana
  city: Lisbon
  zip: 01234
  notes: |
    Please note that Dana basically does not like coffee after 2 pm at all.
memories:
- date: 2025-03-01
  text: Dana booked the flights to Lisbon for the half marathon on 12 October.
- date: 2025-03-05
  text: "It is worth noting that Dana's sister Ife is visiting from Lagos in April."
- date: 2025-03-09
  text: Sam's cat is called Miso and she is really very shy with strangers.
`;

  it('without a query: its prose strings compressed in place; keys, comments and short values as written', async () => {
    const r = await compressor.compress(PROFILE, { ratio: 0.5 });
    expect(r).toMatchObject({ domain: 'code', language: 'yaml', strategy: 'rules+json-strings' });
    expect(r.tokensAfter).toBeLessThan(r.tokensBefore);
    const before = parseYaml(PROFILE);
    const after = parseYaml(r.text);
    expect(after.user).toMatchObject({ name: 'Dana Okafor', city: 'Lisbon', zip: 1234 });
    expect(after.user.notes.length).toBeLessThan(before.user.notes.length);
    expect(after.memories.map((m: { date: string }) => m.date)).toEqual(['2025-03-01', '2025-03-05', '2025-03-09']);
    expect(r.text).toMatch(
      /^# Dana's profile, kept by the assistant\nuser:\n {2}name: Dana Okafor # preferred: Dana\n/,
    );
    expect(r.text).toContain('  zip: 01234\n  notes: |\n');
    expect(r.notes.some((n) => /^json-strings: 4 prose string values \(8 words or more\) compressed/.test(n))).toBe(
      true,
    );
  });

  it('with a query: the records it needs, under their keys, as YAML with its comments', async () => {
    const r = await compressor.compress(PROFILE, { query: "What is the name of Sam's cat?", ratio: 0.5 });
    expect(r.strategy).toBe('select');
    expect(r.tokensAfter).toBeLessThanOrEqual(Math.floor(0.5 * r.tokensBefore));
    const after = parseYaml(r.text);
    expect(after.memories.map((m: { date: string }) => m.date)).toContain('2025-03-09');
    expect(r.text).toMatch(/Miso/);
    expect(r.text.startsWith("# Dana's profile, kept by the assistant\n")).toBe(true);
    expect(r.notes[0]).toMatch(
      /^select: kept \d of 7 YAML records for the query, as YAML \(comments and styles kept\)/,
    );
  });

  it('with anchors and aliases: kept as written, and the note says why', async () => {
    const shared = `${PROFILE}defaults: &d\n  lang: en\nsettings: *d\n`;
    const r = await compressor.compress(shared, { ratio: 0.5 });
    expect(r).toMatchObject({ language: 'yaml', text: shared });
    expect(r.notes).toContain(
      'json-strings: skipped (a YAML document with anchors, aliases, merge keys, tags other than !!str, several documents, errors or nesting over 256 deep is kept as written)',
    );
    // A dialogue parses as a YAML mapping, and is no YAML memory for the query path.
    const chat =
      'Dana: I am off to Lisbon on Friday for the half marathon.\nSam: Good luck! Is Miso coming too?\nDana: No, she hates the car.';
    const q = await compressor.compress(chat, { query: 'Where is Dana going?' });
    expect(q.domain).not.toBe('code');
    expect(q.notes[0]).not.toMatch(/YAML/);
  });
});

describe('the best local stage', () => {
  it('prunes the prose of a document with code blocks, its code through the code path (review)', async () => {
    // Review: a Markdown design doc with a fenced example is "mixed", whose pipeline had no pruner: it
    // came back from the rules alone, 524 tokens for --max-tokens 100, with a note that no model
    // stage had its file although models/pruner.gguf was there.
    const c = mixedPrunerCompressor();
    const code = [
      '```python',
      'def rerank(query, candidates, timeout_ms=35):',
      '    # Scores the first fifty with the cross-encoder.',
      '    scores = cross_encoder.score(query, candidates[:50], timeout_ms=timeout_ms)',
      '    return sorted(zip(scores, candidates), key=lambda p: -p[0])',
      '```',
    ].join('\n');
    const doc = [
      '# Search re-ranking',
      'The current search ranks products with plain BM25, and shoppers often complain that the first page is full of accessories rather than the product they actually typed in the box.',
      'We propose to re-rank the first fifty BM25 candidates with a small cross-encoder that runs on the CPU, with a hard timeout so that a slow model never delays the page.',
      code,
      'The experiment runs for two weeks on ten percent of the traffic, and the team will decide in the review on 14 March whether the model ships to everyone.',
    ].join('\n\n');
    try {
      const r = await c.compress(doc, { ratio: 0.5 });
      expect(r.domain).toBe('mixed');
      expect(r.strategy).toBe('rules+pruner');
      expect(r.fallback).toBeNull();
      expect(r.notes).toContain(`pruner: ran (${basename(ensureSmolLM2())})`);
      // The code is the code path's: its program whole, its comment gone; the prose thinned.
      expect(r.text).toContain('    scores = cross_encoder.score(query, candidates[:50], timeout_ms=timeout_ms)');
      expect(r.text).not.toContain('# Scores the first fifty');
      expect(r.text).toContain('14 March');
      expect(r.tokensAfter).toBeLessThan(0.75 * r.tokensBefore);
      // Under a cap, the prose is cut to what the code leaves.
      const capped = await c.compress(doc, { maxTokens: 110 });
      expect(capped.strategy).toBe('rules+pruner');
      expect(capped.tokensAfter).toBeLessThanOrEqual(130);
    } finally {
      await c.dispose();
    }
  });

  it('keeps in each prose piece of a mixed document the names the whole document has (review: a runbook refused)', async () => {
    // Review: "Fires" opens two alerts of a runbook split by a code block: over the whole text it is
    // a name (the check's reading), in each prose piece alone it is not, so the pruner let it go and
    // the check refused the whole output (1,089 -> 1,083 tokens, "dropped-protected").
    const c = mixedPrunerCompressor();
    const doc = [
      '## Alerts',
      '### PgwHighErrorRate',
      'Fires when more than 2 % of authorisation requests fail over 5 minutes. First check whether the errors come from the acquirer or from us, then open a ticket with the acquirer if they do.',
      '```bash',
      'kubectl -n payments rollout undo deployment/pgw',
      '```',
      '### PgReplicationLag',
      'Fires when the synchronous replica lags more than 10 seconds. Because the replica is synchronous, high lag slows every write on the primary, so switch to the other replica after ten minutes.',
    ].join('\n');
    try {
      const r = await c.compress(doc, { ratio: 0.5 });
      expect(r.domain).toBe('mixed');
      expect(r.fallback).toBeNull();
      expect(r.strategy).toBe('rules+pruner');
      expect(r.text.match(/Fires/g)).toHaveLength(2);
      expect(r.tokensAfter).toBeLessThan(0.8 * r.tokensBefore);
    } finally {
      await c.dispose();
    }
  });

  it("marks a stage that did not run as skipped in the timings (review: the pruner's row read 72 -> 72 for code)", async () => {
    const c = smolLM2Compressor();
    try {
      const r = await c.compress('def add(a, b):\n    # Adds two numbers.\n    return a + b\n', {
        model: 'pruner',
        domain: 'code',
        language: 'python',
      });
      expect(r.notes).toContain('pruner: skipped (the pruner does not prune code)');
      expect(r.timings.find((t) => t.stage === 'pruner')).toMatchObject({ skipped: true });
      expect(r.timings.find((t) => t.stage === 'rules')?.skipped).toBeUndefined();
    } finally {
      await c.dispose();
    }
  });

  it('runs the first model stage that has a file, and says which ran and why', async () => {
    const smol = ensureSmolLM2();
    const c = createCompressor(
      parseInferenceConfig({
        models: {
          compressor: { kind: 'generate', path: join(dir, 'no-compressor.gguf') },
          pruner: { kind: 'prune', path: smol, threads: 1, contextSize: 512 },
        },
        pipelines: { nl: ['rules', 'compressor', 'pruner'], chat: ['rules'], code: ['rules'], mixed: ['rules'] },
      }),
    );
    try {
      const r = await c.compress(PROSE, { ratio: 0.6 });
      expect(r.strategy).toBe('rules+pruner');
      expect(r.fallback).toBeNull();
      // One line: the stage that ran, those skipped and why (review 2: a line a skipped stage was noise).
      const ran = r.notes.find((n) => n.startsWith('pruner: ran ('));
      expect(ran).toMatch(/^pruner: ran \(.+\); skipped: compressor \(no model file at .+\)$/);
      expect(ran?.endsWith(`(no model file at ${join(dir, 'no-compressor.gguf')})`)).toBe(true);
      expect(r.notes.filter((n) => n.includes('no model file'))).toHaveLength(1);
      expect(r.tokensAfter).toBeLessThan(0.8 * r.tokensBefore);
      // Prose inside markup: every element kept whole or dropped whole, the ratio taken of the
      // words, and the note says so. Before, "<p>Please" came back with its "</p>" gone.
      const html = await c.compress(TRIP, { ratio: 0.5 });
      expect(html.strategy).toBe('rules+pruner');
      expect(html.fallback).toBeNull();
      expect(balanced(html.text)).toBe(true);
      expect(html.text).toMatch(/^<article>\n<h2>Trip notes<\/h2>\n<p>/);
      expect(html.text).toContain('<b>grey cat</b>');
      // The note says the share kept of all the tokens and of the rest, against the ratio asked.
      expect(html.notes.find((n) => n.startsWith('pruner: 10 markup tags kept whole'))).toMatch(
        /^pruner: 10 markup tags kept whole \(\d+ tokens\); kept \d+ % of the tokens, \d+ % of the rest \(asked 50 %\)/,
      );
      // maxTokens is a cap on the whole: the words are cut further so that the markup kept whole
      // fits under it (before, 60 asked came back as 70, the ratio taken of the words).
      for (const cap of [60, 56]) {
        const capped = await c.compress(TRIP, { maxTokens: cap });
        expect(capped.strategy).toBe('rules+pruner');
        expect(capped.tokensAfter).toBeLessThanOrEqual(cap);
        // The most words that fit: not the bare names and numbers kept whatever (review: every cap
        // under 60 gave the same 52 tokens).
        expect(capped.tokensAfter).toBeGreaterThan(cap - 8);
        expect(balanced(capped.text)).toBe(true);
        expect(capped.notes).toContain(
          `pruner: 10 markup tags kept whole; the words cut so that the whole fits maxTokens ${cap}`,
        );
      }
      // Under what the pruner keeps whatever (the markup, names, numbers), it is said (review: 40
      // asked, 90 given, no word).
      for (const cap of [45, 12]) {
        const over = await c.compress(TRIP, { maxTokens: cap });
        expect(over.tokensAfter).toBeGreaterThan(cap);
        expect(balanced(over.text)).toBe(true);
        expect(over.notes).toContain(
          `pruner: ${over.tokensAfter} tokens, over maxTokens ${cap}: the words it never cuts out of a line it keeps (capitalised names, numbers, dates, allergies, negations) and the markup it keeps whole do not fit under it; whole lines, names in them, may still go`,
        );
        // No note says it fits (review: both were said).
        expect(over.notes).toContain('pruner: 10 markup tags kept whole');
      }
      // A Markdown table stays whole, and the note says so.
      const note = await c.compress(
        `Contacts for the trip, please keep this list up to date and share it.\n\n|name|city|\n|-|-|\n|Dana|Lisbon|\n|Sam|Porto|\n\nThe bus leaves at 7 am from the main square, so please be early.`,
        { ratio: 0.5 },
      );
      expect(note.text).toContain('|name|city|\n|-|-|\n|Dana|Lisbon|\n|Sam|Porto|');
      expect(note.notes.find((n) => n.startsWith('pruner: 1 Markdown table kept whole'))).toMatch(
        /^pruner: 1 Markdown table kept whole \(\d+ tokens\); kept \d+ % of the tokens, \d+ % of the rest \(asked 50 %\)/,
      );
      // Prose the pruner cannot bring to the ratio beside a table: the share it kept, and why, never
      // "the ratio is of the words" (review 3: 49 % of the prose kept for 0.33 asked, said as met).
      const dense = await c.compress(
        [
          '**Patient:** Marek Nowicki · **DOB:** 1979-02-14 · **MRN:** 00517734',
          'Seen 2025-11-20 at 10:30 by Dr. Ines Alves, ward 4B, bed 12.',
          '',
          '| Test | Result | Range |',
          '|---|---|---|',
          '| Hb | 101 g/L | 120-150 |',
          '| Ferritin | 6 ug/L | 15-150 |',
          '',
          'Not allergic to penicillin; allergic to latex since 2019.',
          'Next review 2025-12-04 at 09:15 with Dr. Alves, room 2.17.',
        ].join('\n'),
        { ratio: 0.33 },
      );
      const said = dense.notes.find((n) => n.startsWith('pruner: 1 Markdown table kept whole')) ?? '';
      expect(said).not.toContain('the ratio is of the words');
      const [, rest] = /, (\d+) % of the rest \(asked 33 %\)/.exec(said) ?? [];
      expect(rest, said).toBeDefined();
      if (Number(rest) > 38) expect(said).toMatch(/\(asked 33 %\): (the words it never cuts|the text has few words)/);
      // A table never reaches the pruner: its header row was dropped as the least informative line.
      expect((await c.compress(CONTACTS, { ratio: 0.5 })).text).toBe(CONTACTS);
    } finally {
      await c.dispose();
    }
  }, 120_000);

  it('uses the pruner on a chat memory at a harsh ratio: turns it drops whole do not send it back to the rules', async () => {
    // Before, any name or number in a dropped turn ("Talk soon, bye!", a name greeted) refused the
    // pruner's output as 'dropped-protected', and the user got the rules' 2 % (samples/memory.txt
    // at 0.5: 778 -> 764 tokens). The README's sample, its first session.
    const memory = readFileSync(new URL('../../samples/memory.txt', import.meta.url), 'utf8').split(
      '\n\n',
    )[0] as string;
    const c = createCompressor(
      parseInferenceConfig({
        models: { pruner: { kind: 'prune', path: ensureSmolLM2(), threads: 1, contextSize: 512 } },
        pipelines: { nl: ['rules'], chat: ['rules', 'pruner'], code: ['rules'], mixed: ['rules'] },
      }),
    );
    try {
      for (const ratio of [0.5, 0.33]) {
        const r = await c.compress(memory, { ratio, domain: 'chat' });
        expect(r.fallback, `ratio ${ratio}`).toBeNull();
        expect(r.strategy).toBe('rules+pruner');
        expect(r.tokensAfter).toBeLessThan((ratio + 0.1) * r.tokensBefore);
        // Every number and name of a turn that stayed is still there.
        for (const line of r.text.split('\n')) for (const n of line.match(/\d+/g) ?? []) expect(memory).toContain(n);
      }
    } finally {
      await c.dispose();
    }
  }, 180_000);
});

describe('input no parser should recurse through', () => {
  // Found by a fuzz (session 40): a JSON document nested 4,000 deep threw "Maximum call stack size
  // exceeded" out of compress, with and without a question, and 4,000 nested arrays took a minute
  // (each draft's o200k count merged one piece of 8,000 brackets, quadratic in its length).
  it('comes back, with and without a question', async () => {
    for (const text of [`${'{"a":'.repeat(4000)}1${'}'.repeat(4000)}`, `${'['.repeat(4000)}${']'.repeat(4000)}`]) {
      const plain = await compressor.compress(text, { ratio: 0.5 });
      expect(plain.text.length).toBeGreaterThan(0);
      const asked = await compressor.compress(text, { ratio: 0.5, query: 'What is a?' });
      expect(asked.text.length).toBeGreaterThan(0);
    }
  }, 60_000);

  it('gives the text back as it is when the selection would be longer than it', async () => {
    const text = `${'<div>'.repeat(5)}x${'</div>'.repeat(5)}`;
    const r = await compressor.compress(text, { ratio: 0.2, query: 'What is the value on Sunday?' });
    expect(r.tokensAfter).toBeLessThanOrEqual(r.tokensBefore);
    expect(r.text).toBe(text);
    expect(r.notes.join('\n')).toContain('longer than the text it selects from');
  });
});
