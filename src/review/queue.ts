import type {
  Disagreement,
  QueueOrder,
  QueueStatus,
  ReviewProgress,
  ReviewSubmitMany,
  SubmitLabel,
} from '../contracts/review.ts';
import { LabelerSchema, ReviewSubmitManySchema, SubmitLabelSchema } from '../contracts/review.ts';
import type { PairViewQuery } from '../contracts/view.ts';
import { PairViewQuerySchema } from '../contracts/view.ts';
import { ConflictError, InputError, NotFoundError } from '../errors/index.ts';
import type { Db } from '../store/db.ts';
import {
  type CandidateQuery,
  candidatePage,
  discardLabel,
  dropLease,
  firstCandidate,
  labelerCounts,
  labelsOfStatus,
  lastLabel,
  otherLeaseHolder,
  pairTextHashes,
  pairTitles,
  putLease,
  replaceLabel,
  reviewTotals,
  disagreements as storedDisagreements,
} from '../store/review.ts';
import { getSettings } from '../store/settings.ts';

export interface QueueOptions {
  /** The order to serve in; the project's setting when absent. */
  order?: QueueOrder;
  /** A model passes a pair at this share of equivalent probes (configs/validation.yaml). */
  threshold?: number;
}

/** What the store needs to list a labeler's candidates (see candidatesSql in store/review.ts). */
function candidateQuery(db: Db, labeler: string, filters: PairViewQuery, options: QueueOptions): CandidateQuery {
  const settings = getSettings(db);
  return {
    labeler,
    filters: PairViewQuerySchema.parse(filters),
    order: options.order ?? settings.queueOrder,
    threshold: options.threshold ?? 0.95,
    labelOverlap: settings.labelOverlap,
  };
}

/**
 * The labeling queue: the first candidate (see candidatesSql in store/review.ts) of the view, in
 * the queue's order. Serving takes a lease, in one transaction, so two labelers asking at the same
 * moment get different pairs.
 *
 * Every read-then-write transaction here starts IMMEDIATE: a deferred one reads a snapshot first, and
 * if another connection (an import) commits before it writes, SQLite fails it at once with "database
 * is locked" instead of letting the busy timeout wait.
 */
export function nextPair(
  db: Db,
  labelerInput: string,
  filters: PairViewQuery = {},
  options: QueueOptions = {},
): number | null {
  const labeler = LabelerSchema.parse(labelerInput);
  const settings = getSettings(db);
  const query = candidateQuery(db, labeler, filters, options);
  return db
    .transaction(() => {
      // One lease per labeler: opening a new pair releases the one held before.
      const id = firstCandidate(db, query);
      dropLease(db, labeler);
      if (id === undefined) return null;
      putLease(db, id, labeler, settings.leaseMinutes);
      return id;
    })
    .immediate();
}

/** A page of the queue without taking leases (Bulk shows many pairs at once). */
export function queuePage(
  db: Db,
  labelerInput: string,
  filters: PairViewQuery = {},
  options: QueueOptions & { limit?: number; offset?: number } = {},
): { ids: number[]; total: number } {
  const labeler = LabelerSchema.parse(labelerInput);
  const query = candidateQuery(db, labeler, filters, options);
  return candidatePage(db, query, options.limit ?? 20, options.offset ?? 0);
}

/** Takes the lease on a pair the labeler chose (from the table, or j/k through a page). */
export function claimPair(db: Db, pairId: number, labelerInput: string): { ok: boolean; heldBy?: string } {
  const labeler = LabelerSchema.parse(labelerInput);
  const settings = getSettings(db);
  return db
    .transaction(() => {
      const held = otherLeaseHolder(db, pairId, labeler);
      if (held) return { ok: false, heldBy: held };
      dropLease(db, labeler);
      putLease(db, pairId, labeler, settings.leaseMinutes);
      return { ok: true };
    })
    .immediate();
}

/** Refuses a label naming texts the pair no longer has: the labeler decided on something else. */
function checkSeen(
  pairId: number,
  now: { compressed: string; original: string },
  seen: { compressedHash?: string | undefined; originalHash?: string | undefined },
): void {
  const short = (h: string) => h.slice(0, 12);
  if (seen.compressedHash !== undefined && seen.compressedHash !== now.compressed) {
    throw new ConflictError(
      `pair ${pairId}: the compressed text you decided on (sha256 ${short(seen.compressedHash)}…) is not this pair's text (${short(now.compressed)}…); nothing was saved, reload the pair and decide on what it says`,
      { field: 'compressedHash' },
    );
  }
  if (seen.originalHash !== undefined && seen.originalHash !== now.original) {
    throw new ConflictError(
      `pair ${pairId}: the original you read (hash ${short(seen.originalHash)}…) is not this pair's source (${short(now.original)}…); nothing was saved, reload the pair and decide on what it says`,
      { field: 'originalHash' },
    );
  }
}

function insertLabel(
  db: Db,
  l: {
    pairId: number;
    labeler: string;
    decision: string;
    editedText?: string | undefined;
    comment?: string | undefined;
    status: 'draft' | 'submitted';
  },
  seen: { compressed: string; original: string },
): number {
  return replaceLabel(db, {
    pairId: l.pairId,
    labeler: l.labeler,
    decision: l.decision,
    editedText: l.decision === 'edit' ? (l.editedText ?? null) : null,
    comment: l.comment?.trim() ? l.comment.trim() : null,
    status: l.status,
    seenCompressedHash: seen.compressed,
    seenOriginalHash: seen.original,
  });
}

/**
 * Records a decision. A labeler has one current label per pair: a new submission replaces their
 * draft or earlier label (kept as discarded, so history is never lost), and releases the lease.
 * A label naming the texts the labeler saw is refused (ConflictError) when the pair's texts differ;
 * the check and the write are one transaction, so nothing can change in between.
 */
export function submitLabel(db: Db, input: SubmitLabel): { labelId: number } {
  const parsed = SubmitLabelSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(issue?.message ?? 'invalid label', { field: issue?.path.join('.') });
  }
  const l = parsed.data;
  return db
    .transaction(() => {
      const now = pairTextHashes(db, l.pairId);
      if (!now) throw new NotFoundError(`no pair with id ${l.pairId}`, { field: 'pairId' });
      checkSeen(l.pairId, now, l);
      return { labelId: insertLabel(db, l, now) };
    })
    .immediate();
}

/**
 * A decision and the queue's next pair in one IMMEDIATE transaction: under a concurrent writer (an
 * import) the labeler waits for the write lock once per key, not twice.
 */
export function submitAndNext(
  db: Db,
  input: SubmitLabel,
  filters: PairViewQuery = {},
  options: QueueOptions = {},
): { labelId: number; next: number | null } {
  return db
    .transaction(() => {
      const { labelId } = submitLabel(db, input);
      return { labelId, next: nextPair(db, String(input.labeler), filters, options) };
    })
    .immediate();
}

/**
 * One decision for several pairs (Bulk): all saved, or none when any pair's texts are not the
 * ones the labeler saw (the error names the pair).
 */
export function submitLabels(db: Db, input: ReviewSubmitMany): { labelIds: number[] } {
  const parsed = ReviewSubmitManySchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(issue?.message ?? 'invalid labels', { field: issue?.path.join('.') });
  }
  const { labeler, decision, comment, items } = parsed.data;
  return db
    .transaction(() => {
      const labelIds: number[] = [];
      for (const item of items) {
        const now = pairTextHashes(db, item.pairId);
        if (!now) throw new NotFoundError(`no pair with id ${item.pairId}`, { field: 'pairId' });
        checkSeen(item.pairId, now, item);
        labelIds.push(insertLabel(db, { pairId: item.pairId, labeler, decision, comment, status: 'submitted' }, now));
      }
      return { labelIds };
    })
    .immediate();
}

/**
 * Takes back the labeler's latest label: it becomes discarded, the label it replaced (if any)
 * comes back, and the pair is leased to them again so it is what they see next.
 */
export function undoLast(db: Db, labelerInput: string): { pairId: number } | null {
  const labeler = LabelerSchema.parse(labelerInput);
  const settings = getSettings(db);
  return db
    .transaction(() => {
      const last = lastLabel(db, labeler);
      if (!last) return null;
      discardLabel(db, last.id);
      dropLease(db, labeler);
      putLease(db, last.pairId, labeler, settings.leaseMinutes);
      return { pairId: last.pairId };
    })
    .immediate();
}

export function releaseLease(db: Db, labelerInput: string): void {
  dropLease(db, LabelerSchema.parse(labelerInput));
}

/**
 * Pairs in one of the labeler's status queues: pending in the order the queue serves them (the
 * project's queue order), the others newest first.
 */
export function queueItems(
  db: Db,
  labelerInput: string,
  status: QueueStatus,
  limit = 200,
  options: QueueOptions = {},
): { pairId: number; decision: string | null; updatedAt: string | null; title: string | null }[] {
  const labeler = LabelerSchema.parse(labelerInput);
  if (status === 'pending') {
    const { ids } = queuePage(db, labeler, {}, { ...options, limit });
    const titles = pairTitles(db, ids);
    return ids.map((pairId) => ({ pairId, decision: null, updatedAt: null, title: titles.get(pairId) ?? null }));
  }
  return labelsOfStatus(db, labeler, status, limit);
}

export function reviewProgress(db: Db, labelerInput: string): ReviewProgress {
  const labeler = LabelerSchema.parse(labelerInput);
  const settings = getSettings(db);
  const mine = { approve: 0, reject: 0, edit: 0, skip: 0, draft: 0 };
  for (const r of labelerCounts(db, labeler)) {
    if (r.status === 'draft') mine.draft += r.n;
    else if (Object.hasOwn(mine, r.decision)) mine[r.decision as keyof typeof mine] += r.n;
  }
  const { pairs, done, labels, labelers } = reviewTotals(db, settings.labelOverlap);
  return { labeler, mine, overall: { pairs, done, pending: pairs - done, labels, labelers } };
}

/** Pairs where labelers' current decisions differ (skips aside). */
export function disagreements(db: Db, limit = 500): Disagreement[] {
  return storedDisagreements(db, limit);
}
