import { timingSafeEqual } from 'node:crypto';

/**
 * A bearer token check in constant time for equal lengths (the length itself is not secret: tokens
 * are generated with a fixed size). Shared by `studio serve` and the compressor's service and proxy.
 */
export function sameToken(given: string | undefined | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
