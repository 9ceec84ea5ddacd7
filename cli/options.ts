import { InputError } from '../src/errors/index.ts';

/**
 * Option parsers the command definitions use. This module is loaded at every start, so it may
 * import nothing heavier than src/errors (no zod, no store).
 */

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function parseIntStrict(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number, got "${value}"`);
    return n;
  };
}

export function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InputError(`--port must be 0-65535, got "${value}"`);
  return n;
}
