import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { benchClassifier } from './classifier.ts';
import { benchGeneration } from './generation.ts';
import { benchHarness } from './harness.ts';
import { benchImport } from './import.ts';
import { benchRules } from './rules.ts';
import { benchTokenizers } from './tokenizers.ts';
import { benchValidation } from './validation.ts';

/**
 * `npm run bench` runs every section; `npm run bench -- rules import` runs those. Each section
 * rewrites its own part of bench/RESULTS.md. Data from ../shared/data is used when present.
 */
// Sections write bench/RESULTS.md only when run from here (see writeSection); the e2e sections
// run their Playwright spec in a child that inherits this.
process.env.STUDIO_BENCH = '1';
const sharedDir = resolve(process.cwd(), '..', 'shared', 'data');
const shared = existsSync(sharedDir) ? sharedDir : undefined;
const pythonLib = execFileSync(
  process.env.STUDIO_PYTHON ?? 'python3',
  ['-c', 'import sysconfig; print(sysconfig.get_paths()["stdlib"])'],
  { encoding: 'utf8' },
).trim();

const sections: Record<string, () => Promise<void>> = {
  classifier: () => benchClassifier({ pythonLib, ...(shared ? { shared } : {}) }),
  'classifier-model': () =>
    shared ? import('./classifier-model.ts').then((m) => m.benchClassifierModel(shared)) : Promise.resolve(),
  'classifier-speed': () =>
    shared ? import('./classifier-speed.ts').then((m) => m.benchClassifierSpeed(shared)) : Promise.resolve(),
  rules: () => (shared ? benchRules(shared) : Promise.resolve(console.log('rules: needs ../shared/data, skipped'))),
  tokenizers: () => benchTokenizers(),
  validation: () =>
    shared ? benchValidation(shared) : Promise.resolve(console.log('validation: needs ../shared/data, skipped')),
  harness: () => benchHarness(),
  pruning: () => (shared ? import('./pruning.ts').then((m) => m.benchPruning(shared)) : Promise.resolve()),
  'pruning-code': () =>
    shared ? import('./pruning-code.ts').then((m) => m.benchPruningCode(shared)) : Promise.resolve(),
  training: () => import('./training.ts').then((m) => m.benchTraining()),
  inference: () => import('./inference.ts').then((m) => m.benchInference(shared)),
  memory: () =>
    shared
      ? import('./memory.ts').then((m) => m.benchMemory(shared))
      : Promise.resolve(console.log('memory: needs ../shared/data, skipped')),
  'memory-scorers': () =>
    shared
      ? import('./memory.ts').then((m) => m.benchMemoryScorers(shared))
      : Promise.resolve(console.log('memory-scorers: needs ../shared/data, skipped')),
  'memory-facts': () =>
    shared
      ? import('./memory-facts.ts').then((m) => m.benchMemoryFacts(shared))
      : Promise.resolve(console.log('memory-facts: needs ../shared/data, skipped')),
  'memory-prose': () =>
    shared
      ? import('./memory-prose.ts').then((m) => m.benchMemoryProse(shared))
      : Promise.resolve(console.log('memory-prose: needs ../shared/data, skipped')),
  'memory-peers': () =>
    shared
      ? import('./memory-peers.ts').then((m) => m.benchMemoryPeers(shared))
      : Promise.resolve(console.log('memory-peers: needs ../shared/data, skipped')),
  'memory-equivalence': () =>
    shared
      ? import('./memory-equivalence.ts').then((m) => m.benchMemoryEquivalence(shared))
      : Promise.resolve(console.log('memory-equivalence: needs ../shared/data, skipped')),
  finetune: () =>
    shared
      ? import('./finetune.ts').then((m) => m.benchFinetune(shared))
      : Promise.resolve(console.log('finetune: needs ../shared/data, skipped')),
  generation: () =>
    shared ? benchGeneration(shared) : Promise.resolve(console.log('generation: needs ../shared/data, skipped')),
  'pairs-ui': async () => {
    execFileSync('npx', ['playwright', 'test', 'e2e/scale.spec.ts'], { stdio: 'inherit', env: process.env });
  },
  'pairs-queries': () =>
    import('./pairs-queries.ts').then((m) => m.benchPairsQueries(Number(process.env.BENCH_PAIRS ?? 1_000_000))),
  labeling: () =>
    import('./labeling.ts').then((m) =>
      m.benchLabeling({ importMb: Number(process.env.BENCH_LABELING_IMPORT_MB ?? 64) }),
    ),
  security: () => import('./security.ts').then((m) => m.benchSecurity()),
  regression: () =>
    shared
      ? import('./regression.ts').then((m) => m.benchRegression(shared))
      : Promise.resolve(console.log('regression: needs ../shared/data, skipped')),
  'cli-startup': () => import('./cli-startup.ts').then((m) => m.benchCliStartup(shared)),
  import: () => benchImport({ megabytes: Number(process.env.BENCH_IMPORT_MB ?? 1024), ...(shared ? { shared } : {}) }),
};

const asked = process.argv.slice(2);
for (const name of asked.length ? asked : Object.keys(sections)) {
  const run = sections[name];
  if (!run) {
    console.error(`unknown section "${name}": one of ${Object.keys(sections).join(', ')}`);
    process.exitCode = 1;
    continue;
  }
  await run();
}
console.log(`results: ${join('bench', 'RESULTS.md')}`);
