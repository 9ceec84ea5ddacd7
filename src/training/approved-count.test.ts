import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ApiContext, type ApiResult, dispatch } from '../api/index.ts';
import type { Project } from '../project.ts';
import { submitLabel } from '../review/queue.ts';
import { insertPairs } from '../store/pairs.ts';
import { insertSources, textSource } from '../store/sources.ts';
import { setUpTempApp } from '../store/testing/project-fixture.ts';
import { exportDataset } from './dataset.ts';

let dir: string;
let project: Project;
let app: { ctx: ApiContext; close(): Promise<void> };

setUpTempApp('studio-approved-', (t) => ({ dir, project, app } = t));

describe('the Train page and the dataset agree on what an approved pair is', () => {
  it('a pair with one approval and two rejections is counted by neither', async () => {
    const { ids: sourceIds } = insertSources(
      project.db,
      ['first source about the harbour and its ferries', 'second source about the mountain railway'].map((t) =>
        textSource(t, 'nl'),
      ),
    );
    const [clear, disputed] = insertPairs(
      project.db,
      sourceIds.map((sourceId) => ({ sourceId, compressed: 'short', strategy: 'manual' })),
    ).ids;
    if (clear === undefined || disputed === undefined) throw new Error('pairs were not inserted');
    submitLabel(project.db, { pairId: clear, labeler: 'ana', decision: 'approve' });
    submitLabel(project.db, { pairId: disputed, labeler: 'ana', decision: 'approve' });
    submitLabel(project.db, { pairId: disputed, labeler: 'bo', decision: 'reject', comment: 'drops the ferry times' });
    submitLabel(project.db, { pairId: disputed, labeler: 'cy', decision: 'reject', comment: 'loses a name' });

    const info = (await dispatch(app.ctx, 'training-info', {})) as ApiResult<'training-info'>;
    const manifest = await exportDataset(project.db, { outDir: join(dir, 'ds') });

    expect(manifest.pairsConsidered).toBe(1);
    expect(info.approvedPairs).toBe(manifest.pairsConsidered);
  });
});
