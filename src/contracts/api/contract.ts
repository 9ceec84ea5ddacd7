import { z } from 'zod';

/**
 * One API function on the wire: the schema of its arguments (parsed at every edge before the
 * handler runs) and the schema of its result (what the renderer is typed from; checked by
 * dispatch in tests and development).
 */
export interface Contract<A extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  args: A;
  result: R;
}

export function contract<A extends z.ZodType, R extends z.ZodType>(args: A, result: R): Contract<A, R> {
  return { args, result };
}

/**
 * Joins maps of named entries (contracts, handlers) into one; a name in two maps is a mistake
 * that would silently drop one of them, so it throws when the map is built (at start).
 */
export function combineUnique<M extends Record<string, unknown>[]>(...maps: M): UnionToIntersection<M[number]> {
  const out: Record<string, unknown> = {};
  const dup: string[] = [];
  for (const m of maps)
    for (const [k, v] of Object.entries(m)) {
      if (Object.hasOwn(out, k)) dup.push(k);
      out[k] = v;
    }
  if (dup.length) throw new Error(`API names defined twice: ${dup.join(', ')}`);
  return out as UnionToIntersection<M[number]>;
}
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** No arguments (an empty object, or nothing). */
export const None = z.object({}).strict().default({});
export const Id = z.object({ id: z.number().int().positive() });
/** What every job start answers: the run's id, as soon as the run row exists. */
export const RunStarted = z.object({ runId: z.number().int() });
export const Ok = z.object({ ok: z.boolean() });
