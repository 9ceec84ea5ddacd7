import type { Domain, NewSource, Source, SourceQuery } from '../contracts/source.ts';
import { SourceQuerySchema } from '../contracts/source.ts';
import { sha256 } from '../util/hash.ts';
import type { Db } from './db.ts';
import { readJsonObject } from './json-column.ts';

interface SourceRow {
  id: number;
  hash: string;
  text: string;
  domain: Domain;
  language: string | null;
  format: Source['format'];
  title: string | null;
  origin_path: string | null;
  origin_ref: string | null;
  metadata: string;
  chars: number;
  created_at: string;
  tags: string | null;
}

export interface InsertSourcesResult {
  inserted: number;
  duplicates: number;
  /** One per input, in order. */
  ids: number[];
  /** One per input: true when this call stored it, false when it was already there. */
  fresh: boolean[];
}

/**
 * Inserts a batch in one transaction. A source is its text: the same text imported again (from
 * any file) is a duplicate, counted, not stored twice; its new tags are still added.
 */
export function insertSources(db: Db, sources: readonly NewSource[]): InsertSourcesResult {
  const insert = db.prepare(`INSERT INTO sources
      (hash, text, domain, language, format, title, origin_path, origin_ref, metadata, chars)
      VALUES (@hash, @text, @domain, @language, @format, @title, @originPath, @originRef, @metadata, @chars)
      ON CONFLICT(hash) DO NOTHING RETURNING id`);
  const findId = db.prepare('SELECT id FROM sources WHERE hash = ?').pluck();
  const tag = db.prepare('INSERT OR IGNORE INTO source_tags (source_id, tag) VALUES (?, ?)');
  const result: InsertSourcesResult = { inserted: 0, duplicates: 0, ids: [], fresh: [] };
  db.transaction(() => {
    for (const s of sources) {
      const hash = sha256(s.text);
      const row = insert.get({
        hash,
        text: s.text,
        domain: s.domain,
        language: s.language,
        format: s.format,
        title: s.title,
        originPath: s.originPath,
        originRef: s.originRef,
        metadata: JSON.stringify(s.metadata),
        chars: s.text.length,
      }) as { id: number } | undefined;
      let id: number;
      if (row) {
        id = row.id;
        result.inserted++;
      } else {
        id = findId.get(hash) as number;
        result.duplicates++;
      }
      result.ids.push(id);
      result.fresh.push(Boolean(row));
      for (const t of s.tags) tag.run(id, t);
    }
  })();
  return result;
}

const SELECT_SOURCE = `SELECT s.*, (SELECT json_group_array(tag) FROM source_tags t WHERE t.source_id = s.id) AS tags
  FROM sources s`;

function toSource(row: SourceRow): Source {
  const tags = row.tags ? (JSON.parse(row.tags) as string[]) : [];
  return {
    id: row.id,
    hash: row.hash,
    text: row.text,
    domain: row.domain,
    language: row.language,
    format: row.format,
    title: row.title,
    originPath: row.origin_path,
    originRef: row.origin_ref,
    metadata: readJsonObject(row.metadata),
    tags: tags.sort(),
    chars: row.chars,
    createdAt: row.created_at,
  };
}

export function getSource(db: Db, id: number): Source | undefined {
  const row = db.prepare(`${SELECT_SOURCE} WHERE s.id = ?`).get(id) as SourceRow | undefined;
  return row ? toSource(row) : undefined;
}

function whereClause(q: ReturnType<typeof SourceQuerySchema.parse>): {
  sql: string;
  params: unknown[];
} {
  const where: string[] = [];
  const params: unknown[] = [];
  if (q.domain) {
    where.push('s.domain = ?');
    params.push(q.domain);
  }
  if (q.tag) {
    where.push('EXISTS (SELECT 1 FROM source_tags t WHERE t.source_id = s.id AND t.tag = ?)');
    params.push(q.tag);
  }
  if (q.search) {
    where.push("(instr(lower(s.text), lower(?)) > 0 OR instr(lower(coalesce(s.title, '')), lower(?)) > 0)");
    params.push(q.search, q.search);
  }
  return { sql: where.length ? ` WHERE ${where.join(' AND ')}` : '', params };
}

export function listSources(db: Db, query: SourceQuery = {}): Source[] {
  const q = SourceQuerySchema.parse(query);
  const { sql, params } = whereClause(q);
  const rows = db
    .prepare(`${SELECT_SOURCE}${sql} ORDER BY s.id LIMIT ? OFFSET ?`)
    .all(...params, q.limit, q.offset) as SourceRow[];
  return rows.map(toSource);
}

export function countSources(db: Db, query: Omit<SourceQuery, 'limit' | 'offset'> = {}): number {
  const q = SourceQuerySchema.parse(query);
  const { sql, params } = whereClause(q);
  return db
    .prepare(`SELECT count(*) FROM sources s${sql}`)
    .pluck()
    .get(...params) as number;
}

/** Which sources a job works on: by ids, domain, tag and text, all optional (none: every source). */
export interface SourceSelection {
  sourceIds?: readonly number[];
  domain?: Domain;
  tag?: string;
  /** Sources whose text contains this (case aside). */
  query?: string;
}

export function selectSourceIds(db: Db, sel: SourceSelection): number[] {
  const where: string[] = [];
  const params: unknown[] = [];
  if (sel.sourceIds?.length) {
    where.push(`id IN (${sel.sourceIds.map(() => '?').join(',')})`);
    params.push(...sel.sourceIds);
  }
  if (sel.domain) {
    where.push('domain = ?');
    params.push(sel.domain);
  }
  if (sel.tag) {
    where.push('id IN (SELECT source_id FROM source_tags WHERE tag = ?)');
    params.push(sel.tag);
  }
  if (sel.query) {
    where.push('instr(lower(text), lower(?)) > 0');
    params.push(sel.query);
  }
  return db
    .prepare(`SELECT id FROM sources${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id`)
    .pluck()
    .all(...params) as number[];
}

/** A source typed or generated in place (no file behind it): text format, no title or origin. */
export function textSource(
  text: string,
  domain: Domain,
  extra: { language?: string | null; tags?: string[] } = {},
): NewSource {
  return {
    text,
    domain,
    language: extra.language ?? null,
    format: 'text',
    title: null,
    originPath: null,
    originRef: null,
    metadata: {},
    tags: extra.tags ?? [],
  };
}
