// Prints one closing line for the whole test run ("Tests: N passed, M failed, K skipped") from the
// vitest JSON report, pytest's JUnit XML and Playwright's JSON, and exits non-zero when anything
// failed or did not run. Skips are counted, never hidden: in CI a missing prerequisite fails instead.
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const junit = (t) => {
  const m = /<testsuite [^>]*errors="(\d+)" failures="(\d+)" skipped="(\d+)" tests="(\d+)"/.exec(t);
  if (!m) return [0, 1];
  const [errors, failures, skipped, tests] = m.slice(1).map(Number);
  return [tests - errors - failures - skipped, errors + failures, skipped];
};
// The workers' own venvs write one report each (.cache/pytest-tinker.xml, ...).
const workerReports = existsSync('.cache')
  ? readdirSync('.cache')
      .filter((f) => /^pytest-.+\.xml$/.test(f))
      .map((f) => [`pytest (${f.slice(7, -4)})`, `.cache/${f}`, junit])
  : [];

let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const [name, file, read] of [
  [
    'vitest',
    '.cache/vitest.json',
    (t) => {
      const r = JSON.parse(t);
      return [
        r.numPassedTests,
        r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0),
        (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0),
      ];
    },
  ],
  ['pytest', '.cache/pytest.xml', junit],
  ...workerReports,
  [
    'playwright',
    '.cache/playwright.json',
    (t) => {
      const r = JSON.parse(t).stats;
      return [r.expected + r.flaky, r.unexpected, r.skipped ?? 0];
    },
  ],
]) {
  if (!existsSync(file)) {
    if (name !== 'playwright' || existsSync('e2e/app.spec.ts')) missing.push(name);
    continue;
  }
  const [p, f, s] = read(readFileSync(file, 'utf8'));
  console.log(`${name}: ${p} passed, ${f} failed${s ? `, ${s} skipped` : ''}`);
  passed += p;
  failed += f;
  skipped += s;
}
if (missing.length) {
  console.log(`no report from: ${missing.join(', ')}`);
  failed += missing.length;
}
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = failed || passed === 0 ? 1 : 0;
