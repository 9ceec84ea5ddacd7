import { describe, expect, it } from 'vitest';
import { type JsonNode, jsonTreeSource } from '../util/json-source.ts';
import {
  alignLines,
  type Conversation,
  compressConversation,
  conversations,
  correctsEarlier,
  dateOf,
  isProse,
  placeLines,
  replacedWords,
} from './compress-json.ts';
import type { CompressResult } from './compress-types.ts';

describe('alignLines (a compressed list placed back on its facts)', () => {
  it('places each line on the fact whose words it keeps, in order, skipping the facts dropped', () => {
    const facts = [
      'Dana booked flights to Lisbon.',
      'Dana bought blue running shoes.',
      'Dana drinks no coffee after 2 pm.',
    ];
    expect(alignLines(['Dana booked Lisbon', 'Dana no coffee after 2 pm'], facts)).toEqual([0, 2]);
  });

  it('places a line two facts could hold on the one it keeps most of (review)', () => {
    // Greedily the first fact would take it, and its date with it: the second fact is the one kept.
    const facts = [
      'Dana moved to Lisbon in 2019 and then she moved to Porto in 2023.',
      'Dana moved to Porto in 2023 for a new job.',
      'Dana runs on Tuesdays.',
    ];
    expect(alignLines(['Dana moved to Porto in 2023'], facts)).toEqual([1]);
    // Two lines: the order decides.
    expect(alignLines(['Dana moved Porto 2023', 'Dana moved Porto 2023 job'], facts)).toEqual([0, 1]);
  });

  it('is null when there is no line or a line is no fact (a stage that rewrote)', () => {
    expect(alignLines([], ['Dana runs.'])).toBeNull();
    expect(alignLines(['Dana jogs'], ['Dana runs on Tuesdays.'])).toBeNull();
    expect(alignLines(['Dana runs', 'Dana runs'], ['Dana runs on Tuesdays.'])).toBeNull();
  });
});

describe('isProse (which strings the json-strings stage compresses)', () => {
  it('takes sentences, not names of sessions, titles or lists of names', () => {
    expect(isProse('Dana booked the flights to Lisbon for the half marathon.', 8)).toBe(true);
    expect(isProse('Session 3 (1:56 pm on 8 May, 2023)', 8)).toBe(false);
    expect(isProse('Helena Marsh, Jun Watanabe, Ana Pereira, Sam Okafor, Ife Okafor', 8)).toBe(false);
    expect(isProse('The Lord of the Rings: The Return of the King', 8)).toBe(false);
    expect(isProse('Dana runs on Tuesdays.', 8)).toBe(false);
  });
});

describe('correctsEarlier (a chat message that sets an earlier fact aside, review 3)', () => {
  it('finds what a contrast, "instead of" or "no longer" sets aside', () => {
    expect(replacedWords('From then on my address is Sopot, not Gdansk.')).toEqual(['gdansk']);
    expect(replacedWords("I'm pescatarian now, not vegetarian.")).toEqual(['vegetarian']);
    expect(replacedWords('We meet on Thursdays instead of Tuesdays.')).toEqual(['tuesdays']);
    // An instruction's "do not" sets nothing aside.
    expect(replacedWords('Please do not book it, just send me three options.')).toEqual([]);
  });

  it('is true only when the earlier message says what the later one sets aside', () => {
    const later = 'We moved: from now on my address is Sopot, not Gdansk.';
    expect(correctsEarlier(later, 'I live in Gdansk and work as a data engineer.')).toBe(true);
    expect(correctsEarlier(later, 'My budget for the laptop is 6,000 PLN.')).toBe(false);
  });
});

describe('compressConversation (a chat API messages array through the pruner, review 3)', () => {
  it('puts back whole a dropped message that corrects an earlier one kept, and drops the rest whole', async () => {
    const messages = [
      { role: 'system', content: 'You are Kai. Never share the calendar.' },
      { role: 'user', content: 'I live in Leeds and my manager is Hannah.' },
      { role: 'assistant', content: 'Noted: Leeds, manager Hannah.' },
      { role: 'user', content: 'Lovely weather today, we walked by the canal.' },
      { role: 'user', content: 'I switched teams, so my manager is Luis now, not Hannah.' },
    ];
    const source = jsonTreeSource(JSON.stringify(messages));
    const [conversation] = conversations(source?.root as JsonNode);
    expect(conversation?.roles).toEqual(['system', 'user', 'assistant', 'user', 'user']);
    // A pruner that kept the stale fact and dropped its correction (and the small talk).
    const pruned = 'User: I live in Leeds and my manager is Hannah.\nAssistant: Noted: Leeds, manager Hannah.';
    const replace = new Map<JsonNode, string>();
    const dropped = new Set<JsonNode>();
    const done = await compressConversation(
      conversation as Conversation,
      async () => ({ text: pruned, tokensBefore: 60, tokensAfter: 25 }) as CompressResult,
      replace,
      dropped,
    );
    expect(done?.outcome).toEqual({ dropped: [4], restored: [5], standing: 1 });
    expect([...dropped]).toEqual([conversation?.items[3]]);
    expect(replace.size).toBe(0);
  });

  it('never drops a tool call or its answer, and leaves a message of several lines to be compressed alone (review of session 29)', async () => {
    // Dropped, a tool's answer left its call without one (an API refuses that); joined into one line,
    // a message's code block came back flattened.
    const messages = [
      { role: 'user', content: 'What is the weather in Leeds tomorrow, and should I cycle to work?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function' }] },
      { role: 'tool', tool_call_id: 'c1', content: 'Sunny, 12 degrees, light wind from the west.' },
      { role: 'assistant', content: 'Sunny and 12 degrees tomorrow: a good day to cycle.' },
      { role: 'user', content: 'Please fix this really quickly:\n```py\ndef f(x):\n    return x + 1\n```' },
      { role: 'user', content: 'Thanks, that was all for today.' },
    ];
    const source = jsonTreeSource(JSON.stringify(messages));
    const [conversation] = conversations(source?.root as JsonNode);
    let dialogue = '';
    await compressConversation(
      conversation as Conversation,
      async (text) => {
        dialogue = text;
        return { text: text.split('\n')[0] as string, tokensBefore: 60, tokensAfter: 20 } as CompressResult;
      },
      new Map(),
      new Set(),
    );
    expect(dialogue.split('\n')).toEqual([
      'User: What is the weather in Leeds tomorrow, and should I cycle to work?',
      'Assistant: Sunny and 12 degrees tomorrow: a good day to cycle.',
      'User: Thanks, that was all for today.',
    ]);
  });

  it('reads no fact set aside in "no longer have" or ", not a problem" (review of session 29)', () => {
    expect(replacedWords('I no longer have time for the gym.')).toEqual([]);
    expect(replacedWords('Sure, not a problem at all.')).toEqual([]);
    expect(correctsEarlier('I no longer have time for the gym.', 'I have a dog and I go to the gym.')).toBe(false);
    expect(replacedWords('I no longer eat fish.')).toEqual(['eat']);
  });
});

describe('dated memories and joined turns (re-read of session 30)', () => {
  it('dates a record by its own time, not a date it is about', () => {
    const [mem0, task] = (jsonTreeSource(
      JSON.stringify([
        { memory: 'Moved to Milwaukie', created_at: '2025-01-19T17:42:36-08:00', updated_at: '2025-02-01T09:00:00Z' },
        { task: 'Renew the passport for Anna', due: '2026-01-15' },
      ]),
    )?.root.children ?? []) as JsonNode[];
    expect(dateOf(mem0 as JsonNode)).toBe('2025-02-01');
    expect(dateOf(task as JsonNode)).toBeNull();
  });

  it("places a line holding a speaker's turns one after another back on each turn", () => {
    const lines = ['User: I live in Leeds now.', 'Assistant: Noted.', 'User: My manager is Luis, not Hannah.'];
    // The assistant's turn went, and the user's second turn went on the first one's line.
    expect(placeLines(['User: live Leeds now. manager Luis, not Hannah.'], lines)).toEqual([
      'User: live Leeds now.',
      undefined,
      'manager Luis, not Hannah.',
    ]);
    expect(placeLines(['User: Paris.'], lines)).toBeNull();
  });
});
