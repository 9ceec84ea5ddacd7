import { describe, expect, it } from 'vitest';
import { parseSourceLines } from './memory-units.ts';
import { sourceLineScores } from './source-lines.ts';

const SCRIPT = [
  '#!/usr/bin/env bash',
  '# Nightly database backup: dump, upload, prune.',
  'BUCKET="s3://acme-backups/postgres"',
  'RETENTION_DAYS=14',
  '',
  'dump() {',
  '  log "dumping"',
  '  pg_dump --format=custom shop > /var/backups/shop.dump',
  '}',
  '',
  'upload() {',
  '  log "uploading to $BUCKET"',
  '}',
  '',
  'dump',
  'upload',
].join('\n');

const memory = parseSourceLines(SCRIPT);
const at = (text: string) => memory.units.findIndex((u) => u.text === text);
const order = (score: Float64Array) => [...score.keys()].sort((a, b) => (score[b] as number) - (score[a] as number));
const W = { lexical: 1, dense: 0.5 };

describe("sourceLineScores: a script's lines ranked by what each says (review s35 h3, backup.sh)", () => {
  it('ranks no comment above the best line of code, and no opener or closer for itself', () => {
    const lexical = new Float64Array(memory.units.length);
    // As BM25 scored them for "What format does the database dump use?": the comment first.
    lexical[at('# Nightly database backup: dump, upload, prune.')] = 1;
    lexical[at('pg_dump --format=custom shop > /var/backups/shop.dump')] = 0.8;
    lexical[at('dump() {')] = 0.5;
    lexical[at('dump')] = 0.5;
    const score = sourceLineScores(memory, lexical, null, W);
    expect(order(score)[0]).toBe(at('pg_dump --format=custom shop > /var/backups/shop.dump'));
    expect(order(score)[1]).toBe(at('# Nightly database backup: dump, upload, prune.'));
    // Shown by nested-lines.ts over a kept line: never spent on alone.
    for (const line of ['dump() {', '}', 'upload() {']) expect(score[at(line)]).toBeLessThanOrEqual(0);
  });

  it("lifts the line setting a variable to just under the best line reading it, and a function's best line to its call", () => {
    const lexical = new Float64Array(memory.units.length);
    // "Where are the backups uploaded?": the call `upload` and the log line share its words.
    lexical[at('upload')] = 1;
    lexical[at('log "uploading to $BUCKET"')] = 0.7;
    lexical[at('RETENTION_DAYS=14')] = 0.2;
    const score = sourceLineScores(memory, lexical, null, W);
    const [first, second, third] = order(score);
    expect(first).toBe(at('log "uploading to $BUCKET"'));
    expect([second, third]).toContain(at('BUCKET="s3://acme-backups/postgres"'));
    expect(score[at('BUCKET="s3://acme-backups/postgres"')]).toBeGreaterThan(score[at('RETENTION_DAYS=14')] as number);
  });
});

describe("parseSourceLines: a script's lines, each a unit as written", () => {
  it("reads a continued command's lines each a unit, a here-document with its body one", () => {
    const parsed = parseSourceLines(
      ['run() {', '  docker run \\', '    --rm app', '  cat <<EOF', 'a', 'EOF', '}'].join('\n'),
    );
    expect(parsed.source).toBe(true);
    expect(parsed.units.map((u) => u.text)).toEqual(['run() {', 'docker run \\', '--rm app', 'cat <<EOF\na\nEOF', '}']);
  });
});
