import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTokenClassifier } from '../../inference/classifier.ts';
import { openProject } from '../../project.ts';
import { listPairs } from '../../store/pairs.ts';
import { insertSources, textSource } from '../../store/sources.ts';
import { testClassifierDir } from '../../training/classifier-test-model.ts';
import { runGeneration } from '../generate-job.ts';

const classifier = createTokenClassifier({ modelDir: testClassifierDir() });
afterAll(() => classifier.dispose());

describe('classified strategy', () => {
  it('stores one pair per ratio from the token classifier, code through the code path, and a rerun adds nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'studio-classified-'));
    const project = openProject({ dir, create: true, env: {} });
    try {
      insertSources(project.db, [
        textSource(
          'Caroline: I went to the LGBTQ support group on 7 May 2023 and it was so powerful.\nMelanie: Wow, that is really cool! I painted a sunrise over the lake last week.',
          'chat',
          { language: null },
        ),
        textSource('def add(a, b):\n    # add them up\n    return a + b\n', 'code', { language: 'python' }),
      ]);
      const run = () =>
        runGeneration(project, {
          strategy: 'classified',
          ratios: [0.5, 0.33],
          classifier,
          classifierModel: 'test-classifier',
        });
      const first = await run();
      expect(first.inserted).toBeGreaterThanOrEqual(2);
      const pairs = listPairs(project.db).filter((p) => p.strategy === 'classified');
      const chat = pairs.filter((p) => p.model === 'test-classifier');
      expect(chat).toHaveLength(2);
      for (const p of chat) {
        // Turns never merge, and a kept turn keeps its date; the turn that says least may go whole.
        for (const line of p.compressed.split('\n')) {
          expect(line).toMatch(/^(Caroline|Melanie): \S/);
          if (line.startsWith('Caroline')) expect(line).toContain('7 May 2023');
        }
      }
      const again = await run();
      expect(again.inserted).toBe(0);
    } finally {
      project.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
