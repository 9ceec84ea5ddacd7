import { createHash, randomBytes } from 'node:crypto';
import { LabelerSchema } from '../contracts/review.ts';
import { InputError, NotFoundError } from '../errors/index.ts';
import type { Db } from './db.ts';

/** A labeler invited to this project; the token itself is shown once, when it is made. */
export interface LabelerRecord {
  name: string;
  createdAt: string;
  revokedAt: string | null;
}

interface Row {
  name: string;
  created_at: string;
  revoked_at: string | null;
}

const toRecord = (r: Row): LabelerRecord => ({ name: r.name, createdAt: r.created_at, revokedAt: r.revoked_at });

/** Only the sha256 is stored: a copy of the database does not hand out working tokens. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Invites a labeler: a new random token for a name no active labeler has. The token is returned
 * once and never stored.
 */
export function addLabeler(db: Db, nameInput: string): { name: string; token: string } {
  const parsed = LabelerSchema.safeParse(nameInput);
  if (!parsed.success) throw new InputError(parsed.error.issues[0]?.message ?? 'bad name', { field: 'name' });
  const name = parsed.data;
  const token = `lab_${randomBytes(24).toString('base64url')}`;
  // IMMEDIATE: the read (is the name taken?) and the write are one step for concurrent writers.
  const add = db.transaction(() => {
    const taken = db.prepare('SELECT 1 FROM labelers WHERE name = ? AND revoked_at IS NULL').get(name);
    if (taken) throw new InputError(`a labeler named "${name}" already exists: revoke it first`, { field: 'name' });
    db.prepare('INSERT INTO labelers (name, token_hash) VALUES (?, ?)').run(name, hashToken(token));
  });
  add.immediate();
  return { name, token };
}

export function listLabelers(db: Db, options: { includeRevoked?: boolean } = {}): LabelerRecord[] {
  const rows = db
    .prepare(
      `SELECT name, created_at, revoked_at FROM labelers ${options.includeRevoked ? '' : 'WHERE revoked_at IS NULL'}
       ORDER BY revoked_at IS NOT NULL, name, id`,
    )
    .all() as Row[];
  return rows.map(toRecord);
}

/** Revokes the active token of this name: its next request gets 401. */
export function revokeLabeler(db: Db, name: string): LabelerRecord {
  const changed = db
    .prepare(
      `UPDATE labelers SET revoked_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE name = ? AND revoked_at IS NULL`,
    )
    .run(name).changes;
  if (!changed) throw new NotFoundError(`no active labeler named "${name}"`);
  const row = db
    .prepare('SELECT name, created_at, revoked_at FROM labelers WHERE name = ? ORDER BY id DESC LIMIT 1')
    .get(name) as Row;
  return toRecord(row);
}

/** The active labeler a token belongs to, or null. */
export function labelerForToken(db: Db, token: string): string | null {
  if (!token.startsWith('lab_') || token.length > 200) return null;
  const name = db
    .prepare('SELECT name FROM labelers WHERE token_hash = ? AND revoked_at IS NULL')
    .pluck()
    .get(hashToken(token)) as string | undefined;
  return name ?? null;
}
