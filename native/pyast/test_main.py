"""Tests for the AST normaliser: real child process, JSON lines in and out."""

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).with_name("main.py")


def run(programs):
    lines = "".join(json.dumps({"id": i, "code": c}) + "\n" for i, c in enumerate(programs))
    out = subprocess.run([sys.executable, str(SCRIPT)], input=lines, capture_output=True, text=True, check=True)
    return [json.loads(line) for line in out.stdout.splitlines()]


def test_comments_blank_lines_and_docstrings_do_not_change_the_dump():
    a = 'def f(x):\n    """Doc."""\n    # comment\n\n    return x + 1  # trailing\n'
    b = "def f(x):\n    return x + 1\n"
    ra, rb = run([a, b])
    assert ra["ok"] and rb["ok"]
    assert ra["dump"] == rb["dump"]


def test_a_real_change_changes_the_dump():
    ra, rb = run(["x = 1\n", "x = 2\n"])
    assert ra["dump"] != rb["dump"]


def test_a_lone_docstring_is_kept_so_the_body_is_not_empty():
    ra, rb = run(['class A:\n    """Only doc."""\n', "class A:\n    pass\n"])
    assert ra["dump"] != rb["dump"]


def test_syntax_errors_are_reported_with_their_line():
    (r,) = run(["def f(:\n    pass\n"])
    assert r["ok"] is False
    assert r["line"] == 1
    assert r["error"]
