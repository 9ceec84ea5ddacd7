import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { appRoot } from '../app-root.ts';
import { WorkerCrashedError } from '../errors/index.ts';
import { startClassifierTraining } from './classifier.ts';

/**
 * A small real token classifier for tests (.cache/models/test-classifier): all-MiniLM-L6-v2
 * fine-tuned for a few steps on made-up dialogue whose labels keep content words, exported to
 * ONNX by the real worker. Built once by the test setup (scripts/prepare-models.ts).
 */
const LINES = [
  'Caroline: I went to the LGBTQ support group yesterday and it was so powerful.',
  'Melanie: Wow, that is really cool! I painted a sunrise over the lake last week.',
  'Caroline: Thanks! I am looking into counseling and adoption agencies now.',
  'Melanie: That sounds great, my kids love camping at the beach in summer.',
  'Caroline: I have been reading a book about resilience, it is so inspiring.',
  'Melanie: We went to a pottery class together on Saturday and made bowls.',
];
const FUNCTION = new Set(
  'i the a an to and it was so that is of at in on my me we am have been really wow thanks about over last a now'.split(
    ' ',
  ),
);

export function testClassifierDir(): string {
  return join(appRoot(), '.cache', 'models', 'test-classifier');
}

/** Words and keep labels of the made-up dialogue: speaker labels and content words kept. */
export function testClassifierExamples(): { words: string[]; labels: number[] }[] {
  return LINES.map((line) => {
    const words = line.split(/\s+/);
    const labels = words.map((w, i) => (i === 0 || !FUNCTION.has(w.toLowerCase().replace(/[^a-z]/g, '')) ? 1 : 0));
    return { words, labels };
  });
}

export async function ensureTestClassifier(): Promise<string> {
  const dir = testClassifierDir();
  if (existsSync(join(dir, 'model.onnx'))) return dir;
  const work = `${dir}.${process.pid}.work`;
  rmSync(work, { recursive: true, force: true });
  const data = join(work, 'data');
  mkdirSync(data, { recursive: true });
  const body = (n: number) =>
    `${Array.from({ length: n }, (_v, i) => JSON.stringify(testClassifierExamples()[i % LINES.length])).join('\n')}\n`;
  writeFileSync(join(data, 'train.jsonl'), body(24));
  writeFileSync(join(data, 'valid.jsonl'), body(6));
  try {
    const errors: string[] = [];
    const run = startClassifierTraining({
      dataDir: data,
      outDir: join(work, 'out'),
      config: { maxSteps: 12, batchSize: 8, maxSeqLength: 64, stepsPerEval: 6, learningRate: 2e-4 },
      onEvent: (e) => {
        if (e.type === 'error') errors.push(e.message);
      },
    });
    const result = await run.done;
    if (result.cancelled)
      throw new WorkerCrashedError(`the test classifier's training stopped: ${errors.join('; ')}`, '');
    mkdirSync(join(dir, '..'), { recursive: true });
    rmSync(dir, { recursive: true, force: true });
    renameSync(result.adapterPath, dir);
    return dir;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
