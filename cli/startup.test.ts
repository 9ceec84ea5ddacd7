import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentBundle } from '../bin/cli-bundle.js';
import { buildProgram } from './main.ts';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'studio.js');

/** Packages `studio --help` must not load: each costs from tens of milliseconds to seconds. */
const HEAVY = [
  'node-llama-cpp',
  '@anthropic-ai/sdk',
  'openai',
  '@google/genai',
  'web-tree-sitter',
  '@vscode/tree-sitter-wasm',
  'better-sqlite3',
  'onnxruntime-node',
  'js-tiktoken',
  'zod',
  'yaml',
];

function node(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env } }, (error, stdout, stderr) =>
      done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('studio starts without loading what its commands need', () => {
  let dir: string;
  let tracer: string;
  beforeAll(async () => {
    // A resolve hook that names every module the process loads through the ESM loader (the bin,
    // the bundle's chunks, tsx's transpiled sources and every package they import) on stderr.
    dir = mkdtempSync(join(tmpdir(), 'studio-startup-'));
    writeFileSync(
      join(dir, 'hooks.mjs'),
      [
        "import { writeSync } from 'node:fs';",
        'export async function resolve(s, c, next) {',
        '  const r = await next(s, c);',
        "  writeSync(2, '[loaded] ' + r.url + '\\n');",
        '  return r;',
        '}',
        '',
      ].join('\n'),
    );
    tracer = join(dir, 'trace.mjs');
    writeFileSync(
      tracer,
      `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`,
    );
    // The bundle as the sources are now (what npm's prepare step makes).
    const built = await node([join(ROOT, 'scripts', 'build-cli.mjs')]);
    expect(built.code, built.stderr).toBe(0);
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const loaded = (stderr: string) =>
    stderr
      .split('\n')
      .filter((l) => l.startsWith('[loaded] '))
      .map((l) => l.slice('[loaded] '.length));
  const heavyIn = (urls: string[]) => urls.filter((u) => HEAVY.some((p) => u.includes(`/node_modules/${p}/`)));

  it('--help from the bundle lists every command and loads only the bin and the program declaration', async () => {
    expect(currentBundle(ROOT)).toBeDefined();
    const r = await node(['--import', tracer, BIN, '--help'], { STUDIO_DEBUG_START: '1' });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`running ${join(ROOT, 'dist', 'cli', 'main.js')}`);
    const names = buildProgram({ logger: console, projectDir: () => ROOT, out: () => {} }).commands.map((c) =>
      c.name(),
    );
    expect(names.length).toBeGreaterThanOrEqual(14);
    for (const name of names) expect(r.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    // Every file it loads is the bin or a piece of the bundle, and every piece (by its source map)
    // holds only the program's declaration: commander, the command files, their option helpers.
    const files = [...new Set(loaded(r.stderr).filter((u) => u.startsWith('file:')))].map((u) => fileURLToPath(u));
    const pieces = files.filter((f) => f.startsWith(join(ROOT, 'dist', 'cli')));
    expect(
      files
        .filter((f) => !pieces.includes(f))
        .map((f) => relative(ROOT, f))
        .sort(),
    ).toEqual(['bin/cli-bundle.js', 'bin/studio.js']);
    const sources = pieces.flatMap((f) =>
      (JSON.parse(readFileSync(`${f}.map`, 'utf8')) as { sources: string[] }).sources.map((s) =>
        relative(ROOT, resolve(dirname(f), s)),
      ),
    );
    expect(sources).toContain('cli/main.ts');
    const allowed = /^(cli\/(main|options|choices|logger)\.ts|cli\/commands\/[\w-]+\.ts|src\/errors\/index\.ts)$/;
    expect(sources.filter((s) => !allowed.test(s) && !s.includes('node_modules/commander/'))).toEqual([]);
  }, 60_000);

  it('--help from the sources (tsx) loads no heavy package and no domain module but the error types', async () => {
    const r = await node(['--import', tracer, BIN, '--help'], { STUDIO_CLI_FROM_SOURCE: '1', STUDIO_DEBUG_START: '1' });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('running the sources (tsx)');
    expect(r.stdout).toMatch(/^ {2}compress \[options\] \[file\]/m);
    const urls = loaded(r.stderr);
    expect(heavyIn(urls)).toEqual([]);
    const src = [...new Set(urls.filter((u) => u.startsWith(pathToFileURL(join(ROOT, 'src')).href)))];
    expect(src.map((u) => u.slice(pathToFileURL(ROOT).href.length + 1))).toEqual(['src/errors/index.ts']);
  }, 60_000);

  it('a rules-only compress loads the o200k tables but no SDK, model runtime or HTTP server', async () => {
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      const child = execFile(
        process.execPath,
        ['--import', tracer, BIN, 'compress', '-m', 'none'],
        { cwd: ROOT },
        (error, stdout, stderr) => done({ code: error ? 1 : 0, stdout, stderr }),
      );
      child.stdin?.end('one line\n');
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('one line');
    expect(r.stderr).toMatch(/o200k: 3 -> 2 tokens/);
    const heavy = heavyIn(loaded(r.stderr)).map((u) => u.split('/node_modules/')[1]?.split('/')[0]);
    for (const p of ['node-llama-cpp', '@anthropic-ai', 'openai', '@google', 'onnxruntime-node'])
      expect(heavy).not.toContain(p);
    expect(loaded(r.stderr).some((u) => u.includes('/node_modules/@hono/'))).toBe(false);
  }, 60_000);
});
