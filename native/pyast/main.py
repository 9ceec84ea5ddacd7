"""Normalised Python syntax trees, for checking that a compressed program is the same program.

Reads JSON lines {"id", "code"} on stdin and writes {"id", "ok", "dump"} or {"id", "ok": false,
"error", "line"} on stdout. The dump is `ast.dump` with docstrings removed, so two programs that
differ only in comments, docstrings and blank lines dump equal.
"""

import ast
import json
import sys


def strip_docstrings(tree: ast.AST) -> ast.AST:
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if (
                len(body) > 1
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                node.body = body[1:]
    return tree


def main() -> None:
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        try:
            tree = ast.parse(req["code"])
            out = {"id": req["id"], "ok": True, "dump": ast.dump(strip_docstrings(tree))}
        except SyntaxError as e:
            out = {"id": req["id"], "ok": False, "error": e.msg, "line": e.lineno}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
