/**
 * Import rules of the three layers (docs/ARCHITECTURE.md, the AGENTS.md files), checked by
 * `npm run depcheck` and in `npm test`:
 * - the renderer and Electron's preload speak only the wire: src/contracts/ and the bridge type;
 * - the domain (src/) knows nothing of its front ends (Electron, React, the CLI, the renderer);
 * - src/contracts/ is zod only, so the renderer's type check compiles no domain file.
 */

/** npm packages the renderer may bundle for the browser. */
const BROWSER_PACKAGES = ['react', 'react-dom', 'zustand', '@tanstack/react-virtual', 'uplot', 'diff', 'zod'];
const pkg = (names) => `(^|/)node_modules/(@types/)?(${names.map((n) => n.replace(/[.]/g, '\\.')).join('|')})/`;

module.exports = {
  forbidden: [
    {
      name: 'renderer-speaks-the-wire',
      comment:
        'The renderer imports renderer/, src/contracts/ (types and zod schemas) and browser packages: never the domain.',
      severity: 'error',
      from: { path: '^renderer/', pathNot: '\\.test\\.ts$' },
      to: { pathNot: ['^renderer/', '^src/contracts/', pkg(BROWSER_PACKAGES)] },
    },
    {
      name: 'renderer-tests-speak-the-wire',
      comment: 'A renderer unit test imports what the renderer may, and vitest: never the domain.',
      severity: 'error',
      from: { path: '^renderer/.*\\.test\\.ts$' },
      to: { pathNot: ['^renderer/', '^src/contracts/', pkg([...BROWSER_PACKAGES, 'vitest'])] },
    },
    {
      name: 'renderer-no-node',
      comment: 'The renderer runs in a browser too: no Node built-ins.',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'preload-speaks-the-wire',
      comment: 'The preload exposes the bridge: it imports electron and src/contracts/ only.',
      severity: 'error',
      from: { path: '^electron/preload\\.ts$' },
      to: { pathNot: ['^src/contracts/', pkg(['electron'])] },
    },
    {
      name: 'domain-knows-no-front-end',
      comment: 'src/ is plain Node: it never imports Electron, React, the CLI, the renderer or the shell.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: ['^renderer/', '^cli/', '^electron/', pkg(['electron', 'react', 'react-dom', 'zustand'])] },
    },
    {
      name: 'contracts-are-zod-only',
      comment: 'src/contracts/ holds the wire: zod schemas and types, no fs, SDK, database or domain import.',
      severity: 'error',
      from: { path: '^src/contracts/', pathNot: '\\.test\\.ts$' },
      to: { pathNot: ['^src/contracts/', pkg(['zod'])] },
    },
    {
      name: 'driver-behind-the-store',
      comment:
        'In the app (src/, cli/, electron/, renderer/) only src/store/ opens the database driver; benches and e2e may seed directly.',
      severity: 'error',
      from: { path: '^(src|cli|electron|renderer)/', pathNot: '^src/store/' },
      to: { path: pkg(['better-sqlite3']) },
    },
    {
      name: 'test-fixtures-stay-in-tests',
      comment:
        'src/*/testing/ (temp projects, the crash harness, the MiniLM query compressor) is for tests and benches: the app never imports it.',
      severity: 'error',
      from: { path: '^(src|cli|electron|renderer)/', pathNot: ['\\.test\\.ts$', '/testing/'] },
      to: { path: '^src/[^/]+/testing/' },
    },
    {
      name: 'no-circular',
      comment: 'Modules that import each other cannot be read, tested or loaded lazily one at a time.',
      severity: 'error',
      from: {},
      // A cycle made only of type imports costs nothing at run time; one with a value import does.
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing is a typo or a missing package.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    preserveSymlinks: true,
    // Git-ignored output and scratch folders (bench/.work holds throwaway experiment scripts).
    exclude: { path: '^(dist|\\.cache|models|build|bench/\\.work|test-results)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
    },
    skipAnalysisNotInRules: true,
  },
};
