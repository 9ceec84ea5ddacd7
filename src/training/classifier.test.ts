import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TrainingEvent } from '../contracts/training.ts';
import { loadWordPiece } from '../embeddings/wordpiece.ts';
import { createTokenClassifier } from '../inference/classifier.ts';
import type { Project } from '../project.ts';
import { ensureSmolLM2 } from '../providers/local/test-model.ts';
import { insertPairs, listPairs } from '../store/pairs.ts';
import { getRun, listRuns } from '../store/runs.ts';
import { insertSources, textSource } from '../store/sources.ts';
import { setUpTempProject } from '../store/testing/project-fixture.ts';
import { listModels, listTrainingEvents } from '../store/training.ts';
import { ensureClassifierVenv } from '../workers/classifier-venv.ts';
import { runClassifierTraining } from './classifier-job.ts';
import { testClassifierDir, testClassifierExamples } from './classifier-test-model.ts';

let dir: string;
let project: Project;
setUpTempProject('studio-clf-', (t) => ({ dir, project } = t));

/** Ten dialogue sources with a `pruned` pair each, kept words from the test classifier's examples. */
function insertPrunedDialogue(): string[] {
  const lines = testClassifierExamples().map((e) => e.words.join(' '));
  const texts = Array.from({ length: 10 }, (_v, i) => `${lines[i % lines.length]} (${i})`);
  const { ids } = insertSources(
    project.db,
    texts.map((t) => textSource(t, 'chat', { language: null })),
  );
  insertPairs(
    project.db,
    ids.map((sourceId, i) => {
      const ex = testClassifierExamples()[i % lines.length] as { words: string[]; labels: number[] };
      return {
        sourceId,
        compressed: `${ex.words.filter((_w, k) => ex.labels[k]).join(' ')} (${i})`,
        strategy: 'pruned',
      };
    }),
  );
  return texts;
}

describe('token classifier training', () => {
  it('trains for real on a tiny set of pruned pairs, exports an ONNX model that loads, and registers it', async () => {
    const texts = insertPrunedDialogue();
    const events: TrainingEvent[] = [];
    const summary = await runClassifierTraining(project, {
      strategies: ['pruned'],
      overrides: { maxSteps: 2, batchSize: 4, maxSeqLength: 32, stepsPerReport: 1, stepsPerEval: 1 },
      onEvent: (e) => events.push(e),
    });
    expect(summary.cancelled).toBe(false);
    expect(summary.iters).toBe(2);
    expect(summary.dataset.splits.train.examples).toBeGreaterThan(0);
    expect(events.find((e) => e.type === 'start')).toMatchObject({ runner: 'classifier', totalIters: 2 });
    expect(events.filter((e) => e.type === 'train')).toHaveLength(2);
    expect(events.some((e) => e.type === 'val')).toBe(true);
    for (const f of ['model.onnx', 'vocab.txt', 'classifier.json'])
      expect(existsSync(join(summary.modelPath, f))).toBe(true);
    // Stored like any training run: events for the Train page, the model for the Models page.
    expect(listTrainingEvents(project.db, summary.runId).length).toBe(events.length);
    expect(getRun(project.db, summary.runId)?.status).toBe('succeeded');
    expect(listModels(project.db)[0]).toMatchObject({ kind: 'onnx-classifier', path: summary.modelPath });
    // onnxruntime-node loads it and scores every word.
    const clf = createTokenClassifier({ modelDir: summary.modelPath });
    try {
      const scores = await clf.score(texts[0] as string);
      expect(scores.keep.length).toBe((texts[0] as string).split(' ').length);
      for (const p of scores.keep) expect(p >= 0 && p <= 1).toBe(true);
    } finally {
      await clf.dispose();
    }
  }, 600_000);

  it('distils: with no approved pairs, labels the selection with pruned first and builds the training set from it', async () => {
    const texts = testClassifierExamples().map((e) => e.words.join(' '));
    const { ids } = insertSources(
      project.db,
      [...texts, 'def f(x):\n    return x\n'].map((t, i) =>
        textSource(t, i < texts.length ? 'chat' : 'code', { language: i < texts.length ? null : 'python' }),
      ),
    );
    // A base model folder that is not there: the worker refuses it at once, after the labels and the
    // dataset are made (what this test is about); the real training is the test above.
    const failing = runClassifierTraining(project, {
      distil: { prunerModelPath: ensureSmolLM2(), ratios: [0.5] },
      overrides: { baseModel: join(dir, 'no-model-here'), maxSteps: 1 },
    });
    await expect(failing).rejects.toThrow(/no-model-here has no config\.json/);
    const pruned = listPairs(project.db).filter((p) => p.strategy === 'pruned');
    // Prose and dialogue only: the code source is never labelled for the classifier.
    expect(new Set(pruned.map((p) => p.sourceId))).toEqual(new Set(ids.slice(0, texts.length)));
    const run = listRuns(project.db, { kind: 'training' })[0];
    expect(run?.config).toMatchObject({ runner: 'classifier', distil: { ratios: [0.5] } });
    const manifest = JSON.parse(
      readFileSync(join(dir, 'data', 'training', `run-${run?.id}`, 'data', 'manifest.json'), 'utf8'),
    ) as { extractive: number; splits: { train: { examples: number } } };
    expect(manifest.extractive).toBe(pruned.length);
    expect(manifest.splits.train.examples).toBeGreaterThan(0);
  }, 300_000);

  // The same stop as a LoRA run (shared training-run wiring): before, a classifier run stopped while
  // its trainer was still starting waited for the trainer instead of ending.
  it('a stop before the first step ends the run cancelled at once, with nothing registered', async () => {
    insertPrunedDialogue();
    const controller = new AbortController();
    controller.abort();
    const summary = await runClassifierTraining(project, { strategies: ['pruned'], signal: controller.signal });
    expect(summary).toMatchObject({ cancelled: true, iters: 0, modelIds: [] });
    const run = getRun(project.db, summary.runId);
    expect(run?.status).toBe('cancelled');
    expect(run?.summary).toMatchObject({ stoppedBeforeFirstStep: true });
    expect(listModels(project.db)).toEqual([]);
  }, 120_000);

  it('tokenizes exactly as the trainer does (its own WordPiece vocabulary)', async () => {
    const python = await ensureClassifierVenv();
    const words = [
      'Héllo,',
      'world!!',
      "don't",
      'LGBTQ+',
      '2023-05-07',
      'naïve',
      '日本語',
      'emoji😀',
      'x\u200by',
      'Melanie:',
    ];
    const py = execFileSync(
      python,
      [
        '-c',
        'import json, sys\nfrom transformers import AutoTokenizer\nt = AutoTokenizer.from_pretrained(sys.argv[1])\nprint(json.dumps(t(json.loads(sys.argv[2]), add_special_tokens=False)["input_ids"]))',
        testClassifierDir(),
        JSON.stringify(words),
      ],
      { encoding: 'utf8', env: { ...process.env, TRANSFORMERS_VERBOSITY: 'error' } },
    );
    const wp = loadWordPiece(join(testClassifierDir(), 'vocab.txt'));
    expect(words.map((w) => wp.encodeWord(w))).toEqual(JSON.parse(py));
  }, 120_000);
});
