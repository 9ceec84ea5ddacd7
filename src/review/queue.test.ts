import { describe, expect, it } from 'vitest';
import { createAppContext } from '../app-context.ts';
import type { RunningBridge } from '../bridge/http-server.ts';
import type { Project } from '../project.ts';
import { insertPairs } from '../store/pairs.ts';
import { updateSettings } from '../store/settings.ts';
import { insertSources, textSource } from '../store/sources.ts';
import { setUpTempProject, startTestBridge } from '../store/testing/project-fixture.ts';
import { sha256 } from '../util/hash.ts';
import { droppedSpans } from './dropped-spans.ts';
import {
  nextPair,
  type QueueOptions,
  queueItems,
  queuePage,
  submitAndNext,
  submitLabel,
  submitLabels,
} from './queue.ts';

let dir: string;
let project: Project;

setUpTempProject('studio-queue-', (t) => ({ dir, project } = t));

interface Seeded {
  id: number;
  compressedHash: string;
  originalHash: string;
}

/** Pairs with the given token counts (original → compressed), one source each. */
function seed(tokens: [number, number][]): Seeded[] {
  const { ids } = insertSources(
    project.db,
    tokens.map((_t, i) => textSource(`source ${i}: Caroline met Mel on 8 May 2023 at 10:30.`, 'nl')),
  );
  const pairs = insertPairs(
    project.db,
    ids.map((sourceId, i) => ({
      sourceId,
      compressed: `compressed ${i}`,
      strategy: 'manual',
      tokensOriginal: tokens[i]?.[0] ?? null,
      tokensCompressed: tokens[i]?.[1] ?? null,
    })),
  );
  return pairs.ids.map((id) => {
    const r = project.db
      .prepare(
        'SELECT p.compressed_hash AS c, s.hash AS o FROM pairs p JOIN sources s ON s.id = p.source_id WHERE p.id = ?',
      )
      .get(id) as { c: string; o: string };
    return { id, compressedHash: r.c, originalHash: r.o };
  });
}

/** Verdicts for a pair: per model, how many of its probes were equivalent and how many different. */
function verdicts(pairId: number, perModel: Record<string, [number, number]>): void {
  const sourceId = project.db.prepare('SELECT source_id FROM pairs WHERE id = ?').pluck().get(pairId) as number;
  const probe = project.db.prepare(
    "INSERT INTO probes (source_id, kind, question, hash, origin) VALUES (?, 'qa', ?, ?, 'test') ON CONFLICT DO UPDATE SET question = excluded.question RETURNING id",
  );
  const verdict = project.db.prepare(
    "INSERT INTO verdicts (pair_id, probe_id, model, method, outcome) VALUES (?, ?, ?, 'judge', ?)",
  );
  for (const [model, [eq, diff]] of Object.entries(perModel)) {
    for (let i = 0; i < eq + diff; i++) {
      const p = probe.pluck().get(sourceId, `question ${i}?`, `h${i}`) as number;
      verdict.run(pairId, p, model, i < eq ? 'equivalent' : 'different');
    }
  }
}

/** The whole queue in order, as the labeler would be served it one by one. */
function served(options: QueueOptions): number[] {
  return queuePage(project.db, 'ana', {}, { ...options, limit: 100 }).ids;
}

describe('a label names the texts the labeler saw', () => {
  it('is saved with the hashes when they match, and refused (ConflictError) when they do not', () => {
    const [a, b] = seed([
      [100, 50],
      [100, 60],
    ]) as [Seeded, Seeded];
    /** Ana approves `pairId` having seen these two texts (by hash). */
    const approve = (
      pairId: number,
      { compressedHash, originalHash }: { compressedHash: string; originalHash: string },
    ) => submitLabel(project.db, { pairId, labeler: 'ana', decision: 'approve', compressedHash, originalHash });
    const { labelId } = approve(a.id, a);
    const row = project.db
      .prepare('SELECT pair_id, seen_compressed_hash, seen_original_hash FROM labels WHERE id = ?')
      .get(labelId);
    expect(row).toEqual({ pair_id: a.id, seen_compressed_hash: a.compressedHash, seen_original_hash: a.originalHash });

    // Pair b's id with pair a's text on the screen: the race of finding 2. Nothing is saved.
    const before = project.db.prepare('SELECT count(*) FROM labels').pluck().get();
    expect(() => approve(b.id, { compressedHash: a.compressedHash, originalHash: b.originalHash })).toThrow(
      expect.objectContaining({
        name: 'ConflictError',
        message: expect.stringMatching(/pair \d+: the compressed text you decided on/),
      }),
    );
    expect(() => approve(b.id, { compressedHash: b.compressedHash, originalHash: a.originalHash })).toThrow(
      /the original you read/,
    );
    expect(project.db.prepare('SELECT count(*) FROM labels').pluck().get()).toBe(before);

    // The text of a pair changed after it was shown: the label is refused too.
    project.db
      .prepare("UPDATE pairs SET compressed = 'changed', compressed_hash = ? WHERE id = ?")
      .run(sha256('changed'), b.id);
    expect(() => approve(b.id, b)).toThrow(/ConflictError|not this pair's text/);
  });

  it('in Bulk saves all or none, naming the pair whose text differs', () => {
    const [a, b, c] = seed([
      [100, 50],
      [100, 60],
      [100, 70],
    ]) as [Seeded, Seeded, Seeded];
    const item = (s: Seeded) => ({ pairId: s.id, compressedHash: s.compressedHash, originalHash: s.originalHash });
    expect(() =>
      submitLabels(project.db, {
        labeler: 'ana',
        decision: 'reject',
        comment: 'drops the date',
        items: [item(a), { ...item(b), compressedHash: c.compressedHash }, item(c)],
      }),
    ).toThrow(new RegExp(`pair ${b.id}:`));
    expect(project.db.prepare('SELECT count(*) FROM labels').pluck().get()).toBe(0);
    const ok = submitLabels(project.db, {
      labeler: 'ana',
      decision: 'reject',
      comment: 'drops the date',
      items: [item(a), item(b)],
    });
    expect(ok.labelIds).toHaveLength(2);
    expect(
      project.db.prepare("SELECT pair_id, comment FROM labels WHERE decision = 'reject' ORDER BY pair_id").all(),
    ).toEqual([
      { pair_id: a.id, comment: 'drops the date' },
      { pair_id: b.id, comment: 'drops the date' },
    ]);
  });

  it('over HTTP: a stale hash is a 409 with the reason, a missing one a 400 naming the field', async () => {
    const [a, b] = seed([
      [100, 50],
      [100, 60],
    ]) as [Seeded, Seeded];
    const app = createAppContext(project);
    let bridge: RunningBridge | undefined;
    try {
      bridge = await startTestBridge(app.ctx, dir, 'secret-token');
      const post = (args: unknown) =>
        fetch(`http://127.0.0.1:${bridge?.port}/api/review-submit`, {
          method: 'POST',
          headers: { authorization: 'Bearer secret-token', 'content-type': 'application/json' },
          body: JSON.stringify(args),
        });
      const stale = await post({
        pairId: b.id,
        labeler: 'ana',
        decision: 'approve',
        compressedHash: a.compressedHash,
        originalHash: a.originalHash,
      });
      expect(stale.status).toBe(409);
      expect(await stale.json()).toEqual({
        error: expect.objectContaining({ name: 'ConflictError', message: expect.stringContaining(`pair ${b.id}`) }),
      });
      const missing = await post({ pairId: b.id, labeler: 'ana', decision: 'approve' });
      expect(missing.status).toBe(400);
      expect(JSON.stringify(await missing.json())).toContain('compressedHash');
      const ok = await post({
        pairId: b.id,
        labeler: 'ana',
        decision: 'approve',
        compressedHash: b.compressedHash,
        originalHash: b.originalHash,
      });
      expect(ok.status).toBe(200);
    } finally {
      await bridge?.close();
      await app.close();
    }
  });
});

describe('queue order', () => {
  it('serves by id, most compressed, failing, disputed or most informative first', () => {
    // ratios: 0.96, 0.50, 0.30, 0.80, 0.99
    const p = seed([
      [100, 96],
      [100, 50],
      [100, 30],
      [100, 80],
      [100, 99],
    ]).map((s) => s.id) as [number, number, number, number, number];
    // p[3] fails on both models (worst 0.2); p[0] fails on one and passes on the other (models disagree);
    // p[1] passes everywhere; p[2] and p[4] are not validated.
    verdicts(p[3], { a: [1, 4], b: [2, 3] });
    verdicts(p[0], { a: [5, 0], b: [3, 2] });
    verdicts(p[1], { a: [5, 0], b: [5, 0] });

    expect(served({ order: 'id' })).toEqual([p[0], p[1], p[2], p[3], p[4]]);
    expect(served({ order: 'compressed' })).toEqual([p[2], p[1], p[3], p[0], p[4]]);
    expect(served({ order: 'failing', threshold: 0.95 })).toEqual([p[3], p[0], p[1], p[2], p[4]]);
    expect(served({ order: 'disputed', threshold: 0.95 })).toEqual([p[0], p[1], p[2], p[3], p[4]]);
    // Informative: failing or disputed first (most compressed first among them), then most compressed.
    expect(served({ order: 'informative', threshold: 0.95 })).toEqual([p[3], p[0], p[2], p[1], p[4]]);

    // Labelers disagreeing makes a pair disputed too (with an overlap of 2 it is still in the queue).
    updateSettings(project.db, { labelOverlap: 3 });
    submitLabel(project.db, { pairId: p[4], labeler: 'ben', decision: 'approve' });
    submitLabel(project.db, { pairId: p[4], labeler: 'cy', decision: 'reject', comment: 'drops a date' });
    expect(served({ order: 'disputed', threshold: 0.95 })).toEqual([p[0], p[4], p[1], p[2], p[3]]);
  });

  it('takes its default from the settings, and nextPair serves in that order within the view', () => {
    const p = seed([
      [100, 96],
      [100, 50],
      [100, 30],
    ]).map((s) => s.id) as [number, number, number];
    // The Queues tab lists pending pairs in the order they will be served.
    expect(queueItems(project.db, 'zed', 'pending').map((i) => i.pairId)).toEqual([p[2], p[1], p[0]]);
    expect(nextPair(project.db, 'ana')).toBe(p[2]); // informative, nothing validated: most compressed
    updateSettings(project.db, { queueOrder: 'id' });
    expect(nextPair(project.db, 'bob')).toBe(p[0]);
    // A view (the Pairs page's filters) stays the queue: only pairs in it are served.
    expect(nextPair(project.db, 'cy', { ratioMin: 0.4, ratioMax: 0.6 })).toBe(p[1]);
    expect(nextPair(project.db, 'cy', { ratioMin: 0.4, ratioMax: 0.6 })).toBe(p[1]);
    submitLabel(project.db, { pairId: p[1], labeler: 'cy', decision: 'approve' });
    expect(nextPair(project.db, 'cy', { ratioMin: 0.4, ratioMax: 0.6 })).toBeNull();
  });
});

describe('a label and the next pair in one call', () => {
  it('saves the label (hash checked) and leases the next pair of the view, or refuses both', () => {
    const [a, b, c] = seed([
      [100, 50],
      [100, 60],
      [100, 70],
    ]) as [Seeded, Seeded, Seeded];
    expect(nextPair(project.db, 'ana', {}, { order: 'id' })).toBe(a.id);
    const seen = { compressedHash: a.compressedHash, originalHash: a.originalHash };
    const r = submitAndNext(
      project.db,
      { pairId: a.id, labeler: 'ana', decision: 'approve', ...seen },
      {},
      { order: 'id' },
    );
    expect(r.next).toBe(b.id);
    expect(project.db.prepare('SELECT pair_id FROM review_leases WHERE labeler = ?').pluck().all('ana')).toEqual([
      b.id,
    ]);
    // A stale hash: no label, and the lease stays where it was.
    expect(() =>
      submitAndNext(project.db, { pairId: b.id, labeler: 'ana', decision: 'approve', ...seen }, {}, { order: 'id' }),
    ).toThrow(/ConflictError|not this pair's text/);
    expect(project.db.prepare("SELECT count(*) FROM labels WHERE labeler = 'ana'").pluck().get()).toBe(1);
    expect(project.db.prepare('SELECT pair_id FROM review_leases WHERE labeler = ?').pluck().all('ana')).toEqual([
      b.id,
    ]);
    expect(c.id).toBeGreaterThan(b.id);
  });
});

describe('dropped protected spans', () => {
  it('names the names, numbers, dates and times the compression lost, in the original offsets', () => {
    const original = 'Caroline met Mel on 8 May 2023 at 10:30 and paid $1,200 for `fetch_rows`.';
    const spans = droppedSpans(original, 'Caroline met on May 8 2023, paid 1200.');
    const texts = spans.map((s) => original.slice(s.start, s.end));
    expect(texts).toEqual(expect.arrayContaining(['Mel', '10:30', '`fetch_rows`']));
    expect(texts).not.toContain('Caroline');
    expect(texts.some((t) => t.includes('2023'))).toBe(false);
    expect(spans.every((s) => s.text === original.slice(s.start, s.end))).toBe(true);
  });

  it('names a negation the compression dropped while keeping what it negated', () => {
    // A labeler approving "shops take cards" for "shops do not take cards" saw nothing flagged.
    const original = 'In Kyoto many small shops do not take cards, so Dana carries cash.';
    const spans = droppedSpans(original, 'Kyoto small shops take cards, Dana carries cash.');
    expect(spans).toEqual([
      { start: original.indexOf('not'), end: original.indexOf(', so'), kind: 'negation', text: 'not take cards' },
    ]);
    expect(droppedSpans(original, "Kyoto shops don't take cards, Dana carries cash.")).toEqual([]);
  });
});
