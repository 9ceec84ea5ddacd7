import { StudioError } from '../errors/index.ts';

/**
 * Cosine of two unit vectors (the embedders normalise theirs), clamped: float rounding can put
 * identical texts a hair above 1. Pure, so validation's similarity and the query stage's dense
 * relevance share it without importing each other.
 */
export function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new StudioError(`vectors of different sizes: ${a.length} and ${b.length}`);
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += (a[i] ?? 0) * (b[i] ?? 0);
  return Math.min(1, Math.max(-1, dot));
}
