import { realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { ForbiddenError } from '../errors/index.ts';

/**
 * The folders (or single files) whose contents the API may read by path: the project folder, the
 * browser upload folder, folders named with `studio serve --allow`, and what the owner picked in
 * the desktop app. Everything else on the host is out of reach of `sources-import`.
 */
export interface AllowedRoots {
  add(path: string): void;
  list(): string[];
  /**
   * The real paths of `paths` if every one lies inside a root after resolving symlinks; otherwise
   * a ForbiddenError naming the first path that does not. Relative paths are taken from the
   * project folder (the first root).
   */
  check(paths: readonly string[]): string[];
}

/** realpath of the longest existing prefix, plus the rest: a missing file still resolves its folder's links. */
function realpathLoose(path: string): string {
  let head = path;
  const tail: string[] = [];
  for (;;) {
    try {
      return join(realpathSync.native(head), ...tail.reverse());
    } catch {
      const up = dirname(head);
      if (up === head) return path;
      tail.push(basename(head));
      head = up;
    }
  }
}

const within = (path: string, root: string) => path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);

export function createAllowedRoots(initial: readonly string[]): AllowedRoots {
  const roots: string[] = [];
  const add = (p: string) => {
    const real = realpathLoose(resolve(p));
    if (!roots.includes(real)) roots.push(real);
  };
  for (const p of initial) add(p);
  const base = roots[0] ?? process.cwd();
  return {
    add,
    list: () => [...roots],
    check(paths) {
      return paths.map((given) => {
        if (given.includes('\0')) throw new ForbiddenError(`refused "${given.replaceAll('\0', '\\0')}": not a path`);
        // `..` is refused outright, even when it would land inside: a path says where it is.
        if (given.split(/[\\/]+/).includes('..'))
          throw new ForbiddenError(`refused "${given}": paths with ".." are not allowed`);
        const absolute = isAbsolute(given) ? resolve(given) : resolve(base, given);
        const real = realpathLoose(absolute);
        if (!roots.some((r) => within(real, r))) {
          const via = real === absolute ? '' : ` (it resolves to ${real})`;
          throw new ForbiddenError(
            `refused "${given}"${via}: only the project folder and folders allowed by the owner can be imported (studio serve --allow DIR, or pick it in the desktop app); allowed: ${roots.join(', ')}`,
          );
        }
        return real;
      });
    },
  };
}
