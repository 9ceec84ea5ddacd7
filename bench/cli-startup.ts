import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { Tiktoken } from 'js-tiktoken/lite';
import { currentBundle } from '../bin/cli-bundle.js';
import { createLazyTiktoken } from '../src/tokenizers/lazy-tiktoken.ts';
import { stamp, table, writeSection } from './results-file.ts';

/**
 * How long `studio` takes as a whole process, from the bundle (dist/cli) and from the sources
 * (tsx), against `tsc --version` timed in the same rounds: the machine is shared, so the ratio to
 * that reference is the number to compare across runs. Rounds interleave the commands, so a load
 * swing hits all of them alike.
 */

const ROOT = resolve(import.meta.dirname, '..');
const STUDIO = join(ROOT, 'bin', 'studio.js');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

interface Command {
  name: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  input?: string;
}

function run(cmd: Command): Promise<number> {
  return new Promise((done, fail) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, cmd.args, {
      cwd: ROOT,
      env: { ...process.env, ...cmd.env },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.stdin.end(cmd.input ?? '');
    child.on('error', fail);
    child.on('close', (code) => {
      if (code !== 0) fail(new Error(`${cmd.name} exited with ${code}: ${stderr.slice(-500)}`));
      else done(performance.now() - t0);
    });
  });
}

function quantile(sorted: readonly number[], q: number): number {
  const i = Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
  return sorted[Math.max(0, i)] as number;
}

/** One LoCoMo conversation as the plain text a memory file holds (about 60 KB), or the sample chat repeated. */
function locomoSizedText(shared: string | undefined): string {
  const file = shared ? join(shared, 'locomo-dev.json') : undefined;
  if (file && existsSync(file)) {
    const [first] = JSON.parse(readFileSync(file, 'utf8')) as { conversation: Record<string, unknown> }[];
    const lines: string[] = [];
    for (const [key, value] of Object.entries(first?.conversation ?? {})) {
      if (key.endsWith('_date_time') && typeof value === 'string') lines.push(`\n## ${value}`);
      if (Array.isArray(value))
        for (const turn of value as { speaker: string; text: string }[]) lines.push(`${turn.speaker}: ${turn.text}`);
    }
    return lines.join('\n');
  }
  let text = readFileSync(join(ROOT, 'samples', 'memory.txt'), 'utf8');
  while (text.length < 60_000) text += `\n${text}`;
  return text;
}

/** Cold o200k table set-up in this process (nothing here has loaded them): the lazy index, then js-tiktoken's constructor. */
async function tableLoadMs(): Promise<{ library: number; lazy: number }> {
  const ranks = (await import('js-tiktoken/ranks/o200k_base')).default;
  let t = performance.now();
  createLazyTiktoken(ranks).encode('one line', [], []);
  const lazy = performance.now() - t;
  t = performance.now();
  new Tiktoken(ranks).encode('one line', [], []);
  return { library: performance.now() - t, lazy };
}

export async function benchCliStartup(shared: string | undefined): Promise<void> {
  const runs = Number(process.env.BENCH_CLI_RUNS ?? 9);
  const build = await new Promise<number | null>((done) =>
    spawn(process.execPath, [join(ROOT, 'scripts', 'build-cli.mjs')], { cwd: ROOT, stdio: 'inherit' }).on(
      'close',
      done,
    ),
  );
  if (build !== 0 || !currentBundle(ROOT)) throw new Error('cli-startup: the CLI bundle did not build');
  const work = join(ROOT, 'bench', '.work');
  mkdirSync(work, { recursive: true });
  const memoryFile = join(work, 'locomo-conversation.txt');
  const memory = locomoSizedText(shared);
  writeFileSync(memoryFile, memory);

  const fromSource = { STUDIO_CLI_FROM_SOURCE: '1' };
  const commands: Command[] = [
    { name: 'tsc --version (reference)', args: [TSC, '--version'] },
    { name: 'studio --help', args: [STUDIO, '--help'] },
    {
      name: 'echo "one line" | studio compress -m none',
      args: [STUDIO, 'compress', '-m', 'none'],
      input: 'one line\n',
    },
    {
      name: `studio compress -m none FILE (a ${Math.round(memory.length / 1000)} KB LoCoMo conversation)`,
      args: [STUDIO, 'compress', '-m', 'none', memoryFile],
    },
    { name: 'studio --help (tsx, sources)', args: [STUDIO, '--help'], env: fromSource },
    {
      name: 'echo "one line" | studio compress -m none (tsx, sources)',
      args: [STUDIO, 'compress', '-m', 'none'],
      input: 'one line\n',
      env: fromSource,
    },
    {
      name: 'studio compress -m none FILE (tsx, sources)',
      args: [STUDIO, 'compress', '-m', 'none', memoryFile],
      env: fromSource,
    },
  ];
  const loadBefore = loadavg();
  // One warm-up round (disk cache), not counted.
  for (const c of commands) await run(c);
  const times = commands.map(() => [] as number[]);
  for (let r = 0; r < runs; r++) for (const [i, c] of commands.entries()) times[i]?.push(await run(c));
  const loadAfter = loadavg();
  // An edit during the rounds would have sent the "bundle" rows through tsx without a word.
  if (!currentBundle(ROOT)) throw new Error('cli-startup: a source changed during the rounds; run again');
  const stats = times.map((t) => {
    const sorted = [...t].sort((a, b) => a - b);
    return { median: quantile(sorted, 0.5), p95: quantile(sorted, 0.95) };
  });
  const reference = stats[0]?.median ?? 1;
  const rows = commands.map((c, i) => {
    const s = stats[i] as { median: number; p95: number };
    return [
      c.name.replaceAll('|', '\\|'),
      (s.median / 1000).toFixed(3),
      (s.p95 / 1000).toFixed(3),
      `${(s.median / reference).toFixed(2)}x`,
    ];
  });
  const { library, lazy } = await tableLoadMs();
  const la = (l: number[]) => l.map((x) => x.toFixed(2)).join(', ');
  writeSection(
    'cli-startup',
    `## CLI start-up (issue 16)

${stamp()} · \`npm run bench -- cli-startup\`

Whole processes (spawn to exit, Node ${process.version}), ${runs} interleaved rounds after one warm-up;
load average ${la(loadBefore)} before and ${la(loadAfter)} after (2 cores shared with other work, so
compare the ratio to \`tsc --version\` in the same rounds). \`-m none\` is rules only: this checkout
has a pruner GGUF in \`models/\`, which a plain \`studio compress\` would load. The bundle is
\`dist/cli\` (\`scripts/build-cli.mjs\`); "tsx, sources" is the same bin with
\`STUDIO_CLI_FROM_SOURCE=1\`, what a checkout runs while its bundle is stale. Targets: \`--help\`
under 0.3 s and a one-line compress under 0.6 s median, set when \`tsc --version\` took 0.36 s on this
machine: as ratios, 0.83x and 1.67x.

${table(['command', 'median (s)', 'p95 (s)', 'median / tsc --version'], rows)}

o200k rank tables, cold, in the bench process: js-tiktoken's constructor ${Math.round(library)} ms,
the lazy index (\`src/tokenizers/lazy-tiktoken.ts\`) ${Math.round(lazy)} ms, same tokens.
`,
  );
  console.log(`cli-startup: ${rows.map((r) => `${r[0]} ${r[1]} s`).join('; ')}`);
}
