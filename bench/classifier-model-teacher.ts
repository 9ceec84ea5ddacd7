import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createPruner, pruneAtRatios } from '../src/generation/strategies/pruned/index.ts';
import { readLocomo } from '../src/io/locomo.ts';
import { ensureSmolLM2 } from '../src/providers/local/test-model.ts';
import type { LocomoSample } from './answer-survival.ts';

/**
 * The teacher for bench/classifier-model.ts: `pruned` (SmolLM2-135M) at 0.5 and 0.33 over every
 * LoCoMo session of ../shared/data, scored once per session. About 3 s per 1k tokens on this
 * shared CPU, so the results are cached in .cache/classifier-bench/teacher.json (keyed by the
 * session's text) and reused by later runs.
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
  seconds: number;
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

const cacheFile = () => resolve('.cache', 'classifier-bench', 'teacher.json');

export function readTeacherCache(): Record<string, TeacherEntry> {
  const file = cacheFile();
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, TeacherEntry>) : {};
}

/** The teacher's compressions of these sessions, computing (and caching) the missing ones. */
export async function teacherCompressions(
  sessions: readonly { text: string }[],
  options: { threads?: number; log?: (m: string) => void } = {},
): Promise<Map<string, TeacherEntry>> {
  const cache = readTeacherCache();
  const missing = sessions.filter((s) => !cache[s.text]);
  if (missing.length) {
    const modelPath = ensureSmolLM2();
    const pruner = createPruner({ modelPath, threads: options.threads ?? 2, contextSize: 2048 });
    try {
      let done = 0;
      for (const s of missing) {
        const t0 = performance.now();
        const out = await pruneAtRatios(
          pruner,
          { text: s.text, domain: 'chat' },
          { ratios: [...TEACHER_RATIOS], model: 'smollm2' },
        );
        cache[s.text] = {
          '0.5': out[0]?.text ?? s.text,
          '0.33': out[1]?.text ?? s.text,
          seconds: (performance.now() - t0) / 1000,
        };
        done++;
        options.log?.(`teacher: ${done}/${missing.length} sessions`);
        // Saved as it goes: a stopped run keeps what it scored.
        const file = cacheFile();
        mkdirSync(resolve(file, '..'), { recursive: true });
        writeFileSync(`${file}.tmp`, JSON.stringify(cache));
        renameSync(`${file}.tmp`, file);
      }
    } finally {
      await pruner.dispose();
    }
  }
  return new Map(sessions.map((s) => [s.text, cache[s.text] as TeacherEntry]));
}
