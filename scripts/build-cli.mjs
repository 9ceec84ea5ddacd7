// Bundles the `studio` command into dist/cli/ (ESM, split into chunks, so each command's action
// stays a lazy import), then records what it read in dist/cli/manifest.json; bin/studio.js runs
// the bundle only while those files are unchanged (bin/cli-bundle.js). Native modules, wasm,
// the tiktoken rank tables and the large SDKs stay outside, loaded from node_modules.
//
// `--if-possible` (npm's prepare step): a failed build (no esbuild, say) prints one line and
// exits 0, and `studio` runs the sources through tsx as before.
import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLE_DIR, MANIFEST, stampFiles, writeManifestJson } from '../bin/cli-bundle.js';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const lenient = process.argv.includes('--if-possible');

const external = [
  'better-sqlite3',
  'node-llama-cpp',
  'onnxruntime-node',
  'web-tree-sitter',
  '@vscode/tree-sitter-wasm',
  'js-tiktoken',
  '@anthropic-ai/sdk',
  'openai',
  '@google/genai',
  'electron',
  'typescript',
  'vite',
  'tsx',
  'esbuild',
];

/**
 * jsonc-parser's `main` is a UMD build that loads its own files with a require() a bundle cannot
 * follow ("Cannot find module './impl/format'" at run time): bundle its ES module build instead.
 */
const jsoncParserAsEsm = {
  name: 'jsonc-parser-as-esm',
  setup(build) {
    build.onResolve({ filter: /^jsonc-parser$/ }, () => ({
      path: join(root, 'node_modules', 'jsonc-parser', 'lib', 'esm', 'main.js'),
    }));
  },
};

/**
 * zod re-exports all of its ~60 message locales (`z.locales`) and bundling keeps them all: a third
 * of the code every start would parse. The app uses none but English (zod's default, imported on
 * its own), so the locale index is bundled as English only.
 */
const onlyEnglishZodMessages = {
  name: 'only-english-zod-messages',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)[\\/]/.test(args.importer)
        ? { path: join(dirname(args.importer), '..', 'locales', 'en.js'), namespace: 'zod-locales' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: dirname(args.path),
    }));
  },
};

/** Chunks no build has written for an hour: no running `studio` can still need them. */
function removeOldChunks(outdir, current) {
  const dir = join(outdir, 'chunks');
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const file = join(dir, name);
    if (!current.has(file) && Date.now() - statSync(file).mtimeMs > 3_600_000) rmSync(file, { force: true });
  }
}

async function buildCli() {
  const { build } = await import('esbuild');
  const outdir = join(root, BUNDLE_DIR);
  // The manifest goes first, so no start uses a half-written bundle. Old chunks stay a while: a
  // `studio` started before this build may still import them (their names hold a content hash).
  rmSync(join(root, MANIFEST), { force: true });
  const started = Date.now();
  const result = await build({
    absWorkingDir: root,
    entryPoints: { main: 'cli/main.ts' },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: external.flatMap((p) => [p, `${p}/*`]),
    // CommonJS packages bundled into ESM (commander, cli-progress) call require() for Node's own modules.
    banner: {
      js: "import { createRequire as __studioRequire } from 'node:module'; const require = __studioRequire(import.meta.url);",
    },
    chunkNames: 'chunks/[name]-[hash]',
    sourcemap: 'linked',
    // Smaller chunks parse faster at every start; the source maps keep stack traces readable.
    minify: true,
    plugins: [onlyEnglishZodMessages, jsoncParserAsEsm],
    metafile: true,
    logLevel: lenient ? 'silent' : 'warning',
  });
  const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.includes('node_modules/'));
  // The bundled packages are pinned by the lock file; this script decides how they are bundled.
  const stamps = stampFiles(root, [...inputs, 'package-lock.json', 'scripts/build-cli.mjs', 'bin/cli-bundle.js']);
  if (!stamps) throw new Error('a source file vanished during the build');
  if (stamps.some(([, , mtime]) => mtime > started))
    throw new Error('a source file changed during the build; run it again');
  writeFileSync(join(root, MANIFEST), writeManifestJson(stamps, 'main.js'));
  removeOldChunks(outdir, new Set(Object.keys(result.metafile.outputs).map((f) => join(root, f))));
  return { files: inputs.length, outdir: relative(root, outdir) };
}

try {
  const { files, outdir } = await buildCli();
  process.stderr.write(`studio CLI bundled into ${outdir} from ${files} source files\n`);
} catch (error) {
  // esbuild's own message is "Build failed with N errors:"; the first error says what and where.
  const first = error?.errors?.[0];
  const message = first
    ? `${first.location ? `${first.location.file}:${first.location.line}: ` : ''}${first.text}`
    : error instanceof Error
      ? error.message.split('\n')[0]
      : String(error);
  if (!lenient) throw error;
  process.stderr.write(`studio CLI not bundled (${message}); studio runs the TypeScript sources through tsx\n`);
}
