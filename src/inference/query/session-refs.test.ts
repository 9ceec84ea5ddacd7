import { beforeAll, describe, expect, it } from 'vitest';
import { o200kCounter, type TokenCounter } from '../../tokenizers/o200k-counter.ts';
import { useMiniLMCompressor } from '../testing/minilm-compressor.ts';
import { parseMemory } from './memory-units.ts';
import { selectForQuery } from './select.ts';
import { namedSessions } from './session-refs.ts';

let count: TokenCounter;
beforeAll(async () => {
  count = await o200kCounter();
});

// Four sessions; Ann speaks in all of them, and the earlier ones say "said" and "conversation",
// the words a question about the last one uses.
const CHAT = [
  'Session 1 (10:00 am on 2 March, 2024): Ann and Bob',
  'Ann: My sister said the conversation with her landlord went badly, she has to move out by June.',
  'Bob: Oh no, that is rough. Is she looking for a flat near you?',
  'Ann: She said she wants something close to the station, so she can commute to the hospital.',
  'Bob: I hope she finds one soon, the rents there are crazy.',
  '',
  'Session 2 (6:30 pm on 15 March, 2024): Ann and Bob',
  'Ann: I said yes to the choir! We had a long conversation after rehearsal about the spring concert.',
  'Bob: Nice, when is the concert?',
  'Ann: On 20 April at the town hall, I sing alto in two pieces.',
  'Bob: I will be there, I said I would bring my parents too.',
  '',
  'Session 3 (9:15 am on 1 April, 2024): Ann and Bob',
  'Ann: Work said my transfer to the Leeds office is approved, I start there in May.',
  'Bob: Congratulations! That conversation with your manager paid off.',
  'Ann: It did, she said I earned it after the audit project.',
  '',
  'Session 4 (8:00 pm on 12 April, 2024): Ann and Bob',
  'Ann: We adopted a rescue greyhound this morning, her name is Pepper.',
  'Bob: Amazing! How old is Pepper?',
  'Ann: Four, she retired from racing and sleeps on the sofa all day.',
  'Bob: Bring her to the park on Sunday, my spaniel needs a friend.',
].join('\n');

const lastSession = ['Pepper', 'greyhound', 'sofa', 'spaniel'];

describe('a question naming a session by its place (found by use: "our last conversation" kept 1 of its 15 turns at 10x)', () => {
  it('keeps the last session when asked what was said in our last conversation', async () => {
    const r = await selectForQuery(CHAT, { query: 'What did Ann say in our last conversation?', budget: 90, count });
    for (const w of lastSession) expect(r.text, w).toContain(w);
    expect(r.text).toContain('Session 4');
  });

  it('keeps the session asked by its number, or by its place from the first', async () => {
    const third = await selectForQuery(CHAT, { query: 'What did we talk about in session 3?', budget: 70, count });
    expect(third.text).toContain('Leeds');
    expect(third.text).toContain('audit project');
    const first = await selectForQuery(CHAT, { query: 'What did Ann tell Bob in our first chat?', budget: 95, count });
    expect(first.text).toContain('landlord');
    expect(first.text).toContain('station');
  });

  describe('ranked with MiniLM, as the product runs', () => {
    const { compressor } = useMiniLMCompressor('session-refs');
    it('keeps the last session through compress()', async () => {
      const c = compressor('cache.db');
      try {
        const r = await c.compress(CHAT, {
          query: 'What did we talk about the last time we talked?',
          maxTokens: 90,
        });
        expect(r.strategy).toBe('select');
        for (const w of lastSession) expect(r.text, w).toContain(w);
      } finally {
        await c.dispose();
      }
    }, 300_000);
  });
});

describe('namedSessions', () => {
  const memory = parseMemory(CHAT);
  const named = (q: string) => namedSessions(memory, q).map((g) => /Session (\d+)/.exec(g.header ?? '')?.[1]);

  it('reads the last, the latest few, the first, an ordinal and a number', () => {
    expect(named('What did Ann say in our last conversation?')).toEqual(['4']);
    expect(named('What did we discuss in the most recent session?')).toEqual(['4']);
    expect(named('When we last spoke, what did Bob suggest?')).toEqual(['4']);
    expect(named('What did I tell you last time?')).toEqual(['4']);
    expect(named('What came up in our last two chats?')).toEqual(['3', '4']);
    expect(named('What did we talk about the first time we talked?')).toEqual(['1']);
    expect(named('What did Ann say in the second conversation?')).toEqual(['2']);
    expect(named('What happened in Session 3?')).toEqual(['3']);
  });

  it('orders sessions by their dates when an app writes the newest first', () => {
    const sessions = CHAT.split('\n\n').reverse().join('\n\n');
    const m = parseMemory(sessions);
    const last = namedSessions(m, 'What did Ann say in our last conversation?');
    expect(last.map((g) => g.header)).toEqual(['Session 4 (8:00 pm on 12 April, 2024): Ann and Bob']);
  });

  it("leaves alone an event's last time, someone's own session, a session not there, and a document", () => {
    expect(named('When was the last time Ann went to a concert?')).toEqual([]);
    expect(named('How did Ann feel after her last session with the physio?')).toEqual([]);
    expect(named('What did the therapist say in the last session of the course?')).toEqual([]);
    expect(named('What happened in session 9?')).toEqual([]);
    const doc = parseMemory(
      '# Notes\n\nThe last session of the workshop covers testing.\n\nThe first session covers setup.',
    );
    expect(namedSessions(doc, 'What does the last session cover?')).toEqual([]);
  });
});
