import { existsSync } from 'node:fs';
import { type Domain, DomainSchema } from '../../src/contracts/source.ts';
import {
  type LabelFilter,
  LabelFilterSchema,
  type PairViewQuery,
  type VerdictFilter,
  VerdictFilterSchema,
} from '../../src/contracts/view.ts';
import { InputError } from '../../src/errors/index.ts';
import { importPaths } from '../../src/io/import.ts';
import type { Project } from '../../src/project.ts';
import { parseModelRef } from '../../src/providers/model-ref.ts';
import { pairIdsFromFile } from '../../src/store/pair-origins.ts';
import { pairIdsForView } from '../../src/store/pair-view.ts';
import { spendOfRun } from '../../src/store/run-summaries.ts';
import { prepareValidation } from '../../src/validation/deps.ts';
import { modelName, runValidation } from '../../src/validation/run.ts';
import type { ValidateOptions } from '../commands/validate.ts';
import type { CliContext } from '../main.ts';
import { createProgress } from '../progress.ts';
import { percent, renderTable } from '../table.ts';
import { withProject } from '../with-project.ts';

/**
 * The pairs a validate command line names. The filters are the Pairs page's own query
 * (pairIdsForView), so the CLI and the app pick the same pairs for the same filter; --pairs and
 * --input (the pairs read from that file, imported first) narrow that set.
 */
async function selectPairIds(ctx: CliContext, project: Project, opts: ValidateOptions): Promise<number[]> {
  let fromFile: Set<number> | undefined;
  if (opts.input) {
    const imported = await importPaths(project.db, [opts.input], { config: project.config.import });
    if (imported.issueCount)
      ctx.logger.warn(`${imported.issueCount} lines of ${opts.input} were rejected (studio import shows them)`);
    fromFile = new Set(pairIdsFromFile(project.db, opts.input));
  }
  let named: Set<number> | undefined;
  if (opts.pairs) {
    const ids = opts.pairs.split(',').map((x) => Number(x.trim()));
    if (ids.some((x) => !Number.isInteger(x) || x < 1))
      throw new InputError(`--pairs takes comma-separated ids, got "${opts.pairs}"`);
    named = new Set(ids);
  }
  const view = viewQuery(opts);
  if (!opts.input && !opts.pairs && !opts.all && !Object.keys(view).length)
    throw new InputError(
      'say which pairs: --pairs, --all, --domain, --strategy, --verdict, --label, --search or --input',
    );
  return pairIdsForView(project.db, view).filter((id) => (!named || named.has(id)) && (!fromFile || fromFile.has(id)));
}

/** The Pairs page query for the filter options, each checked against the page's own schema. */
function viewQuery(opts: ValidateOptions): PairViewQuery {
  const pick = <T>(
    name: string,
    value: string | undefined,
    schema: { safeParse(v: unknown): { success: boolean; data?: T }; options: readonly string[] },
  ) => {
    if (value === undefined) return undefined;
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new InputError(`--${name} must be one of ${schema.options.join(', ')}, got "${value}"`);
    return parsed.data as T;
  };
  const domain = pick<Domain>('domain', opts.domain, DomainSchema);
  const verdict = pick<VerdictFilter>('verdict', opts.verdict, VerdictFilterSchema);
  const label = pick<LabelFilter>('label', opts.label, LabelFilterSchema);
  if (opts.regex && opts.search === undefined) throw new InputError('--regex goes with --search');
  return {
    ...(domain ? { domain } : {}),
    ...(opts.strategy ? { strategy: opts.strategy } : {}),
    ...(verdict ? { verdict } : {}),
    ...(label ? { label } : {}),
    ...(opts.search !== undefined ? { search: opts.search, regex: Boolean(opts.regex) } : {}),
  };
}

/** `studio validate`: cross-model validation of the selected pairs, with its scores and spend. */
export async function validate(ctx: CliContext, opts: ValidateOptions): Promise<void> {
  const budget = opts.budget === undefined ? undefined : Number(opts.budget);
  if (budget !== undefined && !(budget > 0))
    throw new InputError(`--budget must be a positive number of dollars, got "${opts.budget}"`);
  const models = opts.models?.split(',');
  for (const ref of [...(models ?? []), opts.judge, opts.prober]) {
    if (ref?.startsWith('local/') && !existsSync(parseModelRef(ref).model))
      throw new InputError(`local model file not found: ${parseModelRef(ref).model}`);
  }
  await withProject(ctx, async (project) => {
    const pairIds = await selectPairIds(ctx, project, opts);
    if (!pairIds.length) throw new InputError('no pairs match');

    const { validators, judge, prober, registry, config, embedder } = prepareValidation(project, {
      ...(models ? { models } : {}),
      ...(opts.judge ? { judge: opts.judge } : {}),
      ...(opts.prober ? { prober: opts.prober } : {}),
      ...(budget === undefined ? {} : { budgetUsd: budget }),
    });
    const concurrency = opts.concurrency === undefined ? config.concurrency : Number(opts.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new InputError(`--concurrency must be a whole number ≥ 1, got "${opts.concurrency}"`);
    const progress = createProgress('Validating', { enabled: !opts.json });
    const summary = await runValidation(project, {
      pairIds,
      validators,
      judge,
      prober,
      registry,
      config,
      concurrency,
      ...(embedder ? { embedder } : {}),
      ...(opts.batch ? { batch: true } : {}),
      onProgress: (d, t) => progress.update(d, t),
      onStatus: (message) => {
        if (!opts.json) ctx.logger.info(message);
      },
    }).finally(async () => {
      progress.stop();
      await embedder?.dispose();
    });
    const spend = spendOfRun(project.db, summary.runId);
    if (opts.json) {
      ctx.out(JSON.stringify({ ...summary, spend }, null, 2));
      return;
    }
    ctx.out(
      renderTable(
        [
          'model',
          'pairs judged',
          'probes',
          'equivalent',
          'judge errors',
          'task equivalence',
          `pass (≥ ${percent(config.thresholds.taskEquivalence)})`,
        ],
        summary.scores.byModel.map((m) => [
          m.model,
          m.judgedPairs,
          m.probesJudged,
          m.probesEquivalent,
          m.judgeErrors,
          percent(m.taskEquivalence),
          `${m.passed}/${m.pairs}`,
        ]),
      ),
    );
    const t = summary.scores.transfer;
    if (validators.length > 1)
      ctx.out(
        `\nCross-model transfer: ${t.transferred}/${t.eligible} (${percent(t.rate)}; target ${percent(config.thresholds.transfer)})`,
      );
    if (summary.code.length) {
      ctx.out(
        `Code pairs: ${summary.code.filter((c) => c.sameAst).length}/${summary.code.length} same syntax tree, ${summary.code.filter((c) => c.testsPassed).length}/${summary.code.filter((c) => c.testsPassed !== null).length} pass their tests`,
      );
    }
    ctx.out(
      `Spend: $${spend.usd.toFixed(4)} over ${spend.calls} calls (${spend.cached ?? 0} from cache)${spend.unpriced ? `, ${spend.unpriced} calls with no known price` : ''}`,
    );
    if (summary.batches) {
      const b = summary.batches;
      ctx.out(
        `Batches: ${b.submitted} submitted (${b.requests} requests)${b.resumed ? `, ${b.resumed} resumed` : ''}; ${b.succeeded} answers at the batch price${b.leftLive ? `, ${b.leftLive} calls made live instead` : ''}`,
      );
    }
    if (summary.stoppedBy === 'cancelled' && summary.batches)
      ctx.logger.warn(
        'Stopped: submitted batches keep running at the provider; run the same command again to collect them.',
      );
    if (summary.stoppedBy === 'budget')
      ctx.logger.warn('Stopped at the budget: run again with a higher --budget to finish (what was done is kept).');
    for (const issue of summary.issues.slice(0, 20))
      ctx.logger.warn(`pair ${issue.pairId}${issue.model ? ` on ${issue.model}` : ''}: ${issue.message}`);
    ctx.logger.info(`Run ${summary.runId}: judge ${modelName(judge)}, prober ${modelName(prober)}.`);
  });
}
