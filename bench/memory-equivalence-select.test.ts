import { describe, expect, it } from 'vitest';
import {
  type ConversationInfo,
  categoryQuotas,
  evidenceSessions,
  evidenceWindow,
  type LocomoQa,
  pickQuestions,
  pickSessions,
  roundRobin,
  type SessionInfo,
  spread,
} from './memory-equivalence-select.ts';

const qa = (n: number, category: number, answer?: string): LocomoQa => ({
  question: `q about session ${n}?`,
  ...(answer === undefined ? {} : { answer }),
  evidence: [`D${n}:1`],
  category,
});

/** Session n carries n probeable QA (category 1), one adversarial (5, no answer) and one temporal (3). */
function conversation(id: string, sessions: number): ConversationInfo {
  const list: SessionInfo[] = Array.from({ length: sessions }, (_, i) => {
    const n = i + 1;
    return {
      n,
      text: `Session ${n}\n${'word '.repeat(10 * n).trim()}`,
      qa: [qa(n, 5), qa(n, 3, 'x'), ...Array.from({ length: n }, (_, k) => qa(n, 1, `a${n}.${k}`))],
    };
  });
  return { id, sessions: list, qa: list.flatMap((s) => s.qa) };
}

describe('the memory-equivalence choices', () => {
  it('spreads k picks over the middle of k equal strata, in order, and takes all when k >= n', () => {
    expect(spread([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 4)).toEqual([1, 3, 6, 8]);
    expect(spread([0, 1, 2], 1)).toEqual([1]);
    expect(spread([0, 1, 2], 5)).toEqual([0, 1, 2]);
    expect(spread([0, 1, 2], 0)).toEqual([]);
  });

  it('takes one item of each group in turn, groups in first-seen order', () => {
    const items = ['a1', 'a2', 'a3', 'b1', 'c1', 'c2'];
    expect(roundRobin(items, (s) => s[0] as string)).toEqual(['a1', 'b1', 'c1', 'a2', 'c2', 'a3']);
    expect(roundRobin([], (s: string) => s)).toEqual([]);
  });

  it('reads evidence session numbers once each', () => {
    expect(evidenceSessions({ question: 'q', evidence: ['D3:1', 'D3:7', 'D10:2', 'bogus'] })).toEqual([3, 10]);
  });

  it('picks sessions per conversation among those with enough probeable QA, with exactly that many probes', () => {
    const picks = pickSessions([conversation('c1', 10), conversation('c2', 4)], 2, 3);
    // c1: sessions 3..10 are eligible (8), spread 2 -> indices 2 and 6 -> sessions 5 and 9.
    expect(picks.map((p) => `${p.conversation}:${p.session.n}`)).toEqual(['c1:5', 'c1:9', 'c2:3', 'c2:4']);
    for (const p of picks) {
      expect(p.qa).toHaveLength(3);
      expect(p.qa.every((q) => q.category === 1 && q.answer !== undefined)).toBe(true);
    }
  });

  it('picks questions spread over each conversation, probeable ones only, with stable indices', () => {
    const c = conversation('c1', 4);
    const picks = pickQuestions([c], 3);
    expect(picks).toHaveLength(3);
    for (const p of picks) {
      expect(c.qa[p.index]).toBe(p.qa);
      expect([1, 2, 4]).toContain(p.qa.category);
    }
    expect(picks.map((p) => p.index)).toEqual([...picks.map((p) => p.index)].sort((a, b) => a - b));
  });

  it('shares the picks evenly among categories 1, 2 and 4, the remainder to the largest, a short one giving its share away', () => {
    expect(
      categoryQuotas(
        new Map([
          [1, 30],
          [2, 25],
          [4, 90],
          [5, 40],
        ]),
        10,
      ),
    ).toEqual(
      new Map([
        [1, 3],
        [2, 3],
        [4, 4],
      ]),
    );
    expect(
      categoryQuotas(
        new Map([
          [1, 1],
          [2, 20],
          [4, 20],
        ]),
        10,
      ),
    ).toEqual(
      new Map([
        [1, 1],
        [2, 5],
        [4, 4],
      ]),
    );
    expect(categoryQuotas(new Map([[1, 2]]), 10)).toEqual(
      new Map([
        [1, 2],
        [2, 0],
        [4, 0],
      ]),
    );
  });

  it('picks each category share spread over that category, the picks in list order', () => {
    // 30 QA in session 1: categories cycle 1, 2, 4, 4, 5 (5 has no answer, so it is never probeable).
    const cats = [1, 2, 4, 4, 5];
    const list = Array.from({ length: 30 }, (_, i) => qa(1, cats[i % 5] as number, i % 5 === 4 ? undefined : `a${i}`));
    const c: ConversationInfo = { id: 'c', sessions: [{ n: 1, text: 'Session 1', qa: list }], qa: list };
    const picks = pickQuestions([c], 10);
    const count = (k: number) => picks.filter((p) => p.qa.category === k).length;
    expect([count(1), count(2), count(4)]).toEqual([3, 3, 4]);
    // Category 1 sits at indices 0, 5, ..., 25 (6 of them): 3 spread -> the 2nd, 4th and 6th.
    expect(picks.filter((p) => p.qa.category === 1).map((p) => p.index)).toEqual([5, 15, 25]);
    expect(picks.map((p) => p.index)).toEqual([...picks.map((p) => p.index)].sort((a, b) => a - b));
    expect(pickQuestions([c], 10)).toEqual(picks);
  });

  it('builds a window of the evidence sessions and their nearest neighbours within the budget, in order', () => {
    const sessions = conversation('c', 6).sessions;
    const words = (t: string) => t.split(/\s+/).filter(Boolean).length;
    // Session n costs 10n + 2 words: 4 (42) + 3 (32) + 5 (52) = 126 fit in 130; 2 (22) would not.
    const w = evidenceWindow(sessions, [4], words, 130);
    expect(w.sessions).toEqual([3, 4, 5]);
    expect(w.truncated).toBe(false);
    expect(w.text.startsWith('Session 3\n')).toBe(true);
    expect(words(w.text)).toBeLessThanOrEqual(130);
  });

  it('cuts a lone evidence session that exceeds the budget at a line, never leaving the window empty', () => {
    const big: SessionInfo = { n: 1, text: ['Session 1', 'a b c', 'd e f', 'g h i'].join('\n'), qa: [] };
    const words = (t: string) => t.split(/\s+/).filter(Boolean).length;
    const w = evidenceWindow([big], [1], words, 6);
    expect(w).toEqual({ text: 'Session 1\na b c', sessions: [1], truncated: true });
  });
});
