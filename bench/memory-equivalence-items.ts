import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPricing, loadProvidersConfig, loadValidationConfig } from '../src/config.ts';
import type { ValidationConfig } from '../src/contracts/validation.ts';
import { openProject, type Project, projectExists } from '../src/project.ts';
import { createLocalProvider } from '../src/providers/local/index.ts';
import { createProviderRegistry, type ProviderRegistry } from '../src/providers/registry.ts';
import type { Provider } from '../src/providers/spec.ts';
import { insertSources } from '../src/store/sources.ts';
import { locomoSessionRecords } from './locomo-records.ts';
import {
  type ConversationInfo,
  evidenceSessions,
  evidenceWindow,
  type LocomoQa,
  pickQuestions,
  pickSessions,
  type QuestionPick,
  roundRobin,
  type SessionInfo,
  type SessionPick,
} from './memory-equivalence-select.ts';

/**
 * What the memory-equivalence bench validates and where it keeps it: the items of both parts, in
 * the order they run, each with its project and its uncompressed source(s), set up the same way by
 * the full run and by the warm-up (memory-equivalence-warm.ts). The harness keys a stored answer
 * by probe, model and context hash inside a project, so both must find the same project, source
 * text and probes: that is why this setup is shared.
 */

/** Shared with /work/main and every worktree (bench/.work is a link to main's): survives a worktree. */
export const WORK = join(process.cwd(), 'bench', '.work', 'memory-equivalence');
export const GEMMA = join(process.cwd(), '.cache', 'models', 'gemma-3-270m-q4_k_m.gguf');
export const SESSIONS_PER_CONVERSATION = 4;
export const PROBES_PER_SESSION = 3;
/** SmolLM2-135M-Instruct's window is 8192 of its tokens; its tokenizer spends ~1.3x o200k on chat. */
export const SMOL_CONTEXT = 8192;
export const SMOL_WINDOW_O200K = 4500;
/** Gemma 3 270M's window: the longest conversation is ~26k o200k tokens. */
export const GEMMA_CONTEXT = 32768;

export function conversationsOf(locomoFile: string): ConversationInfo[] {
  const raw = JSON.parse(readFileSync(locomoFile, 'utf8')) as { sample_id: string; qa: LocomoQa[] }[];
  const byId = new Map<string, { sessions: SessionInfo[] }>();
  for (const { sampleId: id, session, text, metadata } of locomoSessionRecords(raw, locomoFile)) {
    const c = byId.get(id) ?? { sessions: [] };
    byId.set(id, c);
    c.sessions.push({ n: session, text, qa: (metadata.qa as LocomoQa[] | undefined) ?? [] });
  }
  return [...byId.entries()].map(([id, c]) => ({
    id,
    sessions: c.sessions.sort((a, b) => a.n - b.n),
    qa: raw.find((s) => s.sample_id === id)?.qa ?? [],
  }));
}

export const memoryOf = (c: ConversationInfo) => c.sessions.map((s) => s.text).join('\n\n');

export function openStore(dir: string): Project {
  mkdirSync(dir, { recursive: true });
  return openProject({ dir, create: !projectExists(dir) });
}

export function harnessConfig(probes: number): ValidationConfig {
  const config = loadValidationConfig();
  // Exactly the dataset's probes (no prober), and short answers: the prompt asks for as few words
  // as possible, and a 135M model that rambles would otherwise spend 200 tokens per answer.
  return { ...config, probes: { ...config.probes, perSource: probes }, answer: { maxTokens: 48 }, concurrency: 1 };
}

/**
 * The local models, loaded once for the whole bench (part (b) opens a project per question, and a
 * provider per project would load the model and a 32k context again each time, never freed).
 * One thread each; each keeps its context sequence between calls (reusePrefix), so the probes
 * asked of one text evaluate that text once.
 */
export interface LocalModels {
  registry(project: Project): ProviderRegistry;
  dispose(): Promise<void>;
}

export function localModels(contextFor: (modelPath: string) => number): LocalModels {
  const held = new Map<string, ReturnType<typeof createLocalProvider>>();
  const provider = (modelPath: string): Provider => {
    let p = held.get(modelPath);
    if (!p) {
      p = createLocalProvider({ modelPath, threads: 1, contextSize: contextFor(modelPath), reusePrefix: true });
      held.set(modelPath, p);
    }
    return p;
  };
  return {
    registry: (project) =>
      createProviderRegistry({
        db: project.db,
        projectDir: project.dir,
        config: loadProvidersConfig(),
        pricing: loadPricing(),
        local: provider,
      }),
    async dispose() {
      for (const p of held.values()) await p.dispose();
      held.clear();
    },
  };
}

/** Part (a): one project holding every session; the sessions go round the conversations. */
export const sessionsDir = () => join(WORK, 'sessions-2x');

export function sessionPlan(convs: readonly ConversationInfo[]): SessionPick[] {
  return roundRobin(pickSessions(convs, SESSIONS_PER_CONVERSATION, PROBES_PER_SESSION), (p) => p.conversation);
}

/** The session as the harness's source (its probes are the picked QA); its id in that project. */
export function sessionSource(project: Project, p: SessionPick): number {
  const [id] = insertSources(project.db, [
    {
      text: p.session.text,
      domain: 'chat',
      language: null,
      format: 'locomo',
      title: `${p.conversation} session ${p.session.n}`,
      originPath: null,
      originRef: `${p.conversation}/session_${p.session.n}`,
      metadata: { qa: p.qa },
      tags: ['memory-equivalence'],
    },
  ]).ids;
  return id as number;
}

/**
 * Part (b): the questions, round the conversations (the first five are one per conversation), so a
 * run stopped early still holds questions from all five, the held-out two among them.
 */
export function questionPlan(convs: readonly ConversationInfo[], perConversation: number): QuestionPick[] {
  return roundRobin(pickQuestions(convs, perConversation), (q) => q.conversation.id);
}

/** Each question is its own project: every question of a conversation has the same memory text. */
export const questionDir = (q: QuestionPick) => join(WORK, 'questions-10x', `${q.conversation.id}-qa${q.index}`);

export interface QuestionSources {
  memory: string;
  window: { text: string; sessions: number[]; truncated: boolean };
  /** Gemma's uncompressed side: the whole memory. */
  memoryId: number;
  /** SmolLM2's uncompressed side: the evidence window. */
  windowId: number;
}

export function questionSources(project: Project, q: QuestionPick, count: (text: string) => number): QuestionSources {
  const memory = memoryOf(q.conversation);
  const window = evidenceWindow(q.conversation.sessions, evidenceSessions(q.qa), count, SMOL_WINDOW_O200K);
  const source = (text: string, what: string) => ({
    text,
    domain: 'chat' as const,
    language: null,
    format: 'locomo' as const,
    title: `${q.conversation.id} qa ${q.index} (${what})`,
    originPath: null,
    originRef: `${q.conversation.id}/qa_${q.index}`,
    metadata: { qa: [q.qa] },
    tags: ['memory-equivalence'],
  });
  const [memoryId, windowId] = insertSources(project.db, [source(memory, 'memory'), source(window.text, 'window')])
    .ids as [number, number];
  return { memory, window, memoryId, windowId };
}

/** Answers stored in a project: a run's count before and after says how many it made. */
export function storedAnswers(project: Project, model?: string): number {
  return (
    model === undefined
      ? project.db.prepare('SELECT count(*) FROM answers').pluck().get()
      : project.db.prepare('SELECT count(*) FROM answers WHERE model = ?').pluck().get(model)
  ) as number;
}
