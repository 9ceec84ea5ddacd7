import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, homedir, tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { appRoot } from '../app-root.ts';
import type { TrainingEvent } from '../contracts/training.ts';
import type { Project } from '../project.ts';
import { listRuns } from '../store/runs.ts';
import { listTrainingEvents } from '../store/training.ts';
import type { Env } from '../util/env.ts';
import { type DatasetManifest, exportDataset, type Split } from './dataset.ts';
import type { Runner } from './train-job.ts';
import { loadTrainingConfig } from './train-job.ts';

export type CheckLevel = 'ok' | 'info' | 'warn' | 'error';

export interface PreflightCheck {
  id: 'active-run' | 'platform' | 'trainer' | 'base-model' | 'key' | 'dataset-size' | 'compression' | 'dataset';
  level: CheckLevel;
  message: string;
}

export interface TrainingPreflight {
  runner: Runner;
  platform: string;
  backend: string;
  baseModel: string;
  /** Expected training speed, measured by an earlier run on this machine where there was one. */
  speed: { tokensPerSec: number; measured: boolean; etaSeconds: number | null } | null;
  activeRunId: number | null;
  dataset: {
    splits: Record<Split, { examples: number; sources: number; tokensOriginal: number; tokensCompressed: number }>;
    pairsConsidered: number;
    duplicatesRemoved: number;
    /** Compressed over original o200k tokens, all splits together (1 = nothing removed). */
    meanKept: number | null;
    warnings: string[];
  } | null;
  checks: PreflightCheck[];
  /** No error: a run can start (after the warnings are confirmed once). */
  canStart: boolean;
  /** The missing key's variable, when that is what stops the run. */
  missingKey: string | null;
}

/** Fewer training examples than this teach little: warn. */
export const TINY_DATASET = 50;
/** Compressions keeping more than this share of the tokens teach little compression: warn. */
export const BARELY_COMPRESSED = 0.9;

/** The run's base model name, e.g. "mlx-community/Qwen3-4B-Instruct-2507-4bit". */
function paramsBillions(name: string): number | null {
  const m = /(\d+(?:\.\d+)?)\s*([BM])\b/i.exec(name.replace(/[-_]/g, ' '));
  if (!m?.[1] || !m[2]) return null;
  const n = Number(m[1]);
  return m[2].toUpperCase() === 'B' ? n : n / 1000;
}

/** A local folder, or a Hugging Face repo in the local hub cache: no network needed. */
function localBaseModel(baseModel: string, env: Env): { present: boolean; where: string } {
  if (isAbsolute(baseModel) || baseModel.startsWith('.') || existsSync(baseModel))
    return { present: existsSync(join(baseModel, 'config.json')), where: baseModel };
  const hub = env.HF_HUB_CACHE ?? join(env.HF_HOME ?? join(homedir(), '.cache', 'huggingface'), 'hub');
  const dir = join(hub, `models--${baseModel.replaceAll('/', '--')}`);
  return { present: existsSync(join(dir, 'snapshots')), where: dir };
}

/** Whether the hub answers for the repo (a short HEAD request; no download). */
async function hubReachable(baseModel: string, env: Env): Promise<{ ok: boolean; detail: string }> {
  if (env.HF_HUB_OFFLINE === '1') return { ok: false, detail: 'HF_HUB_OFFLINE=1' };
  const endpoint = env.HF_ENDPOINT ?? 'https://huggingface.co';
  try {
    const res = await fetch(`${endpoint}/api/models/${baseModel}`, {
      method: 'HEAD',
      signal: AbortSignal.timeout(4000),
    });
    return res.ok ? { ok: true, detail: endpoint } : { ok: false, detail: `${endpoint} answered ${res.status}` };
  } catch (error) {
    return {
      ok: false,
      detail: `${endpoint} not reachable (${error instanceof Error ? error.message : String(error)})`,
    };
  }
}

/** Tokens per second of the latest earlier run of this runner on this base model, if any. */
function measuredSpeed(project: Project, runner: Runner, baseModel: string): number | null {
  for (const run of listRuns(project.db, { kind: 'training', limit: 20 })) {
    if (run.config.runner !== runner) continue;
    const base = (run.config.config as { baseModel?: unknown } | undefined)?.baseModel;
    if (base !== baseModel) continue;
    const speeds = listTrainingEvents(project.db, run.id)
      .filter((e): e is Extract<TrainingEvent, { type: 'train' }> & { seq: number } => e.type === 'train')
      .map((e) => e.tokensPerSec)
      .filter((t): t is number => typeof t === 'number' && t > 0);
    if (speeds.length) return speeds.reduce((a, b) => a + b, 0) / speeds.length;
  }
  return null;
}

async function datasetStats(project: Project): Promise<DatasetManifest> {
  // The same export the run makes, into a scratch folder: the numbers are the manifest's.
  const dir = mkdtempSync(join(tmpdir(), 'studio-preflight-'));
  try {
    return await exportDataset(project.db, { outDir: dir });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Everything a training run needs, checked before it is created: no other training run active,
 * the platform's backend (MLX with Metal on an Apple Silicon Mac, mlx-lm[cpu] elsewhere) and its
 * expected speed, the base model on disk or reachable, the Tinker key, and the dataset (its
 * split, tokens, size and how much its pairs compress). Errors stop the run; warnings are asked
 * about once.
 */
export async function trainingPreflight(
  project: Project,
  options: {
    runner: Runner;
    overrides?: Record<string, unknown>;
    env?: Env;
    hasKey?: (envName: string) => boolean;
    platform?: NodeJS.Platform;
    arch?: string;
  },
): Promise<TrainingPreflight> {
  const env = options.env ?? process.env;
  const config = loadTrainingConfig({ [options.runner]: options.overrides ?? {} });
  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;
  const checks: PreflightCheck[] = [];
  let missingKey: string | null = null;

  const active = listRuns(project.db, { kind: 'training', limit: 50 }).find((r) => r.status === 'running');
  if (active)
    checks.push({
      id: 'active-run',
      level: 'error',
      message: `run ${active.id} is training now: stop it (or wait for it) before starting another`,
    });

  let dataset: TrainingPreflight['dataset'] = null;
  let meanTokens = 0;
  try {
    const m = await datasetStats(project);
    const all = Object.values(m.splits);
    const before = all.reduce((n, s) => n + s.tokensOriginal, 0);
    const after = all.reduce((n, s) => n + s.tokensCompressed, 0);
    const examples = all.reduce((n, s) => n + s.examples, 0);
    meanTokens = examples ? (before + after) / examples : 0;
    const strip = ({ byDomain: _b, ...s }: DatasetManifest['splits'][Split]) => s;
    dataset = {
      splits: { train: strip(m.splits.train), valid: strip(m.splits.valid), test: strip(m.splits.test) },
      pairsConsidered: m.pairsConsidered,
      duplicatesRemoved: m.duplicatesRemoved,
      meanKept: before ? after / before : null,
      warnings: m.warnings,
    };
    const train = m.splits.train.examples;
    checks.push(
      train === 0
        ? { id: 'dataset-size', level: 'error', message: 'the dataset has no training examples' }
        : train < TINY_DATASET
          ? {
              id: 'dataset-size',
              level: 'warn',
              message: `only ${train} training examples (fewer than ${TINY_DATASET}): the model will learn little; approve more pairs first`,
            }
          : { id: 'dataset-size', level: 'ok', message: `${train} training examples` },
    );
    if (dataset.meanKept !== null)
      checks.push(
        dataset.meanKept > BARELY_COMPRESSED
          ? {
              id: 'compression',
              level: 'warn',
              message: `the approved compressions keep ${(100 * dataset.meanKept).toFixed(1)} % of the tokens: barely compressed, so the model learns to copy`,
            }
          : {
              id: 'compression',
              level: 'ok',
              message: `the approved compressions keep ${(100 * dataset.meanKept).toFixed(1)} % of the tokens`,
            },
      );
  } catch (error) {
    checks.push({ id: 'dataset', level: 'error', message: error instanceof Error ? error.message : String(error) });
  }

  let backend: string;
  let baseModel: string;
  let speed: TrainingPreflight['speed'] = null;
  if (options.runner === 'local') {
    baseModel = config.local.baseModel;
    const mac = platform === 'darwin' && arch === 'arm64';
    backend = mac ? 'MLX (Metal, Apple Silicon)' : 'mlx-lm[cpu] (CPU only)';
    const measured = measuredSpeed(project, 'local', baseModel);
    const params = paramsBillions(baseModel);
    // Without a measurement: ~160 tokens/s for a 135M model on 2 CPU cores (bench/RESULTS.md),
    // scaled by size and cores; Metal is roughly 20 times faster than that.
    const guess = params ? ((160 * 0.135) / params) * (cpus().length / 2) * (mac ? 20 : 1) : null;
    const tps = measured ?? guess;
    if (tps) {
      const tokens = config.local.iters * config.local.batchSize * Math.min(meanTokens, config.local.maxSeqLength);
      speed = { tokensPerSec: tps, measured: measured !== null, etaSeconds: tokens ? tokens / tps : null };
    }
    const eta = speed?.etaSeconds
      ? `, about ${formatDuration(speed.etaSeconds)} for ${config.local.iters} iterations`
      : '';
    const rate = speed
      ? `${speed.measured ? '' : '~'}${speed.tokensPerSec.toFixed(speed.tokensPerSec < 10 ? 1 : 0)} tokens/s${speed.measured ? ' (measured by an earlier run)' : ' (estimate)'}`
      : 'speed unknown';
    checks.push(
      mac
        ? { id: 'platform', level: 'ok', message: `${backend}: ${rate}${eta}` }
        : {
            id: 'platform',
            level: (speed?.etaSeconds ?? 0) > 3600 ? 'warn' : 'info',
            message: `no Apple GPU here (${platform} ${arch}): mlx-lm[cpu] trains on the CPU, ${rate}${eta}`,
          },
    );
    // The trainer's venv (mlx-lm, or mlx-lm[cpu] off a Mac) is built at the first local run.
    const venv = env.STUDIO_MLX_VENV ?? join(appRoot(), '.cache', 'training', 'mlx-venv');
    checks.push(
      existsSync(join(venv, 'studio-ready.json'))
        ? {
            id: 'trainer',
            level: 'ok',
            message: `the ${mac ? 'mlx-lm' : 'mlx-lm[cpu]'} trainer is installed (${venv})`,
          }
        : {
            id: 'trainer',
            level: 'info',
            message: `the ${mac ? 'mlx-lm' : 'mlx-lm[cpu]'} trainer is installed into ${venv} at the first run (a few minutes, from PyPI)`,
          },
    );
    const local = localBaseModel(baseModel, env);
    if (local.present)
      checks.push({ id: 'base-model', level: 'ok', message: `${baseModel} is on disk (${local.where})` });
    else if (isAbsolute(baseModel) || baseModel.startsWith('.'))
      checks.push({ id: 'base-model', level: 'error', message: `no model folder (config.json) at ${baseModel}` });
    else {
      const hub = await hubReachable(baseModel, env);
      checks.push(
        hub.ok
          ? { id: 'base-model', level: 'info', message: `${baseModel} will be downloaded from ${hub.detail}` }
          : {
              id: 'base-model',
              level: 'error',
              message: `${baseModel} is neither in the Hugging Face cache nor reachable: ${hub.detail}. Set local.baseModel to a model folder`,
            },
      );
    }
  } else {
    backend = 'Tinker (remote GPUs)';
    baseModel = config.tinker.baseModel || config.tinker.preferModels.join(', ');
    const keyEnv = config.tinker.apiKeyEnv;
    const has = options.hasKey ? options.hasKey(keyEnv) : Boolean(env[keyEnv]?.trim());
    if (!has) missingKey = keyEnv;
    checks.push(
      has
        ? { id: 'key', level: 'ok', message: `${keyEnv} is set` }
        : { id: 'key', level: 'error', message: `Tinker needs ${keyEnv}, which is not set` },
    );
    checks.push({
      id: 'base-model',
      level: 'info',
      message: config.tinker.baseModel
        ? `${config.tinker.baseModel} on Tinker`
        : `the first of ${config.tinker.preferModels.join(', ')} Tinker supports, chosen at run time`,
    });
  }
  return {
    runner: options.runner,
    platform: `${platform} ${arch}`,
    backend,
    baseModel,
    speed,
    activeRunId: active?.id ?? null,
    dataset,
    checks,
    canStart: !checks.some((c) => c.level === 'error'),
    missingKey,
  };
}

export function formatDuration(s: number): string {
  return s < 90 ? `${Math.round(s)} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`;
}
