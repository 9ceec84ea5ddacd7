#!/usr/bin/env node
// The `studio` command. It runs the bundle in dist/cli/ (scripts/build-cli.mjs, built by
// `npm run build` and npm's prepare step) when that bundle was built from the sources as they
// are now, and the TypeScript sources through tsx's loader otherwise: a checkout never runs
// stale code, and a built one starts in a fraction of the time.
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { currentBundle } from './cli-bundle.js';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const bundle = process.env.STUDIO_CLI_FROM_SOURCE === '1' ? undefined : currentBundle(root);
if (process.env.STUDIO_DEBUG_START) process.stderr.write(`studio: running ${bundle ?? 'the sources (tsx)'}\n`);
let main;
if (bundle) {
  ({ main } = await import(pathToFileURL(bundle).href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../cli/main.ts'));
}
await main(process.argv);
