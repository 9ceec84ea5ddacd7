import type { Node, Tree } from 'web-tree-sitter';

/**
 * What "the same program" means for tree-sitter: the syntax tree minus what compression may remove
 * (comments, Python docstrings). The rules' code stripping proves its cuts with it and validation
 * compares programs with it.
 */

export function isComment(node: Node): boolean {
  return node.type.includes('comment');
}

/** A Python docstring: a lone string statement that opens a module, class or function body. */
export function isDocstring(node: Node, language: string): boolean {
  if (language !== 'python' || node.type !== 'expression_statement') return false;
  if (node.namedChildCount !== 1 || node.namedChildren[0]?.type !== 'string') return false;
  const parent = node.parent;
  if (!parent) return false;
  const isBody =
    parent.type === 'module' ||
    (parent.type === 'block' &&
      (parent.parent?.type === 'function_definition' || parent.parent?.type === 'class_definition'));
  if (!isBody) return false;
  const first = parent.namedChildren.find((c) => c && !isComment(c));
  return first?.id === node.id;
}

/**
 * The tree as a token stream with structure, minus comments and docstrings: two programs with
 * the same signature have the same syntax tree apart from what compression may remove.
 */
export function treeSignature(tree: Tree, language: string): string[] {
  const out: string[] = [];
  const stack: (Node | ')')[] = [tree.rootNode];
  while (stack.length) {
    const item = stack.pop() as Node | ')';
    if (item === ')') {
      out.push(')');
      continue;
    }
    if (isComment(item) || isDocstring(item, language)) continue;
    if (item.childCount === 0) {
      out.push(`${item.type}:${item.text}`);
      continue;
    }
    out.push(`(${item.type}`);
    stack.push(')');
    for (let i = item.childCount - 1; i >= 0; i--) {
      const child = item.child(i);
      if (child) stack.push(child);
    }
  }
  return out;
}
