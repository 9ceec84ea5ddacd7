/**
 * Deterministic choices of the memory-equivalence bench: which LoCoMo sessions and questions it
 * probes, and the uncompressed window a small-context validator reads. Pure, so a test can pin them.
 */

export interface LocomoQa {
  question: string;
  answer?: string | number | undefined;
  evidence: readonly string[];
  category?: number | undefined;
}

export interface SessionInfo {
  /** Session number (`session_N`). */
  n: number;
  text: string;
  /** The conversation's QA whose evidence lies in this session (as the importer attaches them). */
  qa: readonly LocomoQa[];
}

export interface ConversationInfo {
  id: string;
  /** In session order. */
  sessions: readonly SessionInfo[];
  /** Every QA of the conversation. */
  qa: readonly LocomoQa[];
}

/** The QA a probe may use: single-hop, multi-hop and open-domain (1, 2, 4) with an answer. */
export function probeable(qa: LocomoQa): boolean {
  return [1, 2, 4].includes(qa.category ?? -1) && qa.answer !== undefined && String(qa.answer).trim() !== '';
}

/** Session numbers a QA's evidence points at (`D3:12` -> 3). */
export function evidenceSessions(qa: LocomoQa): number[] {
  const out = new Set<number>();
  for (const e of qa.evidence) {
    const m = /^D(\d+):/.exec(e);
    if (m) out.add(Number(m[1]));
  }
  return [...out];
}

/** k items at evenly spaced positions (the middle of k equal strata), in order; all when k >= n. */
export function spread<T>(items: readonly T[], k: number): T[] {
  if (k >= items.length) return [...items];
  if (k <= 0) return [];
  return Array.from({ length: k }, (_, i) => items[Math.floor(((i + 0.5) * items.length) / k)] as T);
}

/** Items reordered to take one of each group in turn (groups in first-seen order, items in order). */
export function roundRobin<T>(items: readonly T[], group: (item: T) => string): T[] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = group(item);
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  const out: T[] = [];
  for (let i = 0; out.length < items.length; i++)
    for (const list of groups.values()) if (i < list.length) out.push(list[i] as T);
  return out;
}

export interface SessionPick {
  conversation: string;
  session: SessionInfo;
  /** The probes: the session's first `probes` probeable QA whose evidence is in it. */
  qa: LocomoQa[];
}

/**
 * `perConversation` sessions of each conversation, spread over it, among the sessions with at
 * least `probes` probeable QA whose evidence lies in that session.
 */
export function pickSessions(
  conversations: readonly ConversationInfo[],
  perConversation: number,
  probes: number,
): SessionPick[] {
  const out: SessionPick[] = [];
  for (const c of conversations) {
    const eligible = c.sessions
      .map((session) => ({
        conversation: c.id,
        session,
        qa: session.qa.filter((q) => probeable(q) && evidenceSessions(q).includes(session.n)).slice(0, probes),
      }))
      .filter((p) => p.qa.length === probes);
    out.push(...spread(eligible, perConversation));
  }
  return out;
}

export interface QuestionPick {
  conversation: ConversationInfo;
  /** Position of the QA in the conversation's list (stable name for caches and reports). */
  index: number;
  qa: LocomoQa;
}

/** The categories a probe may use, in the order quotas are shared out when they tie. */
const CATEGORIES = [1, 2, 4] as const;

/**
 * How many of `k` picks each category gets: an even share, the remainder going to the categories
 * with the most candidates; a category with too few candidates gives its unused share to the others.
 */
export function categoryQuotas(available: ReadonlyMap<number, number>, k: number): Map<number, number> {
  const quotas = new Map<number, number>(CATEGORIES.map((c) => [c, 0]));
  const bySize = [...CATEGORIES].sort((a, b) => (available.get(b) ?? 0) - (available.get(a) ?? 0));
  let left = Math.min(
    k,
    CATEGORIES.reduce((n, c) => n + (available.get(c) ?? 0), 0),
  );
  while (left > 0)
    for (const c of bySize) {
      if (left > 0 && (quotas.get(c) ?? 0) < (available.get(c) ?? 0)) {
        quotas.set(c, (quotas.get(c) ?? 0) + 1);
        left--;
      }
    }
  return quotas;
}

/**
 * `perConversation` probeable QA of each conversation with evidence in its sessions: the
 * categories 1, 2 and 4 in even shares (categoryQuotas), each share spread over that category's
 * QA in list order; a conversation's picks in list order.
 */
export function pickQuestions(conversations: readonly ConversationInfo[], perConversation: number): QuestionPick[] {
  const out: QuestionPick[] = [];
  for (const c of conversations) {
    const have = new Set(c.sessions.map((s) => s.n));
    const eligible = c.qa
      .map((qa, index) => ({ conversation: c, index, qa }))
      .filter((p) => probeable(p.qa) && evidenceSessions(p.qa).some((n) => have.has(n)));
    const byCategory = new Map<number, QuestionPick[]>();
    for (const p of eligible) byCategory.set(p.qa.category ?? -1, [...(byCategory.get(p.qa.category ?? -1) ?? []), p]);
    const quotas = categoryQuotas(new Map([...byCategory].map(([k, v]) => [k, v.length])), perConversation);
    const picked = [...byCategory].flatMap(([category, list]) => spread(list, quotas.get(category) ?? 0));
    out.push(...picked.sort((a, b) => a.index - b.index));
  }
  return out;
}

/**
 * The uncompressed context a validator with a small window reads: the evidence sessions, then
 * their neighbours nearest first, while the total stays within `budget` tokens; in session order,
 * joined as the memory is. An evidence session that alone exceeds what is left is cut at a line
 * boundary (only when nothing else was taken, so the window is never empty).
 */
export function evidenceWindow(
  sessions: readonly SessionInfo[],
  evidence: readonly number[],
  count: (text: string) => number,
  budget: number,
): { text: string; sessions: number[]; truncated: boolean } {
  const byN = new Map(sessions.map((s) => [s.n, s]));
  const order: number[] = evidence.filter((n) => byN.has(n));
  const all = sessions.map((s) => s.n);
  for (let d = 1; d < all.length; d++)
    for (const e of evidence) for (const n of [e - d, e + d]) if (byN.has(n) && !order.includes(n)) order.push(n);
  const taken = new Map<number, string>();
  let used = 0;
  let truncated = false;
  for (const n of order) {
    const text = byN.get(n)?.text ?? '';
    const cost = count(text) + (taken.size ? 1 : 0);
    if (used + cost <= budget) {
      taken.set(n, text);
      used += cost;
    } else if (!taken.size) {
      const lines: string[] = [];
      for (const line of text.split('\n')) {
        if (count([...lines, line].join('\n')) > budget) break;
        lines.push(line);
      }
      taken.set(n, lines.join('\n'));
      used = count(lines.join('\n'));
      truncated = true;
    }
  }
  const kept = [...taken.keys()].sort((a, b) => a - b);
  return { text: kept.map((n) => taken.get(n)).join('\n\n'), sessions: kept, truncated };
}
