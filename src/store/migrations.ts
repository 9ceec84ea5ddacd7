import type { Database } from 'better-sqlite3';
import { StoreError } from '../errors/index.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * The statement each trigger on verdicts runs (migration 11): recompute "models disagree" for the
 * pairs `where` names from their verdicts (`pairId` refers to the pair inside the subquery), and
 * write it only when it flips. SQLite triggers cannot call a shared function, so the SQL is spelled
 * out in all three; this builds the exact text the migration has always run.
 */
function updateModelsDisagree(where: string, pairId: string): string {
  const flag = `SELECT count(DISTINCT ok) > 1 FROM (SELECT min(outcome = 'equivalent') AS ok FROM verdicts
      WHERE pair_id = ${pairId} AND outcome <> 'judge-error' GROUP BY model)`;
  return `UPDATE pairs SET models_disagree = (
    ${flag}
  ) WHERE ${where} AND models_disagree IS NOT (
    ${flag}
  );`;
}

/**
 * Forward-only, numbered. A migration, once released, is never edited: add the next one.
 * Text columns that hold content carry a sha256 beside them so that re-importing and re-running
 * are idempotent through UNIQUE constraints rather than in-memory sets.
 */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'init',
    sql: `
CREATE TABLE sources (
  id INTEGER PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  text TEXT NOT NULL,
  domain TEXT NOT NULL CHECK (domain IN ('nl', 'chat', 'code', 'mixed')),
  language TEXT,
  format TEXT NOT NULL,
  title TEXT,
  origin_path TEXT,
  origin_ref TEXT,
  metadata TEXT NOT NULL DEFAULT '{}',
  chars INTEGER NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX sources_domain ON sources(domain);

CREATE TABLE source_tags (
  source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  tag TEXT NOT NULL,
  PRIMARY KEY (source_id, tag)
) WITHOUT ROWID;
CREATE INDEX source_tags_tag ON source_tags(tag);

-- Token counts are a property of a text, not of a row: keyed by the text's hash, shared by
-- sources and compressions alike, and computed once per tokenizer.
CREATE TABLE token_counts (
  text_hash TEXT NOT NULL,
  tokenizer TEXT NOT NULL,
  count INTEGER NOT NULL,
  method TEXT NOT NULL CHECK (method IN ('exact', 'api', 'estimate')),
  PRIMARY KEY (text_hash, tokenizer)
) WITHOUT ROWID;

CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('import', 'generation', 'validation', 'training', 'export')),
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  config TEXT NOT NULL DEFAULT '{}',
  total INTEGER,
  done INTEGER NOT NULL DEFAULT 0,
  summary TEXT NOT NULL DEFAULT '{}',
  error TEXT,
  started_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  finished_at TEXT
);
CREATE INDEX runs_kind_status ON runs(kind, status);

CREATE TABLE pairs (
  id INTEGER PRIMARY KEY,
  source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  compressed TEXT NOT NULL,
  compressed_hash TEXT NOT NULL,
  strategy TEXT NOT NULL,
  strategy_version TEXT NOT NULL DEFAULT '',
  params TEXT NOT NULL DEFAULT '{}',
  params_hash TEXT NOT NULL,
  model TEXT NOT NULL DEFAULT '',
  run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
  tokens_original INTEGER,
  tokens_compressed INTEGER,
  tokenizer TEXT,
  cost_usd REAL,
  metadata TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  UNIQUE (source_id, strategy, params_hash, model, compressed_hash)
);
CREATE INDEX pairs_source ON pairs(source_id);
CREATE INDEX pairs_strategy ON pairs(strategy);

CREATE TABLE probes (
  id INTEGER PRIMARY KEY,
  source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  question TEXT NOT NULL,
  reference TEXT,
  hash TEXT NOT NULL,
  origin TEXT NOT NULL,
  edited INTEGER NOT NULL DEFAULT 0,
  metadata TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  UNIQUE (source_id, hash)
);

-- An answer depends on the probe, the model and the context it saw (original or a compression),
-- so the original's answer is shared by every pair of the same source.
CREATE TABLE answers (
  id INTEGER PRIMARY KEY,
  probe_id INTEGER NOT NULL REFERENCES probes(id) ON DELETE CASCADE,
  model TEXT NOT NULL,
  context_hash TEXT NOT NULL,
  text TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  UNIQUE (probe_id, model, context_hash)
);

CREATE TABLE verdicts (
  id INTEGER PRIMARY KEY,
  pair_id INTEGER NOT NULL REFERENCES pairs(id) ON DELETE CASCADE,
  probe_id INTEGER REFERENCES probes(id) ON DELETE CASCADE,
  model TEXT NOT NULL,
  method TEXT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('equivalent', 'different', 'judge-error')),
  score REAL,
  judge TEXT,
  details TEXT NOT NULL DEFAULT '{}',
  run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  UNIQUE (pair_id, probe_id, model, method)
);
CREATE INDEX verdicts_pair ON verdicts(pair_id);

CREATE TABLE labels (
  id INTEGER PRIMARY KEY,
  pair_id INTEGER NOT NULL REFERENCES pairs(id) ON DELETE CASCADE,
  labeler TEXT NOT NULL,
  decision TEXT NOT NULL CHECK (decision IN ('approve', 'reject', 'edit', 'skip')),
  edited_text TEXT,
  comment TEXT,
  status TEXT NOT NULL DEFAULT 'submitted' CHECK (status IN ('draft', 'submitted', 'discarded')),
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  CHECK (decision <> 'reject' OR (comment IS NOT NULL AND length(trim(comment)) > 0)),
  CHECK (decision <> 'edit' OR edited_text IS NOT NULL)
);
CREATE INDEX labels_pair ON labels(pair_id);
CREATE INDEX labels_labeler ON labels(labeler);

CREATE TABLE response_cache (
  key TEXT PRIMARY KEY,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  response TEXT NOT NULL,
  hits INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) WITHOUT ROWID;

-- cost_usd is NULL when the price is unknown: an unknown price is never counted as free.
CREATE TABLE costs (
  id INTEGER PRIMARY KEY,
  run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  input_tokens INTEGER NOT NULL DEFAULT 0,
  cached_input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  cost_usd REAL,
  cached INTEGER NOT NULL DEFAULT 0,
  purpose TEXT,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX costs_run ON costs(run_id);
`,
  },
  {
    version: 2,
    name: 'review-and-settings',
    sql: `
-- A pair being looked at by a labeler: the queue never serves it to anyone else until the lease
-- expires or is released, so two labelers never label the same pair at once.
CREATE TABLE review_leases (
  pair_id INTEGER PRIMARY KEY REFERENCES pairs(id) ON DELETE CASCADE,
  labeler TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX review_leases_labeler ON review_leases(labeler);

-- Project settings (guidelines, label overlap, thresholds): JSON values by key.
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) WITHOUT ROWID;

-- Any process may ask a run to stop; the process running it checks between items.
ALTER TABLE runs ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0;

CREATE INDEX labels_pair_labeler ON labels(pair_id, labeler, status);
CREATE INDEX pairs_created ON pairs(created_at);
`,
  },
  {
    version: 3,
    name: 'provider-batches',
    sql: `
-- A batch submitted to a provider's batch endpoint. Its external id is kept so a restarted job
-- polls the batch it already paid for instead of submitting the same requests again.
CREATE TABLE batches (
  id INTEGER PRIMARY KEY,
  run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
  provider TEXT NOT NULL,
  external_id TEXT NOT NULL,
  purpose TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'ended', 'failed', 'expired', 'cancelled')),
  requests INTEGER NOT NULL,
  succeeded INTEGER NOT NULL DEFAULT 0,
  errored INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  submitted_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  finished_at TEXT,
  UNIQUE (provider, external_id)
);
CREATE INDEX batches_open ON batches(status) WHERE status = 'submitted';

-- One request of a batch, by its response-cache key (also its custom id at the provider).
CREATE TABLE batch_items (
  batch_id INTEGER NOT NULL REFERENCES batches(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  model TEXT NOT NULL,
  outcome TEXT CHECK (outcome IN ('succeeded', 'errored', 'expired', 'cancelled')),
  error TEXT,
  PRIMARY KEY (batch_id, key)
) WITHOUT ROWID;
CREATE INDEX batch_items_key ON batch_items(key);

-- What a long-running job is doing now ("waiting for 3 batches"), shown beside its progress.
ALTER TABLE runs ADD COLUMN message TEXT;
`,
  },
  {
    version: 4,
    name: 'training-and-models',
    sql: `
-- What a training run reported, step by step: the loss curves, speed and checkpoints.
CREATE TABLE training_events (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  iter INTEGER,
  data TEXT NOT NULL,
  at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;

-- Models the app knows: GGUF files, LoRA adapters (MLX, PEFT, GGUF), where they came from.
CREATE TABLE models (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('gguf', 'gguf-adapter', 'mlx-adapter', 'peft-adapter')),
  path TEXT NOT NULL UNIQUE,
  base TEXT,
  quantization TEXT,
  size_bytes INTEGER,
  run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
  metadata TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
`,
  },
  {
    version: 5,
    name: 'labelers',
    sql: `
-- Labelers invited to a shared project: each has their own token, stored only as its sha256.
-- Revoking keeps the row (labels keep their name); the name can be invited again with a new token.
CREATE TABLE labelers (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  revoked_at TEXT
);
CREATE UNIQUE INDEX labelers_active_name ON labelers(name) WHERE revoked_at IS NULL;
`,
  },
  {
    version: 6,
    name: 'run-liveness',
    sql: `
-- The process running a run (host, pid, and a token of its start so a reused pid is not taken for
-- it) and its heartbeat: a run is failed as abandoned only when the heartbeat is stale and the
-- process is gone, so a busy run in another process is never marked failed while it works.
ALTER TABLE runs ADD COLUMN host TEXT;
ALTER TABLE runs ADD COLUMN pid INTEGER;
ALTER TABLE runs ADD COLUMN process_start TEXT;
ALTER TABLE runs ADD COLUMN heartbeat_at TEXT;
`,
  },
  {
    version: 7,
    name: 'label-seen-hashes',
    sql: `
-- The texts a labeler saw when deciding: the sha256 of the compression and the source's hash. A
-- label naming texts its pair no longer has is refused, so a decision never lands on other text.
ALTER TABLE labels ADD COLUMN seen_compressed_hash TEXT;
ALTER TABLE labels ADD COLUMN seen_original_hash TEXT;
`,
  },
  {
    version: 9,
    name: 'embedding-cache',
    sql: `
-- Sentence/turn embeddings by the sha256 of their text and the model that made them, so a memory
-- sent again is embedded only where it is new (query-aware compression, src/inference/query).
CREATE TABLE embeddings (
  text_hash TEXT NOT NULL,
  model TEXT NOT NULL,
  dims INTEGER NOT NULL,
  vector BLOB NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  PRIMARY KEY (text_hash, model)
) WITHOUT ROWID;
`,
  },
  {
    version: 10,
    name: 'onnx-classifier-models',
    sql: `
-- The token classifier (an ONNX folder: model.onnx, vocab.txt, classifier.json) is a model the
-- app trains and loads too. SQLite cannot widen a CHECK in place: the table is rebuilt.
CREATE TABLE models_new (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('gguf', 'gguf-adapter', 'mlx-adapter', 'peft-adapter', 'onnx-classifier')),
  path TEXT NOT NULL UNIQUE,
  base TEXT,
  quantization TEXT,
  size_bytes INTEGER,
  run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
  metadata TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
INSERT INTO models_new SELECT id, name, kind, path, base, quantization, size_bytes, run_id, metadata, created_at FROM models;
DROP TABLE models;
ALTER TABLE models_new RENAME TO models;
`,
  },
  {
    version: 11,
    name: 'pairs-view-indexes',
    sql: `
-- The Pairs page at a million pairs (issue 16): every view, sort and count answered from an index.

-- The source's domain copied onto the pair, so a domain filter and its count read one index
-- instead of joining a million sources. insertPairs writes it; the triggers cover every other path.
ALTER TABLE pairs ADD COLUMN domain TEXT;
UPDATE pairs SET domain = (SELECT s.domain FROM sources s WHERE s.id = pairs.source_id);
CREATE TRIGGER pairs_domain_insert AFTER INSERT ON pairs WHEN NEW.domain IS NULL BEGIN
  UPDATE pairs SET domain = (SELECT domain FROM sources WHERE id = NEW.source_id) WHERE id = NEW.id;
END;
CREATE TRIGGER sources_domain_update AFTER UPDATE OF domain ON sources BEGIN
  UPDATE pairs SET domain = NEW.domain WHERE source_id = NEW.id;
END;
CREATE INDEX pairs_domain ON pairs(domain);

-- "Models disagree" (one model judged every probe equivalent, another did not), kept per pair by
-- triggers on verdicts; the flag is written only when it flips.
ALTER TABLE pairs ADD COLUMN models_disagree INTEGER NOT NULL DEFAULT 0;
UPDATE pairs SET models_disagree = 1 WHERE id IN (
  SELECT pair_id FROM (
    SELECT pair_id, model, min(outcome = 'equivalent') AS ok FROM verdicts
    WHERE outcome <> 'judge-error' GROUP BY pair_id, model
  ) GROUP BY pair_id HAVING count(DISTINCT ok) > 1
);
CREATE INDEX pairs_models_disagree ON pairs(models_disagree) WHERE models_disagree = 1;
CREATE TRIGGER verdicts_disagree_insert AFTER INSERT ON verdicts BEGIN
  ${updateModelsDisagree('id = NEW.pair_id', 'NEW.pair_id')}
END;
CREATE TRIGGER verdicts_disagree_delete AFTER DELETE ON verdicts BEGIN
  ${updateModelsDisagree('id = OLD.pair_id', 'OLD.pair_id')}
END;
CREATE TRIGGER verdicts_disagree_update AFTER UPDATE OF pair_id, model, outcome ON verdicts BEGIN
  ${updateModelsDisagree('id IN (OLD.pair_id, NEW.pair_id)', 'pairs.id')}
END;

-- Verdict and label filters read these instead of probing every pair.
CREATE INDEX verdicts_outcome_pair ON verdicts(outcome, pair_id);
CREATE INDEX labels_submitted_decision ON labels(decision, pair_id) WHERE status = 'submitted';

-- Sorts and the ratio range. The ratio expression is the one pair-view.ts sorts and filters by.
CREATE INDEX pairs_ratio ON pairs(tokens_compressed * 1.0 / nullif(tokens_original, 0));
CREATE INDEX pairs_tokens_original ON pairs(tokens_original);
CREATE INDEX pairs_strategy_model ON pairs(strategy, model);
DROP INDEX pairs_strategy;
-- The ids alone, in order: a page deep in the unfiltered list (OFFSET 500,000) steps over small
-- index entries instead of whole table rows.
CREATE INDEX pairs_id_order ON pairs(id);

-- Substring search: trigram FTS5 indexes in which each source's text is indexed once. A pair
-- matches when its compressed text, its source's text or its source's title contains the string.
-- A source with one pair (a JSONL import, one candidate) has its text and title in that pair's row
-- of pairs_fts, so the search is one index lookup yielding pair ids. A source with two or more
-- pairs (candidates of one memory) has them once in sources_fts, and its pairs' rows hold only
-- their compressed texts: its pairs are found by source_id (pairs_source). The text moves when
-- the second pair arrives (and back when one is left). Sources without pairs are not indexed.
-- Contentless (the texts are not stored twice) with deletes by rowid; triggers keep them in step.
--
-- FTS5 writes its pending rows to disk at every statement savepoint, and an insert that fires a
-- trigger opens one: an index written by an insert trigger gets one segment per row (pair inserts
-- were 6x slower). insertPairs names pairs_fts in search_index_deferred inside its transaction, so
-- the insert trigger skips it, and indexes the batch itself with a few set-wise statements
-- (search-index.ts); every other writer goes through the triggers. Rolled back, the mark goes too.
CREATE TABLE search_index_deferred (name TEXT PRIMARY KEY CHECK (name = 'pairs_fts')) WITHOUT ROWID;
CREATE VIRTUAL TABLE pairs_fts USING fts5(compressed, text, title, content = '', contentless_delete = 1, tokenize = 'trigram');
CREATE VIRTUAL TABLE sources_fts USING fts5(text, title, content = '', contentless_delete = 1, tokenize = 'trigram');
CREATE TEMP TABLE source_pairs AS SELECT source_id, count(*) AS n FROM pairs GROUP BY source_id;
INSERT INTO pairs_fts(rowid, compressed, text, title)
  SELECT p.id, p.compressed, iif(c.n = 1, s.text, NULL), iif(c.n = 1, s.title, NULL)
  FROM pairs p JOIN temp.source_pairs c ON c.source_id = p.source_id JOIN sources s ON s.id = p.source_id;
INSERT INTO sources_fts(rowid, text, title)
  SELECT s.id, s.text, s.title FROM temp.source_pairs c JOIN sources s ON s.id = c.source_id WHERE c.n > 1;
DROP TABLE temp.source_pairs;
CREATE TRIGGER pairs_fts_insert AFTER INSERT ON pairs
  WHEN NOT EXISTS (SELECT 1 FROM search_index_deferred WHERE name = 'pairs_fts') BEGIN
  -- The source's second pair: its text moves from the first pair's row to sources_fts.
  DELETE FROM pairs_fts WHERE (SELECT count(*) FROM pairs WHERE source_id = NEW.source_id) = 2
    AND rowid IN (SELECT id FROM pairs WHERE source_id = NEW.source_id AND id <> NEW.id);
  INSERT INTO pairs_fts(rowid, compressed)
    SELECT id, compressed FROM pairs
    WHERE (SELECT count(*) FROM pairs WHERE source_id = NEW.source_id) = 2 AND source_id = NEW.source_id AND id <> NEW.id;
  INSERT INTO sources_fts(rowid, text, title)
    SELECT id, text, title FROM sources
    WHERE (SELECT count(*) FROM pairs WHERE source_id = NEW.source_id) = 2 AND id = NEW.source_id;
  INSERT INTO pairs_fts(rowid, compressed, text, title)
    SELECT NEW.id, NEW.compressed, iif(n = 1, s.text, NULL), iif(n = 1, s.title, NULL)
    FROM sources s, (SELECT (SELECT count(*) FROM pairs WHERE source_id = NEW.source_id) AS n) WHERE s.id = NEW.source_id;
END;
CREATE TRIGGER pairs_fts_delete AFTER DELETE ON pairs BEGIN
  DELETE FROM pairs_fts WHERE rowid = OLD.id;
  -- Down to one pair: the source's text moves back into that pair's row.
  DELETE FROM sources_fts
    WHERE (SELECT count(*) FROM pairs WHERE source_id = OLD.source_id) = 1 AND rowid = OLD.source_id;
  DELETE FROM pairs_fts WHERE (SELECT count(*) FROM pairs WHERE source_id = OLD.source_id) = 1
    AND rowid IN (SELECT id FROM pairs WHERE source_id = OLD.source_id);
  INSERT INTO pairs_fts(rowid, compressed, text, title)
    SELECT p.id, p.compressed, s.text, s.title FROM pairs p JOIN sources s ON s.id = p.source_id
    WHERE (SELECT count(*) FROM pairs WHERE source_id = OLD.source_id) = 1 AND p.source_id = OLD.source_id;
END;
CREATE TRIGGER pairs_fts_update AFTER UPDATE OF compressed ON pairs
  WHEN OLD.id = NEW.id AND OLD.source_id = NEW.source_id BEGIN
  DELETE FROM pairs_fts WHERE rowid = OLD.id;
  INSERT INTO pairs_fts(rowid, compressed, text, title)
    SELECT NEW.id, NEW.compressed, iif(n = 1, s.text, NULL), iif(n = 1, s.title, NULL)
    FROM sources s, (SELECT (SELECT count(*) FROM pairs WHERE source_id = NEW.source_id) AS n) WHERE s.id = NEW.source_id;
END;
-- A pair moved to another source or renumbered (nothing in the app does either): both sources'
-- rows are rebuilt.
CREATE TRIGGER pairs_fts_move AFTER UPDATE OF id, source_id ON pairs
  WHEN OLD.id <> NEW.id OR OLD.source_id <> NEW.source_id BEGIN
  DELETE FROM pairs_fts
    WHERE rowid = OLD.id OR rowid IN (SELECT id FROM pairs WHERE source_id IN (OLD.source_id, NEW.source_id));
  DELETE FROM sources_fts WHERE rowid IN (OLD.source_id, NEW.source_id);
  INSERT INTO sources_fts(rowid, text, title)
    SELECT id, text, title FROM sources s
    WHERE id IN (OLD.source_id, NEW.source_id) AND (SELECT count(*) FROM pairs WHERE source_id = s.id) > 1;
  INSERT INTO pairs_fts(rowid, compressed, text, title)
    SELECT p.id, p.compressed, iif(one, s.text, NULL), iif(one, s.title, NULL)
    FROM (SELECT p.*, (SELECT count(*) FROM pairs q WHERE q.source_id = p.source_id) = 1 AS one FROM pairs p) p
    JOIN sources s ON s.id = p.source_id
    WHERE p.source_id IN (OLD.source_id, NEW.source_id);
END;
CREATE TRIGGER sources_fts_update AFTER UPDATE OF text, title ON sources BEGIN
  DELETE FROM sources_fts WHERE (SELECT count(*) FROM pairs WHERE source_id = OLD.id) > 1 AND rowid = OLD.id;
  INSERT INTO sources_fts(rowid, text, title)
    SELECT NEW.id, NEW.text, NEW.title WHERE (SELECT count(*) FROM pairs WHERE source_id = NEW.id) > 1;
  DELETE FROM pairs_fts WHERE (SELECT count(*) FROM pairs WHERE source_id = NEW.id) = 1
    AND rowid IN (SELECT id FROM pairs WHERE source_id = NEW.id);
  INSERT INTO pairs_fts(rowid, compressed, text, title)
    SELECT id, compressed, NEW.text, NEW.title FROM pairs
    WHERE (SELECT count(*) FROM pairs WHERE source_id = NEW.id) = 1 AND source_id = NEW.id;
END;
CREATE TRIGGER sources_fts_delete AFTER DELETE ON sources BEGIN
  DELETE FROM sources_fts WHERE rowid = OLD.id;
END;
`,
  },
];

/**
 * Applies what is missing, each migration in its own transaction. Refuses a database whose
 * history this build does not know (a newer app wrote it, or a migration was renamed).
 */
export function migrate(db: Database, file: string, known: readonly Migration[] = migrations): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  )`);
  const applied = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all() as {
    version: number;
    name: string;
  }[];
  for (const row of applied) {
    const match = known.find((m) => m.version === row.version);
    if (!match) {
      throw new StoreError(
        `${file}: the database has migration ${row.version} ("${row.name}"), which this version of Compression Studio does not know. It was written by a newer version; upgrade the app.`,
      );
    }
    if (match.name !== row.name) {
      throw new StoreError(
        `${file}: migration ${row.version} is "${row.name}" in the database but "${match.name}" here; refusing to guess which history is right.`,
      );
    }
  }
  const done = new Set(applied.map((r) => r.version));
  let count = 0;
  for (const m of [...known].sort((a, b) => a.version - b.version)) {
    if (done.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name) VALUES (?, ?)').run(m.version, m.name);
    })();
    count++;
  }
  return count;
}
