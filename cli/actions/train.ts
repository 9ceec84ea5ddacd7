import { parse as parseYaml } from 'yaml';
import { InputError } from '../../src/errors/index.ts';
import { installClassifier } from '../../src/inference/classifier-install.ts';
import { getRun, listRuns, markAbandonedRuns, type RunKind } from '../../src/store/runs.ts';
import { listModels } from '../../src/store/training.ts';
import { runClassifierTraining } from '../../src/training/classifier-job.ts';
import { exportDataset } from '../../src/training/dataset.ts';
import { type Runner, runTraining } from '../../src/training/train-job.ts';
import type { TrainClassifierOptions, TrainLoraOptions } from '../commands/train.ts';
import type { CliContext } from '../main.ts';
import { createProgress } from '../progress.ts';
import { renderTable } from '../table.ts';
import { withProject } from '../with-project.ts';

/** `--set iters=20 --set lora.rank=4`: values parsed as YAML scalars, dotted keys nested. */
function parseSets(sets: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new InputError(`--set takes key=value, got "${s}"`);
    const keys = s.slice(0, eq).split('.');
    let node = out;
    for (const k of keys.slice(0, -1)) {
      node[k] = (node[k] as Record<string, unknown> | undefined) ?? {};
      node = node[k] as Record<string, unknown>;
    }
    node[keys.at(-1) as string] = parseYaml(s.slice(eq + 1)) as unknown;
  }
  return out;
}

/** `studio train local|tinker`: LoRA on this machine (MLX) or on Tinker, then the GGUF. */
export async function trainLora(ctx: CliContext, runner: Runner, opts: TrainLoraOptions): Promise<void> {
  const overrides = parseSets(opts.set ?? []);
  const resumeRunId = opts.resume === undefined ? undefined : Number(opts.resume);
  if (resumeRunId !== undefined && !(Number.isInteger(resumeRunId) && resumeRunId > 0))
    throw new InputError(`--resume takes a run id, got "${opts.resume}"`);
  await withProject(ctx, async (project) => {
    const progress = createProgress(`Training (${runner})`, { enabled: !opts.json });
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    let total = 0;
    const summary = await runTraining(project, {
      runner,
      overrides,
      ...(resumeRunId !== undefined ? { resumeRunId } : {}),
      exportGguf: opts.gguf,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'start') total = e.totalIters;
        else if (e.type === 'train')
          progress.update(
            e.iter,
            total,
            `loss ${e.loss.toFixed(3)}${e.tokensPerSec ? ` · ${e.tokensPerSec.toFixed(1)} tok/s` : ''}`,
          );
        else if (e.type === 'val' && !opts.json)
          ctx.logger.info(`iter ${e.iter}: validation loss ${e.loss.toFixed(3)}`);
        else if (e.type === 'log' && !opts.json) ctx.logger.info(e.message);
      },
    }).finally(() => {
      progress.stop();
      process.off('SIGINT', stop);
    });
    if (opts.json) {
      ctx.out(JSON.stringify(summary, null, 2));
      return;
    }
    const d = summary.dataset.splits;
    ctx.out(
      `Run ${summary.runId} ${summary.cancelled ? 'stopped (checkpoint kept: studio train local --resume ' + summary.runId + ')' : 'finished'} after ${summary.iters} iterations.`,
    );
    ctx.out(
      `Dataset ${summary.dataset.hash.slice(0, 12)}: ${d.train.examples} train, ${d.valid.examples} valid, ${d.test.examples} test examples.`,
    );
    if (summary.firstLoss !== undefined)
      ctx.out(
        `Train loss ${summary.firstLoss.toFixed(3)} -> ${summary.lastLoss?.toFixed(3)}${summary.lastValLoss !== undefined ? `, validation loss ${summary.lastValLoss.toFixed(3)}` : ''}.`,
      );
    ctx.out(`Adapter: ${summary.adapterPath}`);
    if (summary.ggufPath) ctx.out(`GGUF: ${summary.ggufPath}`);
    for (const w of summary.dataset.warnings) ctx.logger.warn(w);
  });
}

/** `studio train classifier`: the keep/drop token classifier. */
export async function trainClassifier(ctx: CliContext, opts: TrainClassifierOptions): Promise<void> {
  const list = (s: string | undefined) =>
    s
      ? s
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean)
      : [];
  const numbers = (s: string | undefined, what: string) =>
    list(s).map((x) => {
      const n = Number(x);
      if (!Number.isFinite(n)) throw new InputError(`${what} takes numbers, got "${x}"`);
      return n;
    });
  const resumeRunId = opts.resume === undefined ? undefined : Number(opts.resume);
  if (resumeRunId !== undefined && !(Number.isInteger(resumeRunId) && resumeRunId > 0))
    throw new InputError(`--resume takes a run id, got "${opts.resume}"`);
  const sourceIds = numbers(opts.source, '--source');
  await withProject(ctx, async (project) => {
    const progress = createProgress('Training (classifier)', { enabled: !opts.json });
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    let total = 0;
    const summary = await runClassifierTraining(project, {
      overrides: parseSets(opts.set ?? []),
      strategies: list(opts.with),
      ...(opts.distil
        ? {
            distil: {
              prunerModelPath: opts.distil,
              ratios: numbers(opts.ratios, '--ratios'),
              ...(sourceIds.length ? { sourceIds } : {}),
            },
          }
        : {}),
      ...(resumeRunId !== undefined ? { resumeRunId } : {}),
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'start') total = e.totalIters;
        else if (e.type === 'train') progress.update(e.iter, total, `loss ${e.loss.toFixed(3)}`);
        else if (e.type === 'val' && !opts.json)
          ctx.logger.info(`step ${e.iter}: validation loss ${e.loss.toFixed(3)}`);
        else if (e.type === 'log' && !opts.json) ctx.logger.info(e.message);
      },
    }).finally(() => {
      progress.stop();
      process.off('SIGINT', stop);
    });
    const installed = opts.install && !summary.cancelled ? installClassifier(summary.modelPath) : undefined;
    if (opts.json) {
      ctx.out(JSON.stringify({ ...summary, ...(installed ? { installed } : {}) }, null, 2));
      return;
    }
    const d = summary.dataset;
    ctx.out(
      `Run ${summary.runId} ${summary.cancelled ? `stopped (checkpoint kept: studio train classifier --resume ${summary.runId})` : 'finished'} after ${summary.iters} steps.`,
    );
    ctx.out(
      `Labels from ${d.pairsConsidered} pairs: ${d.extractive} extractive, ${d.abstractive} abstractive, ${d.leftOut.length} left out; ${d.splits.train.examples} train, ${d.splits.valid.examples} valid, ${d.splits.test.examples} test.`,
    );
    if (summary.bestValLoss !== undefined) ctx.out(`Best validation loss ${summary.bestValLoss.toFixed(3)}.`);
    ctx.out(`Model: ${summary.modelPath}`);
    ctx.out(
      installed
        ? `Installed to ${installed}: the classifier stage of configs/inference.yaml uses it now.`
        : 'Use it: studio train classifier --install, or STUDIO_CLASSIFIER_MODEL=<that folder>.',
    );
    for (const w of d.warnings) ctx.logger.warn(w);
  });
}

/** `studio train export`: the training set and its manifest. */
export async function exportTrainingSet(
  ctx: CliContext,
  opts: { out: string; seed: string; json?: boolean },
): Promise<void> {
  await withProject(ctx, async (project) => {
    const m = await exportDataset(project.db, { outDir: opts.out, seed: Number(opts.seed) });
    if (opts.json) {
      ctx.out(JSON.stringify(m, null, 2));
      return;
    }
    ctx.out(
      renderTable(
        ['split', 'examples', 'sources', 'o200k original', 'o200k compressed'],
        (['train', 'valid', 'test'] as const).map((s) => [
          s,
          m.splits[s].examples,
          m.splits[s].sources,
          m.splits[s].tokensOriginal.toLocaleString('en-US'),
          m.splits[s].tokensCompressed.toLocaleString('en-US'),
        ]),
      ),
    );
    ctx.out(`Dataset ${m.hash.slice(0, 12)} in ${opts.out} (${m.duplicatesRemoved} duplicates removed).`);
    for (const w of m.warnings) ctx.logger.warn(w);
  });
}

/** `studio runs`: the project's runs, or one with its summary. */
export async function listRunsCommand(
  ctx: CliContext,
  opts: { kind?: string; id?: string; json?: boolean },
): Promise<void> {
  await withProject(ctx, async (project) => {
    // Whoever looks first fails runs whose process died (stale heartbeat, process gone): no need to open the app.
    markAbandonedRuns(project.db);
    if (opts.id) {
      const run = getRun(project.db, Number(opts.id));
      if (!run) throw new InputError(`no run ${opts.id}`);
      ctx.out(JSON.stringify(run, null, 2));
      return;
    }
    const runs = listRuns(project.db, { ...(opts.kind ? { kind: opts.kind as RunKind } : {}), limit: 100 });
    if (opts.json) {
      ctx.out(JSON.stringify(runs, null, 2));
      return;
    }
    ctx.out(
      renderTable(
        ['id', 'kind', 'status', 'progress', 'spend', 'started', 'error'],
        runs.map((r) => [
          r.id,
          r.kind,
          r.status,
          r.total ? `${r.done}/${r.total}` : String(r.done),
          r.spendUsd ? `$${r.spendUsd.toFixed(4)}` : '–',
          r.startedAt.slice(0, 19).replace('T', ' '),
          (r.error ?? '').slice(0, 60),
        ]),
      ),
    );
  });
}

/** `studio models`: the fine-tuned GGUFs and adapters the project knows. */
export async function listModelsCommand(ctx: CliContext, opts: { json?: boolean }): Promise<void> {
  await withProject(ctx, async (project) => {
    const models = listModels(project.db);
    if (opts.json) {
      ctx.out(JSON.stringify(models, null, 2));
      return;
    }
    if (!models.length) {
      // The compressor's stock models (the pruner, MiniLM) are files, not trained models of the project:
      // say where they come from, or a user with them installed reads this as "nothing is set up".
      ctx.out(
        'No fine-tuned models yet: studio train local (or tinker) makes one. The stock models the compressor uses (the SmolLM2 pruner, MiniLM for --query) come from studio models pull.',
      );
      return;
    }
    ctx.out(
      renderTable(
        ['id', 'name', 'kind', 'size', 'base', 'path'],
        models.map((m) => [
          m.id,
          m.name,
          m.kind,
          m.sizeBytes === null ? '–' : `${(m.sizeBytes / 2 ** 20).toFixed(1)} MB`,
          m.base ?? '–',
          m.path,
        ]),
      ),
    );
  });
}
