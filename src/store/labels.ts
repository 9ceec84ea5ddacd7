import type { Domain } from '../contracts/source.ts';
import type { Db } from './db.ts';

/**
 * Labels: labelers' decisions on pairs, and the one rule for when a pair counts as accepted.
 *
 * A pair is accepted when its submitted approvals and edits outnumber its submitted rejections
 * (skips and drafts count for neither side). One approval against two rejections is not accepted.
 * The training dataset, the Train page's count and the classifier's pairs all use this rule, so
 * the number the Train page shows is the number of pairs the dataset export considers.
 */
const YES = `(SELECT count(*) FROM labels l WHERE l.pair_id = p.id AND l.status = 'submitted' AND l.decision IN ('approve', 'edit'))`;
const NO = `(SELECT count(*) FROM labels l WHERE l.pair_id = p.id AND l.status = 'submitted' AND l.decision = 'reject')`;

/** SQL condition on a pair aliased `p`: true when its labels accept it. */
export const PAIR_ACCEPTED = `(${YES} > ${NO})`;

/** The newest submitted edit's text for pair `p`, or NULL. An accepted pair trains on it. */
const NEWEST_EDIT = `(SELECT l.edited_text FROM labels l WHERE l.pair_id = p.id AND l.status = 'submitted' AND l.decision = 'edit'
  ORDER BY l.updated_at DESC, l.id DESC LIMIT 1)`;

/** How many pairs are accepted (the Train page's "approved pairs"). */
export function countAcceptedPairs(db: Db, domains?: readonly Domain[]): number {
  const byDomain = domains?.length ? `AND s.domain IN (${domains.map(() => '?').join(',')})` : '';
  return db
    .prepare(`SELECT count(*) FROM pairs p JOIN sources s ON s.id = p.source_id WHERE ${PAIR_ACCEPTED} ${byDomain}`)
    .pluck()
    .get(...(domains ?? [])) as number;
}

export interface AcceptedPair {
  pairId: number;
  sourceId: number;
  sourceHash: string;
  domain: Domain;
  original: string;
  /** The newest edit's text when a labeler edited the compression, else the stored compression. */
  compressed: string;
}

/** The accepted pairs, in id order, optionally of some domains only. */
export function acceptedPairs(db: Db, domains?: readonly Domain[]): AcceptedPair[] {
  const byDomain = domains?.length ? `AND s.domain IN (${domains.map(() => '?').join(',')})` : '';
  const rows = db
    .prepare(
      `SELECT p.id AS pairId, s.id AS sourceId, s.hash AS sourceHash, s.domain, s.text AS original, p.compressed,
        ${NEWEST_EDIT} AS edited
       FROM pairs p JOIN sources s ON s.id = p.source_id
       WHERE ${PAIR_ACCEPTED} ${byDomain}
       ORDER BY p.id`,
    )
    .all(...(domains ?? [])) as (AcceptedPair & { edited: string | null })[];
  return rows.map(({ edited, ...r }) => ({ ...r, compressed: edited ?? r.compressed }));
}

/** The yes/no vote columns and newest edit for queries that need them beside other columns. */
export const LABEL_VOTES = { yes: YES, no: NO, newestEdit: NEWEST_EDIT } as const;
