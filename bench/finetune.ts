import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { trainingSystemPrompt } from '../src/contracts/compressor-prompt.ts';
import { unsupportedFacts } from '../src/generation/facts.ts';
import { findProtectedSpans } from '../src/generation/protect.ts';
import { createPruner } from '../src/generation/strategies/pruned/index.ts';
import { openProject } from '../src/project.ts';
import { ensureSmolLM2 } from '../src/providers/local/test-model.ts';
import { submitLabel } from '../src/review/queue.ts';
import { insertPairs } from '../src/store/pairs.ts';
import { insertSources, textSource } from '../src/store/sources.ts';
import { listTrainingEvents } from '../src/store/training.ts';
import { countTiktoken } from '../src/tokenizers/tiktoken.ts';
import { ensureHfCheckpoint } from '../src/training/hf-checkpoint.ts';
import { runTraining } from '../src/training/train-job.ts';
import { stamp, writeSection } from './results-file.ts';

const WORK = join(process.cwd(), 'bench', '.work');

/** LoCoMo sessions cut into short dialogue chunks (a few turns): short enough to train on a CPU. */
function chunks(locomo: string, count: number): string[] {
  const data = JSON.parse(readFileSync(locomo, 'utf8')) as { conversation: Record<string, unknown> }[];
  const out: string[] = [];
  for (const sample of data) {
    for (const [key, value] of Object.entries(sample.conversation)) {
      if (!/^session_\d+$/.test(key) || !Array.isArray(value)) continue;
      const turns = value as { speaker: string; text: string }[];
      for (let i = 0; i + 4 <= turns.length && out.length < count; i += 4)
        out.push(
          turns
            .slice(i, i + 4)
            .map((t) => `${t.speaker}: ${t.text}`)
            .join('\n'),
        );
    }
    if (out.length >= count) break;
  }
  return out;
}

/** Share of the source's protected spans (names, numbers, dates) found verbatim in the output. */
function spanSurvival(source: string, output: string): number {
  const spans = findProtectedSpans(source, { domain: 'chat' }).filter((s) => s.kind !== 'speaker');
  if (!spans.length) return 1;
  return spans.filter((s) => output.includes(source.slice(s.start, s.end))).length / spans.length;
}

async function generateAll(modelPath: string, texts: string[]): Promise<string[]> {
  const { getLlama, LlamaChatSession } = await import('node-llama-cpp');
  const llama = await getLlama({ build: 'never', gpu: false });
  const model = await llama.loadModel({ modelPath });
  const context = await model.createContext({ contextSize: 2048, threads: availableParallelism() });
  const out: string[] = [];
  try {
    for (const text of texts) {
      const sequence = context.getSequence();
      const session = new LlamaChatSession({ contextSequence: sequence, systemPrompt: trainingSystemPrompt('chat') });
      const tokens = model.tokenize(text).length;
      out.push((await session.prompt(text, { temperature: 0, maxTokens: Math.ceil(tokens * 1.2) + 8 })).trim());
      session.dispose({ disposeSequence: false });
      sequence.dispose();
    }
  } finally {
    await context.dispose();
    await model.dispose();
  }
  return out;
}

/**
 * The training "must show": SmolLM2 fine-tuned through the app's local runner (mlx-lm[cpu]) on
 * approved compressions of LoCoMo dialogue chunks (made by `pruned` at ratio 0.5 and approved for
 * the benchmark), then base and fine-tuned GGUFs compress the held-back test split with the same
 * system prompt: token reduction, names/numbers/dates kept, facts not in the source.
 */
export async function benchFinetune(shared: string): Promise<void> {
  const locomo = join(shared, 'locomo-dev.json');
  if (!existsSync(locomo)) return console.log('finetune: ../shared/data not found, skipped');
  const iters = Number(process.env.BENCH_FT_ITERS ?? 100);
  const dir = join(WORK, 'finetune-project');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  const project = openProject({ dir, create: true });
  try {
    const texts = chunks(locomo, 80);
    const { ids } = insertSources(
      project.db,
      texts.map((text) => textSource(text, 'chat', { tags: ['bench'] })),
    );
    const gguf = ensureSmolLM2();
    const pruner = createPruner({ modelPath: gguf, threads: availableParallelism() });
    try {
      for (const [i, sourceId] of ids.entries()) {
        const r = await pruner.prune(texts[i] as string, { ratio: 0.5, domain: 'chat' });
        const pair = insertPairs(project.db, [
          { sourceId, compressed: r.text, strategy: 'pruned', params: { ratio: 0.5 } },
        ]);
        submitLabel(project.db, { pairId: pair.ids[0] as number, labeler: 'bench', decision: 'approve' });
      }
    } finally {
      await pruner.dispose();
    }
    const base = await ensureHfCheckpoint();
    const t0 = performance.now();
    const s = await runTraining(project, {
      runner: 'local',
      overrides: {
        baseModel: base,
        iters,
        batchSize: 1,
        learningRate: 2e-4,
        maxSeqLength: 512,
        stepsPerReport: 5,
        stepsPerEval: 20,
        valBatches: 4,
        saveEvery: 20,
        lora: { rank: 8, layers: 8, scale: 20, dropout: 0 },
      },
    });
    const trainSeconds = (performance.now() - t0) / 1000;
    const events = listTrainingEvents(project.db, s.runId);
    const train = events.flatMap((e) => (e.type === 'train' ? [e] : []));
    const val = events.flatMap((e) => (e.type === 'val' ? [e] : []));
    const tps = train.flatMap((e) => (e.tokensPerSec ? [e.tokensPerSec] : []));
    const test = readFileSync(join(dir, 'data', 'training', `run-${s.runId}`, 'data', 'test.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { messages: { content: string }[] }).messages[1]?.content ?? '');
    if (!s.ggufPath) throw new Error('the run exported no GGUF');
    const rows: string[][] = [];
    for (const [label, path] of [
      ['SmolLM2 base', gguf],
      [`SmolLM2 fine-tuned (${s.iters} iters)`, s.ggufPath],
    ] as const) {
      const outs = await generateAll(path, test);
      let before = 0;
      let after = 0;
      let survival = 0;
      let invented = 0;
      let longer = 0;
      for (const [i, src] of test.entries()) {
        const o = outs[i] ?? '';
        before += await countTiktoken(src, 'o200k');
        after += await countTiktoken(o, 'o200k');
        survival += spanSurvival(src, o);
        invented += unsupportedFacts(o, src).length;
        if (o.length >= src.length) longer++;
      }
      rows.push([
        label,
        String(test.length),
        `${((1 - after / before) * 100).toFixed(1)} %`,
        (survival / test.length).toFixed(3),
        String(invented),
        String(longer),
      ]);
    }
    writeFileSync(join(WORK, 'finetune-summary.json'), JSON.stringify({ summary: s, rows }, null, 2));
    writeSection(
      'finetune',
      `## Fine-tuning SmolLM2 as a compressor (local runner, mlx-lm[cpu])

${stamp()} · \`npm run bench -- finetune\`

${texts.length} LoCoMo dialogue chunks (4 turns each), compressed by \`pruned\` at ratio 0.5 and approved
for the benchmark, exported by the app (${s.dataset.splits.train.examples} train / ${s.dataset.splits.valid.examples} valid / ${s.dataset.splits.test.examples} test, split by source).
SmolLM2-135M-Instruct (its GGUF converted to a Hugging Face checkpoint) trained through
\`runTraining\` (the app's MLX runner): LoRA rank 8 on 8 layers, ${s.iters} iterations of batch 1,
learning rate 2e-4; then fused and exported to a GGUF (q8_0) with llama.cpp's converter.

- Train loss ${s.firstLoss?.toFixed(3)} -> ${s.lastLoss?.toFixed(3)}${val.length ? `; validation loss ${val[0]?.loss.toFixed(3)} (iter ${val[0]?.iter}) -> ${val.at(-1)?.loss.toFixed(3)} (iter ${val.at(-1)?.iter})` : ''}.
- Training speed ${tps.length ? (tps.reduce((a, b) => a + b, 0) / tps.length).toFixed(1) : '–'} tokens/s; wall time of the whole run (dataset, training, fuse, GGUF) ${trainSeconds.toFixed(0)} s.

Both models then compress the held-back test chunks with the training system prompt (node-llama-cpp,
temperature 0). "Names/numbers/dates kept": share of the chunk's protected spans (speaker labels
aside) found verbatim in the output; "invented": names, numbers or dates in the output that the chunk
does not contain; "not shorter": outputs at least as long as the chunk.

| model | test chunks | reduction (o200k) | names/numbers/dates kept | invented | not shorter |
|---|---|---|---|---|---|
${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}

A ${s.iters}-iteration run on a 135M model is a smoke test of the pipeline, not a trained compressor:
the Mac default (Qwen3-4B, 600 iterations) is what the product trains.`,
    );
  } finally {
    project.close();
  }
}
