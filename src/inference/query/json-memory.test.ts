import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureMiniLM } from '../../embeddings/minilm.ts';
import { o200kCounter, type TokenCounter } from '../../tokenizers/o200k-counter.ts';
import { useMiniLMCompressor } from '../testing/minilm-compressor.ts';
import { createEmbeddingStore, type EmbeddingStore } from './embedding-store.ts';
import { parseJsonMemory, parseYamlMemory, selectJson } from './json-memory.ts';
import { CATALOG } from './review-memories.ts';

// Seen with `studio compress --query` on an app's memory kept as JSON: the text went to the code
// path, which minified it and said the query was not used; nothing was selected (21 % fewer tokens
// whatever the ratio asked).
const MEMORY = JSON.stringify(
  {
    user_profile: {
      name: 'Dana Okafor',
      city: 'Lisbon',
      allergies: ['peanuts', 'shellfish'],
      diet: 'vegetarian since 2019',
    },
    memories: [
      { date: '2025-03-01', text: 'Dana booked flights to Lisbon for the half marathon on 12 October.' },
      { date: '2025-03-02', text: "Dana's new running shoes are the blue Pegasus ones." },
      { date: '2025-03-05', text: 'Dana does not drink coffee after 2 pm because it keeps her awake.' },
      { date: '2025-03-09', text: "Dana's sister Ife is visiting from Lagos in April." },
      { date: '2025-03-12', text: 'Dana prefers window seats and always travels with a carry-on only.' },
    ],
  },
  null,
  2,
);

let count: TokenCounter;
beforeAll(async () => {
  count = await o200kCounter();
});

describe('parseJsonMemory', () => {
  it("reads an object's fields and a list's items as records, a list of short values as one", () => {
    const m = parseJsonMemory(MEMORY);
    // A field of a named object reads with its name (review: eight servers' "ip" were alike), and a
    // key as its words ("user_profile" as "user profile", "bloodType" as "blood Type").
    expect(m?.records.map((r) => r.line.slice(0, r.line.indexOf(':')))).toEqual([
      'user profile name',
      'user profile city',
      'user profile allergies',
      'user profile diet',
      ...Array(5).fill('memories'),
    ]);
    expect(m?.records[2]?.line).toBe('user profile allergies: peanuts, shellfish');
    expect(
      parseJsonMemory('{"medical": {"bloodType": "0+", "doctor": "Dr. Rossi", "allergies": ["penicillin"]}}')
        ?.records[0]?.line,
    ).toBe('medical blood Type: 0+');
    expect(m?.records[6]?.line).toBe(
      'memories: date: 2025-03-05; text: Dana does not drink coffee after 2 pm because it keeps her awake.',
    );
    // A list of sentences: one record an item.
    expect(
      parseJsonMemory('["Dana is vegetarian.", "Dana lives in Lisbon.", "Dana runs on Tuesdays."]')?.records,
    ).toHaveLength(3);
  });

  it('is null for what is no JSON memory: prose, broken JSON, too few records', () => {
    expect(parseJsonMemory('Dana is vegetarian. She lives in Lisbon.')).toBeNull();
    expect(parseJsonMemory(MEMORY.slice(0, -20))).toBeNull();
    expect(parseJsonMemory('{"a": 1, "b": 2}')).toBeNull();
    expect(parseJsonMemory('["peanuts", "shellfish", "kiwi"]')).toBeNull();
  });
});

describe('selectJson', () => {
  it('keeps the records the query needs, as written and in place, as JSON within the budget', async () => {
    const memory = parseJsonMemory(MEMORY);
    if (!memory) throw new Error('no memory');
    for (const budget of [40, 60, 90]) {
      const r = await selectJson(memory, { query: 'Does Dana drink coffee in the evening?', budget, count });
      expect(count(r.text), `${budget}`).toBeLessThanOrEqual(budget);
      const kept = JSON.parse(r.text) as { memories?: { text: string }[]; user_profile?: Record<string, unknown> };
      expect(kept.memories?.map((m) => m.text)).toContain(
        'Dana does not drink coffee after 2 pm because it keeps her awake.',
      );
      // Each kept record is its original, in its original order.
      const all = JSON.parse(MEMORY) as { memories: unknown[] };
      const at = (kept.memories ?? []).map((m) =>
        all.memories.findIndex((o) => JSON.stringify(o) === JSON.stringify(m)),
      );
      expect(at.every((k) => k >= 0)).toBe(true);
      expect([...at].sort((a, b) => a - b)).toEqual(at);
      expect(r.kept).toBeLessThan(r.records);
    }
    // A larger budget holds more records, each the same as written. (The question names the city's
    // key: no dense model here, and "Where does Dana live?" matched no record's words.)
    const small = await selectJson(memory, { query: 'Which city does Dana live in?', budget: 30, count });
    const large = await selectJson(memory, { query: 'Which city does Dana live in?', budget: 120, count });
    expect(large.kept).toBeGreaterThan(small.kept);
    expect(JSON.parse(small.text)).toMatchObject({ user_profile: { city: 'Lisbon' } });
  });

  it('writes numbers and strings as they were: no record rewritten by a round trip through JSON.parse', async () => {
    const doc = `{
  "events": [
    {"id": 12345678901234567890, "price": 1.50, "text": "Dana paid for the race entry at the club desk."},
    {"id": 12345678901234567891, "price": 2e3, "text": "Dana booked the flights to Lisbon in March."},
    {"id": 12345678901234567892, "price": 0.10, "text": "Sam lent Dana a rain jacket \\u00e9t\\u00e9 style."}
  ]
}`;
    const memory = parseJsonMemory(doc);
    if (!memory) throw new Error('no memory');
    const r = await selectJson(memory, { query: 'What did Dana pay for the race entry?', budget: 45, count });
    expect(r.text).toContain(
      '{"id":12345678901234567890,"price":1.50,"text":"Dana paid for the race entry at the club desk."}',
    );
    expect(r.text.startsWith('{"events":[')).toBe(true);
    expect(() => JSON.parse(r.text)).not.toThrow();
  });

  it("keeps with a list's item the fields beside its list: a session's date over its facts", async () => {
    const doc = JSON.stringify({
      sessions: [
        {
          date: '8 May 2023',
          facts: [
            'Caroline went to an LGBTQ support group meeting.',
            'Melanie is planning a camping trip with her kids.',
            'Caroline is thinking about a career in counseling.',
          ],
        },
        {
          date: '25 May 2023',
          facts: [
            'Melanie painted a lake sunrise and calls it her favourite painting.',
            'Caroline had a birthday party with a chocolate cake.',
            'Melanie took the kids to the beach again.',
          ],
        },
      ],
    });
    const memory = parseJsonMemory(doc);
    if (!memory) throw new Error('no memory');
    for (const budget of [35, 50, 70]) {
      const r = await selectJson(memory, { query: 'When did Melanie paint the lake sunrise?', budget, count });
      expect(count(r.text)).toBeLessThanOrEqual(budget);
      const kept = JSON.parse(r.text) as { sessions: { date?: string; facts?: string[] }[] };
      const sunrise = kept.sessions.find((s) => s.facts?.some((f) => f.includes('sunrise')));
      expect(sunrise?.date, `${budget}`).toBe('25 May 2023');
      // No date stands without a fact of its session: it is kept with them, never alone.
      for (const s of kept.sessions) expect(s.facts?.length, `${budget}`).toBeGreaterThan(0);
    }
  });

  it('keeps a memory with nested fields as one record (mem0-style), with its id and date (review)', async () => {
    const doc = JSON.stringify({
      results: [
        {
          id: 'a1',
          memory: 'Dana runs the Lisbon half marathon on 12 October.',
          metadata: { source: 'chat' },
          created_at: '2025-03-01',
        },
        {
          id: 'a2',
          memory: 'Dana does not drink coffee after 2 pm.',
          metadata: { source: 'chat' },
          created_at: '2025-03-05',
        },
        {
          id: 'a3',
          memory: "Dana's sister Ife visits from Lagos in April.",
          metadata: { source: 'email' },
          created_at: '2025-03-09',
        },
      ],
    });
    const memory = parseJsonMemory(doc);
    expect(memory?.records).toHaveLength(3);
    if (!memory) throw new Error('no memory');
    const r = await selectJson(memory, { query: 'When is the marathon?', budget: 40, count });
    expect(JSON.parse(r.text)).toEqual({
      results: [
        {
          id: 'a1',
          memory: 'Dana runs the Lisbon half marathon on 12 October.',
          metadata: { source: 'chat' },
          created_at: '2025-03-01',
        },
      ],
    });
    // A byte-order mark before it changes nothing.
    expect(parseJsonMemory(`\uFEFF${doc}`)?.records).toHaveLength(3);
  });

  it('hands a memory back whole, not empty, when its selection cannot be written back (review)', async () => {
    const yaml = 'memories:\n- Dana booked flights to Lisbon.\n- Dana is vegetarian.\n- Miso hides under the bed.\n';
    const memory = parseYamlMemory(yaml);
    if (!memory) throw new Error('no memory');
    const r = await selectJson({ ...memory, emit: () => null }, { query: 'Where does Miso hide?', budget: 15, count });
    expect(r).toMatchObject({ text: yaml, unwritable: true, kept: 3 });
  });

  it('telegraphic (query.style): the strings of records past the verbatim share lose their small words', async () => {
    const memory = parseJsonMemory(MEMORY);
    if (!memory) throw new Error('no memory');
    const query = 'Does Dana drink coffee in the evening?';
    const plain = await selectJson(memory, { query, budget: 90, count });
    const short = await selectJson(memory, { query, budget: 90, count, style: 'telegraphic' });
    expect(count(short.text)).toBeLessThanOrEqual(90);
    expect(short.kept).toBeGreaterThanOrEqual(plain.kept);
    const kept = JSON.parse(short.text) as { memories: { date: string; text: string }[] };
    // The best record as written, even past the verbatim share (review: the answer came back
    // shortened while the note said only records below the best were).
    expect(kept.memories.find((m) => m.date === '2025-03-05')?.text).toBe(
      'Dana does not drink coffee after 2 pm because it keeps her awake.',
    );
    // The others: names, numbers and dates stay; keys and dates as written.
    expect(kept.memories.find((m) => m.date === '2025-03-01')?.text).toBe(
      'Dana booked flights Lisbon half marathon 12 October',
    );
  });

  it('telegraphic: a date or time value stays as written, in every record (review: one array in two formats)', async () => {
    const facts = Array.from({ length: 12 }, (_, k) => ({
      fact: `Melanie made a ${['bowl', 'vase', 'mug', 'plate'][k % 4]} in her pottery class number ${k + 1} with the group`,
      date: `1:56 pm on ${k + 1} May, 2023`,
    }));
    const memory = parseJsonMemory(JSON.stringify(facts, null, 1));
    if (!memory) throw new Error('no memory');
    const r = await selectJson(memory, {
      query: 'What pottery did Melanie make?',
      budget: 150,
      count,
      style: 'telegraphic',
    });
    const kept = JSON.parse(r.text) as { fact: string; date: string }[];
    expect(kept.length).toBeGreaterThan(2);
    for (const f of kept) expect(f.date).toMatch(/^1:56 pm on \d+ May, 2023$/);
    // Its prose is still shortened past the best records.
    expect(kept.some((f) => !f.fact.includes(' in her '))).toBe(true);
  });

  it("keeps a chat export's message whole, with its user and time, though it holds lists of its own (review)", async () => {
    // Review: a Slack export was read into each message's `blocks` (the text again, as rich-text
    // parts), and the kept messages lost their `text`, `user` and `ts`.
    const said = [
      ['U1', 'Dana', 'anyone seen the new standup time?'],
      ['U2', 'Marcus', "Bad news, I'm not going to make the Berlin offsite. My visa didn't come through."],
      ['U3', 'Priya', 'Finance confirmed the new AWS cap of 14,500 a month.'],
      ['U1', 'Dana', 'heading out for lunch, back in 30'],
      ['U4', 'Tom', 'left my charger in room B if anyone sees it'],
      ['U3', 'Priya', 'who is bringing snacks to the offsite?'],
    ];
    const messages = said.map(([user, name, text], k) => ({
      type: 'message',
      text,
      user,
      ts: `17240585${k}4.796414`,
      user_profile: { real_name: name },
      blocks: [{ type: 'rich_text', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text }] }] }],
    }));
    const memory = parseJsonMemory(JSON.stringify(messages));
    if (!memory) throw new Error('no memory');
    expect(memory.records).toHaveLength(said.length);
    const r = await selectJson(memory, {
      query: 'Who is not coming to the Berlin offsite and why?',
      budget: 150,
      count,
    });
    const kept = JSON.parse(r.text) as (typeof messages)[number][];
    const marcus = kept.find((m) => m.user === 'U2');
    expect(marcus).toEqual(messages[1]);
  });

  it('finds one named object among many alike, read with its name, and its other fields with it (review)', async () => {
    const names = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta'];
    const servers = JSON.stringify(
      {
        servers: Object.fromEntries(
          names.map((n, i) => [
            n,
            { ip: `10.0.0.${i + 1}`, role: i === 3 ? 'kafka broker' : `service ${i}`, os: 'Ubuntu 22.04', ram_gb: 16 },
          ]),
        ),
      },
      null,
      2,
    );
    const memory = parseJsonMemory(servers);
    // A server is one record, read with its name (a list keyed by name): its IP beside its role.
    expect(memory?.records.find((r) => r.line.startsWith('servers: theta'))?.line).toBe(
      'servers: theta: ip: 10.0.0.8; role: service 7; os: Ubuntu 22.04; ram gb: 16',
    );
    const r = await selectJson(memory as NonNullable<typeof memory>, {
      query: 'What is the IP address of server theta?',
      budget: Math.floor(count(servers) * 0.15),
      count,
    });
    expect(r.text).toContain('"theta":{"ip":"10.0.0.8"');
    // Two hops, the role to its server's IP (review: the role was found, not the IP beside it).
    const kafka = await selectJson(memory as NonNullable<typeof memory>, {
      query: 'What is the IP address of the kafka server?',
      budget: Math.floor(count(servers) * 0.15),
      count,
    });
    expect(kafka.text).toContain('"delta":{"ip":"10.0.0.4","role":"kafka broker"');
  });

  it("reads a ChatGPT export's conversation by its messages, keyed by id, with the conversation's title (review)", async () => {
    // Review: a conversation was one record, kept whole at four times the budget asked.
    const said: [string, string, string][] = [
      [
        'Japan trip',
        'user',
        "I'm planning a trip to Japan in April, flying into Osaka (KIX) on April 3 and out of Tokyo Narita on April 15.",
      ],
      ['Japan trip', 'assistant', 'Great! Twelve days lets you see Kyoto, Nara and the Japanese Alps before Tokyo.'],
      ['Japan trip', 'user', 'I would rather skip Hiroshima this time; I went there in 2019.'],
      ['Japan trip', 'assistant', 'Then spend the extra days in Kanazawa and Takayama instead.'],
      ['Sourdough', 'user', 'My sourdough starter smells like acetone. Is it dead?'],
      ['Sourdough', 'assistant', 'No, it is hungry: feed it twice a day at a 1:5:5 ratio for three days.'],
      ['Sourdough', 'user', 'It doubled in six hours after two days of feeding.'],
    ];
    const conversations = ['Japan trip', 'Sourdough'].map((title) => {
      const turns = said.filter(([t]) => t === title);
      const ids = turns.map((_, k) => `${title.slice(0, 4)}-${k}`);
      return {
        title,
        create_time: 1706000000.5,
        mapping: Object.fromEntries(
          turns.map(([, role, text], k) => [
            ids[k],
            {
              id: ids[k],
              message: { id: ids[k], author: { role, name: null }, content: { content_type: 'text', parts: [text] } },
              parent: k ? ids[k - 1] : null,
              children: k + 1 < ids.length ? [ids[k + 1]] : [],
            },
          ]),
        ),
        moderation_results: [],
      };
    });
    const text = JSON.stringify(conversations, null, 2);
    const memory = parseJsonMemory(text);
    if (!memory) throw new Error('no memory');
    // One record a message, none for an empty list.
    expect(memory.records).toHaveLength(said.length);
    const budget = 120;
    const r = await selectJson(memory, {
      query: 'Which airport do I fly out of at the end of the Japan trip?',
      budget,
      count,
    });
    expect(r.overBudget).toBe(false);
    expect(count(r.text)).toBeLessThanOrEqual(budget);
    const kept = JSON.parse(r.text) as { title: string; mapping: Record<string, { message: unknown }> }[];
    const japan = kept.find((c) => c.title === 'Japan trip');
    // The message with the answer, whole, under its conversation's title and time.
    expect(japan?.mapping['Japa-0']).toEqual(conversations[0]?.mapping['Japa-0']);
    expect(japan).toMatchObject({ create_time: 1706000000.5 });
    expect(r.text).toContain('"create_time":1706000000.5');
  });

  it('keeps a record that holds whatever the question first: an allergy, an instruction (review)', async () => {
    const memories = [
      ...Array.from({ length: 30 }, (_, k) => ({
        id: `m-${k}`,
        memory: `User went to concert number ${k + 1} in Leeds with friends.`,
      })),
    ];
    memories.splice(12, 0, { id: 'm-allergy', memory: 'User is allergic to penicillin and to peanuts.' });
    memories.splice(25, 0, { id: 'm-rule', memory: 'Always answer the user in Spanish.' });
    const memory = parseJsonMemory(JSON.stringify(memories));
    if (!memory) throw new Error('no memory');
    const r = await selectJson(memory, { query: 'Recommend a restaurant in Leeds for Saturday', budget: 200, count });
    expect(r.text).toContain('"m-allergy"');
    expect(r.text).toContain('"m-rule"');
  });

  it('keeps an allergy for a question about eating, not for any question; an instruction always (review 4, F-22)', async () => {
    // Review 4: in a Mem0 export, "Where does Cilla live now?" kept a kitten's chicken allergy and the
    // user's penicillin allergy, in 13 of 21 selections, at a budget that lost the answer.
    const memories = Array.from({ length: 30 }, (_, k) => ({
      id: `m-${k}`,
      memory: `User went to concert number ${k + 1} in Leeds with friends.`,
    }));
    memories.splice(8, 0, { id: 'm-move', memory: 'User moved to a flat in Sheffield in May 2025.' });
    memories.splice(12, 0, { id: 'm-allergy', memory: 'User is allergic to penicillin and to peanuts.' });
    memories.splice(25, 0, { id: 'm-rule', memory: 'Always answer the user in Spanish.' });
    const memory = parseJsonMemory(JSON.stringify(memories));
    if (!memory) throw new Error('no memory');
    const home = await selectJson(memory, { query: 'Which city did the user move to?', budget: 120, count });
    expect(home.text).toContain('"m-move"');
    expect(home.text).toContain('"m-rule"');
    expect(home.text).not.toContain('"m-allergy"');
    const dinner = await selectJson(memory, { query: 'Which dish should I cook for the user?', budget: 120, count });
    expect(dinner.text).toContain('"m-allergy"');
  });

  it('reads into a value of a list keyed by name that holds sections of its own: a field answers (review)', async () => {
    // Review: each user was one record, and "What is Bob's zip code?" came back as Bob's whole profile, over the budget.
    const person = (name: string, zip: string) => ({
      name,
      address: { street: `${name} Street 4`, city: 'Chicago', zip },
      preferences: { food: 'thai', music: 'jazz' },
      employer: { name: 'Acme', since: 2019 },
    });
    const users = JSON.stringify({
      users: { alice: person('Alice', '60601'), bob: person('Bob', '60614'), carol: person('Carol', '60622') },
    });
    const memory = parseJsonMemory(users);
    if (!memory) throw new Error('no memory');
    const r = await selectJson(memory, { query: "What is Bob's zip code?", budget: 40, count });
    expect(r.overBudget).toBe(false);
    expect(count(r.text)).toBeLessThanOrEqual(40);
    expect(r.text).toContain('"bob":{');
    expect(r.text).toContain('"60614"');
  });

  it("keeps an item's identifying fields with any part of it kept, so it reads as no other item (review)", async () => {
    // Review: on support tickets, "What is Harriet's current VAT number?" at 0.2 kept
    // {"customer":{"name":"Harriet Okafor"}} with no ticket_id: a ticket of hers, which one unsaid.
    const message = (from: string, body: string) => ({ from, at: '2025-02-03T07:55:00Z', body });
    const tickets = JSON.stringify(
      [
        {
          ticket_id: 'TCK-48213',
          customer: { name: 'Harriet Okafor', email: 'h.okafor@brightlane.io', plan: 'Business', seats: 42 },
          subject: 'Invoices show the wrong VAT number',
          status: 'closed',
          messages: [
            message('customer', 'Our invoices show the VAT number GB 293 4471 02 of our old entity.'),
            message('agent:Tomas', 'I have updated the VAT number on the account to GB 318 0925 77.'),
          ],
        },
        {
          ticket_id: 'TCK-48877',
          customer: { name: 'Harriet Okafor', email: 'h.okafor@brightlane.io', plan: 'Business', seats: 42 },
          subject: 'SSO login loop for users in the Dublin office',
          status: 'open',
          messages: [
            message('customer', 'About 15 users in the Dublin office get stuck in a redirect loop.'),
            message('agent:Priya', 'Temporary passwords for contractors need approval from a workspace admin.'),
          ],
        },
        {
          ticket_id: 'TCK-49350',
          customer: { name: 'Aiko Tanaka', email: 'aiko.tanaka@kumo-labs.jp', plan: 'Enterprise', seats: 310 },
          subject: 'Data residency question for the Osaka subsidiary',
          status: 'escalated',
          messages: [message('customer', 'Can our backups stay in Japan only?')],
        },
      ],
      null,
      2,
    );
    const memory = parseJsonMemory(tickets);
    if (!memory) throw new Error('no memory');
    for (const query of ["What is Harriet's current VAT number?", 'Who approves temporary passwords for Dublin?'])
      for (let budget = 20; budget <= 200; budget += 20) {
        const r = await selectJson(memory, { query, budget, count });
        const kept = JSON.parse(r.text) as Record<string, unknown>[];
        for (const item of kept) expect(item, `${query} ${budget}: ${r.text}`).toHaveProperty('ticket_id');
      }
  });

  it('keeps with a record the value its comment names by its path (review 4, F-15)', async () => {
    // Review 4: `replicaCount: 4 # ignored while autoscaling.enabled is true` was kept, and
    // `autoscaling.enabled` was not: the output read as four replicas.
    const yaml = [
      'logging:',
      '  level: info',
      '  format: json',
      'database:',
      '  host: db.internal',
      '  poolSize: 20',
      'maintenance:',
      '  bypassCache: true',
      '  window: sundays 02:00-04:00',
      'cache:',
      '  backend: redis',
      '  ttlSeconds: 300   # how long entries live; ignored while maintenance.bypassCache is true',
      'workers:',
      '  count: 8',
      '  queue: default',
      '',
    ].join('\n');
    const memory = parseYamlMemory(yaml);
    if (!memory) throw new Error('no memory');
    const r = await selectJson(memory, { query: 'What is the cache TTL in seconds?', budget: 30, count });
    expect(r.text).toContain('ttlSeconds: 300   # how long');
    expect(r.text).toMatch(/maintenance:\n {2}bypassCache: true\ncache:\n/);
    expect(r.text).not.toContain('window');
    // A dotted word that is no key path of the document ("db.internal") brings nothing.
    const host = await selectJson(memory, { query: 'Which host is the database on?', budget: 12, count });
    expect(host.text).toBe('database:\n  host: db.internal\n');
  });

  it("keeps with an object's field the object's switch (review 4, F-15)", async () => {
    // Review 4: `autoscaling:` came back with `minReplicas` and `maxReplicas`, without `enabled: true`.
    const yaml = [
      'features:',
      '  search:',
      '    enabled: false',
      '    engine: opensearch',
      '    replicas: 3',
      '    indexPrefix: prod-',
      '  billing:',
      '    enabled: true',
      '    provider: adyen',
      '    currency: EUR',
      'logging:',
      '  level: info',
      '  format: json',
      '',
    ].join('\n');
    const memory = parseYamlMemory(yaml);
    if (!memory) throw new Error('no memory');
    const r = await selectJson(memory, { query: 'Which engine does search run on?', budget: 16, count });
    expect(r.text).toBe('features:\n  search:\n    enabled: false\n    engine: opensearch\n');
  });

  it("reads a YAML setting with its comment, and a config's top-level value as a record (review 4)", async () => {
    // Review 4: a Helm chart's records were ranked without their comments, which say what a value
    // means (a question may name only them), and `replicaCount: 4`, a top-level value beside the
    // sections, was no record of its own: it was kept only beside each of the `cronjobs`.
    const yaml = [
      'server:',
      '  host: 0.0.0.0',
      '  port: 8080',
      'timeouts:',
      '  read: 30s',
      '  write: 30s     # raised from 10s: large exports were cut off (INC-2291)',
      '  idle: 120s',
      'workerThreads: 16',
      'jobs:',
      '  - name: cleanup',
      '    schedule: "0 3 * * *"',
      '  - name: report',
      '    schedule: "0 6 * * 1"',
      '  - name: backup',
      '    schedule: "0 1 * * *"',
      'logging:',
      '  level: info',
      '  format: json',
      '',
    ].join('\n');
    const memory = parseYamlMemory(yaml);
    if (!memory) throw new Error('no memory');
    const why = await selectJson(memory, { query: 'Why were large exports cut off?', budget: 24, count });
    expect(why.text).toContain('write: 30s     # raised from 10s');
    expect(why.text).not.toContain('idle');
    const threads = await selectJson(memory, { query: 'How many worker threads are there?', budget: 12, count });
    expect(threads.text).toBe('workerThreads: 16\n');
  });

  it("ranks a YAML file's opening comment a sentence at a time, as its records (review 4, F-23)", async () => {
    // Review 4: a Helm file's opening comment ("Last change: ... raised HPA max from 12 to 20") was
    // kept in every selection, 62 of a 154-token budget, whatever the question asked.
    const yaml = [
      '# Values for the billing worker, production.',
      '# Owner: payments team. Changes need a second reviewer.',
      '# Last change: 2026-10-02, moved the queue from RabbitMQ',
      '# to SQS after the October outage.',
      '',
      'queue:',
      '  backend: sqs',
      '  visibilityTimeout: 300',
      'database:',
      '  host: db.internal',
      '  poolSize: 20',
      'logging:',
      '  level: info',
      '  format: json',
      '',
    ].join('\n');
    const memory = parseYamlMemory(yaml);
    if (!memory) throw new Error('no memory');
    const pool = await selectJson(memory, { query: 'How large is the database pool?', budget: 14, count });
    expect(pool.text).toBe('database:\n  poolSize: 20\n');
    // A question the comment answers keeps its sentence, wrapped over two lines, and not the others.
    const why = await selectJson(memory, { query: 'Why was the queue moved to SQS?', budget: 50, count });
    expect(why.text).toMatch(
      /^# Last change: 2026-10-02, moved the queue from RabbitMQ\n# to SQS after the October outage\.\n\nqueue:/,
    );
    expect(why.text).not.toContain('Owner');
  });

  it('keeps the best record when it alone is over the budget, and says so', async () => {
    const memory = parseJsonMemory(MEMORY);
    if (!memory) throw new Error('no memory');
    const r = await selectJson(memory, { query: 'What did Dana say about coffee?', budget: 5, count });
    expect(r.kept).toBe(1);
    expect(r.overBudget).toBe(true);
    expect(r.text).toContain('coffee');
  });
});

describe("a shop's catalog (review 2)", () => {
  let store: EmbeddingStore;
  beforeAll(async () => {
    store = createEmbeddingStore({ modelPath: await ensureMiniLM(), dbPath: null });
  }, 600_000);
  afterAll(() => store.dispose());
  const memory = () => parseJsonMemory(CATALOG) as NonNullable<ReturnType<typeof parseJsonMemory>>;
  /** As `studio compress --query ... --ratio`: the learned ranker, telegraphic, the budget a share of the memory. */
  const select = (query: string, ratio: number) =>
    selectJson(memory(), { query, store, budget: Math.floor(ratio * count(CATALOG)), count, style: 'telegraphic' });

  it('ranks a variant with the name of the product it stands in', async () => {
    // Review: the 4S tent (stock 3), the only record naming Skarvet, was kept; the orange variant of
    // the 2-person tent, stock 0 and a restock date, was not.
    const line = memory().records.find((r) => r.line.includes('FG-TENT-2P-ORG'))?.line;
    expect(line).toMatch(/^name: Skarvet 2-person tent; (?:products )?variants: /);
    for (const ratio of [0.1, 0.2]) {
      const r = await select('Is the orange Skarvet 2-person tent in stock, and if not when?', ratio);
      expect(r.text, `${ratio}`).toContain('"restock_date":"2024-12-10"');
      expect(r.text, `${ratio}`).not.toContain('FG-TENT-4S');
    }
  }, 60_000);

  it('says what it left out of a list or an object partly kept, and keeps an object whole or not at all', async () => {
    // Review: at 0.1 one of the sleeping bag's two variants went silently; at 0.2 a `shipping` object
    // was kept without its `free_over`.
    const tight = await select('Is the Lavvo sleeping bag vegan?', 0.1);
    const variants = (JSON.parse(tight.text) as { products: { variants: unknown[] }[] }).products[0]?.variants;
    if (variants?.length === 1)
      expect(tight.partly).toEqual({ left: 1, of: ['variants of Lavvo down sleeping bag -10'] });
    for (const query of [
      'Is the Lavvo sleeping bag vegan?',
      'Is the orange Skarvet 2-person tent in stock, and if not when?',
      'What is the sale price of the 4S winter tent and until when?',
      'Can I order the Glo gas stove with gas canisters by post?',
    ]) {
      const r = await select(query, 0.2);
      const shipping = (JSON.parse(r.text) as { shipping?: object }).shipping;
      if (shipping)
        expect(Object.keys(shipping), query).toEqual(['free_over', 'standard_fee', 'express_fee', 'excluded_regions']);
    }
  }, 60_000);
});

describe('compress(text, {query}) on a JSON memory', () => {
  const { compressor } = useMiniLMCompressor('json-memory');

  it('selects its records with the query; without one it stays the same JSON', async () => {
    const c = compressor('cache.db');
    try {
      const r = await c.compress(MEMORY, { query: 'Is Dana allergic to anything?', ratio: 0.3 });
      expect(r.strategy).toBe('select');
      expect(r.tokensAfter).toBeLessThanOrEqual(Math.floor(0.3 * r.tokensBefore));
      expect(JSON.parse(r.text)).toMatchObject({ user_profile: { allergies: ['peanuts', 'shellfish'] } });
      expect(r.notes[0]).toMatch(
        /^select: kept \d of 9 JSON records for the query, as JSON \(budget \d+ o200k tokens; BM25 \+ MiniLM/,
      );
      const plain = await c.compress(MEMORY, { ratio: 0.3 });
      expect(plain.strategy).not.toContain('select');
      expect(JSON.parse(plain.text)).toEqual(JSON.parse(MEMORY));
      // JSON cut at its end is read up to the cut, the cut value left out, and selected from.
      const cut = await c.compress(MEMORY.slice(0, -20), { query: 'Is Dana allergic to anything?', ratio: 0.3 });
      expect(cut.strategy).toBe('select');
      expect(JSON.parse(cut.text)).toMatchObject({ user_profile: { allergies: ['peanuts', 'shellfish'] } });
      // JSON broken where no value is whole (a word for a value) is no JSON memory: the code path's way.
      const broken = await c.compress(MEMORY.replace('"Lisbon"', 'Lisbon'), { query: 'Is Dana allergic to anything?' });
      expect(broken.strategy).not.toContain('select');
    } finally {
      await c.dispose();
    }
  }, 120_000);
});

describe('selectJson counts', () => {
  // Review F-23: customers each read into (two objects of their own, or a list of orders) had their
  // nested fields counted as records: 12 customers were "108 JSON records".
  const customers = Array.from({ length: 12 }, (_, i) => ({
    name: `Customer ${i + 1}`,
    tier: i % 2 ? 'pro' : 'free',
    address: { street: `Rua ${i + 10}`, city: i % 4 ? 'Lisbon' : 'Porto', country: 'PT' },
    contact: { email: `c${i + 1}@example.com`, phone: `+351 900 000 0${10 + i}` },
  }));
  it('counts the items of the top-level list, not their nested fields', async () => {
    const byId = Object.fromEntries(customers.map((c, i) => [`cus_${1001 + i}`, c]));
    for (const doc of [{ customers: byId }, { customers }, customers]) {
      const memory = parseJsonMemory(JSON.stringify(doc, null, 2));
      if (!memory) throw new Error('no memory');
      const r = await selectJson(memory, { query: 'Which customers live in Porto?', budget: 120, count });
      expect(r.records).toBe(12);
      expect(r.kept).toBeGreaterThan(0);
      expect(r.kept).toBeLessThan(12);
    }
  });
  it('counts the fields outside any list one by one, beside the list items', async () => {
    const page = { data: customers, meta: { page: 1, per_page: 12, total: 57 } };
    const memory = parseJsonMemory(JSON.stringify(page, null, 2));
    if (!memory) throw new Error('no memory');
    const r = await selectJson(memory, { query: 'Which customers live in Porto?', budget: 120, count });
    expect(r.records).toBe(15);
  });
});

describe('a YAML section comment', () => {
  // Review: the comment over a section was on none of its records' lines, so a question naming only
  // its words ("bank transfers", "checkout team") found nothing of the section.
  const CONFIG = [
    '# Service configuration for checkout-api',
    'service:',
    '  name: checkout-api',
    '  port: 8443',
    '  workers: 8',
    '',
    '# Payment settings: retries apply only to card payments; bank transfers are never retried',
    'payments:',
    '  provider: adyen',
    '  currency: EUR',
    '  max_attempts: 3',
    '',
    '# Feature flags, reviewed every sprint by the checkout team',
    'features:',
    '  one_click: true',
    '  gift_cards: false',
    '  klarna: false',
    '',
    'cache:',
    '  ttl_seconds: 300',
    '  max_memory_mb: 512',
    '',
  ].join('\n');
  it('is read with every record of its section', () => {
    const lines = parseYamlMemory(CONFIG)?.records.map((r) => r.line) ?? [];
    expect(lines.filter((l) => l.includes('bank transfers are never retried'))).toHaveLength(3);
    expect(lines.find((l) => l.startsWith('features klarna'))).toBe(
      'features klarna: false # Feature flags, reviewed every sprint by the checkout team',
    );
    expect(lines.find((l) => l.startsWith('cache ttl'))).toBe('cache ttl seconds: 300');
  });
  it('brings its section for a question naming only its words', async () => {
    const memory = parseYamlMemory(CONFIG);
    if (!memory) throw new Error('no memory');
    const r = await selectJson(memory, { query: 'Are bank transfers retried?', budget: 40, count });
    expect(r.text).toContain(
      '# Payment settings: retries apply only to card payments; bank transfers are never retried',
    );
    expect(r.text).toContain('payments:');
  });
});

describe('a field read with the key above its object (session 35, H2)', () => {
  const DEPLOYMENT = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: shop-api',
    '  namespace: shop',
    '  labels:',
    '    app: shop-api',
    '    tier: backend',
    'spec:',
    '  replicas: 3',
    '  revisionHistoryLimit: 5',
    '  strategy:',
    '    type: RollingUpdate',
    '    rollingUpdate:',
    '      maxSurge: 1',
    '      maxUnavailable: 0',
    '  selector:',
    '    matchLabels:',
    '      app: shop-api',
    '  template:',
    '    metadata:',
    '      labels:',
    '        app: shop-api',
    '    spec:',
    '      serviceAccountName: shop-api',
    '      containers:',
    '        - name: api',
    '          image: ghcr.io/acme/shop-api:1.14.2',
    '          ports:',
    '            - containerPort: 8080',
    '              name: http',
    '          env:',
    '            - name: DATABASE_URL',
    '              valueFrom:',
    '                secretKeyRef:',
    '                  name: shop-db',
    '                  key: url',
    '            - name: LOG_LEVEL',
    '              value: info',
    '          resources:',
    '            requests:',
    '              cpu: 250m',
    '              memory: 256Mi',
    '            limits:',
    '              cpu: "1"',
    '              memory: 512Mi',
    '          readinessProbe:',
    '            httpGet:',
    '              path: /healthz',
    '              port: http',
    '            initialDelaySeconds: 5',
    '            periodSeconds: 10',
    '          livenessProbe:',
    '            httpGet:',
    '              path: /livez',
    '              port: http',
    '            failureThreshold: 3',
    '            periodSeconds: 20',
    '',
  ].join('\n');
  // "What is the readiness probe path?" kept the probe's periodSeconds at 0.1 and 0.2, never
  // `path: /healthz`, whose line said only "http get path".
  it("names the object's own key on its fields' lines and keeps the field asked for", async () => {
    const memory = parseYamlMemory(DEPLOYMENT);
    if (!memory) throw new Error('no memory');
    expect(memory.records.find((r) => r.line.includes('/healthz'))?.line).toMatch(/readiness probe http get/i);
    const r = await selectJson(memory, { query: 'What is the readiness probe path?', budget: 45, count });
    expect(r.text).toContain('path: /healthz');
    expect(r.text).not.toContain('/livez');
  });
});

describe('the fields a question names (session 36, H2)', () => {
  const USERS_API = [
    'openapi: 3.0.3',
    'info:',
    '  title: Accounts API',
    '  version: 1.4.0',
    'paths:',
    '  /users:',
    '    get:',
    '      summary: List users',
    '      parameters:',
    '        - name: per_page',
    '          in: query',
    '          description: How many users a response holds at most',
    '          schema:',
    '            type: integer',
    '            default: 25',
    '            maximum: 200',
    '      responses:',
    "        '200':",
    '          description: A page of users with a link to the next page',
    '    post:',
    '      summary: Create a user',
    '      responses:',
    "        '201':",
    '          description: The user was created and a welcome email sent',
    '',
  ].join('\n');
  // "What is the maximum page size when listing orders?" of an OpenAPI file kept the 200 response
  // ("A page of orders") at 0.1: the parameter's `maximum: 100` came only inside its whole record,
  // over the budget.
  it("keeps a field named by its key with the keys above it and its record's name, not the whole record", async () => {
    const memory = parseYamlMemory(USERS_API);
    if (!memory) throw new Error('no memory');
    const r = await selectJson(memory, { query: 'What is the maximum number of users per page?', budget: 36, count });
    expect(r.text).toMatch(/- name: per_page\n\s+schema:\n\s+maximum: 200/);
    expect(r.text).not.toContain('How many users');
    expect(r.inPart).toBe(1);
    expect(count(r.text)).toBeLessThanOrEqual(36);
  });

  const SERVICES = [
    'services:',
    '  - service: checkout',
    '    owner: team-payments',
    '    tier: critical',
    '    runbook: https://runbooks.example.com/checkout',
    '    description: Takes card payments and writes orders; a failure loses revenue directly',
    '  - service: search',
    '    owner: team-discovery',
    '    tier: standard',
    '    runbook: https://runbooks.example.com/search',
    '    description: Product search and autocomplete, served from the Elasticsearch cluster',
    '  - service: auth',
    '    owner: team-identity',
    '    tier: critical',
    '    runbook: https://runbooks.example.com/auth',
    '    description: Sign-in, sessions and tokens for every other service and the mobile apps',
    '  - service: recommendations',
    '    owner: team-discovery',
    '    tier: best-effort',
    '    runbook: https://runbooks.example.com/recommendations',
    '    description: Suggested products on the home page, recomputed nightly from orders',
    '',
  ].join('\n');
  // "Which alerts page someone?" of a Prometheus rules file kept one of its two `severity: page`
  // rules at 0.2: each was ~45 tokens whole.
  it('keeps every record holding the value a which-question names, each in its shortest form first', async () => {
    const memory = parseYamlMemory(SERVICES);
    if (!memory) throw new Error('no memory');
    const r = await selectJson(memory, { query: 'Which services are critical?', budget: 38, count });
    expect(r.text).toBe(
      'services:\n  - service: checkout\n    tier: critical\n  - service: auth\n    tier: critical\n',
    );
    expect(r.missed).toBeUndefined();
    // One of the two fits: the other is said to be left out.
    const tight = await selectJson(memory, { query: 'Which services are critical?', budget: 19, count });
    expect(tight.missed).toBe(1);
    const roomy = await selectJson(memory, { query: 'Which services are critical?', budget: 70, count });
    expect(roomy.text).toContain('team-payments');
    expect(roomy.text).toContain('- service: auth');
  });

  // A verb in -s after "what" is no plural noun: "What causes the high latency alert?" was read as
  // asking which records hold its values, and kept two rules in part (one a runbook URL), not the
  // latency rule's expression.
  it('reads "What causes ...?" as asking for one record, not for every record holding its words', async () => {
    const alerts = readFileSync(join(import.meta.dirname, '__fixtures__/alerts.yaml'), 'utf8');
    const memory = parseYamlMemory(alerts);
    if (!memory) throw new Error('no memory');
    const r = await selectJson(memory, { query: 'What causes the high latency alert?', budget: 69, count });
    expect(r.text).toContain('- alert: HighLatencyP99\n        expr: histogram_quantile(0.99');
    expect(r.text).not.toContain('HighErrorRate');
  });

  const CRONJOB = [
    'apiVersion: batch/v1',
    'kind: CronJob',
    'metadata:',
    '  name: cleanup',
    '  namespace: ops',
    'spec:',
    '  schedule: "15 4 * * *"',
    '  concurrencyPolicy: Forbid',
    '  successfulJobsHistoryLimit: 3',
    '  jobTemplate:',
    '    spec:',
    '      backoffLimit: 2',
    '      template:',
    '        spec:',
    '          restartPolicy: OnFailure',
    '          containers:',
    '            - name: cleanup',
    '              image: ghcr.io/acme/cleanup:2.3.0',
    '              args: ["--older-than", "30d", "--bucket", "uploads"]',
    '',
  ].join('\n');
  // "When does the scheduled build run?" of a GitHub Actions workflow never kept `schedule: - cron:`:
  // the stemmer reads "scheduled" and "schedule" as two words, and the job's steps ranked first.
  it('ranks first a field whose key the question names in another form ("scheduled": `schedule`)', async () => {
    const memory = parseYamlMemory(CRONJOB);
    if (!memory) throw new Error('no memory');
    const r = await selectJson(memory, { query: 'When does the scheduled cleanup run?', budget: 14, count });
    expect(r.text).toContain('schedule: "15 4 * * *"');
  });
});
