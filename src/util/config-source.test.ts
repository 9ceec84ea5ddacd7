import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { classifyDomain } from '../generation/domain.ts';
import { configError, parseConfigSource } from './config-source.ts';
import { type JsonNode, keyOf, valueNode } from './json-source.ts';

const TOML = [
  '# Settings for the invoice-renderer service',
  'title = "invoice-renderer"',
  '',
  '[server]',
  'port = 9090 # the public port',
  '# Requests over this size are rejected with 413',
  'max_body_mb = 25',
  '',
  '# Invoices are kept for 10 years',
  '[storage]',
  'bucket = "acme-invoices"',
  'retention_days = 3650',
  'regions = [',
  '  "eu-west-1", # primary',
  '  "eu-central-1",',
  ']',
  '',
  '[[locales]]',
  'code = "pt-PT"',
  'currency = "EUR"',
  '',
  '[[locales]]',
  'code = "en-GB"',
  'currency = "GBP"',
  '',
].join('\n');

/** The value of `path` (keys, and indexes into arrays) in the tree. */
function at(root: JsonNode, ...path: (string | number)[]): JsonNode {
  let n: JsonNode | undefined = root;
  for (const step of path) {
    const kids: JsonNode[] = n?.children ?? [];
    n = typeof step === 'number' ? kids[step] : valueNode(kids.find((p) => keyOf(p) === step) as JsonNode);
    if (!n) throw new Error(`no ${String(step)}`);
  }
  return n as JsonNode;
}

describe('parseConfigSource (TOML)', () => {
  it('reads sections as objects, arrays of tables as lists, keys as fields, comments with what they are over', () => {
    const source = parseConfigSource(TOML, 'toml');
    if (!source) throw new Error('no source');
    expect(source.root.children?.map(keyOf)).toEqual(['title', 'server', 'storage', 'locales']);
    expect(at(source.root, 'title').value).toBe('invoice-renderer');
    expect(at(source.root, 'server', 'port')).toMatchObject({ type: 'number', value: 9090 });
    expect(at(source.root, 'locales', 1, 'currency').value).toBe('GBP');
    expect(source.comment?.(at(source.root, 'server', 'max_body_mb'))).toBe(
      'Requests over this size are rejected with 413',
    );
    expect(source.comment?.(at(source.root, 'server', 'port'))).toBe('the public port');
    expect(source.comment?.(at(source.root, 'storage'))).toBe('Invoices are kept for 10 years');
    expect(source.opening).toEqual(['Settings for the invoice-renderer service']);
    // A value over several lines is one.
    expect(String(at(source.root, 'storage', 'regions').value)).toContain('eu-central-1');
  });

  it('writes back whole lines: a kept key with its section header and its comment, valid TOML', () => {
    const source = parseConfigSource(TOML, 'toml');
    if (!source) throw new Error('no source');
    const keep = new Set([at(source.root, 'server', 'max_body_mb'), at(source.root, 'locales', 1)]);
    const out = source.emit(source.root, { keep: (n) => (keep.has(n) ? true : undefined), opening: () => false });
    expect(out).toBe(
      [
        '[server]',
        '# Requests over this size are rejected with 413',
        'max_body_mb = 25',
        '',
        '[[locales]]',
        'code = "en-GB"',
        'currency = "GBP"',
        '',
      ].join('\n'),
    );
    expect(parseToml(out as string)).toEqual({
      server: { max_body_mb: 25 },
      locales: [{ code: 'en-GB', currency: 'GBP' }],
    });
    // Everything kept: the source as written.
    expect(source.emit(source.root)).toBe(TOML);
  });

  it('puts a replaced string in place as a TOML string, and keeps CRLF line breaks', () => {
    const crlf = TOML.replace(/\n/g, '\r\n');
    const source = parseConfigSource(crlf, 'toml');
    if (!source) throw new Error('no source');
    const bucket = at(source.root, 'storage', 'bucket');
    const out = source.emit(source.root, {
      keep: (n) => (n === bucket ? true : undefined),
      replace: new Map([[bucket, 'say "hi"']]),
      opening: () => false,
    });
    expect(out).toBe('# Invoices are kept for 10 years\r\n[storage]\r\nbucket = "say \\"hi\\""\r\n');
  });

  it('is null for TOML that does not parse, and says where', () => {
    const bad = '[server]\nport = 80\nname = unquoted\n';
    expect(parseConfigSource(bad, 'toml')).toBeNull();
    expect(configError(bad, 'toml')).toMatchObject({ line: 3 });
    expect(configError(TOML, 'toml')).toBeUndefined();
  });
});

describe('parseConfigSource (TOML values over several lines)', () => {
  it('reads an array or a string over lines once, with its lines and its comment (re-read of session 33)', () => {
    const text = [
      '[a]',
      'hosts = [',
      '  "one", # the first',
      '  "two",',
      '] # where it runs',
      'notes = """',
      'a long',
      'note"""',
      'last = 1',
      '',
    ].join('\n');
    const source = parseConfigSource(text, 'toml');
    const a = source?.root.children?.[0]?.children?.[1];
    const hosts = a?.children?.[0]?.children?.[1] as JsonNode;
    expect(source?.comment?.(hosts)).toBe('where it runs');
    expect(source?.emit(source.root)).toBe(text);
    expect(
      source?.emit(source.root, {
        keep: (n) => (n === a?.children?.[1]?.children?.[1] ? false : n.type === 'object' ? undefined : true),
      }),
    ).toBe(['[a]', 'hosts = [', '  "one", # the first', '  "two",', '] # where it runs', 'last = 1', ''].join('\n'));
    // Read line by line, each time from its start, a 6,000-line array took 2.6 s.
    const long = `[a]\nx = [\n${Array.from({ length: 6000 }, (_, k) => `  "item ${k}",`).join('\n')}\n]\ny = 2\n`;
    const t = performance.now();
    expect(parseConfigSource(long, 'toml')).not.toBeNull();
    expect(performance.now() - t).toBeLessThan(500);
  });
});

describe('parseConfigSource (INI)', () => {
  const INI = [
    '; Billing worker',
    '[general]',
    'name = billing-worker',
    '; Card declines are never retried',
    'retries: 4',
    '',
    '[smtp]',
    'host = smtp.internal',
    'from = "billing@example.com"',
    '',
  ].join('\n');
  it('reads `=` and `:` keys under their sections, `;` comments with them, and writes whole lines back', () => {
    const source = parseConfigSource(INI, 'ini');
    if (!source) throw new Error('no source');
    const retries = at(source.root, 'general', 'retries');
    expect(retries.value).toBe('4');
    expect(source.comment?.(retries)).toBe('Card declines are never retried');
    expect(at(source.root, 'smtp', 'from').value).toBe('billing@example.com');
    const from = at(source.root, 'smtp', 'from');
    const out = source.emit(source.root, {
      keep: (n) => (n === retries || n === from ? true : undefined),
      replace: new Map([[from, 'ops@example.com']]),
      opening: () => false,
    });
    expect(out).toBe('[general]\n; Card declines are never retried\nretries: 4\n\n[smtp]\nfrom = "ops@example.com"\n');
  });
  it('is null for a text with a line that is no section, key or comment', () => {
    expect(parseConfigSource('[a]\nx = 1\njust some words here\n', 'ini')).toBeNull();
    expect(configError('[a]\nx = 1\njust some words here\n', 'ini')).toEqual({
      line: 3,
      reason: 'no section, key or comment',
    });
  });

  it('reads a line with a long run of spaces in linear time, its key to its last letter (re-read of session 33)', () => {
    // The key was lazy before "[ \t]*[=:]": 40,000 spaces took ~1.4 s here and 3 s in classifyDomain.
    const t = performance.now();
    expect(parseConfigSource(`[notes]\na = 1\nb${' '.repeat(40000)}c\n`, 'ini')).toBeNull();
    expect(classifyDomain(`[notes]\na = 1\nb${' '.repeat(40000)}c\n`).language).not.toBe('ini');
    expect(parseConfigSource(`[notes]\na = 1\n[ b${' '.repeat(40000)}c\n`, 'ini')).toBeNull();
    expect(performance.now() - t).toBeLessThan(300);
    expect(parseConfigSource('[ my section ]\na = 1\n', 'ini')?.root.children?.[0]?.children?.[0]?.value).toBe(
      'my section',
    );
    const source = parseConfigSource('[db]\nhost name  =  db.internal\nport: 5432\n', 'ini');
    const db = source?.root.children?.[0]?.children?.[1];
    expect(db?.children?.map((p) => p.children?.[0]?.value)).toEqual(['host name', 'port']);
  });
});

describe('a table under an array of tables (session 35, H2)', () => {
  // poetry.lock: every [[package]] has its [package.dependencies]. The second was "a section named
  // twice": the lock file was no config, read as Python that does not parse, and "What does
  // requests depend on?" kept its [package.dependencies] header without one of its keys.
  const LOCK = [
    '# This file is automatically @generated by Poetry 1.8.3 and should not be changed by hand.',
    '',
    '[[package]]',
    'name = "django"',
    'version = "5.0.7"',
    '',
    '[package.dependencies]',
    'asgiref = ">=3.7.0,<4"',
    '',
    '[[package]]',
    'name = "requests"',
    'version = "2.32.3"',
    '',
    '[package.dependencies]',
    'idna = ">=2.5,<4"',
    'urllib3 = ">=1.21.1,<3"',
    '',
    '[metadata]',
    'lock-version = "2.0"',
    '',
  ].join('\n');

  it("reads it as its last item's, and writes a key of it back under that item's header", () => {
    const source = parseConfigSource(LOCK, 'toml');
    if (!source) throw new Error('no source');
    expect(at(source.root, 'package', 1, 'dependencies', 'idna').value).toBe('>=2.5,<4');
    expect(at(source.root, 'package', 0, 'dependencies', 'asgiref').value).toBe('>=3.7.0,<4');
    const keep = new Set([
      at(source.root, 'package', 1, 'name'),
      at(source.root, 'package', 1, 'dependencies', 'idna'),
    ]);
    const out = source.emit(source.root, { keep: (n) => (keep.has(n) ? true : undefined), opening: () => false });
    expect(parseToml(out as string)).toEqual({ package: [{ name: 'requests', dependencies: { idna: '>=2.5,<4' } }] });
    expect(source.emit(source.root)).toBe(LOCK);
    expect(classifyDomain(LOCK).language).toBe('toml');
  });

  it('still refuses a table named twice', () => {
    expect(parseConfigSource('[a]\nx = 1\n\n[b]\ny = 2\n\n[a]\nz = 3\n', 'ini')).toBeNull();
  });
});
