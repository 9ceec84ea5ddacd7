#!/usr/bin/env bash
# Every test: types, lint, vitest (src/, cli/), pytest (native/), Playwright (e2e/, when present),
# then one closing line with the totals. Each suite runs even if an earlier one failed.
set -uo pipefail
cd "$(dirname "$0")/.."
rm -f .cache/vitest.json .cache/pytest.xml .cache/playwright.json
mkdir -p .cache
status=0
npx tsc -p tsconfig.json --noEmit || status=1
npx tsc -p renderer/tsconfig.json --noEmit || status=1
npx tsc -p electron/tsconfig.json --noEmit || status=1
npx biome check . || status=1
npx vitest run --reporter=default --reporter=json --outputFile.json=.cache/vitest.json || status=1
bash scripts/test-native.sh || status=1
if [ -f e2e/app.spec.ts ]; then
  npx playwright test || status=1
fi
node scripts/test-summary.mjs || status=1
exit $status
