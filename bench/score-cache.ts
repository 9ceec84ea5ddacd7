import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { lockedUnits, type Pruner, type Scored, splitUnits } from '../src/generation/strategies/pruned/index.ts';

/**
 * A session's model scores, cached in bench/.work/scores/<tag>/<key>.json (the text is checked on
 * load): scoring is deterministic and takes ~30 s a session on this shared CPU, while selection
 * (what the product's design changes) takes milliseconds. The protected words are recomputed by
 * the product's lockedUnits on every load, so a change there is measured too. Shared by
 * bench/memory.ts and bench/classifier-model.ts (whose teacher is the product's selection over
 * these scores, so it is always the current pruner).
 */

const CachedScoreSchema = z.object({
  text: z.string(),
  cost: z.array(z.number()),
  tokenOwner: z.array(z.number().int()),
  surprisal: z.array(z.number()),
  totalTokens: z.number(),
  modelTokens: z.number(),
});
type CachedScore = z.infer<typeof CachedScoreSchema>;

const scoreFile = (tag: string, key: string) => join(resolve('bench', '.work', 'scores', tag), `${key}.json`);

/** The cached scores of this text, or undefined (no file, another text, or a file that does not parse). */
export function readCachedScore(tag: string, key: string, text: string): Scored | undefined {
  const file = scoreFile(tag, key);
  if (!existsSync(file)) return undefined;
  const parsed = CachedScoreSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success || parsed.data.text !== text) return undefined;
  const j = parsed.data;
  const units = splitUnits(text);
  return {
    text,
    units,
    cost: Float64Array.from(j.cost),
    locked: lockedUnits(text, units, { domain: 'chat' }),
    tokenOwner: Int32Array.from(j.tokenOwner),
    surprisal: Float64Array.from(j.surprisal),
    totalTokens: j.totalTokens,
    modelTokens: j.modelTokens,
  };
}

/** The scores of a chat session: from the cache, or scored by `pruner` once and cached. */
export async function scoreCached(pruner: Pruner, tag: string, key: string, text: string): Promise<Scored> {
  const hit = readCachedScore(tag, key, text);
  if (hit) return hit;
  const s = await pruner.score(text, { domain: 'chat' });
  const file = scoreFile(tag, key);
  mkdirSync(resolve(file, '..'), { recursive: true });
  const out: CachedScore = {
    text,
    cost: [...s.cost],
    tokenOwner: [...s.tokenOwner],
    surprisal: [...s.surprisal],
    totalTokens: s.totalTokens,
    modelTokens: s.modelTokens,
  };
  // Written whole then renamed: another bench reading the same session never sees half a file.
  writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify(out));
  renameSync(`${file}.${process.pid}.tmp`, file);
  return s;
}
