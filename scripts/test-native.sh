#!/usr/bin/env bash
# pytest for native/ in its own venv (.venv-test), created on first use. Writes JUnit XML so the
# test summary can count its tests with vitest's.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv-test
if [ ! -x "$VENV/bin/pytest" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check pytest==8.4.2
fi
mkdir -p .cache
"$VENV/bin/pytest" native -q --junitxml=.cache/pytest.xml "$@"
