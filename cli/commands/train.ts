import type { Command } from 'commander';
import type { CliContext } from '../main.ts';
import { collect } from '../options.ts';

export interface TrainLoraOptions {
  set?: string[];
  resume?: string;
  gguf: boolean;
  json?: boolean;
}

export interface TrainClassifierOptions {
  set?: string[];
  with?: string;
  distil?: string;
  ratios: string;
  source?: string;
  resume?: string;
  install?: boolean;
  json?: boolean;
}

export function registerTrain(program: Command, ctx: CliContext): void {
  const train = program.command('train').description('fine-tune a compressor on the approved pairs');
  for (const runner of ['local', 'tinker'] as const) {
    train
      .command(runner)
      .description(
        runner === 'local'
          ? 'LoRA with MLX on this machine (Metal on a Mac), then a GGUF node-llama-cpp loads'
          : 'LoRA on Tinker (needs TINKER_API_KEY), then a PEFT and a GGUF adapter',
      )
      .option('--set <key=value>', 'override configs/training.yaml for this run (repeatable), e.g. iters=200', collect)
      .option('--resume <run>', 'continue a stopped local run from its last checkpoint')
      .option('--no-gguf', 'skip fusing and exporting the GGUF after a local run')
      .option('--json', 'print the summary as JSON')
      .action(async (opts: TrainLoraOptions) => (await import('../actions/train.ts')).trainLora(ctx, runner, opts));
  }
  train
    .command('classifier')
    .description(
      'the fast compressor: a keep/drop token classifier (all-MiniLM-L6-v2, torch on the CPU, ONNX) trained on approved pairs',
    )
    .option(
      '--set <key=value>',
      'override configs/training.yaml (classifier section) for this run, e.g. epochs=2',
      collect,
    )
    .option('--with <strategies>', 'also learn from unlabelled candidates of these strategies, e.g. pruned,prompted')
    .option('--distil <gguf>', 'label the prose and dialogue sources with pruned (this GGUF) first, and train on that')
    .option('--ratios <list>', 'keep ratios to label at with --distil', '0.5,0.33')
    .option('--source <ids>', 'with --distil: only these source ids (comma-separated)')
    .option('--resume <run>', 'continue a stopped classifier run from its checkpoint')
    .option('--install', 'copy the exported model to models/classifier, where configs/inference.yaml looks')
    .option('--json', 'print the summary as JSON')
    .action(async (opts: TrainClassifierOptions) => (await import('../actions/train.ts')).trainClassifier(ctx, opts));
  train
    .command('export')
    .description('write the training set (approved pairs as chat JSONL, split by source) and its manifest')
    .requiredOption('-o, --out <dir>', 'folder for train.jsonl, valid.jsonl, test.jsonl, manifest.json')
    .option('--seed <n>', 'split seed', '0')
    .option('--json', 'print the manifest as JSON')
    .action(async (opts: { out: string; seed: string; json?: boolean }) =>
      (await import('../actions/train.ts')).exportTrainingSet(ctx, opts),
    );

  program
    .command('runs')
    .description('the project runs: imports, generation, validation, training')
    .option('-k, --kind <kind>', 'only this kind')
    .option('--id <run>', 'one run, with its summary')
    .option('--json', 'as JSON')
    .action(async (opts: { kind?: string; id?: string; json?: boolean }) =>
      (await import('../actions/train.ts')).listRunsCommand(ctx, opts),
    );

  program
    .command('models')
    .description('models the project knows: fine-tuned GGUFs and adapters')
    .option('--json', 'as JSON')
    .action(async (opts: { json?: boolean }) => (await import('../actions/train.ts')).listModelsCommand(ctx, opts));
}
