// Is dist/cli/ a build of the sources as they are now? The build records every file it read
// (esbuild's metafile inputs, and package-lock.json for the packages bundled in) with its size
// and modification time; a start compares them again with one stat per file (a few ms). Any
// difference, a missing file or no record at all means the bundle is not used, so a checkout
// never runs stale code.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const BUNDLE_DIR = join('dist', 'cli');
export const MANIFEST = join(BUNDLE_DIR, 'manifest.json');
const VERSION = 1;

/** [path relative to root, size, mtimeMs] for each file, or undefined when one is missing. */
export function stampFiles(root, files) {
  const out = [];
  for (const file of files) {
    try {
      const s = statSync(join(root, file));
      out.push([file, s.size, s.mtimeMs]);
    } catch {
      return undefined;
    }
  }
  return out;
}

export function writeManifestJson(stamps, entry) {
  return `${JSON.stringify({ version: VERSION, entry, files: stamps })}\n`;
}

/** The bundle's entry file when dist/cli/ is current for these sources, else undefined. */
export function currentBundle(root) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(root, MANIFEST), 'utf8'));
  } catch {
    return undefined;
  }
  if (manifest?.version !== VERSION || !Array.isArray(manifest.files) || typeof manifest.entry !== 'string')
    return undefined;
  for (const stamp of manifest.files) {
    if (!Array.isArray(stamp) || stamp.length !== 3) return undefined;
    const [file, size, mtimeMs] = stamp;
    let s;
    try {
      s = statSync(join(root, file));
    } catch {
      return undefined;
    }
    if (s.size !== size || s.mtimeMs !== mtimeMs) return undefined;
  }
  return join(root, BUNDLE_DIR, manifest.entry);
}
