import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PairPage, PairViewQuery } from '../contracts/view.ts';
import { type Db, openDb } from './db.ts';
import { migrate, migrations } from './migrations.ts';
import { compileSearchPattern, listPairView, pairIdsForView } from './pair-view.ts';
import { insertPairs } from './pairs.ts';
import { putVerdict } from './probes.ts';
import { insertSources } from './sources.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'studio-pair-view-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const WORDS = ['Lisbon', 'Oslo', 'invoice', 'Müller', 'naïve café', 'x_y%z', 'quote"d', 'd12,', 'D15,', 'ab'];
const DOMAINS = ['nl', 'chat', 'code', 'mixed'] as const;

/** Varied pairs, verdicts and labels through the store's own insert paths (or raw SQL for an old schema). */
function fill(db: Db, n: number, raw = false): void {
  const texts = Array.from({ length: n }, (_, i) => ({
    text: `Record ${i}: ${WORDS[i % WORDS.length]} and ${WORDS[(i * 3) % WORDS.length]} on day ${i % 28}.${i % 5 === 0 ? '\nsecond line' : ''}`,
    title: i % 4 === 0 ? null : `Title ${WORDS[(i * 7) % WORDS.length]} ${i}`,
    compressed: `R${i} ${WORDS[(i * 5) % WORDS.length]} d${i % 28}, ${i % 7} items`,
    tokensOriginal: i % 13 === 0 ? 0 : 40 + (i % 17),
    tokensCompressed: i % 11 === 0 ? null : 5 + ((i * 7) % 50),
  }));
  if (raw) {
    const s = db.prepare(
      `INSERT INTO sources (hash, text, domain, format, title, chars) VALUES (?, ?, ?, 'text', ?, ?)`,
    );
    const p = db.prepare(
      `INSERT INTO pairs (source_id, compressed, compressed_hash, strategy, params_hash, model, tokens_original, tokens_compressed)
       VALUES (?, ?, ?, ?, 'h', ?, ?, ?)`,
    );
    db.transaction(() => {
      texts.forEach((t, i) => {
        const id = Number(s.run(`h${i}`, t.text, DOMAINS[i % 4], t.title, t.text.length).lastInsertRowid);
        p.run(
          id,
          t.compressed,
          `c${i}`,
          i % 3 ? 'rules' : 'prompted',
          i % 3 ? '' : 'm',
          t.tokensOriginal,
          t.tokensCompressed,
        );
      });
    })();
  } else {
    const ids = insertSources(
      db,
      texts.map((t, i) => ({
        text: t.text,
        domain: DOMAINS[i % 4] as (typeof DOMAINS)[number],
        language: null,
        format: 'text' as const,
        title: t.title,
        originPath: 'test',
        originRef: String(i),
        metadata: {},
        tags: [],
      })),
    ).ids;
    insertPairs(
      db,
      ids.map((sourceId, i) => ({
        sourceId,
        compressed: texts[i]?.compressed ?? '',
        strategy: i % 3 ? 'rules' : 'prompted',
        model: i % 3 ? '' : 'm',
        tokensOriginal: texts[i]?.tokensOriginal ?? null,
        tokensCompressed: texts[i]?.tokensCompressed ?? null,
      })),
    );
  }
  const v = db.prepare(`INSERT INTO verdicts (pair_id, probe_id, model, method, outcome) VALUES (?, NULL, ?, ?, ?)`);
  const l = db.prepare(
    `INSERT INTO labels (pair_id, labeler, decision, comment, edited_text, status) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const outcomes = ['equivalent', 'different', 'judge-error'] as const;
  db.transaction(() => {
    for (let id = 1; id <= n; id += 2) {
      v.run(id, 'a', 'judge', 'equivalent');
      v.run(id, 'a', 'f1', outcomes[id % 3]);
      if (id % 4 === 1) v.run(id, 'b', 'judge', outcomes[(id >> 2) % 3]);
      if (id % 6 === 1) l.run(id, 'ana', id % 12 === 1 ? 'reject' : 'approve', 'why', null, 'submitted');
      if (id % 10 === 1) l.run(id, 'bo', id % 20 === 1 ? 'approve' : 'skip', null, null, 'submitted');
      if (id % 14 === 1) l.run(id, 'cy', 'edit', null, 'shorter', id % 28 === 1 ? 'submitted' : 'draft');
    }
  })();
}

/**
 * The Pairs view as it was before migration 11 (correlated subqueries, LIKE and the regex over
 * every row): the oracle the indexed queries must agree with, row for row.
 */
function oracleIds(db: Db, q: PairViewQuery): number[] {
  const where: string[] = [];
  const params: unknown[] = [];
  if (q.domain) where.push('s.domain = ?') && params.push(q.domain);
  if (q.strategy) where.push('p.strategy = ?') && params.push(q.strategy);
  if (q.model) where.push('p.model = ?') && params.push(q.model);
  if (q.ratioMin !== undefined)
    where.push('p.tokens_compressed * 1.0 / p.tokens_original >= ?') && params.push(q.ratioMin);
  if (q.ratioMax !== undefined)
    where.push('p.tokens_compressed * 1.0 / p.tokens_original <= ?') && params.push(q.ratioMax);
  if (q.search && !q.regex) {
    const like = `%${q.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push("(p.compressed LIKE ? ESCAPE '\\' OR s.text LIKE ? ESCAPE '\\' OR s.title LIKE ? ESCAPE '\\')");
    params.push(like, like, like);
  }
  const v = 'FROM verdicts v WHERE v.pair_id = p.id';
  const verdict: Record<string, string> = {
    failures: `EXISTS (SELECT 1 ${v} AND v.outcome = 'different')`,
    passes: `EXISTS (SELECT 1 ${v}) AND NOT EXISTS (SELECT 1 ${v} AND v.outcome <> 'equivalent')`,
    'judge-errors': `EXISTS (SELECT 1 ${v} AND v.outcome = 'judge-error')`,
    'models-disagree': `(SELECT count(DISTINCT ok) FROM (SELECT v.model, min(v.outcome = 'equivalent') AS ok ${v} AND v.outcome <> 'judge-error' GROUP BY v.model)) > 1`,
    unvalidated: `NOT EXISTS (SELECT 1 ${v})`,
  };
  if (q.verdict && q.verdict !== 'all') where.push(verdict[q.verdict] as string);
  const l = "FROM labels l WHERE l.pair_id = p.id AND l.status = 'submitted'";
  if (q.label === 'unlabelled') where.push(`NOT EXISTS (SELECT 1 ${l} AND l.decision <> 'skip')`);
  else if (q.label === 'disagree') where.push(`(SELECT count(DISTINCT l.decision) ${l} AND l.decision <> 'skip') > 1`);
  else if (q.label && q.label !== 'all')
    where.push(`EXISTS (SELECT 1 ${l} AND l.decision = ?)`) && params.push(q.label);
  const sort = { id: 'p.id', ratio: 'ratio', tokens: 'p.tokens_original', created: 'p.created_at' }[q.sort ?? 'id'];
  const dir = q.desc ? 'DESC' : 'ASC';
  const rows = db
    .prepare(
      `SELECT p.id, p.tokens_compressed * 1.0 / nullif(p.tokens_original, 0) AS ratio,
         p.compressed || char(10) || s.text || char(10) || coalesce(s.title, '') AS haystack
       FROM pairs p JOIN sources s ON s.id = p.source_id ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY ${sort} ${dir}${q.sort && q.sort !== 'id' ? `, p.id ${dir}` : ''}`,
    )
    .all(...params) as { id: number; haystack: string }[];
  const re = q.search && q.regex ? compileSearchPattern(q.search) : undefined;
  return rows.filter((r) => !re || re.test(r.haystack)).map((r) => r.id);
}

const N = 240;
const VIEWS: PairViewQuery[] = [
  {},
  { domain: 'code' },
  { strategy: 'prompted', model: 'm' },
  { ratioMin: 0.3, ratioMax: 0.6 },
  { sort: 'ratio', desc: true },
  { sort: 'ratio' },
  { sort: 'tokens', desc: true },
  { sort: 'created' },
  ...(['failures', 'passes', 'judge-errors', 'models-disagree', 'unvalidated'] as const).map((verdict) => ({
    verdict,
  })),
  ...(['unlabelled', 'approve', 'reject', 'skip', 'edit', 'disagree'] as const).map((label) => ({ label })),
  { verdict: 'unvalidated', label: 'unlabelled', domain: 'nl' },
  { verdict: 'passes', label: 'unlabelled', sort: 'ratio', desc: true },
  // Text search: through the trigram index, LIKE deciding (ASCII case folding, % and _ literal)
  { search: 'Lisbon' },
  { search: 'lisbon', domain: 'chat' },
  { search: 'INVOICE', sort: 'ratio' },
  { search: 'x_y%z' },
  { search: '_y%' },
  { search: 'quote"d' },
  { search: 'naïve café' },
  { search: 'MÜLLER' }, // LIKE folds ASCII only: no match, as before
  { search: 'ab' }, // shorter than a trigram: scanned
  { search: 'd1' },
  { search: 'Title Oslo' },
  { search: 'line' },
  // Regex: literal prefilter (exact or followed by the regex), none, case flags, short literals
  { search: 'd1[0-9],', regex: true },
  { search: 'd1\\d,', regex: true },
  { search: 'lisbon|OSLO', regex: true },
  { search: 'Lisbon.*Oslo', regex: true },
  { search: 'R1[0-9]+ oslo', regex: true },
  { search: '(?-i)lisbon', regex: true },
  { search: '(?i)LISBON', regex: true },
  { search: '\\bd2\\d', regex: true },
  { search: 'ab', regex: true },
  { search: 'a.', regex: true },
  { search: '[a-z]+', regex: true },
  { search: 'day 1?5\\.', regex: true },
  { search: 'Record 1\\d: ', regex: true },
  { search: 'items\\nR', regex: true },
  { search: 'line\\nTitle', regex: true },
  { search: 'café$', regex: true },
  { search: 'M[üu]ller', regex: true },
  { search: 'x_y%z', regex: true },
];

/** The page's total is the count, or (a search's, capped) a lower bound reaching past the page. */
function expectTotal(page: PairPage, count: number, label: string): void {
  if (page.totalExact) expect(page.total, label).toBe(count);
  else {
    expect(page.total, label).toBeLessThan(count);
    expect(page.total, label).toBeGreaterThan(page.offset + page.rows.length);
  }
}

function expectSameAsOracle(db: Db, views: readonly PairViewQuery[] = VIEWS): void {
  for (const view of views) {
    const expected = oracleIds(db, view);
    const label = JSON.stringify(view);
    expect(pairIdsForView(db, view), label).toEqual([...expected].sort((a, b) => a - b));
    const all = listPairView(db, { ...view, limit: 1000 });
    expectTotal(all, expected.length, label);
    expect(
      all.rows.map((r) => r.id),
      label,
    ).toEqual(expected.slice(0, 1000));
    expect(listPairView(db, { ...view, limit: 1, exactTotal: true }), label).toMatchObject({
      total: expected.length,
      totalExact: true,
    });
    // Pages: the first, one near the end (read from the end), and past the end.
    for (const offset of [0, 7, Math.max(0, expected.length - 9), expected.length + 3]) {
      const page = listPairView(db, { ...view, offset, limit: 8 });
      expect(
        page.rows.map((r) => r.id),
        `${label} offset ${offset}`,
      ).toEqual(expected.slice(offset, offset + 8));
      expectTotal(page, expected.length, `${label} offset ${offset}`);
    }
  }
}

describe('the Pairs view through indexes and trigram FTS', () => {
  it('returns what the scanning queries returned, for every filter, sort, search and regex', () => {
    const db = openDb(join(dir, 'studio.db'), { create: true });
    fill(db, N);
    const sanity = oracleIds(db, { search: 'd1[0-9],', regex: true });
    expect(sanity.length).toBeGreaterThan(10);
    expect(oracleIds(db, { verdict: 'models-disagree' }).length).toBeGreaterThan(5);
    expect(oracleIds(db, { search: 'MÜLLER' })).toEqual([]);
    expectSameAsOracle(db);
    db.close();
  });

  it('reads a large result in sort order and filters it, with the same rows', () => {
    // Past 10,000 matches a page is read in the sort's order with the filters unindexed.
    const db = openDb(join(dir, 'studio.db'), { create: true });
    fill(db, 11_000, true);
    // Every 3rd source gets a second pair through the triggers, so "Record" (in every source) matches
    // through both FTS tables, past 10,000 pairs.
    db.prepare(
      `INSERT INTO pairs (source_id, compressed, compressed_hash, strategy, params_hash, model, tokens_original, tokens_compressed)
       SELECT source_id, compressed || ' again', compressed_hash || 'b', strategy, 'h2', model, tokens_original, tokens_compressed
       FROM pairs WHERE source_id % 3 = 0`,
    ).run();
    expectSameAsOracle(db, [
      { search: 'Record' },
      { search: 'record 1', sort: 'tokens' },
      {},
      { sort: 'ratio', desc: true },
      { domain: 'code', sort: 'ratio' },
      { ratioMin: 0.2, ratioMax: 0.9 },
      { verdict: 'unvalidated', sort: 'tokens', desc: true },
      { label: 'unlabelled' },
      { search: 'Lisbon', sort: 'ratio' },
      { search: 'd1[0-9],', regex: true },
      { search: 'R1.*items', regex: true, sort: 'created', desc: true },
    ]);
    // The same plans hold on the read-in-sort-order path.
    expect(plan(db, { sort: 'ratio', desc: true })).toMatch(/SCAN p USING COVERING INDEX pairs_ratio/);
    expect(plan(db, { sort: 'ratio', desc: true })).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
    expect(plan(db, { search: 'Lisbon' })).toMatch(/SCAN pairs_fts VIRTUAL TABLE INDEX/);
    expect(plan(db, { offset: 5000, limit: 200 })).toMatch(/SCAN p USING COVERING INDEX pairs_id_order/);
    db.close();
  });

  it('keeps the FTS tables, the domain and the disagreement flag in step with edits and deletes', () => {
    const db = openDb(join(dir, 'studio.db'), { create: true });
    fill(db, 60);
    db.prepare("UPDATE sources SET text = 'now about Oslo only', title = 'renamed Lisbon' WHERE id = 3").run();
    db.prepare("UPDATE sources SET domain = 'code' WHERE id = 5").run();
    db.prepare("UPDATE pairs SET compressed = 'edited Lisbon text' WHERE id = 8").run();
    db.prepare('DELETE FROM pairs WHERE id IN (10, 11)').run();
    db.prepare('DELETE FROM sources WHERE id = 12').run();
    // Verdicts stored through putVerdict (insert, and delete then insert), one updated, one deleted.
    for (const [model, outcome] of [
      ['a', 'equivalent'],
      ['b', 'different'],
      ['b', 'equivalent'],
    ] as const)
      putVerdict(db, {
        pairId: 2,
        probeId: null,
        model,
        method: 'judge',
        outcome,
        score: null,
        judge: null,
        details: {},
        runId: null,
      });
    expect(pairIdsForView(db, { verdict: 'models-disagree' })).not.toContain(2);
    db.prepare("UPDATE verdicts SET outcome = 'different' WHERE pair_id = 2 AND model = 'b'").run();
    db.prepare("DELETE FROM verdicts WHERE pair_id = 5 AND model = 'b'").run();
    expect(pairIdsForView(db, { verdict: 'models-disagree' })).toContain(2);
    expectSameAsOracle(db);
    db.close();
  });

  it('indexes a source with several pairs once, and finds a pair by its own text or by its source', () => {
    const db = openDb(join(dir, 'studio.db'), { create: true });
    fill(db, 40);
    const views: PairViewQuery[] = [
      {},
      { search: 'Porto' }, // only in the source (text and title)
      { search: 'kiwi' }, // only in one pair's compressed text
      { search: 'ledger', sort: 'ratio', desc: true },
      { search: 'p[o0]rto', regex: true },
      { search: 'kiwi|PORTO', regex: true },
      { search: 'Porto.*kiwi', regex: true },
      { search: 'Lisbon' },
      { search: 'd1[0-9],', regex: true },
      { search: 'ab' },
    ];
    const addSource = (text: string, title: string) =>
      insertSources(db, [
        {
          text,
          domain: 'nl',
          language: null,
          format: 'text',
          title,
          originPath: null,
          originRef: null,
          metadata: {},
          tags: [],
        },
      ]).ids[0] as number;
    const addPairs = (sourceId: number, compressed: string[]) =>
      insertPairs(
        db,
        compressed.map((c, k) => ({
          sourceId,
          compressed: c,
          strategy: `s${k}`,
          tokensOriginal: 50,
          tokensCompressed: 10 + k,
        })),
      ).ids;
    const indexed = (table: 'pairs_fts' | 'sources_fts', text: string) =>
      db.prepare(`SELECT rowid FROM ${table} WHERE ${table} MATCH ? ORDER BY rowid`).pluck().all(`"${text}"`);
    const check = () => {
      expectSameAsOracle(db, views);
      for (const table of ['pairs_fts', 'sources_fts'])
        db.prepare(`INSERT INTO ${table} (${table}) VALUES ('integrity-check')`).run();
    };

    // Three candidates of one memory in one batch: the memory is indexed once, in sources_fts.
    const porto = addSource('The Porto ledger: rent due on the 3rd, water on the 9th.', 'Porto notes');
    const [kiwi] = addPairs(porto, ['ledger kiwi rent 3rd', 'rent 3rd water 9th', 'Porto rent, water']);
    expect(listPairView(db, { search: 'Porto' }).total).toBe(3);
    expect(listPairView(db, { search: 'kiwi' }).rows.map((r) => r.id)).toEqual([kiwi]);
    expect(indexed('sources_fts', 'porto ledger')).toEqual([porto]);
    expect(indexed('pairs_fts', 'porto ledger')).toEqual([]);
    // A match only in sources_fts reads its pairs by source; one only in pairs_fts never joins sources.
    expect(plan(db, { search: 'Porto' })).toMatch(/SCAN sources_fts VIRTUAL TABLE INDEX[\s\S]*pairs_source/);
    expect(plan(db, { search: 'kiwi' })).toMatch(/SCAN pairs_fts VIRTUAL TABLE INDEX/);
    expect(plan(db, { search: 'kiwi' })).not.toMatch(/SCAN s\b/);
    check();

    // One pair, then a second (batch) and a third (raw SQL, through the triggers): the text moves once.
    const lone = addSource('A Porto ferry timetable, ledger of crossings.', 'ferries');
    const [first] = addPairs(lone, ['ferry times']);
    expect(indexed('pairs_fts', 'porto ferry')).toEqual([first]);
    expect(indexed('sources_fts', 'porto ferry')).toEqual([]);
    check();
    const [second] = addPairs(lone, ['kiwi ferry']);
    expect(indexed('pairs_fts', 'porto ferry')).toEqual([]);
    expect(indexed('sources_fts', 'porto ferry')).toEqual([lone]);
    check();
    db.prepare(
      `INSERT INTO pairs (source_id, compressed, compressed_hash, strategy, params_hash, model, tokens_original, tokens_compressed)
       VALUES (?, 'third ferry', 'h3', 'raw', 'h', '', 40, 9)`,
    ).run(lone);
    check();
    // Back to one pair: the source's text returns to that pair's row.
    db.prepare('DELETE FROM pairs WHERE source_id = ? AND id <> ?').run(lone, first);
    expect(indexed('pairs_fts', 'porto ferry')).toEqual([first]);
    expect(indexed('sources_fts', 'porto ferry')).toEqual([]);
    check();
    addPairs(lone, ['again kiwi']);
    // Edits: a shared source's text, a pair's text, a pair moved to the other source, a source deleted.
    db.prepare("UPDATE sources SET text = 'Porto harbour ledger, no ferries', title = 'harbour' WHERE id = ?").run(
      lone,
    );
    db.prepare("UPDATE pairs SET compressed = 'kiwi edited' WHERE id = ?").run(second ?? 0);
    db.prepare('UPDATE pairs SET source_id = ? WHERE id = ?').run(porto, first);
    check();
    db.prepare("UPDATE sources SET text = 'now about Oslo' WHERE id = 2").run();
    db.prepare('UPDATE pairs SET source_id = 2 WHERE id = ?').run(kiwi);
    check();
    db.prepare('DELETE FROM sources WHERE id = ?').run(porto);
    check();
    db.close();
  });

  it('indexes a batch of pairs after its inserts, and a failed batch leaves the triggers on', () => {
    const db = openDb(join(dir, 'studio.db'), { create: true });
    fill(db, 20);
    const pair = (sourceId: number, compressed: string) => ({ sourceId, compressed, strategy: 'b', tokensOriginal: 9 });
    // The second pair of the batch names a source that does not exist: the batch rolls back whole.
    expect(() => insertPairs(db, [pair(1, 'batch kiwi one'), pair(9999, 'batch kiwi two')])).toThrow();
    expect(db.prepare('SELECT count(*) FROM search_index_deferred').pluck().get()).toBe(0);
    expect(listPairView(db, { search: 'kiwi' }).total).toBe(0);
    // A writer outside insertPairs is indexed by the trigger; a batch with repeats indexes each new pair once.
    db.prepare(
      `INSERT INTO pairs (source_id, compressed, compressed_hash, strategy, params_hash, model, tokens_original)
       VALUES (2, 'raw kiwi', 'h', 'raw', 'h', '', 9)`,
    ).run();
    insertPairs(db, [pair(3, 'batch kiwi'), pair(3, 'batch kiwi'), pair(4, 'other kiwi')]);
    expect(listPairView(db, { search: 'kiwi' }).total).toBe(3);
    db.prepare("INSERT INTO pairs_fts (pairs_fts) VALUES ('integrity-check')").run();
    expectSameAsOracle(db, [{ search: 'kiwi' }, { search: 'Lisbon' }, { search: 'Record 3' }]);
    db.close();
  });

  it('migration 11 builds the indexes, stored columns and FTS tables of an existing project', () => {
    const file = join(dir, 'old.db');
    const old = new BetterSqlite3(file);
    migrate(
      old,
      file,
      migrations.filter((m) => m.version <= 10),
    );
    fill(old, N, true);
    old.close();
    const db = openDb(file);
    expect(db.prepare('SELECT max(version) FROM schema_migrations').pluck().get()).toBe(11);
    expect(db.prepare('SELECT count(*) FROM pairs WHERE domain IS NULL').pluck().get()).toBe(0);
    expect(
      db.prepare('SELECT count(*) FROM pairs_fts WHERE pairs_fts MATCH \'"lisbon"\'').pluck().get(),
    ).toBeGreaterThan(0);
    expectSameAsOracle(db);
    // New rows after the migration go through the triggers.
    fill(db, 30);
    expectSameAsOracle(db);
    db.close();
  });
});

/** The plan SQLite chooses for a view's row query and its count, as one text. */
function plan(db: Db, view: PairViewQuery): string {
  const lines: string[] = [];
  const original = db.prepare.bind(db);
  // Every statement listPairView prepares, explained instead of run.
  const spy = ((sql: string) => {
    if (/^\s*SELECT/i.test(sql) && !/FROM (verdicts|labels l) WHERE pair_id IN/.test(sql))
      for (const r of original(`EXPLAIN QUERY PLAN ${sql}`).all(
        ...Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => null),
      ) as { detail: string }[])
        lines.push(r.detail);
    return original(sql);
  }) as Db['prepare'];
  db.prepare = spy;
  try {
    listPairView(db, view);
  } finally {
    db.prepare = original;
  }
  return lines.join('\n');
}

describe('query plans', () => {
  it('sorts by ratio and finds disagreements through indexes, and searches through the FTS tables', () => {
    const db = openDb(join(dir, 'studio.db'), { create: true });
    fill(db, 50);
    const fullSortedScan = /SCAN p\b(?![^\n]*USING)[\s\S]*USE TEMP B-TREE FOR ORDER BY/;
    const ratio = plan(db, { sort: 'ratio', desc: true, limit: 200 });
    expect(ratio).toMatch(/USING (COVERING )?INDEX pairs_ratio/);
    expect(ratio).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
    const disagree = plan(db, { verdict: 'models-disagree', limit: 200 });
    expect(disagree).toMatch(/USING (COVERING )?INDEX pairs_models_disagree/);
    expect(disagree).not.toMatch(fullSortedScan);
    const domain = plan(db, { domain: 'code' });
    expect(domain).toMatch(/USING (COVERING )?INDEX pairs_domain/);
    const search = plan(db, { search: 'Lisbon' });
    expect(search).toMatch(/SCAN pairs_fts VIRTUAL TABLE INDEX/);
    expect(search).not.toMatch(/SCAN s\b/);
    const regex = plan(db, { search: 'd1[0-9],', regex: true });
    expect(regex).toMatch(/pairs_fts VIRTUAL TABLE INDEX/);
    expect(regex).not.toMatch(/SCAN s\b/);
    db.close();
  });
});

describe("a search's total (issue 16, finding 7)", () => {
  /**
   * 12,000 one-pair sources in two statements (the FTS triggers index them): every pair contains
   * "beta" and "items", one in 28 "d12,", every 4th is code, every 6th carries an approval.
   */
  function seedMany(db: Db, n: number): void {
    db.prepare(
      `WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i + 1 < ?)
       INSERT INTO sources (id, hash, text, domain, format, title, chars)
       SELECT i + 1, 'h' || i, 'Entry ' || i || ': alpha gamma', (CASE i % 4 WHEN 2 THEN 'code' ELSE 'nl' END), 'text', NULL, 20
       FROM k`,
    ).run(n);
    db.prepare(
      `INSERT INTO pairs (id, source_id, compressed, compressed_hash, strategy, params_hash, model, tokens_original, tokens_compressed)
       SELECT id, id, 'c' || id || ' beta d' || (id % 28) || ', ' || (id % 7) || ' items', 'c' || id, 'rules', 'h', '', 40, 5 + id % 30
       FROM sources`,
    ).run();
    db.prepare(
      `INSERT INTO labels (pair_id, labeler, decision, status) SELECT id, 'ana', 'approve', 'submitted' FROM pairs WHERE id % 6 = 1`,
    ).run();
  }

  it('counts up to a cap past the page, says so, pages on, and counts all on request', () => {
    const file = join(dir, 'many.db');
    const db = openDb(file, { create: true });
    seedMany(db, 12_000);
    db.close();
    // A fresh connection on the file, as the app has after a restart.
    const again = openDb(file);
    const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k + 1);

    // More than 10,000 matches: at least 10,000, and the first page is right.
    const first = listPairView(again, { search: 'beta', limit: 200 });
    expect(first).toMatchObject({ total: 10_000, totalExact: false });
    expect(first.rows.map((r) => r.id)).toEqual(ids(0, 200));
    // The page before the cap keeps the bound; the one across it is counted to the next multiple,
    // which here is past the end: the exact count arrives as the table is scrolled to it.
    const before = listPairView(again, { search: 'beta', offset: 9_700, limit: 200 });
    expect(before).toMatchObject({ total: 10_000, totalExact: false });
    expect(before.rows.map((r) => r.id)).toEqual(ids(9_700, 9_900));
    const across = listPairView(again, { search: 'beta', offset: 9_900, limit: 200 });
    expect(across).toMatchObject({ total: 12_000, totalExact: true });
    expect(across.rows.map((r) => r.id)).toEqual(ids(9_900, 10_100));
    const last = listPairView(again, { search: 'beta', offset: 11_900, limit: 200 });
    expect(last.rows.map((r) => r.id)).toEqual(ids(11_900, 12_000));
    // "Count all": exact, whatever the page.
    expect(listPairView(again, { search: 'beta', limit: 1, exactTotal: true })).toMatchObject({
      total: 12_000,
      totalExact: true,
    });
    // Sorted another way, the lower bound reads the page in sort order (the large-result path).
    const byRatio = listPairView(again, { search: 'beta', sort: 'ratio', desc: true, limit: 5 });
    expect(byRatio.totalExact).toBe(false);
    expect(byRatio.rows.map((r) => r.ratio)).toEqual(Array(5).fill(34 / 40));
    // Under the cap the count is exact, with other filters tested per match.
    expect(listPairView(again, { search: 'beta', domain: 'code' })).toMatchObject({ total: 3_000, totalExact: true });
    expect(listPairView(again, { search: 'd12,' })).toMatchObject({
      total: oracleIds(again, { search: 'd12,' }).length,
      totalExact: true,
    });
    const unlabelled = oracleIds(again, { search: 'beta', label: 'unlabelled', domain: 'code' });
    const page = listPairView(again, { search: 'beta', label: 'unlabelled', domain: 'code', limit: 1000 });
    expect(page).toMatchObject({ total: unlabelled.length, totalExact: true });
    expect(page.rows.map((r) => r.id)).toEqual(unlabelled.slice(0, 1000));
    // A regex the index cannot decide runs on each candidate: counted to 1,000.
    const tested = listPairView(again, { search: 'beta.*items', regex: true, limit: 200 });
    expect(tested).toMatchObject({ total: 1_000, totalExact: false });
    expect(tested.rows.map((r) => r.id)).toEqual(ids(0, 200));
    expect(listPairView(again, { search: 'beta.*items', regex: true, exactTotal: true }).total).toBe(12_000);
    // A view without a search is always counted exactly.
    expect(listPairView(again, { label: 'unlabelled' })).toMatchObject({ total: 10_000, totalExact: true });
    again.close();
  });

  it('reads the capped count and the page from the FTS index, stopping at the cap', () => {
    const db = openDb(join(dir, 'plans.db'), { create: true });
    seedMany(db, 200);
    // The search alone: the index's rows are counted, nothing else is read.
    const alone = plan(db, { search: 'beta' });
    expect(alone).toMatch(/SCAN pairs_fts VIRTUAL TABLE INDEX/);
    expect(alone).not.toMatch(/TEMP B-TREE|LIST SUBQUERY|SCAN p\b/);
    // With another filter: driven by the index, the pair looked up by its id, no set built whole.
    const filtered = plan(db, { search: 'beta', domain: 'code', label: 'unlabelled' });
    expect(filtered).toMatch(/SCAN pairs_fts VIRTUAL TABLE INDEX[^\n]*\nSEARCH p USING INTEGER PRIMARY KEY/);
    expect(filtered).not.toMatch(/SCAN p\b/);
    // A regex with two literal groups ("d1?", "items") asks the index once, both groups together.
    const both = plan(db, { search: 'd1[0-9], \\d+ items', regex: true });
    expect(both).toMatch(/SCAN pairs_fts VIRTUAL TABLE INDEX/);
    expect(both).not.toMatch(/LIST SUBQUERY|SCAN p\b/);
    expect(listPairView(db, { search: 'd1[0-9], \\d+ items', regex: true }).total).toBe(
      oracleIds(db, { search: 'd1[0-9], \\d+ items', regex: true }).length,
    );
    db.close();
  });
});
