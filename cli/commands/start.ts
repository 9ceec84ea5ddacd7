import type { Command } from 'commander';
import { projectExists } from '../../src/project.ts';
import { computeStats } from '../../src/stats.ts';
import type { CliContext } from '../main.ts';
import { withProject } from '../with-project.ts';

/** `npm start`: the project's status and what to do next. */
export function registerStart(program: Command, ctx: CliContext): void {
  program
    .command('start')
    .description('show the project in the working directory (or --project) and what to do next')
    .action(async () => {
      const dir = ctx.projectDir();
      ctx.out('Compression Studio');
      if (!projectExists(dir)) {
        ctx.out(`\nNo project in ${dir} yet. Create one and import a corpus:\n`);
        ctx.out('  npx studio init');
        ctx.out('  npx studio import <files or folders>   (JSONL, CSV, JSON, LoCoMo, HumanEval, Markdown, code)');
        ctx.out('\nRun "npx studio --help" for every command.');
        return;
      }
      await withProject(ctx, async (project) => {
        const stats = await computeStats(project, ['o200k']);
        ctx.out(`\nProject ${project.dbPath}`);
        ctx.out(
          `  ${stats.sources.toLocaleString('en-US')} sources (${stats.byDomain.map((d) => `${d.domain} ${d.sources}`).join(', ') || 'none'})`,
        );
        ctx.out(`  ${stats.pairs.toLocaleString('en-US')} pairs, ${stats.labels} labels, ${stats.verdicts} verdicts`);
        ctx.out('\nNext:');
        if (!stats.sources) ctx.out('  npx studio import <files or folders>');
        else if (!stats.pairs) ctx.out('  npx studio compress --all      store a rules compression for every source');
        ctx.out('  npx studio stats               tokens per domain and tokenizer');
        ctx.out('  npx studio --help              every command');
      });
    });
}
