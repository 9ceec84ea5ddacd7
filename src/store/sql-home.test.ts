import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * SQL lives in src/store/ only (issue 16): one place to read every query, to index it and to check
 * its plan. This walks the TypeScript of src/, cli/, electron/ and renderer/ with the compiler's own
 * parser (not a regex over text, which would trip on comments and miss templates) and names file:line
 * for every SQL string literal or template and every value import of better-sqlite3 outside src/store/.
 * Tests and fixtures are exempt (they build data with SQL on purpose); bench/ is not scanned.
 */

const ROOT = join(import.meta.dirname, '..', '..');
const SCANNED = ['src', 'cli', 'electron', 'renderer'];

/**
 * A statement keyword followed by what that statement must say next. The second part keeps English
 * strings that merely start with the same word ("Delete the run?", "With 3 pairs") from counting.
 */
const SQL_START =
  /^\s*(select\s[\s\S]*\bfrom\b|select\s+(count|coalesce|max|min|sum|1|\*)|insert\s+(or\s+\w+\s+)?into\b|update\s+\w+\s+set\b|delete\s+from\b|create\s+(table|index|unique|view|trigger|virtual|temp)|with\s+(recursive\s+)?\w+(\s*\([^)]*\))?\s+as\s*\(|pragma\s+\w+|alter\s+table\b|drop\s+(table|index|view|trigger))/i;

function isSqlText(text: string): boolean {
  return SQL_START.test(text);
}

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFiles(path));
    else if (/\.(ts|tsx|mts|cts)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function exempt(file: string): boolean {
  return file.startsWith('src/store/') || /\.(test|spec)\.tsx?$/.test(file) || file.split('/').includes('__fixtures__');
}

/** A value import (or re-export, require, dynamic import) of better-sqlite3; type-only ones are fine. */
function importsSqliteValue(node: ts.Node): boolean {
  const isDriver = (spec: ts.Node | undefined) =>
    spec !== undefined && ts.isStringLiteral(spec) && spec.text === 'better-sqlite3';
  if (ts.isImportDeclaration(node) && isDriver(node.moduleSpecifier)) {
    const clause = node.importClause;
    if (!clause) return true; // a side-effect import still loads the native module
    if (clause.isTypeOnly) return false;
    if (clause.name) return true;
    const bindings = clause.namedBindings;
    if (!bindings) return false;
    if (ts.isNamespaceImport(bindings)) return true;
    return bindings.elements.some((el) => !el.isTypeOnly);
  }
  if (ts.isExportDeclaration(node) && isDriver(node.moduleSpecifier)) return !node.isTypeOnly;
  if (ts.isImportEqualsDeclaration(node) && !node.isTypeOnly) {
    const ref = node.moduleReference;
    return ts.isExternalModuleReference(ref) && isDriver(ref.expression);
  }
  if (ts.isCallExpression(node)) {
    const callee = node.expression;
    const dynamic = callee.kind === ts.SyntaxKind.ImportKeyword;
    const required = ts.isIdentifier(callee) && callee.text === 'require';
    return (dynamic || required) && isDriver(node.arguments[0]);
  }
  return false;
}

function literalText(node: ts.Node): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) {
    // Placeholders stand in as a name so "SELECT ${cols} FROM x" still reads as SQL.
    return node.head.text + node.templateSpans.map((s) => ` x ${s.literal.text}`).join('');
  }
  return undefined;
}

function findSqlOutsideStore(source: string, file: string): string[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const at = (node: ts.Node) => `${file}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}`;
  const visit = (node: ts.Node): void => {
    if (importsSqliteValue(node)) found.push(`${at(node)} imports better-sqlite3 as a value`);
    const text = literalText(node);
    if (text !== undefined && isSqlText(text)) {
      found.push(`${at(node)} SQL: ${text.trim().split('\n')[0]?.slice(0, 60)}`);
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

describe('SQL lives in src/store/', () => {
  it('recognises SQL statements and not English that starts with the same word', () => {
    expect(isSqlText('  SELECT id FROM pairs')).toBe(true);
    expect(isSqlText('\n select count(*) as n from labels')).toBe(true);
    expect(isSqlText('INSERT OR IGNORE INTO pairs (id) VALUES (?)')).toBe(true);
    expect(isSqlText('update runs set status = ?')).toBe(true);
    expect(isSqlText('DELETE FROM labels WHERE pair_id = ?')).toBe(true);
    expect(isSqlText('CREATE INDEX IF NOT EXISTS i ON t(x)')).toBe(true);
    expect(isSqlText('WITH picked AS (SELECT 1) SELECT * FROM picked')).toBe(true);
    expect(isSqlText('PRAGMA foreign_keys = ON')).toBe(true);
    expect(isSqlText('ALTER TABLE pairs ADD COLUMN x')).toBe(true);
    expect(isSqlText('DROP TABLE IF EXISTS t')).toBe(true);
    expect(isSqlText('Delete the run?')).toBe(false);
    expect(isSqlText('With 3 pairs left')).toBe(false);
    expect(isSqlText('Update available')).toBe(false);
    expect(isSqlText('Create a project first')).toBe(false);
  });

  it('finds SQL templates and value imports of the driver, not type imports', () => {
    const src = [
      "import type { Database } from 'better-sqlite3';",
      "import { type Statement } from 'better-sqlite3';",
      "import Sqlite from 'better-sqlite3';",
      'const cols = "a";',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the scanned source holds a template on purpose
      'const q = `SELECT ${cols} FROM pairs`;',
      "const msg = 'Delete this pair?';",
    ].join('\n');
    expect(findSqlOutsideStore(src, 'x.ts')).toEqual([
      'x.ts:3 imports better-sqlite3 as a value',
      'x.ts:5 SQL: SELECT  x  FROM pairs',
    ]);
  });

  it('no file outside src/store/ holds SQL or opens the driver', () => {
    const found: string[] = [];
    for (const top of SCANNED) {
      for (const path of tsFiles(join(ROOT, top))) {
        const file = relative(ROOT, path).split(sep).join('/');
        if (exempt(file)) continue;
        found.push(...findSqlOutsideStore(readFileSync(path, 'utf8'), file));
      }
    }
    expect(found).toEqual([]);
  });
});
