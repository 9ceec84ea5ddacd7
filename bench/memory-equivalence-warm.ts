import { appendFileSync, mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { ModelRef } from '../src/contracts/providers.ts';
import { modelName } from '../src/providers/model-ref.ts';
import { createRun, finishRun } from '../src/store/runs.ts';
import { getSource } from '../src/store/sources.ts';
import { o200kCounter } from '../src/tokenizers/o200k-counter.ts';
import { answer, ensureProbes } from '../src/validation/probe-calls.ts';
import type { ValidateOptions } from '../src/validation/run.ts';
import {
  harnessConfig,
  type LocalModels,
  openStore,
  PROBES_PER_SESSION,
  questionDir,
  questionPlan,
  questionSources,
  sessionPlan,
  sessionSource,
  sessionsDir,
  storedAnswers,
  WORK,
} from './memory-equivalence-items.ts';
import { type ConversationInfo, roundRobin } from './memory-equivalence-select.ts';

/**
 * `BENCH_EQUIV_WARM=1`: answers every probe of both parts on the uncompressed side only (the
 * session; Gemma's whole memory and SmolLM2's evidence window), with the harness's own `answer`
 * into the same projects the full run uses: no compression, no judge. That side does not change
 * when the compressor does and is most of the cost, so a full run afterwards pays only for the
 * compressed answers and the verdicts. Each answer is stored as soon as it is made: stopping the
 * process at any time loses at most the answer in flight. Part (a) first (short sessions), then
 * (b) round the conversations. Progress goes to the console and to warm.log.
 */

const LOG = join(WORK, 'warm.log');

/** Conversation ids with the held-out ones (after the first three) alternating with the tuning ones. */
export function warmConversationOrder(convs: readonly ConversationInfo[]): string[] {
  const ids = convs.map((c) => c.id);
  return roundRobin(
    ids.map((id, i) => ({ id, group: i < 3 ? 'tuning' : 'held-out' })),
    (c) => c.group,
  ).map((c) => c.id);
}

function log(line: string): void {
  const stamped = `${new Date().toISOString().slice(0, 19)}Z ${line}`;
  console.log(stamped);
  mkdirSync(WORK, { recursive: true });
  appendFileSync(LOG, `${stamped}\n`);
}

interface WarmTally {
  made: number;
  cached: number;
  seconds: number;
}

/** Every probe of one source answered by one validator on the source's text; what was stored is skipped. */
async function warmSource(
  project: ReturnType<typeof openStore>,
  models: LocalModels,
  sourceId: number,
  ref: ModelRef,
  probes: number,
  tally: WarmTally,
): Promise<WarmTally> {
  const source = getSource(project.db, sourceId);
  if (!source) throw new Error(`no source ${sourceId} in ${project.dir}`);
  const opts: ValidateOptions = {
    pairIds: [],
    validators: [ref],
    prober: ref, // never called: the sources carry their probes from the dataset
    judge: ref,
    registry: models.registry(project),
    config: harnessConfig(probes),
  };
  const t0 = performance.now();
  const before = storedAnswers(project, modelName(ref));
  const runId = createRun(project.db, 'validation', { warm: true, sourceId, validator: modelName(ref) }, 0);
  let asked = 0;
  try {
    const list = await ensureProbes(project, sourceId, opts, runId);
    for (const probe of list) {
      await answer(project, opts, ref, probe, source.text, runId);
      asked++;
    }
    finishRun(project.db, runId, 'succeeded', { warm: true });
  } catch (error) {
    finishRun(project.db, runId, 'failed', {}, error instanceof Error ? error.message : String(error));
    throw error;
  }
  const made = storedAnswers(project, modelName(ref)) - before;
  const seconds = (performance.now() - t0) / 1000;
  tally.made += made;
  tally.cached += asked - made;
  tally.seconds += seconds;
  return { made, cached: asked - made, seconds };
}

export async function warmUncompressed(
  convs: readonly ConversationInfo[],
  parts: readonly string[],
  perConversation: number,
  smol: ModelRef,
  gemma: ModelRef,
  models: LocalModels,
): Promise<void> {
  const short = (ref: ModelRef) => (ref === gemma ? 'gemma' : 'smol');
  const tallies = new Map<string, WarmTally>();
  const tally = (part: string, ref: ModelRef) => {
    const key = `${part} ${short(ref)}`;
    const t = tallies.get(key) ?? { made: 0, cached: 0, seconds: 0 };
    tallies.set(key, t);
    return t;
  };
  const summary = () =>
    [...tallies].map(([k, t]) => `${k}: ${t.made} made, ${t.cached} cached, ${t.seconds.toFixed(0)} s`).join('; ');
  log(
    `warm start: parts ${parts.join(',')}, ${perConversation} questions per conversation, load ${loadavg()[0]?.toFixed(1)}`,
  );
  if (parts.includes('a')) {
    const picks = sessionPlan(convs);
    const project = openStore(sessionsDir());
    try {
      for (const [i, p] of picks.entries()) {
        const sourceId = sessionSource(project, p);
        const done: string[] = [];
        for (const ref of [smol, gemma]) {
          const r = await warmSource(project, models, sourceId, ref, PROBES_PER_SESSION, tally('a', ref));
          done.push(`${short(ref)} ${r.made} made/${r.cached} cached ${r.seconds.toFixed(1)} s`);
        }
        log(
          `warm (a) ${i + 1}/${picks.length} ${p.conversation} session ${p.session.n}: ${done.join(', ')} · load ${loadavg()[0]?.toFixed(1)}`,
        );
      }
    } finally {
      project.close();
    }
  }
  if (parts.includes('b')) {
    const count = await o200kCounter();
    const picks = questionPlan(convs, perConversation);
    /** One question's uncompressed side for one validator: Gemma's memory or SmolLM2's window. */
    const warmQuestion = async (q: (typeof picks)[number], ref: ModelRef, label: string) => {
      const project = openStore(questionDir(q));
      try {
        const s = questionSources(project, q, count);
        const [id, text, what] =
          ref === gemma ? [s.memoryId, s.memory, 'memory'] : [s.windowId, s.window.text, 'window'];
        const r = await warmSource(project, models, id, ref, 1, tally('b', ref));
        log(
          `warm (b) ${short(ref)} ${label} ${q.conversation.id} qa ${q.index} (${what} ${count(text)} o200k): ${r.made ? `${r.seconds.toFixed(1)} s` : 'cached'} · load ${loadavg()[0]?.toFixed(1)}`,
        );
      } finally {
        project.close();
      }
    };
    // SmolLM2 first, on its evidence windows, round the conversations (each window is its own text).
    for (const [i, q] of picks.entries()) await warmQuestion(q, smol, `${i + 1}/${picks.length}`);
    // Then Gemma (its stored GGUF is the pretrained model, which echoes its prompt: see RESULTS.md),
    // one conversation after another: its questions share the memory as a prompt prefix, so the
    // kept context evaluates a memory once and then only each question (the full run cannot: the
    // compressed answer and the judge come between two memories there). The held-out
    // conversations alternate with the tuning ones, so a stopped warm-up holds some of both.
    const byConversation = warmConversationOrder(convs).flatMap((id) => picks.filter((q) => q.conversation.id === id));
    for (const [i, q] of byConversation.entries()) await warmQuestion(q, gemma, `${i + 1}/${picks.length}`);
  }
  log(`warm summary: ${summary()}`);
  log('warm done');
}
