import { RE2JS } from 're2js';
import type { PairDetail, PairPage, PairRow, PairViewFilters, PairViewQuery, ProbeCell } from '../contracts/view.ts';
import { PairViewQuerySchema } from '../contracts/view.ts';
import { InputError } from '../errors/index.ts';
import type { Db } from './db.ts';
import { readJsonObject } from './json-column.ts';
import { regexPrefilter } from './regex-literals.ts';

/** The ratio as stored in the `pairs_ratio` index: sorts and range filters must use this exact text. */
const RATIO = 'p.tokens_compressed * 1.0 / nullif(p.tokens_original, 0)';

const SORT: Record<PairViewFilters['sort'], string> = {
  id: 'p.id',
  ratio: RATIO,
  tokens: 'p.tokens_original',
  created: 'p.created_at',
};

/** Longer patterns are refused: the engine is linear in the text, but its program grows with the pattern. */
const MAX_PATTERN_LENGTH = 1000;

/**
 * Compiles a search pattern with RE2 semantics (re2js): matching takes time linear in the text,
 * so a pattern like `(a+)+$` cannot hang the process the way a backtracking RegExp does (issue 12,
 * finding 3). What RE2 cannot do (backreferences, lookaround) is refused with a clear reason.
 */
export function compileSearchPattern(pattern: string): RE2JS {
  if (pattern.length > MAX_PATTERN_LENGTH)
    throw new InputError(`regular expression longer than ${MAX_PATTERN_LENGTH} characters`, { field: 'search' });
  try {
    return RE2JS.compile(pattern, RE2JS.CASE_INSENSITIVE);
  } catch (error) {
    const detail = (error as Error).message.replace(/^error parsing regexp: /, '');
    throw new InputError(
      `invalid regular expression: ${detail} (searches use linear-time RE2 syntax: no backreferences or lookaround)`,
      { field: 'search' },
    );
  }
}

/** SQLite has no REGEXP of its own; give it a linear-time one, once per connection. */
const withRegexp = new WeakSet<Db>();
function ensureRegexp(db: Db): void {
  if (withRegexp.has(db)) return;
  const cache = new Map<string, RE2JS>();
  db.function('regexp', { deterministic: true }, (pattern: unknown, value: unknown) => {
    if (typeof pattern !== 'string' || typeof value !== 'string') return 0;
    let re = cache.get(pattern);
    if (!re) {
      if (cache.size > 100) cache.clear();
      re = compileSearchPattern(pattern);
      cache.set(pattern, re);
    }
    return re.test(value) ? 1 : 0;
  });
  withRegexp.add(db);
}

/**
 * One condition of a view. `scan` is the same test written so no index serves it (unary `+`): a
 * large result is then read in the sort's order and filtered, instead of fetched by the filter's
 * index and sorted whole. `ids`, when set, selects the matching pair ids (column `id`), so a count
 * over such conditions reads only those sets. `source` says the test reads the source row (`s`),
 * so counts join sources only then. `without` marks `NOT (without)`: its count is taken as
 * count(rest) - count(rest AND without), two index reads instead of a probe of every pair.
 */
interface Condition {
  sql: string;
  params: unknown[];
  scan?: string;
  ids?: string;
  /** `ids` never repeats an id (an FTS result), so counting it needs no DISTINCT. */
  uniqueIds?: boolean;
  /** The FTS query when the test is `pairs_fts MATCH` alone: a page in id order can be read from the index. */
  match?: string;
  source?: boolean;
  /** A test run by a JavaScript callback on every row it sees (the regex): counts of it are capped lower. */
  perRow?: boolean;
  without?: Condition;
}

const column = (test: string, params: unknown[] = []): Condition => ({ sql: test, scan: `+${test}`, params });
const idSet = (select: string, params: unknown[] = []): Condition => ({
  sql: `p.id IN (${select})`,
  scan: `+p.id IN (${select})`,
  ids: select,
  params,
});
const not = (c: Condition): Condition => ({
  sql: `NOT (${c.sql})`,
  scan: `NOT (${c.scan ?? c.sql})`,
  params: c.params,
  without: c,
});

/** A phrase query for the trigram FTS tables: the string as a substring, quotes doubled. */
const phrase = (text: string) => `"${text.replaceAll('"', '""')}"`;

const PAIRS_MATCHING = 'SELECT rowid AS id FROM pairs_fts WHERE pairs_fts MATCH ?';
const SOURCES_MATCHING = 'SELECT rowid FROM sources_fts WHERE sources_fts MATCH ?';
/** Each pair has one source, so this never repeats an id. */
const PAIRS_OF_MATCHING_SOURCES =
  'SELECT ps.id FROM sources_fts CROSS JOIN pairs ps ON ps.source_id = sources_fts.rowid WHERE sources_fts MATCH ?';

/**
 * The pairs whose compressed text, source text or source title contains one of the strings (case
 * folded), from the trigram FTS tables of migration 11 (each string 3+ characters): pairs_fts has
 * every pair's compressed text plus, for a source's only pair, the source's text and title;
 * sources_fts has the sources with several pairs. Most searches find nothing in sources_fts (no
 * source has several pairs, or the literal is only in compressed texts), so each table is first
 * asked whether it has a match at all and one without is left out: the search is then one index
 * lookup yielding pair ids, counted without DISTINCT and paged in id order lazily (`match`).
 */
function containsAny(db: Db, strings: readonly string[]): Condition {
  const match = strings.map(phrase).join(' OR ');
  const any = (select: string) => db.prepare(`${select} LIMIT 1`).get(match) !== undefined;
  const inSources = any(SOURCES_MATCHING);
  if (!inSources) return { ...idSet(PAIRS_MATCHING, [match]), match, uniqueIds: true };
  if (!any(PAIRS_MATCHING))
    return {
      sql: `p.source_id IN (${SOURCES_MATCHING})`,
      scan: `+p.source_id IN (${SOURCES_MATCHING})`,
      ids: PAIRS_OF_MATCHING_SOURCES,
      uniqueIds: true,
      params: [match],
    };
  return {
    sql: `(p.id IN (${PAIRS_MATCHING}) OR p.source_id IN (${SOURCES_MATCHING}))`,
    scan: `(+p.id IN (${PAIRS_MATCHING}) OR +p.source_id IN (${SOURCES_MATCHING}))`,
    // Parenthesised: compound operators bind left to right, and countPairs INTERSECTs these sets.
    ids: `SELECT id FROM (${PAIRS_MATCHING} UNION ${PAIRS_OF_MATCHING_SOURCES})`,
    uniqueIds: true,
    params: [match, match],
  };
}

/**
 * Several groups each answered by pairs_fts alone become one FTS query, (a OR b) AND (c OR d): the
 * index intersects them as it reads, where one condition per group made every group but the first
 * a set built whole (a common literal like "items" is a million rowids) before the first match.
 */
function oneMatch(conditions: readonly Condition[]): Condition[] {
  const inIndex = conditions.filter((c) => c.match);
  if (inIndex.length < 2) return [...conditions];
  const match = inIndex.map((c) => `(${c.match})`).join(' AND ');
  return [{ ...idSet(PAIRS_MATCHING, [match]), match, uniqueIds: true }, ...conditions.filter((c) => !c.match)];
}

function searchConditions(db: Db, search: string, regex: boolean): Condition[] {
  if (regex) {
    compileSearchPattern(search);
    const prefilter = regexPrefilter(search);
    const candidates = oneMatch(prefilter.groups.map((group) => containsAny(db, group)));
    // The index answer is the answer when the pattern is only literals (e.g. "d1[0-9],").
    if (prefilter.exact) return candidates;
    ensureRegexp(db);
    // One call per candidate row over the three fields joined: the callback crossing is the cost.
    return [
      ...candidates,
      {
        sql: "regexp(?, p.compressed || char(10) || s.text || char(10) || coalesce(s.title, ''))",
        params: [search],
        source: true,
        perRow: true,
      },
    ];
  }
  const like = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const likeTest: Condition = {
    sql: "(p.compressed LIKE ? ESCAPE '\\' OR s.text LIKE ? ESCAPE '\\' OR s.title LIKE ? ESCAPE '\\')",
    params: [like, like, like],
    source: true,
  };
  // A trigram index cannot look up fewer than three characters: those scan, as before.
  if ([...search].length < 3) return [likeTest];
  // LIKE folds ASCII case only, the index folds all of Unicode: for a non-ASCII search LIKE decides
  // among the index's rows. For an ASCII one the index is LIKE's answer (the only difference: a
  // Kelvin sign or long s in a text matches k or s, which LIKE would not).
  return /[^\x00-\x7f]/.test(search) ? [containsAny(db, [search]), likeTest] : [containsAny(db, [search])];
}

const VERDICT_PAIRS = (outcome: string) => `SELECT pair_id AS id FROM verdicts WHERE outcome = '${outcome}'`;
const LABELLED = "SELECT pair_id AS id FROM labels WHERE status = 'submitted' AND decision <> 'skip'";

/** Past this many matching pairs a page is read in sort order and filtered (see Condition.scan). */
const SCAN_ABOVE = 10_000;

function pairConditions(db: Db, f: Omit<PairViewFilters, 'sort' | 'desc'>): Condition[] {
  const out: Condition[] = [];
  if (f.domain) out.push(column('p.domain = ?', [f.domain]));
  if (f.strategy) out.push(column('p.strategy = ?', [f.strategy]));
  if (f.model) out.push(column('p.model = ?', [f.model]));
  if (f.ratioMin !== undefined) out.push(column(`(${RATIO}) >= ?`, [f.ratioMin]));
  if (f.ratioMax !== undefined) out.push(column(`(${RATIO}) <= ?`, [f.ratioMax]));
  if (f.search) out.push(...searchConditions(db, f.search, f.regex));
  switch (f.verdict) {
    case 'failures':
      out.push(idSet(VERDICT_PAIRS('different')));
      break;
    case 'passes':
      // Some verdict, and every verdict equivalent.
      out.push(idSet(VERDICT_PAIRS('equivalent')));
      out.push(not(idSet("SELECT pair_id AS id FROM verdicts WHERE outcome IN ('different', 'judge-error')")));
      break;
    case 'judge-errors':
      out.push(idSet(VERDICT_PAIRS('judge-error')));
      break;
    case 'models-disagree':
      // One model saw every probe as equivalent while another did not: kept per pair by triggers.
      out.push(column('p.models_disagree = 1'));
      break;
    case 'unvalidated':
      out.push(not(idSet('SELECT pair_id AS id FROM verdicts')));
      break;
    case 'all':
      break;
  }
  switch (f.label) {
    case 'unlabelled':
      out.push(not(idSet(LABELLED)));
      break;
    case 'approve':
    case 'reject':
    case 'edit':
    case 'skip':
      out.push(idSet("SELECT pair_id AS id FROM labels WHERE status = 'submitted' AND decision = ?", [f.label]));
      break;
    case 'disagree':
      out.push(idSet(`${LABELLED} GROUP BY pair_id HAVING count(DISTINCT decision) > 1`));
      break;
    case 'all':
      break;
  }
  return out;
}

function joined(conditions: readonly Condition[], scan = false): { sql: string; params: unknown[] } {
  return {
    sql: conditions.length ? `WHERE ${conditions.map((c) => (scan && c.scan) || c.sql).join(' AND ')}` : '',
    params: conditions.flatMap((c) => c.params),
  };
}

/** The view's filters as a WHERE clause over `pairs p JOIN sources s ON s.id = p.source_id`. */
export function pairWhere(db: Db, f: Omit<PairViewFilters, 'sort' | 'desc'>): { sql: string; params: unknown[] } {
  return joined(pairConditions(db, f));
}

/**
 * How many pairs match. A bare count is SQLite's b-tree count; sources are joined only for a
 * condition that reads them; each NOT IN becomes a difference of two counts.
 */
function countPairs(db: Db, conditions: readonly Condition[]): number {
  const i = conditions.findIndex((c) => c.without);
  if (i >= 0) {
    const rest = conditions.filter((_, k) => k !== i);
    const without = conditions[i]?.without as Condition;
    return countPairs(db, rest) - countPairs(db, [...rest, without]);
  }
  if (conditions.length && conditions.every((c) => c.ids)) {
    // Sets of ids that exist (foreign keys, triggers): their intersection's size is the count.
    const sets = conditions.map((c) => c.ids as string);
    return db
      .prepare(
        sets.length === 1
          ? `SELECT ${conditions[0]?.uniqueIds ? 'count(*)' : 'count(DISTINCT id)'} FROM (${sets[0]})`
          : `SELECT count(*) FROM (${sets.join(' INTERSECT ')})`,
      )
      .pluck()
      .get(...conditions.flatMap((c) => c.params)) as number;
  }
  const from = conditions.some((c) => c.source) ? 'pairs p JOIN sources s ON s.id = p.source_id' : 'pairs p';
  const { sql, params } = joined(conditions);
  return db
    .prepare(`SELECT count(*) FROM ${from} ${sql}`)
    .pluck()
    .get(...params) as number;
}

/**
 * A search's count is capped: its cost grows with its matches (every FTS match is read, and a regex
 * the index cannot decide runs on every candidate), so "items" over a million pairs took 240 ms to
 * count and a regex tested row by row seconds, while its first page takes a few. Counted up to a
 * cap, the count stops where a page read would: 10,000 matches from the index cost about what a
 * page costs, and 1,000 when each is also tested by the regex (a callback per row).
 */
export const SEARCH_COUNT_CAP = 10_000;
export const REGEX_COUNT_CAP = 1_000;

/** The count of a view with a search, up to `cap`: `cap + 1` when more match. */
function countUpTo(db: Db, conditions: readonly Condition[], cap: number): number {
  const search = conditions.find((c) => c.match);
  const rest = conditions.filter((c) => c !== search);
  const join = conditions.some((c) => c.source) ? ' JOIN sources s ON s.id = p.source_id' : '';
  let inner: { sql: string; params: unknown[] };
  if (search && !rest.length) {
    // The index alone: each of its rows is a pair (triggers keep it so).
    inner = { sql: 'SELECT 1 FROM pairs_fts WHERE pairs_fts MATCH ?', params: [search.match] };
  } else if (search) {
    // Driven by the index (CROSS JOIN keeps it outermost), the other tests checked per match
    // (their scan forms), so the LIMIT stops the index read instead of a sort or a set built whole.
    const where = joined([{ sql: 'pairs_fts MATCH ?', params: [search.match] }, ...rest], true);
    inner = {
      sql: `SELECT 1 FROM pairs_fts CROSS JOIN pairs p ON p.id = pairs_fts.rowid${join} ${where.sql}`,
      params: where.params,
    };
  } else {
    const where = joined(conditions);
    inner = { sql: `SELECT 1 FROM pairs p${join} ${where.sql}`, params: where.params };
  }
  return db
    .prepare(`SELECT count(*) FROM (${inner.sql} LIMIT ?)`)
    .pluck()
    .get(...inner.params, cap + 1) as number;
}

/**
 * The view's total: exact without a search or on request, else counted up to a cap that is a
 * multiple of the search's cap past the page's end, so a lower bound always lets the next page be
 * asked for (the table grows as it is scrolled).
 */
function totalOf(
  db: Db,
  q: { search?: string | undefined; exactTotal: boolean; offset: number; limit: number },
  conditions: readonly Condition[],
): { total: number; exact: boolean } {
  if (!q.search || q.exactTotal) return { total: countPairs(db, conditions), exact: true };
  const step = conditions.some((c) => c.perRow) ? REGEX_COUNT_CAP : SEARCH_COUNT_CAP;
  const cap = step * Math.ceil((q.offset + q.limit + 1) / step);
  const n = countUpTo(db, conditions, cap);
  return n > cap ? { total: cap, exact: false } : { total: n, exact: true };
}

interface RowDb {
  id: number;
  source_id: number;
  title: string | null;
  domain: string;
  language: string | null;
  strategy: string;
  model: string;
  tokens_original: number | null;
  tokens_compressed: number | null;
  ratio: number | null;
  preview: string;
  created_at: string;
}

/**
 * The ids of one page, in order. Read from pairs alone when no condition reads the source, so each
 * row OFFSET skips costs an index step, not a join and a row read.
 */
function readPageIds(
  db: Db,
  q: PairViewFilters & { offset: number; limit: number },
  conditions: readonly Condition[],
  { total, exact }: { total: number; exact: boolean },
): number[] {
  // A page past the middle is read from the end in the reverse order: OFFSET steps over every row
  // before the page, so the last page of a million costs what the first does. Only a known end can
  // be read from; a lower bound counts as large.
  const fromEnd = exact && q.offset > 0 && q.offset > total - q.offset - q.limit;
  const limit = fromEnd ? Math.max(0, Math.min(q.limit, total - q.offset)) : q.limit;
  const offset = fromEnd ? Math.max(0, total - q.offset - q.limit) : q.offset;
  const dir = q.desc !== fromEnd ? 'DESC' : 'ASC';
  const join = conditions.some((c) => c.source) ? ' JOIN sources s ON s.id = p.source_id' : '';
  const scan = !exact || total > SCAN_ABOVE;
  const search = q.sort === 'id' ? conditions.find((c) => c.match) : undefined;
  let ids: number[];
  if (search) {
    // In id order the FTS index hands its matches over in rowid order, lazily: the page is found
    // without computing every match first.
    const rest = joined(
      [{ sql: 'pairs_fts MATCH ?', params: [search.match] }, ...conditions.filter((c) => c !== search)],
      scan,
    );
    ids = db
      .prepare(
        `SELECT p.id FROM pairs_fts JOIN pairs p ON p.id = pairs_fts.rowid${join} ${rest.sql}
         ORDER BY pairs_fts.rowid ${dir} LIMIT ? OFFSET ?`,
      )
      .pluck()
      .all(...rest.params, limit, offset) as number[];
  } else {
    const { sql, params } = joined(conditions, scan);
    const order = `${SORT[q.sort]} ${dir}${q.sort === 'id' ? '' : `, p.id ${dir}`}`;
    ids = db
      .prepare(`SELECT p.id FROM pairs p${join} ${sql} ORDER BY ${order} LIMIT ? OFFSET ?`)
      .pluck()
      .all(...params, limit, offset) as number[];
  }
  return fromEnd ? ids.reverse() : ids;
}

/**
 * One page of the Pairs table. Summaries are computed for the page's rows only; a search's total is
 * counted up to a cap unless `exactTotal` asks for all (see totalOf).
 */
export function listPairView(db: Db, query: PairViewQuery): PairPage {
  const t0 = performance.now();
  const q = PairViewQuerySchema.parse(query);
  const conditions = pairConditions(db, q);
  const counted = totalOf(db, q, conditions);
  const pageIds = readPageIds(db, q, conditions, counted);
  const byId = new Map(
    (pageIds.length
      ? (db
          .prepare(
            `SELECT p.id, p.source_id, coalesce(s.title, s.origin_ref) AS title, s.domain, s.language, p.strategy, p.model, p.tokens_original, p.tokens_compressed,
              ${RATIO} AS ratio, substr(p.compressed, 1, 160) AS preview, p.created_at
             FROM pairs p JOIN sources s ON s.id = p.source_id WHERE p.id IN (${pageIds.map(() => '?').join(',')})`,
          )
          .all(...pageIds) as RowDb[])
      : []
    ).map((r) => [r.id, r]),
  );
  const rows = pageIds.flatMap((id) => byId.get(id) ?? []);
  const ids = rows.map((r) => r.id);
  const verdicts = new Map<number, { equivalent: number; different: number; judgeErrors: number }>();
  const decisions = new Map<number, string[]>();
  if (ids.length) {
    const marks = ids.map(() => '?').join(',');
    for (const v of db
      .prepare(
        `SELECT pair_id, sum(outcome = 'equivalent') AS e, sum(outcome = 'different') AS d, sum(outcome = 'judge-error') AS j
         FROM verdicts WHERE pair_id IN (${marks}) GROUP BY pair_id`,
      )
      .all(...ids) as { pair_id: number; e: number; d: number; j: number }[]) {
      verdicts.set(v.pair_id, { equivalent: v.e, different: v.d, judgeErrors: v.j });
    }
    for (const l of db
      .prepare(
        `SELECT pair_id, decision FROM labels l WHERE pair_id IN (${marks}) AND status = 'submitted'
         AND id = (SELECT max(id) FROM labels l2 WHERE l2.pair_id = l.pair_id AND l2.labeler = l.labeler AND l2.status = 'submitted')
         ORDER BY id`,
      )
      .all(...ids) as { pair_id: number; decision: string }[]) {
      // The latest submitted decision of each labeler.
      decisions.set(l.pair_id, [...(decisions.get(l.pair_id) ?? []), l.decision]);
    }
  }
  const out: PairRow[] = rows.map((r) => ({
    id: r.id,
    sourceId: r.source_id,
    title: r.title,
    domain: r.domain,
    language: r.language,
    strategy: r.strategy,
    model: r.model,
    tokensOriginal: r.tokens_original,
    tokensCompressed: r.tokens_compressed,
    ratio: r.ratio,
    equivalent: verdicts.get(r.id)?.equivalent ?? 0,
    different: verdicts.get(r.id)?.different ?? 0,
    judgeErrors: verdicts.get(r.id)?.judgeErrors ?? 0,
    decisions: decisions.get(r.id) ?? [],
    preview: r.preview,
    createdAt: r.created_at,
  }));
  return { rows: out, total: counted.total, totalExact: counted.exact, offset: q.offset, ms: performance.now() - t0 };
}

/** Every pair id in a view (its filters, all pages), in id order. */
export function pairIdsForView(db: Db, query: PairViewQuery): number[] {
  const q = PairViewQuerySchema.parse({ ...query, offset: 0, limit: 1 });
  const { sql, params } = pairWhere(db, q);
  return db
    .prepare(`SELECT p.id FROM pairs p JOIN sources s ON s.id = p.source_id ${sql} ORDER BY p.id`)
    .pluck()
    .all(...params) as number[];
}

/** Distinct values for the filter menus. */
export function pairFacets(db: Db): { strategies: string[]; models: string[] } {
  return {
    strategies: db.prepare('SELECT DISTINCT strategy FROM pairs ORDER BY strategy').pluck().all() as string[],
    models: db.prepare("SELECT DISTINCT model FROM pairs WHERE model <> '' ORDER BY model").pluck().all() as string[],
  };
}

export function getPairDetail(db: Db, id: number): Omit<PairDetail, 'tokens' | 'threshold' | 'dropped'> | undefined {
  const row = db
    .prepare(
      `SELECT p.*, s.text AS original, s.title, s.domain, s.language, s.origin_path, s.origin_ref
       FROM pairs p JOIN sources s ON s.id = p.source_id WHERE p.id = ?`,
    )
    .get(id) as (Record<string, unknown> & { original: string; compressed: string; source_id: number }) | undefined;
  if (!row) return undefined;
  const probes = db
    .prepare('SELECT id, question, reference FROM probes WHERE source_id = ? ORDER BY id')
    .all(row.source_id) as { id: number; question: string; reference: string | null }[];
  const verdicts = db
    .prepare('SELECT probe_id, model, outcome, score, details FROM verdicts WHERE pair_id = ? ORDER BY model, probe_id')
    .all(id) as {
    probe_id: number | null;
    model: string;
    outcome: ProbeCell['outcome'];
    score: number | null;
    details: string;
  }[];
  const answer = db.prepare('SELECT text FROM answers WHERE probe_id = ? AND model = ? AND context_hash = ?').pluck();
  const models = [...new Set(verdicts.map((v) => v.model))];
  const originalHash = db.prepare('SELECT hash FROM sources WHERE id = ?').pluck().get(row.source_id) as string;
  const matrix = models.map((model) => {
    const cells: ProbeCell[] = probes.map((probe) => {
      const v = verdicts.find((x) => x.model === model && x.probe_id === probe.id);
      const details = v ? readJsonObject(v.details) : {};
      const num = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : null);
      const str = (x: unknown) => (typeof x === 'string' && x ? x : null);
      return {
        probeId: probe.id,
        question: probe.question,
        outcome: v?.outcome ?? null,
        score: v?.score ?? null,
        answerOriginal: (answer.get(probe.id, model, originalHash) as string | undefined) ?? null,
        answerCompressed: (answer.get(probe.id, model, row.compressed_hash) as string | undefined) ?? null,
        reference: probe.reference,
        via: str(details.via),
        reason: str(details.reason) ?? str(details.error),
        f1: num(details.f1),
        similarity: num(details.similarity),
      };
    });
    const judged = cells.filter((c) => c.outcome === 'equivalent' || c.outcome === 'different');
    return {
      model,
      cells,
      equivalence: judged.length ? judged.filter((c) => c.outcome === 'equivalent').length / judged.length : null,
    };
  });
  const labels = (
    db
      .prepare(
        'SELECT id, labeler, decision, edited_text, comment, status, created_at FROM labels WHERE pair_id = ? ORDER BY id',
      )
      .all(id) as {
      id: number;
      labeler: string;
      decision: string;
      edited_text: string | null;
      comment: string | null;
      status: string;
      created_at: string;
    }[]
  ).map((l) => ({
    id: l.id,
    labeler: l.labeler,
    decision: l.decision,
    editedText: l.edited_text,
    comment: l.comment,
    status: l.status,
    createdAt: l.created_at,
  }));
  return {
    pair: {
      id,
      strategy: row.strategy as string,
      strategyVersion: row.strategy_version as string,
      model: row.model as string,
      params: readJsonObject(row.params as string),
      metadata: readJsonObject(row.metadata as string),
      createdAt: row.created_at as string,
      compressedHash: row.compressed_hash as string,
    },
    source: {
      id: row.source_id,
      hash: originalHash,
      title: row.title as string | null,
      domain: row.domain as string,
      language: row.language as string | null,
      originPath: row.origin_path as string | null,
      originRef: row.origin_ref as string | null,
    },
    original: row.original,
    compressed: row.compressed,
    matrix,
    probes,
    labels,
  };
}
