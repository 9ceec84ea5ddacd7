// Bundles the Electron main process and the preload into dist/electron/. The preload must be one
// CommonJS file to run sandboxed; native modules and large packages stay outside the bundle
// (electron-builder unpacks the native ones from the asar).
import { build } from 'esbuild';

const external = [
  'electron',
  'better-sqlite3',
  'node-llama-cpp',
  'onnxruntime-node',
  'web-tree-sitter',
  '@vscode/tree-sitter-wasm',
  'typescript',
  'vite',
  'tsx',
];
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'info',
};

await build({
  ...common,
  entryPoints: ['electron/main.ts'],
  outfile: 'dist/electron/main.cjs',
  external,
  // The domain finds its files through import.meta.url; in a CommonJS bundle that is this file.
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
});
await build({
  ...common,
  entryPoints: ['electron/preload.ts'],
  outfile: 'dist/electron/preload.cjs',
  external: ['electron'],
});
