import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureMiniLMCheckpoint } from '../src/convert/minilm-checkpoint.ts';
import { prepare } from '../src/inference/query/relevance.ts';
import { ensureClassifierVenv } from '../src/workers/classifier-venv.ts';
import { runChild } from '../src/workers/run-child.ts';
import { type Conversation, conversations, questions, unitDialogIds } from './memory.ts';

/**
 * `tsx bench/memory-adapter.ts`: trains memory adapters of all-MiniLM-L6-v2
 * (native/classifier/memory_adapter.py) on LoCoMo conversations 1-3 only, each QA of category 1, 2
 * or 4 paired with the memory units LoCoMo names as its evidence, the units as the query stage
 * embeds them (prepare().bodies); conversations 4-5 are never read. One adapter on each single
 * conversation and each pair, each exported to ONNX (bench/.work/memory-adapter/c01.onnx, ...), so
 * that bench/query-rank-fit.ts with QUERY_FIT_ADAPTED=bench/.work/memory-adapter can fit the ranker
 * on features no adapter saw the answers of (a conversation's features come from an adapter trained
 * without it) and rank each test conversation with the adapter trained on the other two. Measured
 * 2026-12-04 and not adopted (bench/RESULTS.md): the app ships stock MiniLM.
 */

const WORK = resolve('bench', '.work', 'memory-adapter');

interface AdapterData {
  convs: { id: string; units: string[]; questions: { q: string; evidence: number[] }[] }[];
}

function adapterData(convs: readonly Conversation[]): AdapterData {
  return {
    convs: convs.map((conv) => {
      const ids = unitDialogIds(conv);
      const { bodies } = prepare(conv.memory);
      return {
        id: conv.id,
        units: bodies,
        questions: questions([conv]).map((qa) => {
          const evidence = new Set(qa.evidence.flatMap((e) => e.match(/D\d+:\d+/g) ?? []));
          return { q: qa.question, evidence: ids.flatMap((id, i) => (evidence.has(id) ? [i] : [])) };
        }),
      };
    }),
  };
}

/** The name of an adapter trained on these conversations (0-based): c01 for 1 and 2. */
export const adapterName = (convs: readonly number[]) => `c${[...convs].sort().join('')}`;

async function main() {
  const tuning = conversations(join('/work/shared/data', 'locomo-dev.json')).slice(0, 3);
  mkdirSync(WORK, { recursive: true });
  const dataPath = join(WORK, 'data.json');
  const data = adapterData(tuning);
  writeFileSync(dataPath, JSON.stringify(data));
  const pairs = data.convs.reduce((n, c) => n + c.questions.reduce((m, q) => m + q.evidence.length, 0), 0);
  console.log(`${data.convs.length} memories, ${pairs} (question, evidence unit) pairs -> ${dataPath}`);
  const python = await ensureClassifierVenv();
  const checkpoint = await ensureMiniLMCheckpoint({ python });
  const script = resolve('native', 'classifier', 'memory_adapter.py');
  const exporter = resolve('native', 'classifier', 'export_embedder.py');
  const threads = String(Number(process.env.ADAPTER_THREADS ?? 2));
  const train = async (convs: number[], out: string) => {
    const t0 = performance.now();
    await runChild(
      python,
      [script, 'train', checkpoint, dataPath, out, '--convs', convs.join(','), '--threads', threads],
      {
        what: `training the memory adapter on ${adapterName(convs)}`,
        timeoutMs: 60 * 60_000,
      },
    );
    console.log(`  ${out} in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  };
  const sets = [[0], [1], [2], [0, 1], [0, 2], [1, 2]];
  for (const set of sets) {
    const name = adapterName(set);
    const file = join(WORK, `${name}.safetensors`);
    const onnx = join(WORK, `${name}.onnx`);
    if (!existsSync(file)) await train(set, file);
    if (!existsSync(join(onnx, 'embedder.json')))
      await runChild(
        python,
        [exporter, checkpoint, onnx, '--fp32', '--base', 'sentence-transformers/all-MiniLM-L6-v2', '--adapter', file],
        {
          what: `exporting ${name}`,
          timeoutMs: 20 * 60_000,
        },
      );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
