import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The folder that holds package.json, configs/ and native/: found by walking up from this module,
 * so it is right in a checkout (src/), in a bundle (dist/electron/) and in a packaged app.
 */
export function appRoot(): string {
  if (cached) return cached;
  if (process.env.STUDIO_APP_ROOT) {
    cached = process.env.STUDIO_APP_ROOT;
    return cached;
  }
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'configs'))) {
      cached = dir;
      return dir;
    }
    dir = dirname(dir);
  }
  throw new Error('cannot find the app folder (package.json next to configs/); set STUDIO_APP_ROOT');
}
