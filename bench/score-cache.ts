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
  /** Words whose tokens were not scored (the locked words when it was scored); absent in old files. */
  unscored: z.array(z.number().int()).optional(),
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
  const locked = lockedUnits(text, units, { domain: 'chat' });
  // The model scores only the words not locked, and the rest get the mean: scores made when other
  // words were locked (a protection rule changed since) are not what the product computes now.
  const unscored = new Set(j.unscored ?? unscoredOf(j));
  for (let i = 0; i < units.length; i++) if ((locked[i] === 1) !== unscored.has(i)) return undefined;
  return {
    text,
    units,
    cost: Float64Array.from(j.cost),
    locked,
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
    unscored: [...s.locked.keys()].filter((i) => s.locked[i] === 1),
  };
  // Written whole then renamed: another bench reading the same session never sees half a file.
  writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify(out));
  renameSync(`${file}.${process.pid}.tmp`, file);
  return s;
}

/**
 * The words an old cache file left unscored: every token of theirs holds the fill value, the mean
 * of the scored tokens (the model's values are never exactly that mean).
 */
function unscoredOf(j: CachedScore): number[] {
  const counts = new Map<number, number>();
  for (const v of j.surprisal) counts.set(v, (counts.get(v) ?? 0) + 1);
  const fill = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (fill === undefined) return [];
  let sum = 0;
  let n = 0;
  for (const v of j.surprisal)
    if (v !== fill) {
      sum += v;
      n++;
    }
  if (n === 0 || Math.abs(sum / n - fill) > 1e-9) return [];
  const scored = new Set<number>();
  j.surprisal.forEach((v, t) => {
    if (v !== fill) scored.add(j.tokenOwner[t] as number);
  });
  return [...new Set(j.tokenOwner)].filter((w) => !scored.has(w));
}
