import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { DomainSchema } from '../../src/contracts/source.ts';
import { InputError } from '../../src/errors/index.ts';
import { importPaths } from '../../src/io/import.ts';
import { parseModelRef } from '../../src/providers/model-ref.ts';
import { prepareValidation } from '../../src/validation/deps.ts';
import { modelName, runValidation } from '../../src/validation/run.ts';
import type { CliContext } from '../main.ts';
import { createProgress } from '../progress.ts';
import { percent, renderTable } from '../table.ts';
import { withProject } from '../with-project.ts';

interface ValidateOptions {
  pairs?: string;
  all?: boolean;
  domain?: string;
  strategy?: string;
  input?: string;
  models?: string;
  judge?: string;
  prober?: string;
  budget?: string;
  concurrency?: string;
  batch?: boolean;
  json?: boolean;
}

export function registerValidate(program: Command, ctx: CliContext): void {
  program
    .command('validate')
    .description(
      'cross-model validation: do the validator models answer the same with the compression as with the original?',
    )
    .option('--pairs <ids>', 'comma-separated pair ids')
    .option('--all', 'every pair in the store (or those matching --domain/--strategy)')
    .option('-d, --domain <domain>', 'only pairs whose source is nl, chat, code or mixed')
    .option('-s, --strategy <name>', 'only pairs made by this strategy')
    .option('-i, --input <file>', 'a JSONL of {original, compressed} pairs: imported, then validated')
    .option('-m, --models <refs>', 'validators, comma-separated provider/model (default: configs/providers.yaml)')
    .option('--judge <ref>', 'the judge model (default: configs/providers.yaml)')
    .option('--prober <ref>', 'the model that writes probes (default: configs/providers.yaml)')
    .option('-b, --budget <usd>', 'stop before spending more than this many US dollars')
    .option('-c, --concurrency <n>', 'validator tasks at once (default: configs/validation.yaml)')
    .option(
      '--batch',
      "send the calls through the providers' batch endpoints: half price, answers within hours; safe to stop and run again",
    )
    .option('--json', 'print the summary as JSON')
    .action(async (opts: ValidateOptions) => {
      const budget = opts.budget === undefined ? undefined : Number(opts.budget);
      if (budget !== undefined && !(budget > 0))
        throw new InputError(`--budget must be a positive number of dollars, got "${opts.budget}"`);
      const models = opts.models?.split(',');
      for (const ref of [...(models ?? []), opts.judge, opts.prober]) {
        if (ref?.startsWith('local/') && !existsSync(parseModelRef(ref).model))
          throw new InputError(`local model file not found: ${parseModelRef(ref).model}`);
      }
      await withProject(ctx, async (project) => {
        const where: string[] = [];
        const params: unknown[] = [];
        if (opts.input) {
          const imported = await importPaths(project.db, [opts.input], { config: project.config.import });
          if (imported.issueCount)
            ctx.logger.warn(`${imported.issueCount} lines of ${opts.input} were rejected (studio import shows them)`);
          where.push('p.source_id IN (SELECT id FROM sources WHERE origin_path = ?)');
          params.push(opts.input);
        }
        if (opts.pairs) {
          const ids = opts.pairs.split(',').map((x) => Number(x.trim()));
          if (ids.some((x) => !Number.isInteger(x) || x < 1))
            throw new InputError(`--pairs takes comma-separated ids, got "${opts.pairs}"`);
          where.push(`p.id IN (${ids.map(() => '?').join(',')})`);
          params.push(...ids);
        }
        if (opts.domain) {
          const d = DomainSchema.safeParse(opts.domain);
          if (!d.success) throw new InputError(`--domain must be one of ${DomainSchema.options.join(', ')}`);
          where.push('s.domain = ?');
          params.push(d.data);
        }
        if (opts.strategy) {
          where.push('p.strategy = ?');
          params.push(opts.strategy);
        }
        if (!where.length && !opts.all)
          throw new InputError('say which pairs: --pairs, --all, --domain, --strategy or --input');
        const pairIds = project.db
          .prepare(
            `SELECT p.id FROM pairs p JOIN sources s ON s.id = p.source_id ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY p.id`,
          )
          .pluck()
          .all(...params) as number[];
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
        const spend = project.db
          .prepare(
            'SELECT coalesce(sum(cost_usd), 0) AS usd, sum(cost_usd IS NULL) AS unpriced, count(*) AS calls, sum(cached) AS cached FROM costs WHERE run_id = ?',
          )
          .get(summary.runId) as {
          usd: number;
          unpriced: number | null;
          calls: number;
          cached: number | null;
        };
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
    });
}
