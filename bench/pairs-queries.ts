import { copyFileSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { PairViewQuery } from '../src/contracts/view.ts';
import { migrate, migrations } from '../src/store/migrations.ts';
import { listPairView, REGEX_COUNT_CAP, SEARCH_COUNT_CAP } from '../src/store/pair-view.ts';
import { hashJson, sha256 } from '../src/util/hash.ts';
import { stamp, table, writeSection } from './results-file.ts';

const WORK = join(process.cwd(), 'bench', '.work');

/** The last schema before the Pairs-query indexes (migration 11): what an existing project has. */
const BEFORE_QUERY_INDEXES = 10;

const WORDS =
  'order delivery meeting Monday invoice customer refund project deadline budget Maria Chen Lisbon Oslo'.split(' ');
const DOMAINS = ['nl', 'chat', 'code', 'mixed'] as const;

/**
 * The same rows as the Pairs-page scale test (e2e/scale.spec.ts) at any size: varied domains,
 * strategies and ratios, two verdicts on every 10th pair, a label on every 30th. One transaction of
 * prepared inserts, written on the schema an existing project has before migration 11, so the
 * bench also times that migration on a large project.
 */
function seed(file: string, pairs: number): number {
  const t0 = performance.now();
  rmSync(file, { force: true });
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  migrate(
    db,
    file,
    migrations.filter((m) => m.version <= BEFORE_QUERY_INDEXES),
  );
  const source = db.prepare(
    `INSERT INTO sources (id, hash, text, domain, format, title, origin_path, origin_ref, chars)
     VALUES (?, ?, ?, ?, 'jsonl', ?, 'scale', ?, ?)`,
  );
  const pair = db.prepare(
    `INSERT INTO pairs (id, source_id, compressed, compressed_hash, strategy, params_hash, model, tokens_original, tokens_compressed, tokenizer)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'o200k')`,
  );
  const verdict = db.prepare(`INSERT INTO verdicts (pair_id, model, method, outcome) VALUES (?, ?, 'judge', ?)`);
  const label = db.prepare(`INSERT INTO labels (pair_id, labeler, decision, comment) VALUES (?, 'ana', ?, ?)`);
  const paramsHash = hashJson({});
  db.transaction(() => {
    for (let i = 0; i < pairs; i++) {
      const id = i + 1;
      const text = `Record ${i}: the ${WORDS[i % WORDS.length]} for ${WORDS[(i * 7) % WORDS.length]} is due on day ${i % 28} with ${i % 97} items. ${'More detail follows here. '.repeat(1 + (i % 5))}`;
      source.run(id, sha256(text), text, DOMAINS[i % 4], `record ${i}`, String(i), text.length);
      const compressed = `R${i}: ${WORDS[i % WORDS.length]} due d${i % 28}, ${i % 97} items.`;
      const tokensOriginal = 40 + (i % 60);
      pair.run(
        id,
        id,
        compressed,
        sha256(compressed),
        i % 3 === 0 ? 'prompted' : 'rules',
        paramsHash,
        i % 3 === 0 ? 'small-model' : '',
        tokensOriginal,
        Math.round(tokensOriginal * (0.2 + (i % 70) / 100)),
      );
    }
    for (let id = 1; id <= pairs; id += 10) {
      verdict.run(id, 'model-a', 'equivalent');
      verdict.run(id, 'model-b', id % 20 === 1 ? 'different' : 'equivalent');
      if (id % 30 === 1) label.run(id, id % 60 === 1 ? 'reject' : 'approve', id % 60 === 1 ? 'loses a date' : null);
    }
  })();
  db.close();
  return performance.now() - t0;
}

/** The schema version and pair count of a seeded database, to tell whether it can be reused. */
function seeded(file: string): { version: number; pairs: number } | undefined {
  if (!existsSync(file)) return undefined;
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    return {
      version: db.prepare('SELECT max(version) FROM schema_migrations').pluck().get() as number,
      pairs: db.prepare('SELECT count(*) FROM pairs').pluck().get() as number,
    };
  } finally {
    db.close();
  }
}

/** The seeded database at the schema before migration 11, reused while its schema and size match. */
export function seededBase(pairs: number): { base: string; seedMs?: number } {
  mkdirSync(WORK, { recursive: true });
  const base = join(WORK, `pairs-${pairs}-v${BEFORE_QUERY_INDEXES}.db`);
  const facts = seeded(base);
  if (facts?.version === BEFORE_QUERY_INDEXES && facts.pairs === pairs) return { base };
  return { base, seedMs: seed(base, pairs) };
}

const latest = Math.max(...migrations.map((m) => m.version));

/** The seeded database at the current schema, reused across runs while its schema and size match. */
export function pairsDatabase(pairs: number): { file: string; seedMs?: number; migrateMs?: number } {
  const file = join(WORK, `pairs-${pairs}.db`);
  const facts = seeded(file);
  if (facts?.version === latest && facts.pairs === pairs) return { file };
  const { base, seedMs } = seededBase(pairs);
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  copyFileSync(base, file);
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  const t0 = performance.now();
  migrate(db, file);
  const migrateMs = performance.now() - t0;
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { file, ...(seedMs === undefined ? {} : { seedMs }), migrateMs };
}

/** The page queries the Pairs table makes (the views of e2e/scale.spec.ts, 200 rows a page). */
export function pairQueries(pairs: number): [string, PairViewQuery][] {
  return [
    ['first page', { limit: 200 }],
    ['last page', { limit: 200, offset: pairs - 200 }],
    ['middle page', { limit: 200, offset: Math.floor(pairs / 2) }],
    ['sort by ratio, descending', { sort: 'ratio', desc: true, limit: 200 }],
    ['domain = code', { domain: 'code', limit: 200 }],
    ['strategy + model', { strategy: 'prompted', model: 'small-model', limit: 200 }],
    ['ratio 0.3-0.5', { ratioMin: 0.3, ratioMax: 0.5, limit: 200 }],
    ['failures', { verdict: 'failures', limit: 200 }],
    ['models disagree', { verdict: 'models-disagree', limit: 200 }],
    ['unlabelled', { label: 'unlabelled', limit: 200 }],
    ['text search', { search: 'Lisbon', limit: 200 }],
    ['regex search', { search: 'd1[0-9],', regex: true, limit: 200 }],
    // Two literal groups for the index, and a regex it cannot decide: each candidate is tested.
    ['regex search, tested per row', { search: 'd1[0-9], \\d+ items', regex: true, limit: 200 }],
  ];
}

const quantile = (sorted: readonly number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;

export interface QueryTiming {
  name: string;
  total: number;
  /** False: `total` is a lower bound (a search counted up to its cap). */
  exact: boolean;
  median: number;
  p95: number;
  /** The same, in CPU time of this process: what the query costs when it has a core to itself. */
  cpuMedian: number;
  cpuP95: number;
}

/**
 * A fixed amount of SQLite work (a 100,000-step recursive CTE) timed in every round beside the
 * queries: on a shared machine the ratio to it says what the load did to the absolute times.
 */
const REFERENCE =
  'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000) SELECT sum(x) FROM c';

function summary(
  name: string,
  { total, exact }: { total: number; exact: boolean },
  times: readonly number[],
  cpu: readonly number[],
): QueryTiming {
  const sorted = [...times].sort((a, b) => a - b);
  const cpuSorted = [...cpu].sort((a, b) => a - b);
  return {
    name,
    total,
    exact,
    median: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    cpuMedian: quantile(cpuSorted, 0.5),
    cpuP95: quantile(cpuSorted, 0.95),
  };
}

/** Wall and CPU milliseconds of one synchronous call (SQLite runs on this thread). */
function timed(run: () => void): { wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  run();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

/** Each query `runs` times, interleaved (one round runs every query once) so load hits all alike. */
export function timeQueries(
  file: string,
  queries: [string, PairViewQuery][],
  runs: number,
): { timings: QueryTiming[]; reference: QueryTiming } {
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  const times = queries.map(() => [] as number[]);
  const cpu = queries.map(() => [] as number[]);
  const totals = queries.map(() => ({ total: 0, exact: true }));
  const reference = { wall: [] as number[], cpu: [] as number[] };
  const ref = db.prepare(REFERENCE).pluck();
  try {
    for (const [, q] of queries) listPairView(db, q); // warm: page cache and statement compilation
    for (let r = 0; r < runs; r++) {
      const t = timed(() => ref.get());
      reference.wall.push(t.wall);
      reference.cpu.push(t.cpu);
      queries.forEach(([, q], i) => {
        const t = timed(() => {
          const page = listPairView(db, q);
          totals[i] = { total: page.total, exact: page.totalExact };
        });
        times[i]?.push(t.wall);
        cpu[i]?.push(t.cpu);
      });
    }
  } finally {
    db.close();
  }
  return {
    timings: queries.map(([name], i) =>
      summary(name, totals[i] ?? { total: 0, exact: true }, times[i] ?? [], cpu[i] ?? []),
    ),
    reference: summary('reference', { total: 0, exact: true }, reference.wall, reference.cpu),
  };
}

export async function benchPairsQueries(pairs = 1_000_000, runs = 20): Promise<void> {
  const { file, seedMs, migrateMs } = pairsDatabase(pairs);
  const queries = pairQueries(pairs);
  const loadBefore = loadavg()[0] ?? 0;
  const { timings, reference } = timeQueries(file, queries, runs);
  // "Count all" on the searches: asked for by the user, not part of a page, timed apart.
  const countAll = timeQueries(
    file,
    queries.filter(([, q]) => q.search).map(([name, q]) => [name, { ...q, exactTotal: true, limit: 1 }]),
    Math.max(3, Math.floor(runs / 4)),
  );
  const loadAfter = loadavg()[0] ?? 0;
  const goal = 50;
  const matching = (t: QueryTiming) => `${t.total.toLocaleString('en-US')}${t.exact ? '' : '+'}`;
  const rows = timings.map((t) => [
    t.name,
    matching(t),
    t.median.toFixed(1),
    t.p95.toFixed(1),
    t.cpuMedian.toFixed(1),
    t.cpuP95.toFixed(1),
    (t.median / reference.median).toFixed(2),
    t.median < goal ? 'yes' : 'NO',
    t.cpuMedian < goal ? 'yes' : 'NO',
  ]);
  for (const t of [...timings, reference, ...countAll.timings.map((c) => ({ ...c, name: `${c.name}, count all` }))])
    console.log(
      `${t.name}: ${matching(t)} pairs, median ${t.median.toFixed(1)} ms, p95 ${t.p95.toFixed(1)} ms, CPU median ${t.cpuMedian.toFixed(1)} ms, p95 ${t.cpuP95.toFixed(1)} ms`,
    );
  const mb = (statSync(file).size / 2 ** 20).toFixed(0);
  const seeded = seedMs === undefined ? '' : ` Seeding took ${(seedMs / 1000).toFixed(0)} s.`;
  const migrated =
    migrateMs === undefined
      ? ''
      : ` Migration 11 (indexes, stored columns, the FTS5 tables) on the seeded project took ${(migrateMs / 1000).toFixed(0)} s.`;
  writeSection(
    'pairs-queries',
    `## Pairs page queries at ${pairs.toLocaleString('en-US')} pairs

${stamp()} · \`npm run bench -- pairs-queries\`

\`listPairView\` in process on a ${mb} MB project database (the rows of \`e2e/scale.spec.ts\`, made
${pairs.toLocaleString('en-US')} pairs long), each query ${runs} times in interleaved rounds after one warm-up round;
the time is the page's rows (200), its total count and its verdict and label summaries. Goal: every
query under ${goal} ms. A search's count stops past the page: at ${SEARCH_COUNT_CAP.toLocaleString('en-US')} matches, or ${REGEX_COUNT_CAP.toLocaleString('en-US')} when a regex the
index cannot decide is tested on each candidate; "10,000+" is such a lower bound (the page says
so and offers "count all", timed apart below). The machine is shared: "wall" is the elapsed time, "CPU" the CPU time the
process spent on the query (what it takes with a core to itself, as SQLite runs on the calling
thread), and "× ref" the wall median over that of a fixed 100,000-step recursive CTE timed in the
same rounds (wall ${reference.median.toFixed(1)} ms median, p95 ${reference.p95.toFixed(1)} ms; CPU ${reference.cpuMedian.toFixed(1)} ms median this run;
1-minute load average ${loadBefore.toFixed(1)} before the rounds, ${loadAfter.toFixed(1)} after).${seeded}${migrated}

${table(['query', 'matching pairs', 'wall median ms', 'wall p95 ms', 'CPU median ms', 'CPU p95 ms', '× ref', `wall < ${goal} ms`, `CPU < ${goal} ms`], rows)}

"Count all" on the searches (\`exactTotal\`: the exact count, on request; median of ${Math.max(3, Math.floor(runs / 4))} runs, reference ${countAll.reference.median.toFixed(1)} ms in these rounds):

${table(
  ['search', 'matching pairs', 'wall median ms', 'CPU median ms', '× ref'],
  countAll.timings.map((t) => [
    t.name,
    matching(t),
    t.median.toFixed(1),
    t.cpuMedian.toFixed(1),
    (t.median / countAll.reference.median).toFixed(2),
  ]),
)}
`,
  );
}
