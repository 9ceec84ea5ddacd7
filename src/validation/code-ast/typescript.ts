import ts from 'typescript';

export interface JsAst {
  /** Node kinds and token texts in order; comments and formatting are not part of it. */
  fingerprint: string[];
  /** Syntax errors the compiler reported, with line numbers. */
  errors: string[];
}

/**
 * A normalised syntax tree for JavaScript or TypeScript through the TypeScript compiler API: two
 * programs with equal fingerprints differ only in comments and whitespace.
 */
export function jsAst(code: string, language: 'javascript' | 'typescript', fileName?: string): JsAst {
  const name = fileName ?? (language === 'typescript' ? 'input.ts' : 'input.js');
  const kind = /\.(tsx|jsx)$/.test(name)
    ? language === 'typescript'
      ? ts.ScriptKind.TSX
      : ts.ScriptKind.JSX
    : language === 'typescript'
      ? ts.ScriptKind.TS
      : ts.ScriptKind.JS;
  const sf = ts.createSourceFile(name, code, ts.ScriptTarget.Latest, true, kind);
  const fingerprint: string[] = [];
  const visit = (node: ts.Node) => {
    fingerprint.push(ts.SyntaxKind[node.kind] ?? String(node.kind));
    if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) fingerprint.push(`=${node.text}`);
    else if (
      ts.isStringLiteralLike(node) ||
      ts.isNumericLiteral(node) ||
      ts.isBigIntLiteral(node) ||
      ts.isRegularExpressionLiteral(node)
    )
      fingerprint.push(`=${node.text}`);
    else if (ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node))
      fingerprint.push(`=${node.rawText ?? node.text}`);
    ts.forEachChild(node, visit);
    fingerprint.push(')');
  };
  visit(sf);
  const diagnostics = (sf as unknown as { parseDiagnostics?: ts.Diagnostic[] }).parseDiagnostics ?? [];
  const errors = diagnostics.map((d) => {
    const line = d.start === undefined ? 0 : sf.getLineAndCharacterOfPosition(d.start).line + 1;
    return `line ${line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
  return { fingerprint, errors };
}

export function sameJsAst(a: string, b: string, language: 'javascript' | 'typescript'): boolean {
  const x = jsAst(a, language);
  const y = jsAst(b, language);
  return (
    x.errors.length === 0 && y.errors.length === 0 && x.fingerprint.join('\u0001') === y.fingerprint.join('\u0001')
  );
}
