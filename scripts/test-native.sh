#!/usr/bin/env bash
# pytest for native/: the pure-Python workers in their own venv (.venv-test, created on first use);
# the Tinker and MLX workers in the venvs the app builds for them (the vitest setup builds them),
# so their tests import the real SDKs. Writes JUnit XML so the summary counts these tests too.
set -uo pipefail
cd "$(dirname "$0")/.."
VENV=.venv-test
if [ ! -x "$VENV/bin/pytest" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check pytest==8.4.2
fi
mkdir -p .cache
rm -f .cache/pytest-*.xml
status=0
"$VENV/bin/pytest" native -q --ignore=native/tinker --ignore=native/mlx --ignore=native/classifier --junitxml=.cache/pytest.xml "$@" || status=1
for worker in tinker mlx; do
  py=".cache/training/$worker-venv/bin/python"
  if [ ! -x "$py" ]; then
    # Outside CI a worker whose venv was never built is skipped and said so; in CI it is a failure.
    echo "pytest ($worker): no venv at $py (its vitest tests build it)"
    [ -n "${CI:-}" ] && status=1
    continue
  fi
  [ -d "native/$worker" ] || continue
  ls native/$worker/test_*.py >/dev/null 2>&1 || continue
  "$py" -c 'import pytest' 2>/dev/null || "$py" -m pip install -q --disable-pip-version-check pytest==8.4.2
  "$py" -m pytest "native/$worker" -q --junitxml=".cache/pytest-$worker.xml" "$@" || status=1
done
# The token classifier's worker: in its venv (torch, so the SIGTERM test trains for real) when the
# test setup has built it, else its pure-Python tests in .venv-test.
py=.cache/venv-classifier/bin/python
[ -x "$py" ] || py="$VENV/bin/python"
"$py" -c 'import pytest' 2>/dev/null || "$py" -m pip install -q --disable-pip-version-check pytest==8.4.2
"$py" -m pytest native/classifier -q --junitxml=.cache/pytest-classifier.xml "$@" || status=1
exit $status
