import { loadValidationConfig } from '../config.ts';
import { reviewContracts } from '../contracts/api/review.ts';
import { bulkRows } from '../review/bulk.ts';
import {
  claimPair,
  disagreements,
  nextPair,
  queueItems,
  queuePage,
  releaseLease,
  reviewProgress,
  submitAndNext,
  submitLabel,
  submitLabels,
  undoLast,
} from '../review/queue.ts';
import { handlers } from './handler.ts';
import { pairDetailOf } from './pair-detail.ts';

/** The pass line a pair's validation score is held to (configs/validation.yaml). */
const threshold = () => loadValidationConfig().thresholds.taskEquivalence;

export const reviewHandlers = handlers(reviewContracts, {
  'review-next': (ctx, a) => ({
    pairId: nextPair(ctx.project.db, a.labeler, a.query, {
      ...(a.order ? { order: a.order } : {}),
      threshold: threshold(),
    }),
  }),
  'review-bulk': (ctx, a) => {
    const pass = threshold();
    const page = queuePage(ctx.project.db, a.labeler, a.query, {
      ...(a.order ? { order: a.order } : {}),
      threshold: pass,
      limit: a.limit,
      offset: a.offset,
    });
    return { rows: bulkRows(ctx.project.db, page.ids), total: page.total, threshold: pass };
  },
  'review-claim': (ctx, a) => claimPair(ctx.project.db, a.pairId, a.labeler),
  'review-submit': async (ctx, a) => {
    const { next, ...label } = a;
    if (!next) {
      const r = submitLabel(ctx.project.db, label);
      ctx.bus.emit({ type: 'store-changed', reason: 'labels' });
      return { ...r, next: undefined };
    }
    const r = submitAndNext(ctx.project.db, label, next.query, {
      ...(next.order ? { order: next.order } : {}),
      threshold: threshold(),
    });
    ctx.bus.emit({ type: 'store-changed', reason: 'labels' });
    const pairId = r.next;
    return {
      labelId: r.labelId,
      next: { pairId, detail: pairId === null ? null : await pairDetailOf(ctx, pairId) },
    };
  },
  'review-submit-many': (ctx, a) => {
    const r = submitLabels(ctx.project.db, a);
    ctx.bus.emit({ type: 'store-changed', reason: 'labels' });
    return r;
  },
  'review-undo': (ctx, a) => {
    const r = undoLast(ctx.project.db, a.labeler);
    ctx.bus.emit({ type: 'store-changed', reason: 'labels' });
    return r;
  },
  'review-release': (ctx, a) => {
    releaseLease(ctx.project.db, a.labeler);
    return { ok: true };
  },
  'review-queue': (ctx, a) => queueItems(ctx.project.db, a.labeler, a.status, 200, { threshold: threshold() }),
  'review-progress': (ctx, a) => reviewProgress(ctx.project.db, a.labeler),
  'review-disagreements': (ctx) => disagreements(ctx.project.db),
});
