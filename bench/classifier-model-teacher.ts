import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPruner, type Pruner, pruneAtRatios, selectWords } from '../src/generation/strategies/pruned/index.ts';
import { readLocomo } from '../src/io/locomo.ts';
import { ensureSmolLM2 } from '../src/providers/local/test-model.ts';
import { o200kCounter } from '../src/tokenizers/o200k-counter.ts';
import type { LocomoSample } from './answer-survival.ts';
import { readCachedScore, scoreCached } from './score-cache.ts';

/**
 * The teacher for bench/classifier-model.ts: `pruned` (SmolLM2-135M) at 0.5 and 0.33 over LoCoMo
 * sessions of ../shared/data. Scoring costs about 3 s per 1k tokens on this shared CPU and is
 * cached per session; the selection over the scores is the product's, run afresh each time.
 */
export interface LocomoSession {
  sample: LocomoSample;
  conversation: number;
  n: number;
  text: string;
}

export interface TeacherEntry {
  '0.5': string;
  '0.33': string;
}

export const TEACHER_RATIOS = [0.5, 0.33] as const;

export function locomoSessions(shared: string): { locomo: LocomoSample[]; sessions: LocomoSession[] } {
  const file = join(shared, 'locomo-dev.json');
  const locomo = JSON.parse(readFileSync(file, 'utf8')) as LocomoSample[];
  const sessions: LocomoSession[] = [];
  for (const item of readLocomo(locomo, { file, tags: [], mapping: {}, maxRecordBytes: 64 * 2 ** 20, maxDepth: 64 })) {
    if (item.kind !== 'record') continue;
    const { text, metadata } = item.record.source;
    const conversation = locomo.findIndex((s) => s.sample_id === metadata.sampleId);
    sessions.push({
      sample: locomo[conversation] as LocomoSample,
      conversation: conversation + 1,
      n: metadata.session as number,
      text,
    });
  }
  return { locomo, sessions };
}

/** The score-cache key of a session (bench/memory.ts uses the same). */
export const sessionKey = (s: LocomoSession) => `${s.sample.sample_id}-${s.n}`;

/** Sessions whose SmolLM2 scores are cached already (the teacher costs nothing for them). */
export const isScored = (s: LocomoSession) => readCachedScore(SCORE_TAG, sessionKey(s), s.text) !== undefined;

const SCORE_TAG = 'smollm2';

/**
 * The teacher's compressions of these sessions: the product's selection (`selectWords`, what
 * `pruneAtRatios` runs) over each session's SmolLM2 scores, computed on every run from the shared
 * score cache (bench/score-cache.ts), so the teacher is always the current pruner. A session not
 * scored yet is scored once (1 thread) and cached.
 */
export async function teacherCompressions(
  sessions: readonly LocomoSession[],
  options: { threads?: number; log?: (m: string) => void } = {},
): Promise<Map<string, TeacherEntry>> {
  const o200k = await o200kCounter();
  let pruner: Pruner | undefined;
  const out = new Map<string, TeacherEntry>();
  try {
    let scoredNow = 0;
    for (const s of sessions) {
      let scored = readCachedScore(SCORE_TAG, sessionKey(s), s.text);
      if (!scored) {
        pruner ??= createPruner({ modelPath: ensureSmolLM2(), threads: options.threads ?? 1, contextSize: 2048 });
        scored = await scoreCached(pruner, SCORE_TAG, sessionKey(s), s.text);
        options.log?.(`teacher: scored ${sessionKey(s)} (${++scoredNow} new)`);
      }
      const [half, third] = TEACHER_RATIOS.map((ratio) => selectWords(scored, { ratio }, o200k).text);
      out.set(s.text, { '0.5': half as string, '0.33': third as string });
    }
  } finally {
    await pruner?.dispose();
  }
  return out;
}

/**
 * Whether the teacher is what `pruned` produces through the product (`pruneAtRatios`, scoring
 * afresh) for one session: the cached scores and the selection over them must give the same bytes.
 */
export async function checkTeacher(session: LocomoSession, teacher: TeacherEntry, threads = 1): Promise<string[]> {
  const pruner = createPruner({ modelPath: ensureSmolLM2(), threads, contextSize: 2048 });
  try {
    const live = await pruneAtRatios(
      pruner,
      { text: session.text, domain: 'chat' },
      { ratios: [...TEACHER_RATIOS], model: 'smollm2' },
    );
    return TEACHER_RATIOS.flatMap((ratio, i) =>
      live[i]?.text === teacher[String(ratio) as '0.5' | '0.33']
        ? []
        : [`${sessionKey(session)} at keep ${ratio}: the cached teacher differs from pruneAtRatios`],
    );
  } finally {
    await pruner.dispose();
  }
}
