import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { loadProvidersConfig } from '../../src/config.ts';
import { DomainSchema } from '../../src/contracts/source.ts';
import { ConfigError, InputError } from '../../src/errors/index.ts';
import { STRATEGY_NAMES, type StrategyName } from '../../src/generation/strategies/index.ts';
import { createTokenClassifier } from '../../src/inference/classifier.ts';
import { loadInferenceConfig } from '../../src/inference/config.ts';
import { generateThenValidate } from '../../src/jobs/generate-validate.ts';
import { parseModelRef } from '../../src/providers/model-ref.ts';
import { pairTargetsOfRun } from '../../src/store/run-summaries.ts';
import { createJobRegistry, prepareValidation } from '../../src/validation/deps.ts';
import type { GenerateCliOptions } from '../commands/generate.ts';
import type { CliContext } from '../main.ts';
import { createProgress } from '../progress.ts';
import { percent, renderTable } from '../table.ts';
import { withProject } from '../with-project.ts';

/** `studio generate`: candidates for the selected sources with one strategy (then, with --validate, the shortest passing one kept). */
export async function generate(ctx: CliContext, opts: GenerateCliOptions): Promise<void> {
  if (!STRATEGY_NAMES.includes(opts.strategy as StrategyName))
    throw new InputError(`--strategy must be one of ${STRATEGY_NAMES.join(', ')}, got "${opts.strategy}"`);
  const strategy = opts.strategy as StrategyName;
  const ratios = (opts.ratio ?? '').split(',').map((r) => Number(r.trim()));
  if (ratios.some((r) => !(r > 0 && r < 1)))
    throw new InputError(`--ratio takes kept fractions between 0 and 1, e.g. 0.5 or 0.3,0.5,0.7; got "${opts.ratio}"`);
  const threshold = opts.threshold === undefined ? undefined : Number(opts.threshold);
  if (threshold !== undefined && !Number.isFinite(threshold))
    throw new InputError(`--threshold must be a number, got "${opts.threshold}"`);
  const budget = opts.budget === undefined ? undefined : Number(opts.budget);
  if (budget !== undefined && !(budget > 0))
    throw new InputError(`--budget must be a positive number of dollars, got "${opts.budget}"`);
  const concurrency = Number(opts.concurrency ?? 4);
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new InputError(`--concurrency must be a whole number ≥ 1, got "${opts.concurrency}"`);
  const sourceIds = opts.sources?.split(',').map((x) => Number(x.trim()));
  if (sourceIds?.some((x) => !Number.isInteger(x) || x < 1))
    throw new InputError(`--sources takes comma-separated ids, got "${opts.sources}"`);
  const domain = opts.domain === undefined ? undefined : DomainSchema.safeParse(opts.domain);
  if (domain && !domain.success) throw new InputError(`--domain must be one of ${DomainSchema.options.join(', ')}`);
  if (strategy === 'pruned' && opts.model && !existsSync(opts.model))
    throw new InputError(`--model: no GGUF file at ${opts.model}`);
  // pruned without --model: the pruner configs/inference.yaml names (what `studio models pull` fetches).
  const prunerPath =
    strategy === 'pruned'
      ? (opts.model ?? (loadInferenceConfig().models.pruner?.path as string | undefined))
      : undefined;
  if (strategy === 'pruned' && !opts.model && (!prunerPath || !existsSync(prunerPath)))
    throw new InputError(
      `pruned needs a local GGUF: run "studio models pull" (the pruner goes to ${prunerPath ?? 'models/pruner.gguf'}) or pass --model path/to.gguf`,
    );

  await withProject(ctx, async (project) => {
    const registry = createJobRegistry(project, budget === undefined ? {} : { budgetUsd: budget });
    const generator =
      strategy === 'prompted'
        ? opts.model
          ? parseModelRef(opts.model)
          : loadProvidersConfig().models.generator
        : undefined;
    if (generator) {
      const missing = registry.missingKeys([generator]);
      if (missing.length) throw new ConfigError(`missing API keys: ${missing.join('; ')}`);
    }
    const validate = opts.validate
      ? prepareValidation(project, { ...(opts.validators ? { models: opts.validators.split(',') } : {}), registry })
      : undefined;
    // classified: the token classifier folder given, else the one configs/inference.yaml names.
    const classifierDir =
      strategy === 'classified'
        ? (opts.model ?? (loadInferenceConfig().models.classifier?.path as string | undefined))
        : undefined;
    const classifier = classifierDir ? createTokenClassifier({ modelDir: classifierDir }) : undefined;
    const progress = createProgress(`Generating (${strategy})`, { enabled: !opts.json });
    const summary = await generateThenValidate(project, {
      strategy,
      ratios,
      ...(threshold !== undefined ? { threshold } : {}),
      ...(opts.question ? { question: opts.question } : {}),
      ...(opts.protect?.length ? { protect: opts.protect } : {}),
      ...(sourceIds ? { sourceIds } : {}),
      ...(domain?.success ? { domain: domain.data } : {}),
      ...(opts.tag ? { tag: opts.tag } : {}),
      ...(opts.query ? { query: opts.query } : {}),
      ...(generator ? { generator, registry } : {}),
      ...(prunerPath ? { prunerModelPath: prunerPath } : {}),
      ...(classifier && classifierDir ? { classifier, classifierModel: basename(classifierDir) } : {}),
      concurrency,
      ...(opts.batch ? { batch: true } : {}),
      ...(validate ? { validate } : {}),
      onProgress: (d, t) => progress.update(d, t),
      onStatus: (m) => {
        if (!opts.json) ctx.logger.info(m);
      },
    }).finally(() => {
      progress.stop();
      void classifier?.dispose();
    });
    if (opts.json) {
      ctx.out(JSON.stringify(summary, null, 2));
      return;
    }
    const pairs = pairTargetsOfRun(project.db, summary.runId);
    ctx.out(
      renderTable(
        ['target', 'pairs', 'o200k before', 'o200k after', 'reduction', 'cost'],
        pairs.map((p) => [
          String(p.target),
          p.pairs,
          p.tokensBefore.toLocaleString('en-US'),
          p.tokensAfter.toLocaleString('en-US'),
          percent(p.tokensBefore ? 1 - p.tokensAfter / p.tokensBefore : null),
          p.costUsd === null ? 'unknown' : `$${p.costUsd.toFixed(4)}`,
        ]),
      ),
    );
    ctx.out(
      `${summary.sources} sources${summary.skipped ? ` (${summary.skipped} already done)` : ''}: ${summary.inserted} new pairs, ${summary.existing} already stored, ${summary.rejected.length} candidates rejected.`,
    );
    if (summary.batches)
      ctx.out(
        `Batches: ${summary.batches.submitted} submitted, ${summary.batches.succeeded} answers at the batch price.`,
      );
    if (summary.chained)
      ctx.out(
        `Validated (run ${summary.chained.validationRunId}): kept the shortest passing candidate for ${summary.chained.kept.length} sources, removed ${summary.chained.removed}; ${summary.chained.withoutPass.length} sources had none that passed.`,
      );
    if (summary.stoppedBy === 'budget')
      ctx.logger.warn('Stopped at the budget: run again with a higher --budget to finish.');
    const reasons = new Map<string, number>();
    for (const r of summary.rejected) reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + 1);
    for (const [reason, n] of [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 10))
      ctx.logger.warn(`${n} × rejected: ${reason}`);
    ctx.logger.info(
      `Run ${summary.runId}. Spend: $${summary.costUsd.toFixed(4)}${summary.unpricedCandidates ? ` (+${summary.unpricedCandidates} unpriced)` : ''}.`,
    );
  });
}
