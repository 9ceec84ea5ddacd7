import { describe, expect, it } from 'vitest';
import { nestKeptLines, withoutUnopenedClosers } from './nested-lines.ts';

describe('nestKeptLines: kept lines of a config or a script as the file writes them (review s34 h2)', () => {
  it('reads a kept line as the whole line it is, not the same words ending a longer one (backup.sh)', () => {
    // Before: the call `dump` was found in `... .dump"` ending the upload function's line, and
    // the upload function came back for a question about the dump's format.
    const script = [
      'dump() {',
      '  pg_dump --format=custom shop > /var/backups/shop.dump',
      '}',
      'upload() {',
      '  aws s3 cp /var/backups/shop.dump',
      '}',
      'dump',
      'upload',
    ].join('\n');
    expect(nestKeptLines(script, 'pg_dump --format=custom shop > /var/backups/shop.dump\ndump')?.text).toBe(
      'dump() {\n  pg_dump --format=custom shop > /var/backups/shop.dump\n}\ndump',
    );
  });

  it("ends a shell case arm shown with its `;;`, written under the arm's lines or beside its pattern", () => {
    // Before: `staging)` and `production)` came back without their `;;`, the staging arm reading
    // as running on into `production)` (a syntax error as a script; deploy.sh at 0.2, re-read s37).
    const script = [
      'case "$1" in',
      '  staging)',
      '    TAG="latest"',
      '    build',
      '    ;;',
      '  production)',
      '    TAG="$(git rev-parse --short HEAD)"',
      '    build',
      '  ;;',
      '  *)',
      '    exit 2',
      '    ;;',
      'esac',
    ].join('\n');
    expect(nestKeptLines(script, 'TAG="latest"\nbuild\nbuild')?.text).toBe(
      [
        'case "$1" in',
        '  staging)',
        '    TAG="latest"',
        '    build',
        '    ;;',
        '  production)',
        '    build',
        '  ;;',
        'esac',
      ].join('\n'),
    );
  });

  it("brings a Makefile recipe's target and a column's CREATE TABLE with its closing line", () => {
    const make = [
      'build:',
      '\tdocker build -t shop .',
      '',
      'deploy: build',
      '\tdocker push shop',
      '\tkubectl rollout status deployment/api',
    ].join('\n');
    expect(nestKeptLines(make, 'kubectl rollout status deployment/api')?.text).toBe(
      'deploy: build\n\tkubectl rollout status deployment/api',
    );
    const sql = [
      'CREATE TABLE orders (',
      '    id       BIGSERIAL PRIMARY KEY,',
      "    status   TEXT NOT NULL DEFAULT 'pending',",
      '    total    INTEGER NOT NULL',
      ');',
      'CREATE INDEX orders_status_idx ON orders (status);',
    ].join('\n');
    expect(nestKeptLines(sql, "status   TEXT NOT NULL DEFAULT 'pending',")).toEqual({
      text: "CREATE TABLE orders (\n    status   TEXT NOT NULL DEFAULT 'pending',\n);",
      added: 2,
    });
  });

  // Re-read of session 35: "Which image tools are installed?" at 0.2 showed `ca-certificates \`
  // then `USER node`, read as one command, and not the imagemagick asked for.
  // Session 39: a script's lines are each a unit, so a kept line inside a command is a part of it
  // chosen: shown under the command's first line, the lines left out of it as `...`.
  it('shows a kept line inside a command under its first line, the lines left out as `...`', () => {
    const docker = [
      'FROM node:20-bookworm-slim',
      'RUN apt-get update \\',
      '    && apt-get install -y \\',
      '       curl \\',
      '       imagemagick \\',
      '    && rm -rf /var/lib/apt/lists/*',
      'USER node',
    ].join('\n');
    expect(nestKeptLines(docker, 'curl \\\nUSER node')?.text).toBe(
      ['RUN apt-get update \\', '    && apt-get install -y \\', '       curl \\', '       ...', 'USER node'].join('\n'),
    );
  });

  it('goes on past a comment line inside a continued command (re-read of session 36)', () => {
    // A Dockerfile goes on past the comment lines of a RUN: ended at `# image tools ...`, the
    // question "Which image tools are installed?" got the RUN and its comment, no package.
    const docker = [
      'FROM node:20',
      'RUN apt-get install -y \\',
      '    # image tools for the thumbnails',
      '    imagemagick \\',
      '    ghostscript',
      'USER node',
    ].join('\n');
    expect(nestKeptLines(docker, 'RUN apt-get install -y \\', { indent: false })?.text).toBe(
      docker.split('\n').slice(1, 5).join('\n'),
    );
  });

  it("keeps a continued command's lines indented at the margin too", () => {
    const docker = [
      'FROM node:20',
      'RUN apt-get install -y \\',
      '       curl \\',
      '       imagemagick',
      'USER node',
    ].join('\n');
    expect(nestKeptLines(docker, 'RUN apt-get install -y \\', { indent: false })?.text).toBe(
      docker.split('\n').slice(1, 4).join('\n'),
    );
  });

  it("reads a plan's change marks as indentation, and an opener written twice as the one holding kept lines", () => {
    const plan = [
      '  - resource "aws_s3_bucket" "logs" {',
      '      - bucket        = "acme-prod-logs" -> null',
      '      - force_destroy = false -> null',
      '    }',
    ].join('\n');
    expect(nestKeptLines(plan, '- bucket        = "acme-prod-logs" -> null')?.text).toBe(
      '  - resource "aws_s3_bucket" "logs" {\n      - bucket        = "acme-prod-logs" -> null\n    }',
    );
    const conf = ['server {', '    listen 80;', '}', 'server {', '    listen 443 ssl;', '    root /srv;', '}'].join(
      '\n',
    );
    // The selection wrote the first `server {` it met and a closing line of its own.
    expect(nestKeptLines(conf, 'server {\nroot /srv;\n}')?.text).toBe('server {\n    root /srv;\n}');
  });

  it('shows a block kept without its lines as elided, not empty', () => {
    // Before: `CREATE TABLE orders (` then `);`, a table of no column.
    const sql = [
      'CREATE TABLE orders (',
      '    id BIGINT,',
      '    status TEXT',
      ');',
      'CREATE INDEX orders_idx ON orders (id);',
    ].join('\n');
    expect(nestKeptLines(sql, 'CREATE TABLE orders (\nCREATE INDEX orders_idx ON orders (id);')?.text).toBe(
      'CREATE TABLE orders (\n    ...\n);\nCREATE INDEX orders_idx ON orders (id);',
    );
  });

  it('shows a block with no closing line, kept without its lines, as elided too (session 39 item 4)', () => {
    // Before: a Makefile's `build:` and `lint:` came back alone, read as targets with no recipe.
    const make = [
      'build:',
      '\tgo build ./...',
      '',
      'test:',
      '\tgo test ./...',
      '',
      'lint:',
      '\tgolangci-lint run',
    ].join('\n');
    expect(nestKeptLines(make, 'build:\ntest:\ngo test ./...\nlint:')?.text).toBe(
      'build:\n\t...\ntest:\n\tgo test ./...\nlint:\n\t...',
    );
  });

  it('shows a part of a command ending in a lone backslash at the end of the file (re-read of session 39)', () => {
    // The `...` after a kept line going on read the next line's indentation, and the file's last
    // line has no next line: a TypeError, and the script's compression failed.
    const script = 'docker run \\\n  --name web \\\n  --restart always \\';
    expect(nestKeptLines(script, '  --restart always \\')?.text).toBe('docker run \\\n  ...\n  --restart always \\');
  });

  it('gives nothing back when a kept piece is not the source as written', () => {
    expect(nestKeptLines('a {\n    b;\n}', 'b rewritten;')).toBeNull();
  });
});

describe('withoutUnopenedClosers (re-read of session 35)', () => {
  it('drops a closer whose opener is not shown, keeps one whose opener is', () => {
    expect(withoutUnopenedClosers('client_max_body_size 25m;\n}')).toBe('client_max_body_size 25m;');
    expect(withoutUnopenedClosers('location /admin {\n    deny all;\n}\n}')).toBe(
      'location /admin {\n    deny all;\n}',
    );
    expect(withoutUnopenedClosers('    status text NOT NULL\n);')).toBe('    status text NOT NULL');
    expect(withoutUnopenedClosers('CREATE TABLE t (\n  id int\n);')).toBe('CREATE TABLE t (\n  id int\n);');
  });
});
