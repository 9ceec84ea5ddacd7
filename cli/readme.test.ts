import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'studio.js');

/**
 * A README line that cannot run here says why in its comment, with one of these phrases; every
 * other `studio` line must run as written in a fresh project made by `studio init --sample`.
 */
const CANNOT_RUN_HERE = ['needs a key', 'runs until stopped', 'takes minutes', 'after training'] as const;

interface Example {
  line: string;
  skip?: (typeof CANNOT_RUN_HERE)[number];
}

/** The `studio` lines of the README's sh blocks, in order, with their continuation lines joined. */
function readmeExamples(markdown: string): Example[] {
  const examples: Example[] = [];
  for (const block of markdown.matchAll(/```(?:sh|bash)\n([\s\S]*?)```/g)) {
    const lines = (block[1] ?? '').replace(/\\\n\s*/g, ' ').split('\n');
    for (const raw of lines) {
      const line = raw.trim();
      if (!/(^|\|\s*)npx studio\b/.test(line)) continue;
      const comment = line.includes(' # ') ? line.slice(line.indexOf(' # ')) : '';
      const skip = CANNOT_RUN_HERE.find((phrase) => comment.includes(phrase));
      examples.push(skip ? { line, skip } : { line });
    }
  }
  return examples;
}

function run(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    const child = execFile('bash', ['-o', 'pipefail', '-c', command], { cwd, env, timeout: 240_000 });
    let output = '';
    child.stdout?.on('data', (d) => {
      output += d;
    });
    child.stderr?.on('data', (d) => {
      output += d;
    });
    child.on('close', (code) => done({ code: code ?? -1, output }));
  });
}

describe("the README's examples run as written", () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'studio-readme-'));
    // `npx studio` from a clone resolves to this checkout's bin; a shim on PATH does the same here
    // without npm's own start-up, and passes anything else to the real npx.
    const bin = join(dir, '.bin');
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'npx'),
      `#!/usr/bin/env bash\nif [ "$1" = studio ]; then shift; exec "${process.execPath}" "${BIN}" "$@"; fi\nexec "${join(ROOT, 'node_modules', '.bin', 'npx')}" "$@"\n`,
    );
    chmodSync(join(bin, 'npx'), 0o755);
    const { STUDIO_PROJECT: _, ...rest } = process.env;
    env = { ...rest, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('every studio line either runs from a fresh sample project or says why it cannot here', async () => {
    const examples = readmeExamples(readFileSync(join(ROOT, 'README.md'), 'utf8'));
    const runnable = examples.filter((e) => !e.skip);
    expect(runnable.length).toBeGreaterThanOrEqual(8);
    expect(examples[0]?.line).toMatch(/^npx studio init --sample/);
    const failures: string[] = [];
    for (const { line } of runnable) {
      const r = await run(line, dir, env);
      if (r.code !== 0)
        failures.push(`${line}\n  exit ${r.code}: ${r.output.trim().split('\n').slice(-3).join('\n  ')}`);
    }
    expect(failures).toEqual([]);
  }, 1_200_000);

  it('every library example runs as shown, saved as an .mts file in the checkout', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
    // The plain call and the query-aware one, each a whole program a reader can save and run.
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    expect(blocks.some((c) => c.includes('query:'))).toBe(true);
    for (const [i, code] of blocks.entries()) {
      const file = join(ROOT, `readme-example-${process.pid}-${i}.mts`);
      writeFileSync(file, code);
      try {
        const r = await run(`"${join(ROOT, 'node_modules', '.bin', 'tsx')}" "${file}"`, ROOT, env);
        expect(r.code, r.output).toBe(0);
        expect(r.output).toMatch(
          code.includes('query:') ? /\d+ -> \d+ tokens via select/ : /\d+ -> \d+ tokens via \w+/,
        );
      } finally {
        rmSync(file, { force: true });
      }
    }
  }, 300_000);
});
