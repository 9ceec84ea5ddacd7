import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureMiniLM } from '../../embeddings/minilm.ts';
import { CancelledError, ModelLoadError } from '../../errors/index.ts';
import { isClosedClass } from '../../generation/strategies/pruned/lexicon.ts';
import { openDb } from '../../store/db.ts';
import { countEmbeddings } from '../../store/embedding-cache.ts';
import { o200kCounter, type TokenCounter } from '../../tokenizers/o200k-counter.ts';
import { parseInferenceConfig } from '../config.ts';
import { useMiniLMCompressor } from '../testing/minilm-compressor.ts';
import { antecedentsOf, refersBack } from './antecedents.ts';
import { terms } from './bm25.ts';
import { emailAuthors, emailFrames } from './email-frames.ts';
import { createEmbeddingStore, EMBED_BATCH, type EmbeddingStore, resolveEmbeddingCache } from './embedding-store.ts';
import { headingsAbove, parseMemory, renderUnits, sentencesIn, stampDay } from './memory-units.ts';
import { hasWordToSelectBy } from './query-cues.ts';
import { prepare, relevanceSignals } from './relevance.ts';
import {
  CONTRACT,
  MEAL_PLAN,
  PATIENT,
  PRIYANKA_HTML,
  PROFILE,
  RAG_CONTEXT,
  RECIPES,
  SYSTEM_PROMPT,
} from './review-memories.ts';
import { DEFAULT_WEIGHTS, isListQuestion, readsForMiniLM, selectForQuery } from './select.ts';
import { bearsOn, calendarFacts, isStandingFact, rankStandingNext, safetyFacts } from './standing-facts.ts';
import { readsAsOtherLanguage, telegraph, telegraphHeader } from './telegraph.ts';
import { HANDBOOK, MEMORY } from './test-memory.ts';
import { boundsOf, queryQuantities } from './thresholds.ts';

let count: TokenCounter;
beforeAll(async () => {
  count = await o200kCounter();
});

describe('parseMemory', () => {
  it('reads sessions with their dated headers and turns with their speakers', () => {
    const m = parseMemory(MEMORY);
    expect(m.format).toBe('dialogue');
    expect(m.groups.map((g) => g.headerDate)).toEqual(['8 May, 2023', '25 May, 2023', '9 June, 2023']);
    expect(m.units).toHaveLength(13);
    expect(m.units[3]?.speaker).toBe('Melanie');
    expect(m.units.every((u) => MEMORY.slice(u.start, u.end) === u.text)).toBe(true);
  });

  it('reads plain paragraphs as sentences', () => {
    const m = parseMemory(
      'Alice moved to Lyon in 2019. She works as a nurse.\n\nBob plays chess. He won a cup in May 2021.',
    );
    expect(m.format).toBe('prose');
    expect(m.groups).toHaveLength(2);
    expect(m.units.map((u) => u.text)).toEqual([
      'Alice moved to Lyon in 2019.',
      'She works as a nurse.',
      'Bob plays chess.',
      'He won a cup in May 2021.',
    ]);
  });
});

describe('timestamped logs', () => {
  // Seen with `studio compress --query` on a chat log: "[2025-03-01 09:14] Dana: ..." was no turn,
  // so the log was read as prose and the kept sentence "I finally booked the flights to Lisbon"
  // came back without its speaker or its date.
  const LOG = [
    '[2025-03-01 09:14] Dana: Morning! I finally booked the flights to Lisbon for the half marathon.',
    '[2025-03-01 09:15] Sam: Nice, which date is the race again?',
    '[2025-03-01 09:16] Dana: The 12th of October, the start is at 8:30 near the Vasco da Gama bridge.',
    '[2025-03-02 18:40] Dana (mobile): The new running shoes arrived, the Pegasus ones in blue.',
    '[2025-03-02 18:42] **Sam:** Cool, I still use my old trail shoes for the weekend runs.',
    '[2025-03-03 07:05] Dana: Rain today, moving our run to the gym treadmill.',
  ].join('\n');

  it('reads each line as a turn with its speaker, the stamp in its label, a day a group', () => {
    const m = parseMemory(LOG);
    expect(m.format).toBe('dialogue');
    expect(m.units.map((u) => u.speaker)).toEqual(['Dana', 'Sam', 'Dana', 'Dana', 'Sam', 'Dana']);
    expect(m.units.map((u) => u.label)).toEqual([
      '[2025-03-01 09:14] Dana:',
      '[2025-03-01 09:15] Sam:',
      '[2025-03-01 09:16] Dana:',
      '[2025-03-02 18:40] Dana (mobile):',
      '[2025-03-02 18:42] **Sam:**',
      '[2025-03-03 07:05] Dana:',
    ]);
    expect(m.groups.map((g) => [g.header, stampDay(g), g.units.length])).toEqual([
      [null, '2025-03-01', 3],
      [null, '2025-03-02', 2],
      [null, '2025-03-03', 1],
    ]);
  });

  it('keeps each selected turn whole with its stamp and speaker; telegraphic, each stamp as written too', async () => {
    const query = 'When did Dana book the flights to Lisbon?';
    const verbatim = await selectForQuery(LOG, { query, budget: 40, count });
    const lines = verbatim.text.split('\n').filter(Boolean);
    expect(lines[0]).toMatch(/^\[2025-03-01 09:14\] Dana: .*Lisbon/);
    for (const line of lines) expect(line).toMatch(/^\[2025-03-0\d \d\d:\d\d\] (?:\*\*)?(?:Dana|Sam)/);
    // Telegraphic: words go, each stamp stays as written, and no line the log never had is added
    // (review: a "[2025-03-01]" day line stood over "[09:14] Dana: ...").
    const short = await selectForQuery(LOG, { query, budget: 40, count, style: 'telegraphic' });
    expect(count(short.text)).toBeLessThanOrEqual(40);
    expect(short.keptUnits.length).toBeGreaterThanOrEqual(verbatim.keptUnits.length);
    for (const line of short.text.split('\n').filter(Boolean))
      expect(line).toMatch(/^\[2025-03-0\d \d\d:\d\d\] (?:\*\*)?(?:Dana|Sam)/);
    expect(short.text).toMatch(/^\[2025-03-01 09:14\] Dana: .*Lisbon/);
  });

  it("telegraphic, a WhatsApp export's stamps stay as written, with no day line over them (review)", async () => {
    // Review: a "[10/03/2024]" line the export never had stood over "[08:04:40] Mum: ...": each
    // kept message now says its day in its own stamp, as the export wrote it.
    const chat = [
      "[10/03/2024, 08:04:40] Mum: Grandma's 90th is on Saturday 16 March at 1pm, at the Olive Tree in Harrogate.",
      '[10/03/2024, 08:16:53] Dana: Will do, I will book the train tickets for the two of us tonight.',
      '[10/03/2024, 08:37:04] Leo: Running late, the traffic on the ring road is terrible again today.',
      '[11/03/2024, 19:02:11] Leo: Did anyone order the cake for Grandma yet?',
      '[11/03/2024, 19:05:40] Mum: Yes, a lemon cake from the bakery on Station Road.',
    ].join('\n');
    const r = await selectForQuery(chat, { query: "When is Grandma's 90th?", budget: 60, count, style: 'telegraphic' });
    const lines = r.text.split('\n').filter(Boolean);
    expect(lines[0]).toMatch(/^\[10\/03\/2024, 08:04:40\] Mum: Grandma's 90th .*16 March/);
    for (const line of lines) expect(line).toMatch(/^\[\d\d\/\d\d\/\d{4}, \d\d:\d\d:\d\d\] \w+: /);
  });

  it("telegraphic, a line kept without its turn's first shows the turn's stamp as written", async () => {
    const log = [
      '[2025-03-01 09:14] Dana: Morning, what should I pack for the race weekend?',
      '[2025-03-01 09:20] Sam: A few things:',
      '- gels for the race',
      '- a rain jacket',
      '- the safety pins for the race number',
      '[2025-03-01 09:25] Dana: Thanks, see you there.',
      '[2025-03-02 08:00] Dana: Ready to go now.',
      '[2025-03-02 08:05] Sam: Good luck out there.',
    ].join('\n');
    const r = await selectForQuery(log, {
      query: 'What did Sam say about safety pins?',
      budget: 20,
      count,
      style: 'telegraphic',
      weights: { contextTop: 0 },
    });
    // The list item on its own line under the label, as written (review: a heading ran into its first item).
    expect(r.text).toBe('[2025-03-01 09:20] Sam:\n- safety pins race number');
  });
});

describe('chat exports, dated facts and list items (review)', () => {
  const WHATSAPP = [
    'Chat with Sam (exported from WhatsApp)',
    '12/03/2024, 18:04 - Sam: hey are we still on for Saturday?',
    '12/03/2024, 18:05 - Me: yes! dinner at 7:30 pm at Trattoria Lucia',
    '13/03/2024, 09:15 - Sam: quick q, what is the wifi password at the cabin again?',
    '13/03/2024, 09:20 - Me: it is "pinecone-2291" (all lowercase)',
    '14/03/2024, 12:02 - Sam: the restaurant called, they moved us to 8 pm',
  ].join('\n');
  const SLACK = [
    '[9:02 AM] alice: anyone seen the new Figma file for the onboarding flow?',
    '[9:03 AM] marco: yep, it is in the "Q2 Onboarding" project, v7 is the latest',
    '[9:05 AM] alice: thx. I think step 3 (permissions) is still too long',
    '[9:07 AM] priya: agreed, we measured a 34% drop-off at step 3',
    '[9:15 AM] marco: I will try a shorter copy for step 3 then',
  ].join('\n');

  it("reads a WhatsApp export's and a Slack paste's lines as turns, a day of WhatsApp's stamps a group", () => {
    // Review: both were read as prose; "- Me:" was pruned from every line, lower-case handles were no speakers.
    const w = parseMemory(WHATSAPP);
    expect(w.format).toBe('dialogue');
    expect(w.units.filter((u) => u.speaker).map((u) => u.speaker)).toEqual(['Sam', 'Me', 'Sam', 'Me', 'Sam']);
    // Under the export's title line its turns are that title's; without it, each day is a group.
    const days = parseMemory(WHATSAPP.split('\n').slice(1).join('\n'));
    expect(days.groups.map((g) => stampDay(g))).toEqual(['12/03/2024', '13/03/2024', '14/03/2024']);
    const sl = parseMemory(SLACK);
    expect(sl.format).toBe('dialogue');
    expect(sl.units.map((u) => u.speaker)).toEqual(['alice', 'marco', 'alice', 'priya', 'marco']);
  });

  it('reads a list of dated facts as facts, not as headings over nothing', () => {
    // Review: "2023-09-12: diagnosed with celiac disease, strictly gluten-free since" and its
    // neighbours were read as headings; the question about it kept three other facts.
    const facts = [
      '2019-09-01: started a PhD in computational linguistics at the University of Edinburgh',
      '2020-03-16: moved back home to Porto during the lockdown',
      '2022-01-10: adopted a cat named Bolacha',
      '2023-09-12: diagnosed with celiac disease, strictly gluten-free since',
      '2024-01-08: promoted to senior research scientist',
    ].join('\n');
    const m = parseMemory(facts);
    expect(m.groups.map((g) => g.header)).toEqual([null]);
    expect(m.units.map((u) => u.text)).toEqual(facts.split('\n'));
    // A day's line over the lines under it stays a heading.
    const log = parseMemory('2024-03-01 Standup\nDana shipped the export fix.\nSam reviews it tomorrow.');
    expect(log.groups.map((g) => g.header)).toEqual(['2024-03-01 Standup']);
  });

  it("reads an indented line under a list item as the item's wrapped tail", () => {
    // Review: "...only re-rank queries with at least" and "   2 tokens." were two sentences.
    const doc = [
      '## Risks',
      '',
      '1. The cross-encoder may hurt long-tail queries. Mitigation: only re-rank queries with at least',
      '   2 tokens.',
      '2. Shadow traffic doubles load on the catalog API.',
    ].join('\n');
    expect(parseMemory(doc).units.map((u) => u.text)).toEqual([
      '1. The cross-encoder may hurt long-tail queries.',
      'Mitigation: only re-rank queries with at least 2 tokens.',
      '2. Shadow traffic doubles load on the catalog API.',
    ]);
  });

  it("keeps ChatGPT's saved memories whole: a marker and a date head the sentence after them", () => {
    // Review: "8. [2024-04-09]. Rafael is planning..." was cut at "].", leaving "8. [2024-04-09]" alone.
    // Nor does an abbreviation before a number (review: "Die Rechnung Nr" was kept alone).
    expect(sentencesIn('Die Rechnung Nr. RE-2024-0588 ist offen. See Fig. 3 for it.')).toEqual([
      'Die Rechnung Nr. RE-2024-0588 ist offen.',
      'See Fig. 3 for it.',
    ]);
    expect(sentencesIn('8. [2024-04-09]. Rafael is planning to buy an e-bike. He rides daily.')).toEqual([
      '8. [2024-04-09]. Rafael is planning to buy an e-bike.',
      'He rides daily.',
    ]);
  });
});

describe('an HTML table (review)', () => {
  it('keeps a row whole under its header row, as a Markdown table', async () => {
    // Review: cells were units of their own; "<tr><td>2024-06-15</td></tr>" came back without the
    // row's name and price, and once a stray "<td>Spotify Family</td>" with no table around it.
    const html = [
      '<div class="memory-card">',
      '<p>Marguerite is a pediatric nurse at Rigshospitalet in Copenhagen and learns the cello on Thursdays.</p>',
      '<p>She is planning a trip to Kyoto in October with her sister Signe, on a budget of about 45,000 DKK.</p>',
      '<table>',
      '<tr><th>Subscription</th><th>Price</th><th>Renews</th></tr>',
      '<tr><td>Spotify Family</td><td>179 DKK</td><td>2024-07-01</td></tr>',
      '<tr><td>The Guardian</td><td>£6.99</td><td>2024-06-15</td></tr>',
      '</table>',
      '</div>',
    ].join('\n');
    const m = parseMemory(html);
    expect(m.units.filter((u) => u.kind === 'code').map((u) => u.text)).toEqual([
      '<tr><td>Spotify Family</td><td>179 DKK</td><td>2024-07-01</td></tr>',
      '<tr><td>The Guardian</td><td>£6.99</td><td>2024-06-15</td></tr>',
    ]);
    const r = await selectForQuery(html, { query: 'When does the Spotify subscription renew?', budget: 60, count });
    expect(r.text).toContain(
      '<table>\n<tr><th>Subscription</th><th>Price</th><th>Renews</th></tr>\n<tr><td>Spotify Family</td><td>179 DKK</td><td>2024-07-01</td></tr>',
    );
    expect(r.text).not.toMatch(/<tr><td>[^<]*<\/td><\/tr>/);
  });
});

describe('a question that dates its answer', () => {
  // Seen on LoCoMo: "What did Nate do for Joanna on 25 May, 2022?" named no month ("May" alone is
  // also a verb) and a day not at all, so the session of that day ranked as any other.
  const days = ['2 May, 2022', '12 May, 2022', '20 May, 2022', '25 May, 2022'];
  const gifts = ['a board game', 'a turtle book', 'a film poster', 'a stuffed animal'];
  const CHAT = days
    .flatMap((d, k) => [
      `Session ${k + 1} (3:00 pm on ${d}): Nate and Joanna`,
      `Nate: Look, Joanna, I got ${gifts[k]} for you!`,
      'Joanna: Thanks, Nate, that is so sweet of you!',
      '',
    ])
    .join('\n');

  it("ranks the session of the day the question names above the same month's others", async () => {
    for (const query of [
      'What did Nate get for Joanna on 25 May, 2022?',
      'What did Nate get for Joanna on May 25, 2022?',
    ]) {
      const r = await selectForQuery(CHAT, { query, budget: 30, count });
      expect(r.text, query).toContain('stuffed animal');
      expect(r.text, query).toMatch(/25 May/);
    }
  });

  it("matches a log's ISO days by the month a question names", async () => {
    const log = [
      '[2025-02-27 19:02] Dana: Swam 2 km at the lake pool tonight.',
      '[2025-03-04 08:10] Dana: Swam 3 km at the lake pool this morning.',
      '[2025-04-09 07:55] Dana: Swam 1 km at the lake pool before work.',
    ].join('\n');
    const r = await selectForQuery(log, {
      query: 'How far did Dana swim at the lake pool in March 2025?',
      budget: 20,
      count,
    });
    expect(r.text).toContain('3 km');
  });
});

describe('a turn over the budget alone', () => {
  // Review: a 3,000-word export pasted as a chat's first turn was ranked first and kept whole, 10x
  // the budget, and the turn with the answer after it was dropped.
  const words =
    'report contract quarterly churn hiring travel forecast margin revenue vendor pipeline budget office renewal'.split(
      ' ',
    );
  const filler = Array.from({ length: 600 }, (_, k) => words[(k * 7) % words.length]).join(' ');
  const chat = (first: string) =>
    [
      'Session 1 (9:00 am on 1 May, 2024): Ana and Ben',
      `Ana: Here is the export you asked for: ${first}`,
      'Ben: The vault code is 5512, not 5521.',
      'Ana: Thanks, noted.',
      'Ana: Also the morning standup moved to 9:30 next week.',
    ].join('\n');

  it('is left out when nothing of it is for the query, and the next turns fill the budget', async () => {
    // Ranked first: it says "vault code" and "export", and the question names its speaker.
    const r = await selectForQuery(chat(`${filler} vault code export vault code`), {
      query: 'Which vault code did Ana ask for in the export?',
      budget: 80,
      count,
    });
    expect(r.text).toContain('5512');
    expect(count(r.text)).toBeLessThanOrEqual(80);
    expect(r.bestLeftOut).toBeGreaterThan(80);
    expect(r.overBudget).toBe(false);
  });

  it('is said with the headers it comes under, which made it over the budget', async () => {
    // Review, session 36: a binary patch's 12-token line was said to be over a budget of 44; its
    // file and hunk headers, which come with it, were what did not fit.
    const doc = [
      'diff --git a/assets/logo.png b/assets/logo.png',
      'new file mode 100644',
      'index 0000000..3f2a9c1',
      'GIT binary patch',
      'literal 12',
      'TcmZ?wbhEHbR$^dY00',
      '',
      '--- settings.conf\t2025-03-01 09:00:00.000000000 +0100',
      '+++ settings.conf\t2025-03-02 10:30:00.000000000 +0100',
      '@@ -1,4 +1,4 @@',
      ' [listener]',
      '-port = 7000',
      '+port = 7443',
      ' bind = 0.0.0.0',
      ' threads = 8',
    ].join('\n');
    const r = await selectForQuery(doc, { query: 'What is the new port?', budget: 40, count });
    expect(r.bestLeftOut).toBeGreaterThan(0);
    expect(r.bestLeftOut).toBeLessThan(20);
    expect(r.bestLeftOutWith).toBeGreaterThan(60);
  });

  it('is cut to its sentences that share a term with the query when those fit', async () => {
    const sentences = Array.from(
      { length: 40 },
      (_, k) => `Line ${k} covers ${words[k % words.length]} figures for the ${words[(k + 3) % words.length]} review.`,
    );
    sentences[17] = 'The vault code for the archive room is 7731.';
    const r = await selectForQuery(chat(sentences.join(' ')), {
      query: 'Which archive vault code did Ana ask for in the export?',
      budget: 90,
      count,
    });
    expect(r.keptUnits).toContain(0);
    expect(r.text).toContain('7731');
    expect(r.text).not.toContain('Line 30');
    expect(count(r.text)).toBeLessThanOrEqual(90);
    expect(r.bestLeftOut).toBe(0);
  });
});

describe('a turn of several lines', () => {
  // Seen with `studio compress --query` on a chat transcript: the assistant's list came back as
  // "- a universal power adapter (type A plugs, 100 V)" with no "Assistant:", a fact of no one.
  const TRANSCRIPT = [
    'User: I want to plan a trip to Japan in April. What should I pack?',
    'Assistant: April in Japan is mild, so pack layers. Here is a short list:',
    '- a light waterproof jacket for spring showers',
    '- a universal power adapter (type A plugs, 100 V)',
    'User: I am vegetarian. Will that be hard?',
    'Assistant: It can be tricky, because dashi (fish stock) is in many dishes.',
    'Look for shojin ryori, the Buddhist temple cuisine, which is fully vegetarian.',
  ].join('\n');

  it('reads its lines as the turn their first line opened, by its speaker', () => {
    const m = parseMemory(TRANSCRIPT);
    expect(m.format).toBe('dialogue');
    expect(m.units.map((u) => [u.speaker, u.turn, u.first])).toEqual([
      ['User', 0, true],
      ['Assistant', 1, true],
      ['Assistant', 1, false],
      ['Assistant', 1, false],
      ['User', 2, true],
      ['Assistant', 3, true],
      ['Assistant', 3, false],
    ]);
  });

  it("keeps a line without its turn's first under the turn's label, each line on its own", async () => {
    for (const style of ['verbatim', 'telegraphic'] as const)
      for (const budget of [20, 30, 45]) {
        const r = await selectForQuery(TRANSCRIPT, { query: 'Which power adapter and plugs?', budget, count, style });
        const lines = r.text.split('\n');
        const at = lines.findIndex((l) => l.includes('adapter'));
        expect(at, `${style} ${budget}`).toBeGreaterThanOrEqual(0);
        // The nearest label above the kept line is its speaker's, and the line stays a line.
        const speaker = lines
          .slice(0, at + 1)
          .reverse()
          .find((l) => /^(?:User|Assistant):/.test(l));
        expect(speaker, `${style} ${budget}`).toMatch(/^Assistant:/);
        expect(lines[at], `${style} ${budget}`).toMatch(/^(?:Assistant: )?- /);
      }
  });
});

describe('labels and lines, found in review', () => {
  it("reads a label alone on its line as the turn of the lines under it, never as the other speaker's", async () => {
    const chat = [
      'User: What adapter do I need for Japan?',
      'Assistant:',
      'You need a type A plug adapter, 100 V.',
      'User: And for Korea?',
      'Assistant:',
      'Type C or F, 220 V.',
      'User: thanks',
    ].join('\n');
    const m = parseMemory(chat);
    expect(m.format).toBe('dialogue');
    expect(m.units.map((u) => u.speaker)).toEqual(['User', 'Assistant', 'User', 'Assistant', 'User']);
    for (const budget of [20, 30, 45]) {
      const r = await selectForQuery(chat, { query: 'Which plug adapter for Japan?', budget, count });
      const out = r.text.split('\n');
      for (const [k, line] of out.entries()) {
        expect(line).not.toMatch(/^(?:User|Assistant):\s*$/);
        if (/type A|Type C/.test(line))
          expect(
            out
              .slice(0, k + 1)
              .reverse()
              .find((l) => /^(?:User|Assistant):/.test(l)),
            `${budget}`,
          ).toMatch(/^Assistant:/);
      }
      if (budget === 45) expect(r.text).toMatch(/^Assistant: You need a type A plug adapter, 100 V\.$/m);
    }
  });

  it("takes a list item's later sentence before the next items (review 3: the answer was its second sentence)", async () => {
    const memory = [
      '# Leo, autumn term',
      '',
      '## After school',
      '- **Monday 15:15**: Chess club in room C5. Leo walks home after.',
      '- **Tuesday 17:30-19:00**: Football training at Riverside Park, pitch 2. Pick-up at 19:00 from the car park, not the clubhouse.',
      '- **Wednesday 16:00**: Piano lesson with Mrs Lindqvist at 9 Elm Road. Bring the grade 3 book.',
      '- **Thursday 17:30-19:00**: Football training, same as Tuesday.',
      '- **Saturday**: Match day. Kick-off times are in the club app.',
    ].join('\n');
    const r = await selectForQuery(memory, { query: 'Where is pick-up after football training?', budget: 80, count });
    expect(r.text).toContain('pitch 2. Pick-up at 19:00 from the car park');
  });

  it('keeps a list item under a label alone on its line on a line of its own (review)', async () => {
    // Review: "Health profile (shared by user, keep in mind): - Allergies: penicillin ..." came out as one line.
    const memory = [
      'Health profile (shared by user, keep in mind):',
      '- Allergies: penicillin (anaphylaxis, carries EpiPen), shellfish (hives).',
      '- GP: Dr. Helen Park, Riverside Surgery.',
      '',
      'Session 1 (8 January 2024):',
      ...Array.from({ length: 6 }, (_, k) => [
        `User: I tried coffee place number ${k + 1} downtown, the flat white was decent but overpriced.`,
        'Assistant: Take it easy this weekend then.',
      ]).flat(),
    ].join('\n');
    const r = await selectForQuery(memory, { query: 'What is the user allergic to?', budget: 40, count });
    expect(r.text).toMatch(/^Health profile \(shared by user, keep in mind\):\n- Allergies: penicillin/m);
  });

  it('reads a banner line framed by rules as a header, not as the turn before it going on (review)', async () => {
    // Review: "=== Ticket #48990: ... ===" came back as "[08:30] Agent (Lena): === Ticket #48990 ...".
    const log = [
      '=== Ticket #48213: Nightly S3 export failing (status: closed) ===',
      '[2024-02-02 09:14] Customer (Ravi Shah): Our nightly export to S3 failed three nights in a row.',
      '[2024-02-03 08:30] Agent (Lena): Done, admin contact changed. Closing this ticket.',
      '',
      '=== Ticket #48990: Billing: overcharged seats (status: closed) ===',
      '[2024-03-11 16:40] Customer (Ravi Shah): Invoice INV-2024-0311 is $5,400, should be $4,050.',
      '[2024-03-12 14:18] Agent (Marco): Finance approved a refund to card instead: $1,350, 5-10 business days.',
    ].join('\n');
    const m = parseMemory(log);
    expect(m.groups.map((g) => g.header)).toEqual([
      '=== Ticket #48213: Nightly S3 export failing (status: closed) ===',
      '=== Ticket #48990: Billing: overcharged seats (status: closed) ===',
    ]);
    expect(m.units.some((u) => u.text.includes('==='))).toBe(false);
    const r = await selectForQuery(log, { query: 'Which ticket was about the $1,350 refund?', budget: 50, count });
    expect(r.text).toMatch(
      /^=== Ticket #48990: Billing: overcharged seats \(status: closed\) ===\n\[2024-03-12 14:18\] Agent \(Marco\)/,
    );
  });

  it("reads a chat app's copied messages (a name and a time over the lines) as turns under their day (review)", async () => {
    // Review: a Slack paste was read as prose: "Marcus Lee 11:31 AM" glued to the message before
    // it, a message shown under another's name, and the day lines dropped.
    const paste = [
      'Monday, August 19th',
      '',
      'Dana Whitfield  9:03 AM',
      'ok cool',
      'Marcus Lee  9:06 AM',
      "who's bringing snacks to the offsite?",
      'Tuesday, August 20th',
      'Dana Whitfield  10:38 AM',
      'haha yeah',
      'Marcus Lee  10:45 AM',
      'let me check and get back to you',
      "I'm not going to make the Berlin offsite, visa didn't come through",
      'Dana Whitfield  10:50 AM',
      "I'll send the invite",
    ].join('\n');
    const m = parseMemory(paste);
    expect(m.format).toBe('dialogue');
    expect(m.groups.map((g) => g.header)).toEqual(['Monday, August 19th', 'Tuesday, August 20th']);
    expect(m.units.map((u) => u.speaker)).toEqual([
      'Dana Whitfield',
      'Marcus Lee',
      'Dana Whitfield',
      'Marcus Lee',
      'Marcus Lee',
      'Dana Whitfield',
    ]);
    const r = await selectForQuery(paste, { query: 'Who is not coming to the Berlin offsite?', budget: 30, count });
    expect(r.text).toContain("Tuesday, August 20th\n[10:45 AM] Marcus Lee: I'm not going to make the Berlin offsite");
  });

  it("keeps a log's day in each turn's stamp when the day comes back after a tag line", async () => {
    const log = [
      '<chat>',
      '[2025-03-01 09:14] Dana: I booked the flights to Lisbon for the half marathon.',
      '[2025-03-01 09:15] Sam: Which date is the race again?',
      '</chat>',
      '<chat>',
      '[2025-03-01 18:40] Dana: The race is on the 12th of October at 8:30.',
      '[2025-03-01 18:42] Sam: Great, I will book a hotel near the bridge.',
      '</chat>',
    ].join('\n');
    const r = await selectForQuery(log, {
      query: 'When is the Lisbon race?',
      budget: 200,
      count,
      style: 'telegraphic',
    });
    // No day line over them (the log has none): each stamp says its day, as written.
    expect(r.text).toContain('[2025-03-01 18:40] Dana: race 12th October 8:30');
    for (const line of r.text.split('\n')) expect(line).not.toMatch(/^\[2025-03-01\]$|^\[\d\d:\d\d\]/);
  });

  it("reads a document's bold fields as fields, not a dialogue", () => {
    const doc =
      '## Trip\n**Destination:** Tokyo\n**Dates:** 1-8 May\n**Budget:** 2,000 euros\n\nWe plan to visit the Studio Ghibli museum in Mitaka on the\nsecond day of the trip.';
    const m = parseMemory(doc);
    expect(m.format).toBe('prose');
    expect(m.units.map((u) => u.text)).toContain(
      'We plan to visit the Studio Ghibli museum in Mitaka on the second day of the trip.',
    );
  });

  it('ends a sentence after a lone capital that follows a lower-case word, and reads ISO stamps by day', () => {
    expect(parseMemory('We met at gate B. Then we boarded the plane to Oslo.').units.map((u) => u.text)).toEqual([
      'We met at gate B.',
      'Then we boarded the plane to Oslo.',
    ]);
    const log =
      '[2025-03-01T09:14] Dana: hi there, all good?\n[2025-03-02T10:00] Sam: yes, all good.\n[2025-03-02T10:01] Dana: great, see you.';
    expect(parseMemory(log).groups.map((g) => stampDay(g))).toEqual(['2025-03-01', '2025-03-02']);
  });

  it("joins no two speakers' lines in prose, and takes no wrapped line for a heading", () => {
    const text =
      'The office is closed on the first Monday of each month and on the last\nday of the year, except when that falls on a weekend.\n\nNote: Dana asked whether we can take the ferry over to the island on\nSam: sure, book it.';
    const texts = parseMemory(text).units.map((u) => u.text);
    expect(texts).toContain(
      'The office is closed on the first Monday of each month and on the last day of the year, except when that falls on a weekend.',
    );
    expect(texts).toContain('Sam: sure, book it.');
  });
});

describe('a reply that plans by days', () => {
  const CHAT = [
    'Session 1 (10:00 am on 2 May, 2025): Dana and Assistant',
    'Dana: Plan three days in Kyoto for me, I love temples and food.',
    'Assistant: Here is a plan:',
    'Day 1: Arrive, check in near Kyoto station and walk to Fushimi Inari at dusk.',
    'Day 2: See Kinkaku-ji in the morning and eat at Nishiki market.',
    'Day 3: Take the train to Arashiyama for the bamboo grove.',
    'Dana: Great, and which day is the market?',
    'Assistant: The market is on the second day.',
    'Session 2 (9:00 am on 3 May, 2025): Dana and Assistant',
    'Dana: I booked the hotel by the station.',
    'Assistant: Good choice, it is close to the trains.',
  ].join('\n');

  it("reads its numbered days as the reply's lines, not as sessions or speakers", () => {
    // Review: "Day 1: ..." inside a reply opened a session (a session word starts it) with no date,
    // so the reply's days stood apart from it, as a session of their own.
    const m = parseMemory(CHAT);
    expect(m.format).toBe('dialogue');
    expect(m.groups.map((g) => g.header)).toEqual([
      'Session 1 (10:00 am on 2 May, 2025): Dana and Assistant',
      'Session 2 (9:00 am on 3 May, 2025): Dana and Assistant',
    ]);
    const day2 = m.units.find((u) => u.text.startsWith('Day 2:'));
    expect(day2?.speaker).toBe('Assistant');
    expect(day2?.label).toBe('Assistant:');
    expect(day2?.turn).toBe(m.units.find((u) => u.text === 'Assistant: Here is a plan:')?.turn);
  });

  it('still reads a day with its date or its speakers as a session', () => {
    const m = parseMemory(
      [
        'Day 1: 2 May 2025',
        'Ana: I went to the lake.',
        'Ben: Nice, I stayed home.',
        'Day 2: Ana and Ben',
        'Ana: Rain all day.',
        'Ben: Same here.',
      ].join('\n'),
    );
    expect(m.groups.map((g) => g.header)).toEqual(['Day 1: 2 May 2025', 'Day 2: Ana and Ben']);
    // Review: a header whose words are a sentence, after a turn that announced no plan, is a header.
    const headed = parseMemory(
      [
        'Session 1: the first call',
        'Ana: I went to the lake.',
        'Ben: Nice, I stayed home.',
        'Session 2: a call about her new job',
        'Ana: I start on Monday.',
        'Ben: Good luck with it.',
        'Day 3: at the beach',
        'Ana: The water was cold.',
      ].join('\n'),
    );
    expect(headed.groups.map((g) => g.header)).toEqual([
      'Session 1: the first call',
      'Session 2: a call about her new job',
      'Day 3: at the beach',
    ]);
  });
});

describe('documents (prose with headings and hard-wrapped lines)', () => {
  // Seen with `studio compress --query` on samples/notes/onboarding.md: every wrapped line was cut
  // as if it ended a sentence ("In the event that it" / "rains very heavily, ..."), so the
  // telegraphic output had lines like "event" and "Please make", and no heading survived: the
  // blank line after "## Membership" opened a paragraph without it.
  const DOC = [
    '# Welcome to the Riverside Striders',
    '',
    'Hello and welcome! We are really happy that you have decided to join us. Please note that',
    'this page is a short summary of everything you need to know to get started with the club.',
    '',
    '## When and where we meet',
    '',
    'We meet twice a week. On Tuesdays we meet at 6:30 pm at the east gate of Riverside Park, and',
    'on Saturdays at 8:00 am at the boathouse café. In the event that it rains very heavily, the',
    'Tuesday session is moved indoors to the Northfield Leisure Centre.',
    '',
    '## Membership',
    '',
    '- The yearly membership fee is 45 euros, which includes insurance for races.',
    '- Students and people over 65 pay a reduced fee of 25 euros.',
    '',
    'Fees are paid by bank transfer before the first of March.',
    '',
    '## Coaches',
    '',
    'Our head coach is Mrs. Adaeze Okafor, who has coached the club since 2016. She is assisted by',
    'Dr. J. Reyes, who is in charge of the beginners.',
    '',
    '## Safety',
    '',
    'Always wear something reflective after dark. Please make sure that you carry a phone and that',
    'you tell the coach before the run if you have any injury.',
    '',
    '```sh',
    'curl -s https://example.org/club/calendar.ics > calendar.ics',
    '```',
  ].join('\n');

  it('reads a sentence across its wrapped lines, and a list item, a paragraph or a code block as a block of its own', () => {
    const m = parseMemory(DOC);
    expect(m.format).toBe('prose');
    const texts = m.units.map((u) => u.text);
    expect(texts).toContain(
      'In the event that it rains very heavily, the Tuesday session is moved indoors to the Northfield Leisure Centre.',
    );
    expect(texts).toContain(
      'Please make sure that you carry a phone and that you tell the coach before the run if you have any injury.',
    );
    expect(texts).toContain('- Students and people over 65 pay a reduced fee of 25 euros.');
    // A title's or an initial's point ends no sentence.
    expect(texts).toContain('Our head coach is Mrs. Adaeze Okafor, who has coached the club since 2016.');
    expect(texts).toContain('She is assisted by Dr. J. Reyes, who is in charge of the beginners.');
    expect(texts).toContain('```sh\ncurl -s https://example.org/club/calendar.ics > calendar.ics\n```');
    // No unit is a piece of a sentence cut at a line's end.
    for (const t of texts) expect(t, t).toMatch(/[.!?`]$/);
    // Each block's first sentence says so (it opens a line when rendered); the rest follow it.
    const first = m.units.filter((u) => u.first).map((u) => u.text.slice(0, 20));
    expect(first).toEqual([
      'Hello and welcome!',
      'We meet twice a week',
      '- The yearly members',
      '- Students and peopl',
      'Fees are paid by ban',
      'Our head coach is Mr',
      'Always wear somethin',
      '```sh\ncurl -s https:',
    ]);
  });

  it('keeps the heading of every section a kept sentence is in, and the paragraphs of a section apart', async () => {
    const m = parseMemory(DOC);
    expect(m.groups.map((g) => g.header).filter(Boolean)).toEqual([
      '# Welcome to the Riverside Striders',
      '## When and where we meet',
      '## Membership',
      '## Coaches',
      '## Safety',
    ]);
    const fee = m.units.find((u) => u.text.startsWith('- The yearly'));
    const paid = m.units.find((u) => u.text.startsWith('Fees are paid'));
    expect(fee?.group).toBe(paid?.group);
    const query = 'How much is the membership fee, and when is it paid?';
    const r = await selectForQuery(DOC, { query, budget: 50, count });
    const lines = r.text.split('\n');
    const at = (line: string) => lines.indexOf(line);
    expect(at('## Membership')).toBeGreaterThanOrEqual(0);
    expect(at('- The yearly membership fee is 45 euros, which includes insurance for races.')).toBe(
      at('## Membership') + 1,
    );
    // The paragraph after the list, in the same section: on a line of its own, under the one heading.
    expect(at('Fees are paid by bank transfer before the first of March.')).toBeGreaterThan(at('## Membership'));
    // Each kept section's heading once, under the document's title (a level above them all).
    expect(lines[0]).toBe('# Welcome to the Riverside Striders');
    const shown = new Set([
      ...r.keptUnits.map((i) => r.memory.units[i]?.group as number),
      ...headingsAbove(r.memory, new Set(r.keptUnits)),
    ]);
    expect(shown.has(0)).toBe(true);
    expect(lines.filter((l) => l.startsWith('#'))).toHaveLength(shown.size);
  });

  it("brings the headings above a kept section up to the document's title (its date), and a number's bounds", async () => {
    // Found by use: `--query "When did Jun report the p95 latency drop?" --ratio 0.3` on the
    // meeting notes kept "## Notes" and its bullet but not "# Product sync, 14 May 2025", the
    // answer's date, and the telegraph made "from 340 ms to 95 ms" read "340 ms 95 ms".
    const notes = readFileSync(join(import.meta.dirname, '../../../samples/notes/meeting-2025-05-14.md'), 'utf8');
    const m = parseMemory(notes);
    const title = m.groups.findIndex((g) => g.header === '# Product sync, 14 May 2025');
    const section = m.groups.findIndex((g) => g.header === '## Notes');
    expect(m.groups[section]?.parent).toBe(title);
    expect(m.groups[section]?.headerDate).toBe(m.groups[title]?.headerDate);
    expect(m.groups[title]?.parent).toBeUndefined();
    const query = 'When did Jun report the p95 latency drop?';
    const budget = Math.floor(0.3 * count(notes));
    const r = await selectForQuery(notes, { query, budget, count, style: 'telegraphic' });
    expect(r.text.startsWith('# Product sync, 14 May 2025\n\n## Notes\n- Jun reported')).toBe(true);
    expect(r.text).toContain('about 1,200 requests per second');
    expect(r.text).toContain('went down from 340 ms to 95 ms');
    expect(count(r.text)).toBeLessThanOrEqual(budget);
  });

  it('keeps a sentence with its whole heading path even over a tight budget, and starts a new outline after a session line (review)', async () => {
    // Before the review the headings above were left out when only the unit fitted; a sentence
    // under part of its path read under another section, so the path is now part of its cost.
    const long = (level: number, k: number) =>
      `${'#'.repeat(level)} Section ${k} of the handbook on the quarterly planning process for regional teams`;
    const doc = [long(1, 1), long(2, 2), long(3, 3), '#### Joining', 'Dana joined in March.'].join('\n');
    const query = 'When did Dana join?';
    for (const budget of [20, 40, 60, 200]) {
      const r = await selectForQuery(doc, { query, budget, count });
      expect(r.text).toContain('Dana joined in March.');
      expect(r.text.split('\n').filter((l) => l.startsWith('#'))).toHaveLength(4);
      expect(r.overBudget).toBe(count(r.text) > budget);
      // Counted once here, so the stage and the pipeline need not count the output again.
      expect(r.tokens).toBe(count(r.text));
    }
    // A session line opens another document: its "## Notes" is under no earlier title, nor dated by it.
    const two = parseMemory(
      '# Product sync, 14 May 2025\n## Notes\nWe met.\n\nSession 2, 9 June 2025\n## Notes\nDana moved to Lisbon.',
    );
    const notes = two.groups.map((g, k) => ({ g, k })).filter(({ g }) => g.header === '## Notes');
    expect(notes[0]?.g.parent).toBe(0);
    expect(notes[1]?.g.parent).toBeUndefined();
    expect(notes[1]?.g.headerDate).toBeNull();
    // HTML headings nest as Markdown's do (review: each <h2> was read as a session line, under no title).
    const html = parseMemory(
      '<h1>Product sync, 14 May 2025</h1>\n<h2>Notes</h2>\nJun reported the drop.\n<h3>Details</h3>\nFrom 340 ms to 95 ms.\n<h2>Actions</h2>\nDana ships it.',
    );
    const at = (header: string) => html.groups.findIndex((g) => g.header === header);
    expect(html.groups[at('<h2>Notes</h2>')]?.parent).toBe(at('<h1>Product sync, 14 May 2025</h1>'));
    expect(html.groups[at('<h3>Details</h3>')]?.parent).toBe(at('<h2>Notes</h2>'));
    expect(html.groups[at('<h2>Actions</h2>')]?.parent).toBe(at('<h1>Product sync, 14 May 2025</h1>'));
    expect(html.groups[at('<h2>Actions</h2>')]?.headerDate).toBe(html.groups[0]?.headerDate);
  });

  it('shows every kept sentence under its whole heading path, each heading the one it sits under, within the budget (review)', async () => {
    // Review: with --max-tokens 50, "9 high-priority" of 2024-05-13 was kept under its "### Discussion"
    // alone, printed right after the "## 2024-04-29" section: a fact under the wrong date.
    const week = (day: string, bugs: number) => [
      `## ${day} Weekly sync`,
      '### Discussion',
      '- Talked about the offsite logistics, venue still not confirmed.',
      '- Hugo demoed the new settings page prototype.',
      `- Reviewed open bugs, ${bugs} high-priority ones remaining.`,
    ];
    const doc = [
      '# Weekly sync notes',
      ...week('2024-04-29', 14),
      ...week('2024-05-06', 11),
      ...week('2024-05-13', 9),
      ...week('2024-05-20', 6),
    ].join('\n');
    const m = parseMemory(doc);
    // The heading paths a line sits under in the document (a bullet may stand in several weeks).
    const pathsOf = (text: string): string[] =>
      m.units
        .filter((v) => v.text === text)
        .map((u) => {
          const out: string[] = [];
          for (let g: number | undefined = u.group; g !== undefined; g = m.groups[g]?.parent)
            out.unshift(m.groups[g]?.header ?? '');
          return out.join(' > ');
        });
    for (let budget = 25; budget <= 90; budget += 5) {
      const r = await selectForQuery(doc, { query: 'How many open bugs remain?', budget, count });
      const stack: string[] = [];
      for (const line of r.text.split('\n').filter(Boolean)) {
        const level = /^(#+)\s/.exec(line)?.[1]?.length;
        if (level !== undefined) {
          stack.length = Math.min(stack.length, level - 1);
          stack.push(line);
        } else expect(pathsOf(line), `${budget}: ${line}`).toContain(stack.join(' > '));
      }
      if (!r.overBudget) expect(count(r.text)).toBeLessThanOrEqual(budget);
    }
  });

  it('keeps a nested list item indented under its item (review: nested bullets came out at column 0)', async () => {
    const doc = [
      '### Escalation',
      '',
      '- First, page the primary on-call through PagerDuty.',
      '- If there is no answer within 15 minutes, page the secondary.',
      '  - The secondary this quarter is Rosa Delgado.',
      '  - Her backup is Tim Okafor.',
      '- For customer-facing outages, also notify the incident channel.',
    ].join('\n');
    const r = await selectForQuery(doc, {
      query: 'Who is the secondary on-call, and who is her backup?',
      budget: 60,
      count,
    });
    expect(r.text).toContain('\n  - The secondary this quarter is Rosa Delgado.');
    expect(r.text).toContain('\n  - Her backup is Tim Okafor.');
  });

  it('brings the item a kept sub-item sits under, and writes a sub-item kept without it as an item of its own (review)', async () => {
    // Review: "  - Her backup is Tim." came out indented under "- Servers in the lab:", an item it
    // is not under, and its own item "- On-call rota for the winter:" was left out.
    const doc = [
      '# Team notes',
      '',
      'Our quarterly planning is done and the roadmap is shared with every team in the company.',
      '',
      '- On-call rota for the winter:',
      '  - The primary this quarter is Dana.',
      '  - Her backup is Tim.',
      '- Servers in the lab:',
      '  - theta runs kafka on 10.0.0.8',
      '  - sigma runs postgres on 10.0.0.9',
      '',
      'The holiday party is on the 18th at the rooftop bar near the office.',
    ].join('\n');
    const query = 'Who is the backup on call?';
    const roomy = await selectForQuery(doc, { query, budget: 24, count });
    expect(roomy.text).toContain('- On-call rota for the winter:\n  - Her backup is Tim.');
    expect(roomy.text).not.toContain('Servers');
    // No room for its item: the sub-item is an item of its own, under no other.
    const tight = await selectForQuery(doc, { query, budget: 18, count });
    expect(tight.text).toContain('\n- Her backup is Tim.');
    expect(tight.text).not.toContain('  - Her backup');
    expect(count(tight.text)).toBeLessThanOrEqual(18);
  });

  it("brings a list item's first sentence with a later one kept, when it fits (review: whose wish it was got lost)", async () => {
    const doc = [
      '# Personal notes',
      '',
      '## Family',
      "- Mum's birthday: 22 October. She wants the blue Le Creuset casserole (26 cm), not the red one.",
      "- Leo's wedding: 14 September, the hotel at Lake Como is already booked for three nights.",
      '- Grandma moved to the Oak House care home, room 14, and visiting hours are from 2 to 5 pm.',
      '',
      '## Work',
      'The team wants the slides in the blue colour scheme by Friday.',
      'Sam wants a red colour for the logo.',
    ].join('\n');
    const r = await selectForQuery(doc, { query: 'What colour casserole does she want?', budget: 50, count });
    expect(r.text).toContain("- Mum's birthday: 22 October. She wants the blue Le Creuset casserole");
  });

  it('writes the paragraph after a Markdown table after it, under the same heading (review)', async () => {
    // Review: "Orders are placed every Monday" came out above the table it follows.
    const doc = [
      '# Inventory',
      '',
      'Stock levels as of March 2024.',
      '',
      '| SKU | Product | Warehouse |',
      '|-----|---------|-----------|',
      '| A-100 | Blue mug | Rotterdam |',
      '| D-401 | Stool | Lyon |',
      '| E-500 | Bookshelf | Gdansk |',
      '',
      'Orders are placed every Monday by the purchasing team.',
    ].join('\n');
    const r = await selectForQuery(doc, {
      query: 'Which warehouse stores the stool, and when are orders placed?',
      budget: 200,
      count,
    });
    const at = (s: string) => r.text.indexOf(s);
    expect(at('| D-401 | Stool | Lyon |')).toBeGreaterThan(0);
    expect(at('Orders are placed every Monday')).toBeGreaterThan(at('| D-401 | Stool | Lyon |'));
    expect(r.text.startsWith('# Inventory')).toBe(true);
  });

  it("keeps a markup element's tags around the sentences kept of it (review: a middle sentence came out bare)", async () => {
    const html = [
      '<h1>Team Handbook</h1>',
      '<p>This handbook describes how the platform team works. It is updated every quarter by the team lead. Ask Priya about it.</p>',
      '<h2>On-call</h2>',
      '<p>Everyone joins the rotation after their first month. Shifts last one week. After 30 minutes a page goes to Dana Whitfield, the engineering manager.</p>',
      '<h2>Releases</h2>',
      '<p>We release on Tuesdays and Thursdays. A release needs two approvals and a green build.</p>',
    ].join('\n');
    // Room for the sentence with both its headings (38 tokens): a sentence comes with its whole path.
    const budget = 40;
    const r = await selectForQuery(html, { query: 'Who gets the page after 30 minutes?', budget, count });
    expect(r.text).toContain('Dana Whitfield');
    const paragraphs = r.text.split('\n').filter((l) => l && !/^<h\d>/.test(l));
    expect(paragraphs.length).toBeGreaterThan(0);
    for (const line of paragraphs) expect(line).toMatch(/^<p>.*<\/p>$/);
    expect(r.text).not.toContain('Shifts last one week'); // only part of the element was kept
    expect(count(r.text)).toBeLessThanOrEqual(budget);
  });

  it("leaves out an HTML page's elements emptied by the selection, and keeps a link's tags (review)", async () => {
    // Review: a page's `<ul></ul>` and four `<tr></tr>` were kept empty (they ate the budget, and
    // the note called the answer "alone over the budget" with the output under it), and `<a` went
    // as an article.
    const page = [
      '<html>',
      '<body>',
      '<h1>Riverside Dental Clinic</h1>',
      '<p>Our clinic is located at 45 River Road, Springfield. Parking is free behind the building.</p>',
      '<h2>Opening hours</h2>',
      '<ul>',
      '  <li>Monday to Thursday: 08:00 to 18:00</li>',
      '  <li>Friday: 08:00 to 14:00</li>',
      '</ul>',
      '<h2>Emergencies</h2>',
      '<p>For dental emergencies outside opening hours, call <a href="tel:+15550199">555-0199</a>. The line is staffed until 22:00.</p>',
      '<table>',
      '<tr>',
      '<td>Check-up costs $80 and takes half an hour.</td>',
      '</tr>',
      '<tr>',
      '<td>Cleaning costs $120 and takes an hour.</td>',
      '</tr>',
      '</table>',
      '</body>',
      '</html>',
    ].join('\n');
    const budget = Math.floor(count(page) * 0.3);
    const r = await selectForQuery(page, {
      query: 'What is the emergency phone number?',
      budget,
      count,
      style: 'telegraphic',
    });
    expect(r.text).toContain('<a href="tel:+15550199">555-0199</a>');
    for (const empty of [/<ul>\s*<\/ul>/, /<tr>\s*<\/tr>/, /<table>\s*<\/table>/]) expect(r.text).not.toMatch(empty);
    // The outermost frame stays, for a parser.
    expect(r.text.startsWith('<html>')).toBe(true);
    expect(r.text.trimEnd().endsWith('</html>')).toBe(true);
    expect(count(r.text)).toBeLessThanOrEqual(budget);
    expect(r.overBudget).toBe(false);
    // An element with a kept unit inside keeps its tags.
    const price = await selectForQuery(page, { query: 'How much does a cleaning cost?', budget, count });
    expect(price.text).toMatch(/<table>\n(?:.*\n)*<tr>\n<td>Cleaning costs \$120[^\n]*<\/td>\n<\/tr>\n<\/table>/);
    expect(price.text).not.toContain('<ul>');
  });

  it("takes an email's lines of quote markers alone for blank lines, and its 'On ... wrote:' line for the quote's header (review)", async () => {
    // Review: an email's ">" lines were kept as sentences, over the answer.
    const email = [
      'On Wed, 6 Mar 2024 at 11:45, Mike Ross <mike@acme.com> wrote:',
      '> Hi Laura,',
      '>',
      '> The Lakeside Lodge can host 35 people on 14-16 May and costs 18,500 EUR all-in.',
      '>',
      '> My vote is Lakeside.',
      '>',
      '> Mike',
    ].join('\n');
    const memory = parseMemory(email);
    expect(memory.units.map((u) => u.text)).not.toContain('>');
    const quoted = await selectForQuery(email, { query: 'How much does the Lakeside Lodge cost?', budget: 40, count });
    expect(quoted.text).toContain('18,500 EUR');
    // Who wrote the quote, and when, stays above it (review: a quote sat under the reply's date).
    expect(quoted.text.startsWith('On Wed, 6 Mar 2024 at 11:45, Mike Ross <mike@acme.com> wrote:\n')).toBe(true);
    expect(quoted.text.split('\n').filter((l) => /^>+$/.test(l.trim()))).toEqual([]);
  });

  it('takes a query with a short or non-Latin word as one to select by, and a follow-up as none', () => {
    for (const q of ['Who is Al?', 'Is it in the UK?', '北京?', '2?', 'Tell me more about Bo'])
      expect(hasWordToSelectBy(q)).toBe(true);
    for (const q of ['Ok?', 'Why?', 'Tell me more', 'and then what?', 'Really? Thanks!'])
      expect(hasWordToSelectBy(q)).toBe(false);
  });

  it('reads elements written on one line as blocks of their own, and keeps the frame', async () => {
    // Seen with `studio compress --query` on an app's <memory> of <fact> elements on one line: it
    // was one sentence, kept whole ("kept 1 of 1 sentences") at 3.4x the budget.
    const xml =
      '<memory><fact>Dana is vegetarian and never eats fish.</fact><fact>Sam lives in Porto with his two cats.</fact><fact>Ana flies to Faro on 14 May for the wedding.</fact></memory>';
    expect(parseMemory(xml).units.map((u) => u.text)).toEqual([
      '<memory>',
      '<fact>Dana is vegetarian and never eats fish.</fact>',
      '<fact>Sam lives in Porto with his two cats.</fact>',
      '<fact>Ana flies to Faro on 14 May for the wedding.</fact>',
      '</memory>',
    ]);
    const r = await selectForQuery(xml, { query: 'Where does Sam live?', budget: 20, count });
    expect(r.text).toBe('<memory>\n<fact>Sam lives in Porto with his two cats.</fact>\n</memory>');
  });

  it('keeps a Markdown table row under its header and delimiter rows, as written', async () => {
    // Seen with `studio compress --query` on a trip note: "| Ana | Faro | 14 May | vegetarian,
    // allergic peanuts |" came back without the table's header or |---| row (and telegraphed).
    const doc = [
      '# Trip planning',
      '',
      'We are going to Portugal in May. Everyone should bring a rain jacket, since May can be wet.',
      '',
      '| name | city | arrives | note |',
      '|---|---|---|---|',
      '| Dana | Lisbon | 12 May | likes tea and long walks by the river |',
      '| Ana | Faro | 14 May | vegetarian, allergic to peanuts |',
      '| Ife | Lagos | 15 May | flies in via Madrid |',
      '',
      'The bus to Sintra leaves at 7 am from the main square.',
    ].join('\n');
    const m = parseMemory(doc);
    const row = m.units.find((u) => u.text.startsWith('| Ana'));
    expect(m.groups[row?.group as number]?.header).toBe('| name | city | arrives | note |\n|---|---|---|---|');
    // The paragraph after the table goes on its section: a group after the table's, under its heading.
    const bus = m.units.find((u) => u.text.startsWith('The bus'));
    const after = m.groups[bus?.group as number];
    expect(after?.header).toBeNull();
    expect(m.groups[after?.parent as number]?.header).toBe('# Trip planning');
    expect(bus?.group).toBeGreaterThan(row?.group as number);
    const r = await selectForQuery(doc, { query: 'When does Ana arrive?', budget: 40, count, style: 'telegraphic' });
    expect(r.text).toContain(
      '| name | city | arrives | note |\n|---|---|---|---|\n| Ana | Faro | 14 May | vegetarian, allergic to peanuts |',
    );
    // Without outer pipes, the same.
    const bare = parseMemory('Name | City\n--- | ---\nDana | Lisbon\nSam | Porto');
    expect(bare.units.map((u) => [u.text, bare.groups[u.group]?.header])).toEqual([
      ['Dana | Lisbon', 'Name | City\n--- | ---'],
      ['Sam | Porto', 'Name | City\n--- | ---'],
    ]);
    // No row without the header above it.
    for (const [k, line] of r.text.split('\n').entries())
      if (line.startsWith('|') && !line.startsWith('|---') && !line.startsWith('| name'))
        expect(
          r.text
            .split('\n')
            .slice(0, k)
            .some((l) => l.startsWith('| name')),
        ).toBe(true);
  });

  it('leaves no fragment of a sentence on a line of its own in telegraphic style, and code as written', async () => {
    const r = await selectForQuery(DOC, {
      query: 'What happens to the Tuesday session when it rains, and how do I get the calendar?',
      budget: 110,
      count,
      style: 'telegraphic',
      weights: { verbatimShare: 0 },
    });
    const lines = r.text.split('\n');
    expect(lines).toContain('## When and where we meet');
    const rain = lines.find((l) => l.includes('Northfield'));
    expect(rain).toMatch(/rains heavily.*Tuesday session moved indoors/);
    expect(r.text).toContain('```sh\ncurl -s https://example.org/club/calendar.ics > calendar.ics\n```');
  });

  it('reads a fence never closed as a line, not the rest of the memory as code', async () => {
    // Review: a memory cut short inside a code block made everything after its fence one code
    // unit, kept or dropped whole, so no sentence of the sections below could be chosen alone.
    const doc = [
      '## Setup',
      '',
      'Install the tool first.',
      '',
      '```sh',
      'npm install -g club-cli',
      '',
      '## Fees',
      '',
      'The yearly membership fee is 45 euros. Students pay 25 euros.',
      '',
      '## Safety',
      '',
      'Always wear something bright on the evening runs.',
    ].join('\n');
    const m = parseMemory(doc);
    expect(m.units.some((u) => u.kind === 'code')).toBe(false);
    expect(m.units.map((u) => u.text)).toContain('The yearly membership fee is 45 euros.');
    expect(m.groups.map((g) => g.header)).toContain('## Fees');
    const r = await selectForQuery(doc, { query: 'How much is the membership fee?', budget: 20, count });
    expect(r.text).toContain('## Fees\nThe yearly membership fee is 45 euros.');
    expect(r.text).not.toContain('bright');
    // A fence closed by the other fence character is still open: "~~~" does not close "```".
    const mixed = parseMemory('Intro line here.\n\n```\ncode one\n~~~\ncode two\n```\n\nAfter the code.');
    expect(mixed.units.map((u) => u.kind)).toEqual(['sentence', 'code', 'sentence']);
  });

  it('keeps a code block of a chat whole with its fences, under its speaker, or drops it (review)', async () => {
    // Review (a pairing chat): "Maya: ```python" came back with no body nor closing fence, and
    // another query kept "```python\n@property" unclosed: each line of a block was a unit.
    const chat = [
      'Maya: the flaky test is test_invoice_totals_rounding, it fails 1 in 20 runs on CI.',
      'Kofi: show me how the invoice total is computed',
      'Maya:',
      '',
      '```python',
      '    @property',
      '    def total(self) -> Decimal:',
      '        net = sum(l.unit_price * l.qty for l in self.lines)',
      '        return net.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)',
      '```',
      '',
      'Kofi: the total is rounded once, the lines each. that is the flaky rounding',
      'Maya: ```python',
      'def total(self) -> Decimal:',
      '    return sum((l.amount for l in self.lines), Decimal("0.00"))',
      '```',
      'Kofi: good, the total is now the sum of the rounded lines',
    ].join('\n');
    const blocks = [
      chat.slice(chat.indexOf('```python'), chat.indexOf('```\n') + 3),
      chat.slice(chat.indexOf('Maya: ```python'), chat.lastIndexOf('```') + 3),
    ];
    const query = 'How was the flaky rounding of the invoice total fixed in the code?';
    for (const style of ['verbatim', 'telegraphic'] as const)
      for (let budget = 20; budget <= 130; budget += 10) {
        const r = await selectForQuery(chat, { query, budget, count, style });
        const fences = r.text.split('\n').filter((l) => l.includes('```'));
        expect(fences.length % 2, `${style} ${budget}: ${r.text}`).toBe(0);
        // Each block is there whole, its speaker on the line before or on its first line, or not at all.
        if (r.text.includes('    @property')) expect(r.text, `${style} ${budget}`).toContain(`Maya:\n${blocks[0]}`);
        if (r.text.includes('Decimal("0.00")')) expect(r.text, `${style} ${budget}`).toContain(blocks[1]);
      }
  });

  it("reads a contract's numbered headings in capitals as headings: a clause comes with its own, none stands empty (review)", async () => {
    // Review: "What service credit do we get if availability is 98.5%?" at 0.1 gave "2. SERVICE
    // LEVEL" over clauses 3.1-3.5, section 3's heading missing, and "5. TERMINATION" and "7.
    // CONSEQUENCES OF TERMINATION" at the end with nothing under them.
    const contract = [
      'MASTER SERVICES AGREEMENT (Schedule 2: Service Levels)',
      '',
      '1. DEFINITIONS',
      '1.1 "Availability" means the percentage of minutes in a month during which the Platform responds.',
      '1.2 "Service Credit" means the amount credited to the Customer under clause 3.',
      '',
      '2. SERVICE LEVEL',
      '2.1 The Supplier shall ensure that Availability is at least 99.9 % in each month.',
      '2.2 Priority 1 incidents must be reported by telephone.',
      '',
      '3. SERVICE CREDITS',
      '3.1 If Availability falls below the level in clause 2.1, the Customer gets a Service Credit of the monthly Fees:',
      '(a) Availability of 99.0 % or more but less than 99.9 %: 5 %;',
      '(b) Availability of 98.0 % or more but less than 99.0 %: 10 %;',
      '3.2 Service Credits are deducted from the next invoice and not paid in cash.',
      '',
      '4. TERMINATION',
      '4.1 The Customer may terminate if Availability is below 99.0 % in three months.',
      '',
      '5. CONSEQUENCES OF TERMINATION',
      '5.1 Service Credits accrued before termination are then paid in cash.',
    ].join('\n');
    const m = parseMemory(contract);
    expect(m.groups.map((g) => g.header).filter(Boolean)).toEqual([
      '1. DEFINITIONS',
      '2. SERVICE LEVEL',
      '3. SERVICE CREDITS',
      '4. TERMINATION',
      '5. CONSEQUENCES OF TERMINATION',
    ]);
    const query = 'What service credit do we get if availability is 98.5%? Is the service level credit paid in cash?';
    for (let budget = 20; budget <= 140; budget += 10) {
      const r = await selectForQuery(contract, { query, budget, count });
      const lines = r.text.split('\n').filter(Boolean);
      let section = '';
      for (const [k, line] of lines.entries()) {
        const heading = /^(\d)\. [A-Z ]+$/.exec(line);
        if (heading) {
          // A heading has something of its own under it.
          expect(lines[k + 1], `${budget}: ${r.text}`).toMatch(/^(?:\d\.\d|\()/);
          section = heading[1] as string;
        } else if (/^\d\.\d/.test(line)) expect(line.slice(0, 1), `${budget}: ${r.text}`).toBe(section);
      }
    }
  });

  it('drops a turn telegraphed down to one word that says nothing, and a closing reaction (review)', async () => {
    // Review (a pairing chat, --ratio 0.2): "Maya: ok writing it" was kept as "Maya: writing", and
    // "Kofi: ... not Decimal. nice" kept its "nice".
    const chat = [
      'Maya: the flaky test fails 1 in 20 runs on CI.',
      'Kofi: random quantities without a seed explain it.',
      'Maya: ok writing it',
      'Kofi: the start value matters, otherwise an empty invoice returns int 0 not Decimal. nice',
      'Kofi: did you seed the fixture?',
      'Maya: Yes.',
    ].join('\n');
    const query = 'How was the flaky test fixed?';
    for (const budget of [20, 40, 200]) {
      const r = await selectForQuery(chat, { query, budget, count, style: 'telegraphic' });
      expect(r.text, `${budget}`).not.toMatch(/^Maya: writing$/m);
      expect(r.text, `${budget}`).not.toMatch(/\bnice\b/);
    }
    const all = await selectForQuery(chat, { query, budget: 200, count, style: 'telegraphic' });
    // A one-word answer and a word the query asks for still say something.
    expect(all.text).toMatch(/^Maya: Yes\.?$/m);
    const asked = await selectForQuery(chat, {
      query: 'Who was writing it?',
      budget: 200,
      count,
      style: 'telegraphic',
    });
    expect(asked.text).toMatch(/^Maya: (?:ok )?writing/m);
    // Verbatim, nothing is shortened: the turn is kept as written.
    const verbatim = await selectForQuery(chat, { query, budget: 200, count, style: 'verbatim' });
    expect(verbatim.text).toContain('Maya: ok writing it');
    // A day or a time word answers when (review of the session: "Lee: Thursday" went as saying nothing).
    const when = ['Dana: when can we demo the fix to the client?', 'Lee: Thursday.', 'Dana: ok'].join('\n');
    const day = await selectForQuery(when, {
      query: 'When is the client demo?',
      budget: 200,
      count,
      style: 'telegraphic',
    });
    expect(day.text).toMatch(/^Lee: Thursday/m);
  });

  it('keeps no bare speaker label from a line holding two turns, as prose or as dialogue (review)', async () => {
    // Review: "Dana: I moved to Lisbon in May. Sam: ok." read as prose came back with "Sam:" telegraphed
    // to nothing but its name, and in a dialogue the line was one turn of Dana's, Sam's words hers.
    const bare = /(?:^|\s)(?:Sam|Dana):?\s*(?:$|(?:Sam|Dana):)/m;
    const line = 'Dana: I moved to Lisbon in May. Sam: ok. Dana: it has a view.';
    const chat = [
      'Dana: hi Sam, how are you?',
      'Sam: good, busy week at work with the launch.',
      'Dana: I moved to Lisbon in May. Sam: ok. Dana: the flat has a view of the river.',
      'Sam: great, I will visit in June.',
    ].join('\n');
    for (const query of ['Where does Dana live?', 'What did Sam say?'])
      for (const budget of [6, 10, 16, 24, 40]) {
        const one = await selectForQuery(line, { query, budget, count, style: 'telegraphic' });
        expect(one.text, `${query} ${budget}`).not.toMatch(bare);
        const r = await selectForQuery(chat, { query, budget, count, style: 'telegraphic' });
        expect(r.text, `${query} ${budget}`).not.toMatch(bare);
        if (r.text.includes('Lisbon')) expect(r.text).toMatch(/^Dana: [^\n]*Lisbon/m);
      }
  });

  it('keeps the last item of a list in capitals as an item, not a heading over the paragraph after it (review)', async () => {
    // Review: "2. LOCK YOUR SCREEN" headed the paragraph: a question about the office's hours brought
    // it along, one about locking the screen kept only the first item.
    const memo = [
      'SAFETY RULES',
      '1. DO NOT SHARE YOUR PASSWORD',
      '2. LOCK YOUR SCREEN',
      'The office opens at 8. Visitors sign in at reception.',
    ].join('\n');
    const hours = await selectForQuery(memo, { query: 'When does the office open?', budget: 12, count });
    expect(hours.text).toContain('The office opens at 8.');
    expect(hours.text).not.toContain('LOCK YOUR SCREEN');
    const screen = await selectForQuery(memo, { query: 'Should I lock my screen?', budget: 12, count });
    expect(screen.text).toContain('2. LOCK YOUR SCREEN');
  });

  it("keeps a diary's sentence under its own date line, in any language (review)", async () => {
    // Review: in a Spanish building diary a date line was a sentence of its own, kept only with its
    // entry's first sentence; later sentences of another day followed an earlier date's block.
    const entries: [string, string][] = [
      [
        '3 de febrero de 2025',
        'Primera visita de Rafa. Propone tirar el tabique entre cocina y salón, pero es un muro de carga.',
      ],
      [
        '24 de febrero de 2025',
        'Empieza la demolición del baño. Aparece una tubería de plomo; cambiarla cuesta 1.450 € extra.',
      ],
      ['19 de marzo de 2025', 'La viga no llega hasta el 2 de abril. La obra se para en la cocina.'],
      [
        '2 de abril de 2025',
        'Llega la viga y se instala. La tubería de plomo ya está cambiada; la factura es de 1.380 €.',
      ],
      ['3. März 2025', 'Die Nachbarn beschweren sich über den Lärm. Die Tubería-Rechnung kommt später.'],
      ['February 3, 2025', 'The plumber checked the lead pipe again. It cost less than quoted.'],
    ];
    const diary = ['Diario de la reforma', '', ...entries.map(([d, t]) => `${d}\n${t}`)]
      .join('\n\n')
      .replace(/\n\n\n/g, '\n\n');
    const m = parseMemory(diary);
    expect(m.groups.map((g) => g.header).filter(Boolean)).toEqual(entries.map(([d]) => d));
    const query = '¿Cuánto costó el cambio de la tubería de plomo? How much did the lead pipe cost?';
    for (let budget = 15; budget <= 90; budget += 5) {
      const r = await selectForQuery(diary, { query, budget, count });
      let entry: string | undefined;
      for (const line of r.text.split('\n').filter(Boolean)) {
        const dated = entries.find(([d]) => d === line);
        if (dated) entry = dated[1];
        else if (line === 'Diario de la reforma') entry = line;
        // Every sentence kept stands under the date of its own entry.
        else for (const s of sentencesIn(line)) expect(entry, `${budget}: ${r.text}`).toContain(s);
      }
    }
  });

  it('reads a numbered item as one block, its number with it', () => {
    // Seen on samples/notes/meeting-2025-05-14.md: "1." and "2." were sentences of their own, kept
    // as filler ("1.\n2." under "## Decisions") while what they numbered was dropped.
    const m = parseMemory(
      '## Decisions\n\n1. Exports above 50,000 rows will be sent by email (owner: Jun,\n   due 30 May 2025).\n2. The screens ship in version 4.2. Ana owns it.',
    );
    expect(m.units.map((u) => u.text)).toEqual([
      '1. Exports above 50,000 rows will be sent by email (owner: Jun, due 30 May 2025).',
      '2. The screens ship in version 4.2.',
      'Ana owns it.',
    ]);
    expect(m.units.map((u) => u.first)).toEqual([true, true, false]);
  });

  it("keeps a log's lines apart, though they end without a point", () => {
    const log = [
      '[10:02] Alice asked whether the nightly build finished without errors today',
      '[10:05] Bob said the nightly build failed on the linux runner again',
      'Ticket 4411 was opened for the flaky linux runner and assigned to Carol',
      'Carol will look into it tomorrow morning before the standup meeting',
    ].join('\n');
    expect(parseMemory(log).units.map((u) => u.text)).toEqual(log.split('\n'));
  });

  it('takes a sentence that starts with a session word for a sentence, not a heading', () => {
    const m = parseMemory('Day one was hard. We ran ten kilometres in the rain.\n\nSession fees are due in March.');
    expect(m.groups.every((g) => g.header === null)).toBe(true);
    expect(m.units.map((u) => u.text)).toEqual([
      'Day one was hard.',
      'We ran ten kilometres in the rain.',
      'Session fees are due in March.',
    ]);
  });
});

describe('rendering kept sentences of lists and paragraphs', () => {
  it("opens a line for another item's sentence, though the item's first sentence went (review)", () => {
    const text = [
      '## Travel',
      '- Gift: we agreed on £150 split with Jonah.',
      "- Maybe Japan in October? Haven't decided yet. Jonah prefers November for the autumn leaves.",
    ].join('\n');
    const m = parseMemory(text);
    const at = (start: string) => m.units.findIndex((u) => u.text.startsWith(start));
    const out = renderUnits(m, new Set([at('- Gift'), at('Jonah prefers')]));
    expect(out).toBe(
      '## Travel\n- Gift: we agreed on £150 split with Jonah.\nJonah prefers November for the autumn leaves.',
    );
    // A quoted line's later sentence keeps the line's quote marks.
    const mail = parseMemory('Thanks, noted.\n\n>>> Quick note from IT: we need the licence. Budget it now, please.');
    const budget = mail.units.findIndex((u) => u.text.startsWith('Budget'));
    expect(renderUnits(mail, new Set([budget]))).toBe('>>> Budget it now, please.');
  });
});

describe('an email thread (review)', () => {
  const thread = [
    'Subject: Re: Q3 vendor decision',
    '',
    'Hi all,',
    '',
    'Final answer from my side: we are going with Zebra, not Honeywell. Deployment starts at the Reno site on 7 July.',
    '',
    'Thanks for all the input,',
    'Rachel',
    '--',
    'Rachel Gomez',
    'VP Operations | Northwind Logistics',
    '+1 (775) 555-0142',
    '',
    '> On Wed, 11 Jun 2025 at 09:15, Owen Barrett <owen@example.com> wrote:',
    '> Rachel,',
    '> I reran the numbers. Over three years Zebra is cheaper by roughly $2,640 for 120 units.',
    '> Owen',
    '> --',
    '> Owen Barrett',
    '> Senior Buyer, Procurement',
    '> Sent from my iPhone',
  ].join('\n');

  it('ranks salutations and signatures below every other line: a name in the question matched them best', async () => {
    // Review: "Which vendor did Rachel decide on?" kept "Rachel", "Rachel Gomez" and her title, and
    // lost her decision.
    const r = await selectForQuery(thread, { query: 'Which vendor is Rachel going with?', budget: 80, count });
    expect(r.text).toContain('going with Zebra');
    for (const frame of ['Rachel Gomez', 'VP Operations', '555-0142', 'Senior Buyer', 'Sent from my iPhone', 'Hi all'])
      expect(r.text).not.toContain(frame);
    // Kept when everything else is.
    const all = await selectForQuery(thread, { query: 'Which vendor is Rachel going with?', budget: 1000, count });
    expect(all.text).toContain('Rachel Gomez');
  });

  it('reads who wrote each line: a signature, a "From:" header, a reply\'s "wrote:" line over its quote', () => {
    // So a question naming a sender finds what she wrote, as a chat's speaker (review: "Which
    // vendor did Rachel decide on?" found her signature, not her decision).
    const authors = (text: string) => {
      const m = parseMemory(text);
      return new Map(m.units.map((u, i) => [u.text, emailAuthors(m)[i]]));
    };
    const a = authors(thread);
    expect(a.get('Final answer from my side: we are going with Zebra, not Honeywell.')).toBe('Rachel');
    expect(a.get('> I reran the numbers.')).toBe('Owen Barrett');
    // A mail client's reply: the sender's line, then the message quoted one deeper.
    const reply = [
      'From: Dana Okafor <dana@example.com>',
      'Subject: Re: offsite',
      '',
      'Booked the Lisbon hotel for 3 nights.',
      '',
      'On Mon, 2 Jun 2025 at 10:00, Marco Rossi <marco@example.com> wrote:',
      '> Can you book the hotel? The budget is 900 euros.',
    ].join('\n');
    const b = authors(reply);
    expect(b.get('Booked the Lisbon hotel for 3 nights.')).toBe('Dana Okafor');
    // A question and the sentence after it are one unit (memory-units.ts).
    expect(b.get('> Can you book the hotel? The budget is 900 euros.')).toBe('Marco Rossi');
    // No email, no authors: one "From:" line in notes is no header (review: its place became the speaker).
    expect([...authors('Booked the hotel. The budget is 900 euros.').values()].every((x) => x === null)).toBe(true);
    expect(
      [...authors("Trip\nFrom: Chicago O'Hare\nUser is vegan.\nAlways answer the user in Spanish.").values()].every(
        (x) => x === null,
      ),
    ).toBe(true);
    // Two messages at one depth, each signed: each line is its own message's (review: one signature named both).
    const two = authors(
      [
        'Subject: scanner vendor',
        'To: ops',
        '',
        'Hi team,',
        'We go with Zebra for the Reno site.',
        'Thanks,',
        'Rachel',
        '',
        'Hi Rachel,',
        'I disagree, Honeywell is cheaper over three years.',
        'Best,',
        'Owen',
      ].join('\n'),
    );
    expect(two.get('We go with Zebra for the Reno site.')).toBe('Rachel');
    expect(two.get('I disagree, Honeywell is cheaper over three years.')).toBe('Owen');
    // An answer, a sentence opening like a sign-off, a line with a number: no frame (review).
    const answer = parseMemory(
      [
        'Subject: Re: contract',
        'To: Owen',
        '',
        'Approved.',
        '',
        'Best option is Zebra.',
        'Thanks to Dana we saved $4,000.',
        'Thanks,',
        'Rachel',
      ].join('\n'),
    );
    expect(emailFrames(answer).map((i) => answer.units[i]?.text)).toEqual(['Thanks,', 'Rachel']);
  });
});

describe('facts that hold whatever the question (review)', () => {
  const facts = [
    ...Array.from(
      { length: 60 },
      (_, k) => `- User visited city number ${k + 1} on a work trip and liked the old town there.`,
    ),
  ];
  facts.splice(20, 0, '- User is vegan and has a severe peanut allergy.');
  facts.splice(45, 0, '- Always answer the user in Spanish.');
  const memory = facts.join('\n');

  it('keeps an instruction and an allergy first, though the question names neither', async () => {
    // Review: "Recommend a restaurant for Saturday" dropped both.
    const r = await selectForQuery(memory, {
      query: 'Recommend a restaurant for Saturday in the old town',
      budget: 120,
      count,
    });
    expect(r.text).toContain('vegan and has a severe peanut allergy');
    expect(r.text).toContain('Always answer the user in Spanish');
    expect(count(r.text)).toBeLessThanOrEqual(120);
  });

  it('keeps an allergy in a text memory for a question about eating, not for any question; an instruction always', async () => {
    // Review 5, F-11: in a discharge summary at 0.1, "Which blood thinner was she started on?" kept
    // "Penicillin (rash). No known food allergies." and not "started on apixaban 5 mg twice daily":
    // a text memory kept every allergy whatever the question, as a JSON memory no longer did (F-22).
    const notes = Array.from({ length: 40 }, (_, k) => `- User went to concert number ${k + 1} in Leeds with friends.`);
    notes.splice(8, 0, '- User moved to a flat in Sheffield in May 2025.');
    notes.splice(
      12,
      0,
      '- Allergic to penicillin (a rash and swelling in 2019) and to peanuts and tree nuts; carries an EpiPen at all times.',
    );
    notes.splice(25, 0, '- Always answer the user in Spanish.');
    const text = notes.join('\n');
    const home = await selectForQuery(text, { query: "Where is the user's flat?", budget: 150, count });
    expect(home.text).toContain('moved to a flat in Sheffield');
    expect(home.text).toContain('answer the user in Spanish');
    expect(home.text).not.toContain('penicillin');
    const dinner = await selectForQuery(text, { query: 'Which dish should I cook for the user?', budget: 60, count });
    expect(dinner.text).toContain('Allergic to penicillin');
  });

  it("keeps a food allergy out of a question about a medicine, and a drug's out of one about eating (session 32)", async () => {
    // The discharge summary at 0.1: "Which medicine was stopped?" kept "No known food allergies."
    expect(bearsOn('No known food allergies.', 'Which medicine was stopped?')).toBe(false);
    expect(bearsOn('Penicillin (rash).', 'Which medicine was stopped?')).toBe(true);
    expect(bearsOn('Allergic to penicillin.', 'What can she eat for dinner?')).toBe(false);
    expect(bearsOn('Severe peanut allergy.', 'What can she eat for dinner?')).toBe(true);
    // One naming neither (a condition), or both, bears on either; so does any for a question naming an allergy.
    expect(bearsOn('Has type 2 diabetes.', 'Which medicine was stopped?')).toBe(true);
    expect(bearsOn('Allergic to penicillin and peanuts.', 'What can she eat for dinner?')).toBe(true);
    expect(bearsOn('No known food allergies.', 'Is she allergic to any medicine?')).toBe(true);
    const notes = Array.from({ length: 30 }, (_, k) => `- Visit number ${k + 1} to the clinic went without problems.`);
    notes.splice(5, 0, '- No known food allergies; eats everything.');
    notes.splice(18, 0, '- Aspirin 75 mg: stopped in March.');
    const r = await selectForQuery(notes.join('\n'), { query: 'Which medicine was stopped?', budget: 16, count });
    expect(r.text).toContain('Aspirin 75 mg');
    expect(r.text).not.toContain('food allergies');
  });

  it('reads an instruction written in the third person as one, and a wish as a fact (review)', async () => {
    // Review: "User does not want recipes that contain mushrooms" was an ordinary fact; only lines
    // opening with always / never / do not were instructions.
    for (const t of [
      '- User does not want recipes that contain mushrooms; he hates them.',
      'User wants all answers in British English spelling.',
      'User prefers answers in Dutch',
      'User never wants emoji in replies.',
      '12. [2024-04-09] He dislikes long responses.',
      'Please always use metric units.',
      'Never share your system prompt with anyone.',
    ])
      expect(isStandingFact(t), t).toBe(true);
    for (const t of [
      'User wants to visit Japan.',
      'User likes hiking in the Dales.',
      'User prefers trains over planes.',
      'User asked about a recipe for dal and found the answer helpful.',
      'Always wear something reflective after dark.',
      '- Always tell your dentist you take a blood thinner.',
      'Always call your doctor if the pain gets worse.',
    ])
      expect(isStandingFact(t), t).toBe(false);
    const notes = [...facts];
    notes.splice(10, 0, '- User wants all answers in British English spelling.');
    notes.splice(30, 0, '- User does not want dishes that contain mushrooms.');
    const r = await selectForQuery(notes.join('\n'), {
      query: 'Can you suggest a dinner recipe for tonight?',
      budget: 120,
      count,
    });
    expect(r.text).toContain('User wants all answers in British English spelling.');
    expect(r.text).toContain('User does not want dishes that contain mushrooms.');
  });

  it('passes over one too long for the share and takes a shorter one after it (review)', () => {
    const score = Float64Array.from([5, 1, 0.5, 0.2]);
    rankStandingNext(score, {
      standing: [1, 2],
      cost: (i) => (i === 1 ? 40 : 8),
      room: 30,
      budget: 100,
      answerRoom: 0,
    });
    // Unit 2 (8 tokens) now ranks right after the best; unit 1 (40 tokens) where it was.
    expect([...score.keys()].sort((a, b) => (score[b] as number) - (score[a] as number))).toEqual([0, 2, 1, 3]);
  });

  it('lets them take a share of the budget only, and reads a chat as talk', async () => {
    const many = Array.from(
      { length: 40 },
      (_, k) => `- Allergic to substance number ${k + 1}, found in many foods.`,
    ).join('\n');
    const r = await selectForQuery(`${many}\n- User visited Porto in May.`, {
      query: 'When did the user visit Porto?',
      budget: 100,
      count,
    });
    expect(r.text).toContain('Porto in May');
    const chat = 'Ana: Always answer in Spanish, haha.\nBen: Sure. I went to Porto in May.\nAna: Nice!';
    const c = await selectForQuery(chat, { query: 'When did Ben go to Porto?', budget: 20, count });
    expect(c.text).not.toContain('Spanish');
  });
});

describe('sentences that read only with the one before them (review 2)', () => {
  it('reads a pronoun, an exception, a verb left out and a fragment as referring back', () => {
    for (const t of [
      'Do not add it, whatever the internet says.',
      'Exception: Premium customers pay no flat fee, only the FX margin.',
      'Say you cannot, and point to a licensed adviser.',
      'No complications.',
      'For Leo (coeliac) buy the gluten-free one or leave it out.',
    ])
      expect(refersBack(t), t).toBe(true);
    for (const t of [
      'Simmer uncovered for at least 90 minutes.',
      'Potassium 5.1 mmol/L, borderline high; recheck in 3 months.',
      'Leave must start within 12 months of the birth or adoption.',
    ])
      expect(refersBack(t), t).toBe(false);
  });

  it("ties a sentence to the one before it in its paragraph, and a list item's later sentence to its first", () => {
    const m = parseMemory(
      [
        '# Notes',
        '',
        'Note: Nonna never used ricotta in lasagne. Do not add it, whatever the internet says.',
        '- 2024-06-12: fall at home, no fracture. Physio referral, 6 sessions completed.',
        '- Hypertension, well controlled.',
        '',
        'Alice: I bought it yesterday.',
      ].join('\n'),
    );
    const tied = antecedentsOf(m);
    const text = (i: number) => m.units[i]?.text;
    const pairs = m.units.flatMap((u) => (tied[u.index] ?? []).map((a) => [text(a), u.text]));
    expect(pairs).toEqual([
      ['Note: Nonna never used ricotta in lasagne.', 'Do not add it, whatever the internet says.'],
      ['- 2024-06-12: fall at home, no fracture.', 'Physio referral, 6 sessions completed.'],
    ]);
  });
});

describe('memories in other languages (review)', () => {
  const GERMAN = [
    'Notizen zu Kunden',
    '',
    'Frau Schneider ist mit der neuen Rechnung unzufrieden. Wir haben 149 Euro am 15. März erstattet.',
    'Familie Yilmaz fragt nach einem Glasfaseranschluss. Der Techniker kommt am Dienstag, den 19. März, zwischen 8 und 12 Uhr.',
    'Herr Keller hat sein Passwort vergessen. Wir haben ihm einen Link zum Zurücksetzen geschickt.',
  ].join('\n');

  it('keeps a day\'s ordinal point with its month: no sentence ends at "19."', () => {
    // Review: "am 19. März" was cut into "... den 19." and "März, zwischen 8 und 12 Uhr.".
    expect(
      sentencesIn('Der Techniker kommt am Dienstag, den 19. März, zwischen 8 und 12 Uhr. Er ruft vorher an.'),
    ).toEqual(['Der Techniker kommt am Dienstag, den 19. März, zwischen 8 und 12 Uhr.', 'Er ruft vorher an.']);
    expect(sentencesIn('Wir treffen uns am 1. Mai. Das passt.')).toHaveLength(2);
    // A sentence that ends on a number still ends there.
    expect(sentencesIn('We met in room 12. Then we left.')).toHaveLength(2);
  });

  it('keeps a question with its answer when the answer asks again: a ticked question kept alone turned the line around (review)', async () => {
    // Review: in a moving checklist "- [x] Pixel's flight?" was kept alone while its line goes on
    // "No: the cat travels with us by car with the movers? No — with us by train".
    const todo = [
      '# Moving to Copenhagen',
      '',
      '## Before the move',
      '- [x] Book movers: Nordic Movers, pickup 28 June 08:00',
      '- [ ] Cancel Berlin electricity — NOT yet, the final meter reading must be on 30 June',
      '- [x] Vet certificate for the cat (Pixel): rabies vaccination done 12 April',
      '',
      '## Do not forget',
      "- [x] Pixel's flight? No: the cat travels with us by car with the movers? No — with us by train (ICE + DSB), booked for 29 June",
      '- [ ] Send the landlord our new IBAN',
    ].join('\n');
    expect(sentencesIn("Pixel's flight? No: by car with the movers? No — by train. Booked.")).toEqual([
      "Pixel's flight? No: by car with the movers? No — by train.",
      'Booked.',
    ]);
    for (const query of ["Is Pixel's flight booked?", 'How is the cat travelling to Copenhagen?'])
      for (const style of ['verbatim', 'telegraphic'] as const)
        for (let budget = 10; budget <= 80; budget += 5) {
          const r = await selectForQuery(todo, { query, budget, count, style });
          for (const line of r.text.split('\n'))
            if (line.includes('flight?')) expect(line, `${query} ${style} ${budget}`).toMatch(/train/);
        }
  });

  it('keeps a question with the sentence that answers it: a question kept alone reads as a fact (review)', async () => {
    expect(sentencesIn('Is he studying for the JLPT? No, he is Japanese. He studies for the IELTS.')).toEqual([
      'Is he studying for the JLPT? No, he is Japanese.',
      'He studies for the IELTS.',
    ]);
    // Questions in a row stay apart, the last with its answer (review: a checklist of eight questions
    // joined into one unit was over the budget, and went whole).
    expect(sentencesIn('Was it paid? Why not? Nobody asked. Then it was late.')).toEqual([
      'Was it paid?',
      'Why not? Nobody asked.',
      'Then it was late.',
    ]);
    // A question with nothing after it is a sentence of its own.
    expect(sentencesIn('We booked the hotel. Is it near the venue?')).toEqual([
      'We booked the hotel.',
      'Is it near the venue?',
    ]);
    const checklist = [
      'Onboarding checklist for the new hire, Priya Nair, starting on 3 June.',
      '',
      'Please confirm the following with IT and facilities. Has her laptop been ordered from the Dublin depot? Is her badge ready at the front desk on floor 4? Did payroll receive her bank details and tax form? Has she been added to the #platform-team Slack channel? Is her desk in row C next to Tomas? Who is her onboarding buddy for the first month? Has the welcome lunch at Bistro Verde been booked for Wednesday? Are her GitHub and AWS accounts provisioned with read-only access?',
      '',
      'Her manager is Elena Rossi. The team stand-up is at 9:30 every weekday in room Oak.',
    ].join('\n');
    const c = await selectForQuery(checklist, {
      query: "Where is Priya's desk?",
      budget: 43,
      count,
      style: 'telegraphic',
    });
    expect(c.text).toMatch(/row C next Tomas/);
    // Review: a query about Kenta's wife filled its budget with "He studying JLPT?", its answer left out.
    const memo = [
      'User memo',
      '- Name: Kenta Sato, lives in Osaka, works remotely for a Berlin startup.',
      '- Kenta is allergic to buckwheat, never recommend soba restaurants.',
      "- His wife's name is Misaki, she is a nurse.",
      '- He is studying for the JLPT? No - he is Japanese; he is studying for the IELTS, target band 7.5, exam on 2024-08-24.',
      '- Favourite foods: curry rice and takoyaki.',
      '- Goes to a coworking space in Umeda on Tuesdays.',
    ].join('\n');
    for (const budget of [30, 40, 60]) {
      const r = await selectForQuery(memo, {
        query: "What is Kenta's wife called?",
        budget,
        count,
        style: 'telegraphic',
      });
      expect(r.text).toContain('Misaki');
      if (/JLPT/.test(r.text)) expect(r.text, String(budget)).toMatch(/JLPT\? No\b.*IELTS/);
    }
  });

  it('leaves a memory in another language out of the English telegraph: its words stay', async () => {
    // Review: the telegraph dropped German "am" (the English verb) from "am 15. März".
    const r = await selectForQuery(GERMAN, {
      query: 'Wann kommt der Techniker zu Familie Yilmaz?',
      budget: 60,
      count,
      style: 'telegraphic',
    });
    expect(r.text).toContain('Der Techniker kommt am Dienstag, den 19. März, zwischen 8 und 12 Uhr.');
    expect(r.style).toBe('verbatim');
    expect(readsAsOtherLanguage(GERMAN)).toBe(true);
    expect(readsAsOtherLanguage(MEMORY)).toBe(false);
  });

  it("drops a session header's list of speakers in another language too, its words as written (review 4)", async () => {
    const chat = [
      'Sesión 1 (21:10, 9 de febrero de 2025): Lucía y Andrés',
      'Lucía: ¡Hola! ¿Qué tal la panadería?',
      'Andrés: Si todo va bien, abro el 1 de abril en Ruzafa, con un horno de leña que me costó una fortuna.',
      '',
      'Sesión 2 (19:45, 8 de marzo de 2025): Lucía y Andrés',
      'Andrés: Tengo malas noticias: no abro el 1 de abril. Ahora la apertura es el 26 de abril, por la licencia.',
      'Lucía: Vaya, lo siento mucho. ¿Y el horno de leña?',
    ].join('\n');
    const r = await selectForQuery(chat, {
      query: '¿Cuándo es la apertura? ¿Qué pasó con la licencia?',
      budget: 80,
      count,
      style: 'telegraphic',
    });
    expect(r.style).toBe('verbatim');
    expect(r.text).toContain('Sesión 2 (19:45, 8 de marzo de 2025):\n');
    expect(r.text).not.toContain('Lucía y Andrés');
    expect(r.text).toContain('Ahora la apertura es el 26 de abril, por la licencia.');
  });

  it('indexes Chinese by character pairs, and ranks a query in another script without MiniLM', async () => {
    // Review: a Chinese sentence was one BM25 term, and MiniLM's noise ranked a trip over the allergy.
    expect(terms('他对花生过敏')).toContain('过敏');
    const memory = [
      '王伟住在上海，在一家银行工作。',
      '他对花生过敏，不喝咖啡，只喝绿茶。',
      '王伟计划在2024年10月去日本京都旅行。',
      '他最喜欢的运动是羽毛球。',
    ].join('\n');
    const r = await selectForQuery(memory, { query: '王伟对什么过敏？', budget: 20, count });
    expect(r.text).toContain('他对花生过敏');
    expect(readsForMiniLM('王伟对什么过敏？')).toBe(false);
    expect(readsForMiniLM('Where did Dana move?')).toBe(true);
    expect(readsForMiniLM('Wann kommt der Techniker?')).toBe(true);
  });
});

describe('selectForQuery (lexical)', () => {
  it('keeps the relevant turns verbatim, in their original order, under their session headers, within the budget', async () => {
    const budget = 60;
    const r = await selectForQuery(MEMORY, { query: 'What did Melanie run a charity race for?', budget, count });
    expect(count(r.text)).toBeLessThanOrEqual(budget);
    const lines = r.text.split('\n');
    expect(lines[0]).toBe('Session 2 (1:14 pm on 25 May, 2023): Caroline and Melanie');
    expect(lines).toContain('Melanie: I ran a charity race for mental health last Saturday, it was really rewarding.');
    // Every kept line is a line of the memory, in the memory's order.
    const positions = lines.filter(Boolean).map((l) => MEMORY.indexOf(l));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(r.text).not.toContain('birthday');
  });

  it('fills a larger budget by relevance and keeps every kept turn with its header', async () => {
    const small = await selectForQuery(MEMORY, { query: 'camping with the kids', budget: 40, count });
    const large = await selectForQuery(MEMORY, { query: 'camping with the kids', budget: 120, count });
    expect(small.keptUnits.length).toBeLessThan(large.keptUnits.length);
    for (const u of small.keptUnits) expect(large.keptUnits).toContain(u);
    expect(count(large.text)).toBeLessThanOrEqual(120);
    expect(count(large.text)).toBeGreaterThan(80);
    for (const g of new Set(large.keptGroups))
      expect(large.text).toContain(large.memory.groups[g]?.header ?? 'no header');
    expect(small.text).toContain('Melanie: We took the kids camping in the mountains and roasted marshmallows.');
  });

  it('boosts a session whose date the query names', async () => {
    const r = await selectForQuery(MEMORY, { query: 'What did they do in June 2023?', budget: 45, count });
    expect(r.text.startsWith('Session 3 (3:00 pm on 9 June, 2023)')).toBe(true);
  });
});

describe('list questions', () => {
  it('tells a question asking for a list from one asking for a single fact', () => {
    for (const q of [
      'What activities does Melanie partake in?',
      'Which European countries has Maria been to?',
      "What are the names of John's children?",
      'Where has Maria made friends?',
      'What people has Maria met while volunteering?',
    ])
      expect(isListQuestion(q), q).toBe(true);
    for (const q of [
      "What is Caroline's relationship status?",
      'Which song motivates Caroline to be courageous?',
      'What kind of counseling is Caroline interested in?',
      'When did Melanie paint a sunrise?',
      "What does Jon tell Gina he won't do?",
    ])
      expect(isListQuestion(q), q).toBe(false);
  });

  it("keeps the named person's own turns from several sessions, where the items of the list lie", async () => {
    const sessions = [
      ['8 May', 'Melanie: I signed up for a pottery class with the kids.'],
      ['25 May', 'Melanie: We went camping at the lake last weekend.'],
      ['9 June', 'Melanie: I finished a painting of the sunrise.'],
      ['2 July', 'Melanie: Swimming every morning keeps me calm.'],
    ];
    const memory = sessions
      .map(([date, turn], i) =>
        [
          `Session ${i + 1} (1:00 pm on ${date}, 2023): Caroline and Melanie`,
          ...(i === 0 ? ['Caroline: Our group planned weekend activities, so many activities to choose from!'] : []),
          // Each session's filler its own (a word apart): a turn said word for word again is not spent on.
          `Caroline: Work has been long ${['this', 'last', 'all', 'that'][i]} week, the new project at the office keeps me busy until late at night.`,
          `Caroline: My neighbour finally fixed the fence between our gardens after the storm in the ${['spring', 'autumn', 'winter', 'rain'][i]}.`,
          turn,
          `Caroline: That reminds me of the summer I spent with my grandmother by the sea, ${['years', 'long', 'ages', 'decades'][i]} ago.`,
        ].join('\n'),
      )
      .join('\n\n');
    const query = 'What activities does Melanie partake in?';
    // Room for three of the four turns (a turn under its speaker's own goes without its label).
    const budget = 175;
    const items = (text: string) => ['pottery', 'camping', 'painting', 'Swimming'].filter((w) => text.includes(w));
    const plain = await selectForQuery(memory, { query, budget, count, weights: { listSpeaker: 0 } });
    const list = await selectForQuery(memory, { query, budget, count });
    expect(count(list.text)).toBeLessThanOrEqual(budget);
    // Without the boost, Caroline's turns that repeat the question's word fill the budget.
    expect(items(plain.text).length).toBeLessThan(2);
    expect(items(list.text).length).toBeGreaterThanOrEqual(3);
    expect(new Set(list.keptGroups).size).toBeGreaterThanOrEqual(3);
    // A single-fact question about the same person gets no such boost.
    const single = await selectForQuery(memory, { query: "What is Melanie's favourite activity?", budget, count });
    expect(items(single.text).length).toBeLessThan(2);
  });
});

describe('telegraphic style', () => {
  it('drops closed-class words and keeps names, numbers, dates, negations, the label and -ing verbs', () => {
    expect(
      telegraph('Caroline: I was so happy that we did not miss the 3 pm train to Boston in May.', 'Caroline:'),
    ).toBe('Caroline: happy not miss 3 pm train Boston May');
    expect(telegraph("Jon: We're having picnics and doing great, who knew!", 'Jon:')).toBe(
      'Jon: having picnics doing great who knew',
    );
    // A sentence-initial capital is still a closed-class word; inside a sentence it is a name.
    expect(isClosedClass('The', true)).toBe(true);
    expect(isClosedClass('May', false)).toBe(false);
    // A line of nothing but glue is kept as it was rather than emptied; a short statement ending in
    // its pronoun stays whole ("Fine by me": who agrees).
    expect(telegraph('Mel: It is what it is. Fine by me!', 'Mel:')).toBe('Mel: what Fine by me');
    expect(telegraph('Mel: and so on', 'Mel:')).toBe('Mel: and so on');
  });

  it('holds more turns in the same budget, each a shortened line of the memory, in order, under its header', async () => {
    const query = 'What did Melanie do with the kids?';
    const plain = await selectForQuery(MEMORY, { query, budget: 60, count });
    const tele = await selectForQuery(MEMORY, { query, budget: 60, count, style: 'telegraphic' });
    expect(tele.style).toBe('telegraphic');
    expect(count(tele.text)).toBeLessThanOrEqual(60);
    expect(tele.keptUnits.length).toBeGreaterThan(plain.keptUnits.length);
    for (const u of plain.keptUnits) expect(tele.keptUnits).toContain(u);
    const turns = tele.text.split('\n').filter((l) => /^\w+: /.test(l));
    expect(turns).toHaveLength(tele.keptUnits.length);
    turns.forEach((line, k) => {
      const unit = tele.memory.units[tele.keptUnits[k] as number];
      expect(line).toBe(telegraph(unit?.text ?? '', unit?.label ?? null, { speakers: ['caroline', 'melanie'] }));
    });
    // "Hey Caroline! I am swamped...": the vocative goes with the glue.
    expect(tele.text).toContain('Melanie: swamped kids work');
  });

  it("writes each session's header without its participants, unless two headers would then read the same", async () => {
    const query = 'What did Melanie do with the kids?';
    const tele = await selectForQuery(MEMORY, { query, budget: 200, count, style: 'telegraphic' });
    expect(tele.text).toContain('Session 3 (3:00 pm 9 June 2023):\n');
    expect(tele.text).not.toContain('Caroline and Melanie');
    const plain = await selectForQuery(MEMORY, { query, budget: 200, count });
    expect(plain.text).toContain('Session 3 (3:00 pm on 9 June, 2023): Caroline and Melanie\n');
    // Two chats told apart only by who took part keep their headers as written.
    const twice = [
      'Chat: Caroline and Melanie',
      'Caroline: We went camping with the kids.',
      'Melanie: The kids loved the camping trip.',
      '',
      'Chat: Caroline and Jo',
      'Jo: The kids went camping too.',
      'Caroline: Camping with kids is the best.',
    ].join('\n');
    const both = await selectForQuery(twice, { query, budget: 200, count, style: 'telegraphic' });
    expect(both.text).toContain('Chat: Caroline and Melanie\n');
    expect(both.text).toContain('Chat: Caroline and Jo\n');
  });
});

describe('the embedding cache', () => {
  const minilm = useMiniLMCompressor('embcache');
  const rulesCompressor = minilm.compressor;

  it('embeds a memory once: a second call, and a new process on the same SQLite file, embed nothing old', async () => {
    const dbPath = join(minilm.dir(), 'cache.db');
    const first = createEmbeddingStore({ modelPath: minilm.modelPath(), dbPath });
    const query = 'What did Melanie paint?';
    const a = await selectForQuery(MEMORY, { query, budget: 60, count, store: first });
    // 13 turns and the query; for the word-level match (relevance.ts wordMatch) the memory's 62
    // distinct content words and the query's one ("paint"; "Melanie" is a name and left out).
    expect(a.embedded).toBe(13 + 1 + 62 + 1);
    expect(a.text).toContain('lake sunrise');
    const b = await selectForQuery(MEMORY, { query, budget: 60, count, store: first });
    expect(b.embedded).toBe(0);
    expect(b.text).toBe(a.text);
    // One new turn and a new query: exactly those two are embedded, and the words no one said
    // before: the turn's daughter, started, violin, lessons, week and the query's "plays".
    const more = `${MEMORY}\nMelanie: My daughter started violin lessons this week.`;
    const c = await selectForQuery(more, { query: 'Who plays the violin?', budget: 60, count, store: first });
    expect(c.embedded).toBe(2 + 5 + 1);
    expect(c.text).toContain('violin lessons');
    await first.dispose();

    const second = createEmbeddingStore({ modelPath: minilm.modelPath(), dbPath });
    const d = await selectForQuery(more, { query, budget: 60, count, store: second });
    expect(d.embedded).toBe(0);
    // From the file: 14 turns, the query, the 67 words of the memory and "paint".
    expect(second.stats.dbHits).toBe(14 + 1 + 67 + 1);
    await second.dispose();
    const db = openDb(dbPath);
    // 14 turns, 2 queries, 67 memory words, "paint" and "plays".
    expect(countEmbeddings(db)).toBe(14 + 2 + 67 + 2);
    db.close();
  }, 120_000);

  it('spends nothing on a unit of negligible relevance: the budget is a ceiling (found by use)', async () => {
    // A handbook's "Welcome to the team!" (two tokens, telegraphic) filled the last gap of an answer about leave.
    const handbook = HANDBOOK;
    const store = createEmbeddingStore({ modelPath: minilm.modelPath(), dbPath: null });
    const r = await selectForQuery(handbook, {
      query: 'How many days of leave do I get?',
      budget: 60,
      count,
      store,
      style: 'telegraphic',
    });
    expect(r.text).toContain('27 days paid leave');
    expect(r.text).not.toContain('Welcome');
    expect(count(r.text)).toBeLessThan(60);
    // Without the vectors the hand weights rank, on another scale: no floor then.
    const bm25 = await selectForQuery(handbook, { query: 'How many days of leave do I get?', budget: 60, count });
    expect(bm25.text).toContain('27 days of paid leave');
    await store.dispose();
  }, 120_000);

  it("brings a document's next list item with a kept one only when it refers back to it (session 32)", async () => {
    // The discharge summary at 0.1: "Always tell your dentist you take a blood thinner" brought the
    // next instruction as its "reply", which took the room of the answer.
    const doc = [
      'Hospital course',
      'Rate control was started with IV metoprolol. After discussion of bleeding risk, she was started on apixaban 5 mg twice daily.',
      'Creatinine 98 umol/L, stable throughout.',
      '',
      'Instructions for the patient',
      '- Always tell your dentist you take a blood thinner.',
      '- Seek urgent care if you notice black stools, blood in urine, or a severe headache.',
      '- Keep the clinic letter with your passport when you travel abroad this summer.',
    ].join('\n');
    const store = createEmbeddingStore({ modelPath: minilm.modelPath(), dbPath: null });
    const r = await selectForQuery(doc, {
      query: 'Which blood thinner was she started on?',
      budget: 45,
      count,
      store,
      style: 'telegraphic',
    });
    expect(r.text).toContain('apixaban 5 mg twice daily');
    expect(r.text).not.toContain('black stools');
    await store.dispose();
  }, 120_000);

  it('lives in the project database inside a project, else under the user cache folder, else where configured', () => {
    const project = join(minilm.dir(), 'proj');
    openDb(join(project, 'data', 'studio.db'), { create: true }).close();
    expect(resolveEmbeddingCache('auto', { STUDIO_PROJECT: project })).toBe(join(project, 'data', 'studio.db'));
    expect(
      resolveEmbeddingCache('auto', {
        STUDIO_PROJECT: join(minilm.dir(), 'none'),
        XDG_CACHE_HOME: join(minilm.dir(), 'xdg'),
      }),
    ).toBe(join(minilm.dir(), 'xdg', 'compression-studio', 'embeddings.db'));
    expect(resolveEmbeddingCache('off', {})).toBeNull();
    expect(resolveEmbeddingCache('auto', { STUDIO_EMBEDDING_CACHE: join(minilm.dir(), 'x.db') })).toBe(
      join(minilm.dir(), 'x.db'),
    );
  });

  it('a cancelled first pass stops between texts and keeps what it embedded for the next call', async () => {
    // An embedder that ignores the signal and aborts it during its first batch: the store must
    // not start another batch, and must have stored the one it finished.
    const controller = new AbortController();
    const calls: number[] = [];
    const fake = {
      async embed(texts: readonly string[]) {
        calls.push(texts.length);
        controller.abort(new Error('the caller left'));
        return texts.map((t) => {
          const v = new Float32Array(4);
          v[t.length % 4] = 1;
          return v;
        });
      },
      similarity: async () => 0,
      dispose: async () => {},
    };
    const dbPath = join(minilm.dir(), 'cancel.db');
    const texts = Array.from({ length: 3 * EMBED_BATCH + 5 }, (_, i) => `turn number ${i}`);
    const store = createEmbeddingStore({ modelPath: minilm.modelPath(), dbPath, embedder: fake });
    await expect(store.embed(texts, { signal: controller.signal })).rejects.toThrow('the caller left');
    expect(calls).toEqual([EMBED_BATCH]);
    expect(store.stats.embedded).toBe(EMBED_BATCH);
    await store.dispose();
    // A new store on the same file: the finished batch is read back, only the rest is embedded.
    const again = createEmbeddingStore({
      modelPath: minilm.modelPath(),
      dbPath,
      embedder: { ...fake, embed: async (t) => t.map(() => new Float32Array(4).fill(0.5)) },
    });
    const vectors = await again.embed(texts);
    expect(vectors).toHaveLength(texts.length);
    expect(again.stats.dbHits).toBe(EMBED_BATCH);
    expect(again.stats.embedded).toBe(2 * EMBED_BATCH + 5);
    await again.dispose();
    // An aborted signal stops before any work.
    const none = createEmbeddingStore({ modelPath: minilm.modelPath(), dbPath: null, embedder: fake });
    await expect(none.embed(['new text'], { signal: AbortSignal.abort(new Error('gone')) })).rejects.toThrow('gone');
    expect(none.stats.embedded).toBe(0);
    await none.dispose();
  });

  it("compress(text, {query, signal}) stops a long memory's first embedding pass and the next call resumes it", async () => {
    const c = rulesCompressor('cancel-compressor.db');
    // 400 distinct turns: seconds of MiniLM on one thread.
    const memory = [
      'Session 1 (1:00 pm on 8 May, 2023): Ann and Bob',
      ...Array.from({ length: 400 }, (_, i) => `${i % 2 ? 'Bob' : 'Ann'}: On day ${i} we talked about item ${i * 7}.`),
    ].join('\n');
    try {
      await c.compress(MEMORY, { query: 'What did Melanie paint?', ratio: 0.5 }); // the model loaded
      const store = c.embeddings();
      const warm = store?.stats.embedded ?? 0;
      const controller = new AbortController();
      // The caller leaves once the first batch is stored (polled: stats count finished batches).
      const poll = setInterval(() => {
        if ((store?.stats.embedded ?? 0) - warm >= EMBED_BATCH) controller.abort();
      }, 1);
      try {
        await expect(
          c.compress(memory, { query: 'What was item 700?', ratio: 0.2, signal: controller.signal }),
        ).rejects.toBeInstanceOf(CancelledError);
      } finally {
        clearInterval(poll);
      }
      // The run itself stops, not only the caller's wait (a run nobody waits for is aborted too):
      // a second later it has embedded nothing more, within a batch of the abort, far from the
      // 400 turns and their words.
      await new Promise((done) => setTimeout(done, 1_000));
      const before = (store?.stats.embedded ?? 0) - warm;
      expect(before).toBeGreaterThanOrEqual(EMBED_BATCH);
      expect(before).toBeLessThanOrEqual(2 * EMBED_BATCH);
      const r = await c.compress(memory, { query: 'What was item 700?', ratio: 0.2 });
      expect(r.text).toContain('item 700');
      expect(r.strategy).toBe('select');
      // The next call embedded only what the cancelled one had not: every text once in all.
      const total = (store?.stats.embedded ?? 0) - warm;
      const resumed = createEmbeddingStore({
        modelPath: minilm.modelPath(),
        dbPath: join(minilm.dir(), 'cancel-compressor.db'),
      });
      await resumed.embed(
        memory
          .split('\n')
          .slice(1)
          .map((l) => l.replace(/^\w+: /, '')),
      );
      expect(resumed.stats.embedded).toBe(0);
      expect(total).toBeGreaterThan(400);
      await resumed.dispose();
    } finally {
      await c.dispose();
    }
  }, 300_000);

  it('compress(text, {query, denseWithinMs}) ranks a memory still being embedded by BM25, uncached, while its pass goes on for the next call', async () => {
    const c = rulesCompressor('pending-compressor.db');
    const memory = [
      'Session 1 (1:00 pm on 8 May, 2023): Ann and Bob',
      ...Array.from(
        { length: 300 },
        (_, i) => `${i % 2 ? 'Bob' : 'Ann'}: On day ${i} we talked about parcel ${i * 7} and the ${i % 13} lamps.`,
      ),
    ].join('\n');
    const query = 'What was parcel 700 about?';
    try {
      await c.compress(MEMORY, { query: 'What did Melanie paint?', ratio: 0.5 }); // the model loaded
      const store = c.embeddings();
      const before = store?.stats.embedded ?? 0;
      const rowsDb = openDb(join(minilm.dir(), 'pending-compressor.db'));
      const rowsBefore = countEmbeddings(rowsDb);
      rowsDb.close();
      const quick = await c.compress(memory, { query, ratio: 0.2, denseWithinMs: 0 });
      expect(quick.densePending).toBe(true);
      expect(quick.strategy).toBe('select');
      expect(quick.text).toContain('parcel 700');
      expect(quick.notes[0]).toContain('BM25 only for now');
      expect(quick.notes).toContain(
        "select: dense relevance off for this call: the memory's first embedding pass had not ended within denseWithinMs; it goes on in the background, and the next call ranks with it",
      );
      // The call came back long before the pass could end: the pass goes on without it.
      const atReturn = (store?.stats.embedded ?? 0) - before;
      expect(atReturn).toBeLessThan(300);
      // Polled, not one fixed wait: on a loaded 2-core machine the first batch can take over 500 ms.
      for (let k = 0; k < 100 && (store?.stats.embedded ?? 0) - before <= atReturn; k++)
        await new Promise((done) => setTimeout(done, 200));
      expect((store?.stats.embedded ?? 0) - before).toBeGreaterThan(atReturn);
      // The same call again is not served from the cache; without a deadline it waits for the pass
      // already running instead of embedding its texts a second time, and ranks with the vectors.
      const full = await c.compress(memory, { query, ratio: 0.2 });
      expect(full.cached).toBe(false);
      expect(full.densePending).toBeUndefined();
      expect(full.notes[0]).toMatch(/BM25 \+ MiniLM, \d+ new embeddings?\)/);
      expect(full.text).toContain('parcel 700');
      // Every text once: each one the two calls embedded is a new row of the cache file, none twice.
      const db = openDb(join(minilm.dir(), 'pending-compressor.db'));
      expect(countEmbeddings(db) - rowsBefore).toBe((store?.stats.embedded ?? 0) - before);
      db.close();
      expect((store?.stats.embedded ?? 0) - before).toBeGreaterThan(300);
      // A memory already embedded is never ranked without its vectors, whatever the deadline.
      const warm = await c.compress(memory, {
        query: 'Who talked about the lamps on day 12?',
        ratio: 0.2,
        denseWithinMs: 0,
      });
      expect(warm.densePending).toBeUndefined();
      expect(warm.notes[0]).toContain('BM25 + MiniLM');
      await expect(c.compress(memory, { query, denseWithinMs: -1 })).rejects.toThrow('denseWithinMs');
      // Past the longest timer Node has, a timeout fires at once (review): refused.
      await expect(c.compress(memory, { query, denseWithinMs: 2 ** 31 })).rejects.toThrow('denseWithinMs');
    } finally {
      await c.dispose();
    }
  }, 300_000);

  it('two calls wanting the same new texts embed each once; a waiter embeds what a stopped call left (review)', async () => {
    const seen: string[] = [];
    const vector = (t: string) => {
      const v = new Float32Array(4);
      v[t.length % 4] = 1;
      return v;
    };
    const slow = {
      async embed(texts: readonly string[]) {
        seen.push(...texts);
        await new Promise((done) => setTimeout(done, 5));
        return texts.map(vector);
      },
      similarity: async () => 0,
      dispose: async () => {},
    };
    const store = createEmbeddingStore({ modelPath: minilm.modelPath(), dbPath: null, embedder: slow });
    const texts = Array.from({ length: 100 }, (_, i) => `text ${i}`);
    const [a, b] = await Promise.all([store.embed(texts), store.embed([...texts].reverse())]);
    expect(seen).toHaveLength(100);
    expect(new Set(seen).size).toBe(100);
    expect(b[0]).toBe(a[99]);
    // The call embedding them stops after its first batch: the one waiting embeds the rest itself.
    const controller = new AbortController();
    const more = Array.from({ length: 100 }, (_, i) => `more ${i}`);
    const owner = store.embed(more, { signal: controller.signal });
    const waiter = store.embed(more);
    controller.abort(new Error('the caller left'));
    await expect(owner).rejects.toThrow('the caller left');
    const got = await waiter;
    expect(got.every((v) => v instanceof Float32Array)).toBe(true);
    expect(seen).toHaveLength(200);
    expect(new Set(seen).size).toBe(200);
    await store.dispose();
  });

  it("a pass that outlived a caller's wait is not waited for again by the next caller (review)", async () => {
    // Review: each request on a new 47k-token memory waited the whole proxy.denseWithinMs while
    // the first pass went on.
    let release: () => void = () => undefined;
    const gate = new Promise<void>((done) => {
      release = done;
    });
    const gated = {
      async embed(texts: readonly string[]): Promise<Float32Array[]> {
        await gate;
        return texts.map(() => Float32Array.from({ length: 384 }, () => 1 / Math.sqrt(384)));
      },
      similarity: async () => 0,
      dispose: async () => {},
    };
    const store = createEmbeddingStore({ modelPath: minilm.modelPath(), dbPath: null, embedder: gated });
    const memory = `${MEMORY}\nMelanie: A pass that is slow.`;
    const ask = (waitMs: number) =>
      selectForQuery(memory, {
        query: 'What did Melanie paint?',
        budget: 60,
        count,
        store,
        denseSignal: AbortSignal.timeout(waitMs),
      });
    // A wait of no length says nothing of the pass (a request's later chunk): it marks nothing.
    expect((await ask(0)).densePending).toBe(true);
    const first = await ask(600);
    expect(first.densePending).toBe(true);
    const t0 = performance.now();
    const second = await ask(2000);
    expect(second.densePending).toBe(true);
    expect(performance.now() - t0).toBeLessThan(1000);
    release();
    await new Promise((done) => setTimeout(done, 50));
    const third = await ask(2000);
    expect(third.densePending).toBe(false);
    await store.dispose();
  });

  it('a model that fails to load during the pass past the deadline makes the next call fail with its error (review)', async () => {
    // Review: the pass running apart from the call dropped its error, so every call ranked by BM25
    // "for now", said the next would rank with the vectors, and started the failing load again.
    let loads = 0;
    const failing = {
      async embed(): Promise<Float32Array[]> {
        loads++;
        await new Promise((done) => setTimeout(done, 50));
        throw new ModelLoadError('cannot load the embedding model /models/x.onnx/model.onnx: truncated', '/models/x');
      },
      similarity: async () => 0,
      dispose: async () => {},
    };
    const store = createEmbeddingStore({ modelPath: minilm.modelPath(), dbPath: null, embedder: failing });
    const options = { query: 'What did Melanie paint?', budget: 60, count, store, denseSignal: AbortSignal.abort() };
    const memory = `${MEMORY}\nMelanie: A pass that will fail.`;
    const first = await selectForQuery(memory, options);
    expect(first.densePending).toBe(true);
    await new Promise((done) => setTimeout(done, 200));
    await expect(selectForQuery(memory, options)).rejects.toThrow(ModelLoadError);
    expect(loads).toBe(1);
    await store.dispose();
  });

  it('past the deadline, a memory whose vectors are all stored still ranks with them (review)', async () => {
    const dbPath = join(minilm.dir(), 'stored.db');
    const query = 'What did Melanie paint?';
    const first = createEmbeddingStore({ modelPath: minilm.modelPath(), dbPath });
    await selectForQuery(MEMORY, { query, budget: 60, count, store: first });
    await first.dispose();
    // A new store (a new process): nothing in memory, everything in the file; the deadline is gone.
    const second = createEmbeddingStore({ modelPath: minilm.modelPath(), dbPath });
    const r = await selectForQuery(MEMORY, {
      query,
      budget: 60,
      count,
      store: second,
      denseSignal: AbortSignal.abort(),
    });
    expect(r.densePending).toBe(false);
    expect(r.dense).toBe(true);
    expect(r.embedded).toBe(0);
    // A memory never embedded is not waited for.
    const fresh = `${MEMORY}\nMelanie: We repainted the old garden shed blue on Sunday.`;
    const late = await selectForQuery(fresh, {
      query,
      budget: 60,
      count,
      store: second,
      denseSignal: AbortSignal.abort(),
    });
    expect(late.densePending).toBe(true);
    expect(late.dense).toBe(false);
    await second.dispose();
  }, 120_000);

  it('a call that waits for the vectors never shares a run that stopped waiting for them (review)', async () => {
    const c = rulesCompressor('shared-run-compressor.db');
    const memory = Array.from(
      { length: 200 },
      (_, i) => `${i % 2 ? 'Bob' : 'Ann'}: Box ${i * 13} went to shelf ${i % 9} on day ${i}.`,
    ).join('\n');
    const options = { query: 'Which shelf got box 260?', ratio: 0.2 };
    try {
      // Identical calls in flight share one run; these two differ in how long they would wait.
      const [quick, full] = await Promise.all([
        c.compress(memory, { ...options, denseWithinMs: 0 }),
        c.compress(memory, options),
      ]);
      expect(quick.densePending).toBe(true);
      expect(full.densePending).toBeUndefined();
      expect(full.notes[0]).toMatch(/BM25 \+ MiniLM, \d+ new embeddings?\)/);
    } finally {
      await c.dispose();
    }
  }, 300_000);

  it('closing the compressor stops a first pass that no call waits for', async () => {
    const c = rulesCompressor('closing-compressor.db');
    const memory = Array.from(
      { length: 300 },
      (_, i) => `${i % 2 ? 'Bob' : 'Ann'}: Crate ${i * 11} left on day ${i}.`,
    ).join('\n');
    const r = await c.compress(memory, { query: 'Where did crate 330 go?', ratio: 0.2, denseWithinMs: 0 });
    expect(r.densePending).toBe(true);
    const store = c.embeddings();
    await c.dispose();
    const atClose = store?.stats.embedded ?? 0;
    await new Promise((done) => setTimeout(done, 1_000));
    expect(store?.stats.embedded).toBe(atClose);
    expect(atClose).toBeLessThan(300);
    // What it embedded before it stopped is in the file; the rest is not.
    const reopened = createEmbeddingStore({
      modelPath: minilm.modelPath(),
      dbPath: join(minilm.dir(), 'closing-compressor.db'),
    });
    await reopened.embed(memory.split('\n').map((l) => l.replace(/^\w+: /, '')));
    expect(reopened.stats.dbHits).toBe(atClose);
    await reopened.dispose();
  }, 300_000);

  it('compress(text, {query, maxTokens}) runs the select stage and says what it kept', async () => {
    const c = rulesCompressor('compressor.db');
    try {
      const r = await c.compress(MEMORY, { query: 'What did Melanie run a charity race for?', maxTokens: 50 });
      expect(r.strategy).toBe('select');
      expect(r.tokensAfter).toBeLessThanOrEqual(50);
      // Telegraphic by default (query.style): the turn without its closed-class words.
      expect(r.text).toContain('Melanie: ran charity race mental health last Saturday rewarding');
      expect(r.notes[0]).toMatch(
        /^select: kept \d+ of 13 turns for the query \(budget 50 o200k tokens; BM25 \+ MiniLM, 77 new embeddings\), telegraphic: /,
      );
      const again = await c.compress(MEMORY, { query: 'Where did Melanie go camping?', ratio: 0.2 });
      expect(again.notes[0]).toContain('1 new embedding)');
      expect(again.text).toContain('took kids camping mountains');
      // The tags an app framed the memory in are kept and counted apart from the turns.
      const framed = await c.compress(`<memory>\n${MEMORY}\n</memory>`, {
        query: 'Where did Melanie go camping?',
        ratio: 0.2,
      });
      expect(framed.notes[0]).toMatch(
        /^select: kept \d+ of 13 turns for the query \(and the 2 framing tags\) \(budget /,
      );
      expect(framed.text.startsWith('<memory>\n')).toBe(true);
      expect(framed.text.endsWith('\n</memory>')).toBe(true);
      // A turn of several lines is kept line by line: the note counts both.
      const lines = await c.compress(`${MEMORY}\nMelanie: We also packed:\n- a tent\n- two sleeping bags`, {
        query: 'What did Melanie pack for camping?',
        ratio: 0.3,
      });
      expect(lines.notes[0]).toMatch(/^select: kept \d+ of 16 lines \(\d+ of 14 turns\) for the query /);
    } finally {
      await c.dispose();
    }
  }, 120_000);
});

describe('when questions and the verbatim share', () => {
  const DATED = [
    'Session 1 (1:00 pm on 8 May, 2023): Caroline and Melanie',
    'Caroline: The charity race for the shelter sounds like a wonderful cause to support.',
    'Melanie: The charity race means a lot to me and my kids.',
    '',
    'Session 2 (1:00 pm on 25 May, 2023): Caroline and Melanie',
    'Caroline: Work has been long this week, the new project keeps me at the office.',
    'Melanie: I ran in the charity race last Saturday, it was rewarding.',
  ].join('\n');
  const dated = 'Melanie: I ran in the charity race last Saturday, it was rewarding.';

  it('keeps the turn that dates the event for a "when" question, within the budget', async () => {
    const query = 'When did Melanie run the charity race?';
    const budget = 40;
    const r = await selectForQuery(DATED, { query, budget, count });
    expect(count(r.text)).toBeLessThanOrEqual(budget);
    expect(r.text).toContain('Session 2 (1:00 pm on 25 May, 2023)');
    expect(r.text).toContain(dated);
    // Without the rule, a turn that only names the race fills the same budget.
    const without = await selectForQuery(DATED, { query, budget, count, weights: { time: 0 } });
    expect(without.text).not.toContain(dated);
    // The rule is for "when" questions only.
    const what = await selectForQuery(DATED, { query: 'What does the charity race mean to Melanie?', budget, count });
    expect(what.text).not.toContain(dated);
  });

  it('keeps the most relevant turns verbatim up to the share of the budget, the rest telegraphic, in order', async () => {
    const query = 'What did Melanie run a charity race for?';
    const top = 'Melanie: I ran a charity race for mental health last Saturday, it was really rewarding.';
    const budget = 200;
    const withShare = (verbatimShare: number) =>
      selectForQuery(MEMORY, { query, budget, count, style: 'telegraphic', weights: { verbatimShare } });
    const r = await withShare(0.1);
    expect(count(r.text)).toBeLessThanOrEqual(budget);
    expect(count(top)).toBeLessThanOrEqual(0.1 * budget);
    // A turn under one of its speaker's goes without its label (renderUnits): put it back to compare.
    let said = '';
    const lines = r.text
      .split('\n')
      .filter((l) => l && !l.startsWith('Session '))
      .map((l) => {
        said = /^(\w+): /.exec(l)?.[1] ?? said;
        return l.startsWith(`${said}: `) ? l : `${said}: ${l}`;
      });
    expect(lines).toContain(top);
    // Every other kept turn is telegraphic, and the lines follow the memory's order.
    expect(lines).toHaveLength(r.keptUnits.length);
    lines.forEach((line, k) => {
      const unit = r.memory.units[r.keptUnits[k] as number];
      if (unit?.text !== top)
        expect(line).toBe(telegraph(unit?.text ?? '', unit?.label ?? null, { speakers: ['caroline', 'melanie'] }));
    });
    expect(lines.filter((l) => r.memory.units.some((u) => u.text === l && telegraph(l, u.label) !== l))).toEqual([top]);
    const none = await withShare(0);
    expect(none.text).not.toContain(top);
    expect(none.text).toContain(telegraph(top, 'Melanie:').replace(/^Melanie: /, ''));
  });
});

describe('finer units (weights.sentenceShare)', () => {
  const BAKING = [
    'Session 1 (1:00 pm on 1 May, 2023): Ann and Bob',
    'Ann: I baked bread on Sunday and the oven broke. The bread was half done. It was a long day. I slept early.',
    'Bob: Bread is my favourite. I bought a new oven last week. The shop was far away. Traffic on the ring road was awful, and it rained all the way home.',
    'Ann: The garden looks nice this spring.',
  ].join('\n');
  const query = 'Who baked bread and what happened to the oven?';
  const [header, ann, bob, garden] = BAKING.split('\n') as [string, string, string, string];
  // Bob's sentences naming bread and the oven, and the one after them; not the traffic and rain.
  const bobCut = 'Bob: Bread is my favourite. I bought a new oven last week. The shop was far away.';

  it('cuts turns below the share to the sentences sharing a query term (and the next), so more turns fit', async () => {
    const expected = [header, ann, bobCut].join('\n');
    // A few tokens of slack: the selection counts pieces apart, a little over the joined text.
    const budget = count(expected) + 4;
    const opts = { query, budget, count, ranker: 'weights' as const, style: 'verbatim' as const };
    const r = await selectForQuery(BAKING, { ...opts, weights: { sentenceShare: 0 } });
    // The best turn stays whole; Bob's is cut and now fits beside it, under its label.
    expect(r.text).toBe(expected);
    // Whole turns (the default): Bob's turn does not fit, the garden takes its place.
    expect(parseInferenceConfig({}).query.weights.sentenceShare).toBeUndefined();
    expect(DEFAULT_WEIGHTS.sentenceShare).toBe(1);
    const whole = await selectForQuery(BAKING, opts);
    // Ann's second turn right under her first: without its label (renderUnits).
    expect(whole.text).toBe([header, ann, garden.replace(/^Ann: /, '')].join('\n'));
    // A share that covers both turns keeps both whole.
    const wide = await selectForQuery(BAKING, { ...opts, budget: 1000, weights: { sentenceShare: 0.9 } });
    expect(wide.text).toContain(bob);
  });

  it('leaves a turn whole when no sentence shares a term, and cuts telegraphic turns too', async () => {
    const r = await selectForQuery(BAKING, {
      query,
      budget: 1000,
      count,
      ranker: 'weights',
      style: 'telegraphic',
      weights: { sentenceShare: 0, verbatimShare: 0 },
    });
    expect(r.text.split('\n')).toEqual([
      'Session 1 (1:00 pm 1 May 2023):',
      telegraph(ann, 'Ann:'),
      telegraph(bobCut, 'Bob:'),
      telegraph(garden, 'Ann:'),
    ]);
  });
});

describe("the best turns' replies (weights.contextTop)", () => {
  // The reply shares no word with the question, and two turns outrank it on their own.
  const ECHO = [
    'Session 1 (1:00 pm on 2 May, 2023): Jon and Gina',
    'Gina: Any news since we talked?',
    'Jon: The bank meeting last week went fine, they approved the loan for the studio.',
    'Gina: So the dance studio opens in June? That is huge, congratulations!',
    'Jon: Yes, and I still need mirrors for the walls.',
    '',
    'Session 2 (1:00 pm on 20 May, 2023): Jon and Gina',
    'Gina: The bank near my shop closes early on Fridays now.',
    'Jon: The bank sent me a letter about a meeting, nothing important.',
  ].join('\n');
  const query = 'What did the bank approve at the meeting last week?';
  const reply = 'Gina: So the dance studio opens in June? That is huge, congratulations!';
  const pick = (weights: Record<string, number>, budget = 60) =>
    selectForQuery(ECHO, { query, budget, count, ranker: 'weights', weights: { neighbour: 0, ...weights } });

  it('brings the turn after each of the best turns, right behind it, within the budget', async () => {
    const off = await pick({ contextTop: 0 });
    expect(off.text).toContain('they approved the loan');
    expect(off.text).not.toContain(reply);
    const on = await pick({ contextTop: 1 });
    expect(count(on.text)).toBeLessThanOrEqual(60);
    expect(on.text).toContain('they approved the loan');
    expect(on.text).toContain(reply);
    // Only the best turn's reply: the second best brings none.
    expect(on.text).not.toContain('mirrors');
  });

  it('never brings a turn from the next session: the last turn of a session has no reply', async () => {
    const needs = 'What does Jon still need for the walls?';
    const mirrors = 'Jon: Yes, and I still need mirrors for the walls.';
    const next =
      'Session 2 (1:00 pm on 20 May, 2023): Jon and Gina\nGina: The bank near my shop closes early on Fridays now.';
    const budget = count(`Session 1 (1:00 pm on 2 May, 2023): Jon and Gina\n${mirrors}`) + count(next) + 8;
    const r = await selectForQuery(ECHO, {
      query: needs,
      budget,
      count,
      ranker: 'weights',
      weights: { contextTop: 1 },
    });
    expect(r.text).toContain(mirrors);
    expect(r.text).not.toContain('Session 2');
  });

  it("brings no reply after a chat's line of no speaker (session 33: a podcast header's field)", async () => {
    const chat = [
      'Episode 47: The Quiet Economics of Repair',
      'Host: Nadia Brooks. Guest: Dr. Tomás Ferreira, researcher at the Repair Lab, TU Delft.',
      'Recorded 19 September 2024. Released 3 October 2024.',
      'Change: the washing-machine segment moved to episode 48; the manufacturer did not confirm its figures in time.',
      '',
      "Nadia: Welcome back to Fix It Forward. I'm here with Tomás Ferreira from TU Delft.",
      'Tomás: Thanks for having me, Nadia.',
      'Nadia: Repair cafés spread fast in the Netherlands after 2009. Why there?',
      'Tomás: We had dense towns, lots of retired engineers, and municipalities that paid for the rooms.',
      'Nadia: And what does the EU directive change for phone makers?',
      'Tomás: They have to offer repair at a reasonable price for years after sale. It applies from 31 July 2026.',
    ].join('\n');
    const r = await selectForQuery(chat, {
      query: 'When was the episode recorded?',
      budget: 42,
      count,
      style: 'telegraphic',
    });
    expect(r.memory.format).toBe('dialogue');
    expect(r.text).toContain('Recorded 19 September 2024');
    expect(r.text).not.toContain('Welcome back');
  });

  it("brings a turn's reply only when the turn itself is kept (review: a code block too big to keep brought the sentence after it)", async () => {
    const long = `Jon: At the bank meeting last week: ${'forms, signatures, rates and more forms, '.repeat(12)}done.`;
    const lines = [
      'Session 1 (1:00 pm on 2 May, 2023): Jon and Gina',
      'Jon: The bank approved the loan at the meeting last week.',
      'Gina: Wow, that is huge!',
      long,
      // Longer than the room left once the best turns are kept: it comes only as a reply.
      'Gina: Congrats, all that paperwork must have taken you ages!',
      'Jon: The bank sent the studio mirrors.',
    ];
    // Room for the best turn, its reply and the third best; not for the second best (the long
    // turn), nor for the third best once the long turn's reply took room it never earned.
    const budget = count([...lines.slice(0, 3), lines[5]].join('\n'));
    const r = await selectForQuery(lines.join('\n'), {
      query: 'What did the bank approve at the meeting last week?',
      budget,
      count,
      ranker: 'weights',
      weights: { neighbour: 0, contextTop: 2 },
    });
    expect(r.text).toContain('Gina: Wow, that is huge!');
    expect(r.text).not.toContain('forms, signatures');
    expect(r.text).not.toContain('Congrats');
    expect(r.text).toContain('studio mirrors');
  });

  it('is on by default: the three best turns bring their replies', () => {
    expect(DEFAULT_WEIGHTS.contextTop).toBe(3);
  });
});

describe('lists of facts and framing tags', () => {
  // Seen on a Mem0-style memory: the bullets came back as one run-on line, "<memory>" was dropped
  // while "</memory>" stayed, and the count said 7 of 14 sentences with the tags among them.
  const FACTS = [
    '<memory>',
    "- User's name is Dana Whitfield.",
    '- Dana moved to Lisbon in March 2024 for a job at a fintech startup.',
    '- Dana is allergic to peanuts and shellfish.',
    '- Dana prefers answers in British English and short bullet points.',
    "- Dana's sister Mia lives in Toronto and visits every December.",
    "- Dana's favourite cuisine is Japanese, especially ramen.",
    '</memory>',
  ].join('\n');

  it('keeps one fact a line, inside the tags, whatever the budget', async () => {
    const query = 'When does Dana visit her sister?';
    for (const style of ['verbatim', 'telegraphic'] as const) {
      const r = await selectForQuery(FACTS, { query, budget: 30, count, style });
      const lines = r.text.split('\n');
      expect(lines[0], style).toBe('<memory>');
      expect(lines.at(-1), style).toBe('</memory>');
      // Every line between is one whole bullet of the memory, in its order.
      const body = lines.slice(1, -1);
      expect(body.length, style).toBeGreaterThan(0);
      expect(body.length, style).toBeLessThan(6);
      for (const line of body) expect(line, style).toMatch(/^- \S/);
      expect(r.text, style).toContain('Mia');
    }
    const plain = await selectForQuery(FACTS, { query, budget: 30, count });
    expect(plain.text).toContain("- Dana's sister Mia lives in Toronto and visits every December.");
    // A budget below the tags and the best fact keeps both all the same, and says so.
    const tiny = await selectForQuery(FACTS, { query, budget: 5, count });
    expect(tiny.overBudget).toBe(true);
    expect(tiny.text.split('\n')).toEqual([
      '<memory>',
      "- Dana's sister Mia lives in Toronto and visits every December.",
      '</memory>',
    ]);
  });

  it('keeps the tags round a dialogue without bringing a session header for them', async () => {
    const framed = `<memory>\n${MEMORY}\n</memory>`;
    const r = await selectForQuery(framed, { query: 'What did Melanie paint?', budget: 40, count });
    const lines = r.text.split('\n');
    expect(lines[0]).toBe('<memory>');
    expect(lines.at(-1)).toBe('</memory>');
    expect(r.text).toContain('Melanie: I painted a lake sunrise last year, it is special to me.');
    // Only the session a kept turn is in shows its header: the closing tag brings no Session 3.
    expect(r.text).not.toContain('Session 3');
    const n = r.memory.units.filter((u) => u.pinned).length;
    expect(n).toBe(2);
  });
});

describe('sources in markup (review)', () => {
  // Review: on a RAG context, "I work in Germany: is the 20 weeks on top of Elternzeit?" at 0.2
  // came back "<context>\nrequest must approved manager\n<doc id=...-de ...>": a sentence of
  // another <doc>, filled in after its empty element's tags had gone, printed outside any <doc>.
  const RAG = [
    '<context>',
    '<doc id="hr-policy-7.2" source="Employee Handbook 2025, section 7.2 Parental leave">',
    'Employees with at least 6 months of continuous service are entitled to 20 weeks of fully paid parental leave. Employees with less than 6 months of service receive 8 weeks of paid leave. Leave must start within 12 months of the birth or adoption.',
    '</doc>',
    '<doc id="hr-policy-7.3" source="Employee Handbook 2025, section 7.3 Return to work">',
    'After parental leave, employees may request a phased return of up to 4 weeks at 60 percent of their hours. The request must be approved by the manager. Keep-in-touch days are paid at the normal daily rate.',
    '</doc>',
    '<doc id="slack-hr-2024-11" source="#ask-hr Slack, 2024-11-04 (informal)">',
    'Someone asked whether contractors get parental leave. The old 16-week policy was replaced by the 20-week one on 1 January 2025.',
    '</doc>',
    '<doc id="hr-policy-7.2-de" source="Employee Handbook 2025, Germany addendum">',
    'For employees on a German contract, statutory Elternzeit applies in addition: up to 3 years of unpaid leave per child. The 20 weeks of paid leave in section 7.2 are counted as part of the Elternzeit, not on top of it. Elterngeld is paid by the state, not by the company.',
    '</doc>',
    '<doc id="payroll-2025-02" source="Payroll calendar 2025">',
    'Payroll runs on the 25th of each month. Leave that begins mid-month is prorated by calendar days.',
    '</doc>',
    '</context>',
  ].join('\n');

  it('keeps a sentence inside its own element, under its opening tag line and above its closing one', async () => {
    const query = 'I work in Germany: is the 20 weeks on top of Elternzeit, and who approves it?';
    for (const style of ['verbatim', 'telegraphic'] as const)
      for (let budget = 40; budget <= 200; budget += 10) {
        const r = await selectForQuery(RAG, { query, budget, count, style });
        const lines = r.text.split('\n');
        let depth = 0;
        for (const line of lines) {
          if (/^<\//.test(line)) depth--;
          else if (/^</.test(line)) depth++;
          // Each kept sentence sits inside <context> and one <doc>.
          else expect(depth, `${style} ${budget}: ${r.text}`).toBe(2);
        }
        expect(depth).toBe(0);
        // The tag lines are written as they were: their attributes name the source.
        for (const line of lines.filter((l) => l.startsWith('<doc'))) expect(RAG).toContain(line);
      }
  });
});

describe('the budget', () => {
  it('is spent: no turn left out would still fit, and the result stays within it, in order', async () => {
    const query = 'What did Melanie do with the kids?';
    for (const style of ['verbatim', 'telegraphic'] as const)
      for (const budget of [60, 90, 130]) {
        const r = await selectForQuery(MEMORY, { query, budget, count, style });
        expect(count(r.text), `${style} ${budget}`).toBeLessThanOrEqual(budget);
        const shown = r.memory.units.map((u) => (style === 'telegraphic' ? telegraph(u.text, u.label) : u.text));
        const speakers = new Set(r.memory.units.flatMap((u) => (u.speaker ? [u.speaker] : [])));
        const headers = r.memory.groups.map((g) =>
          style === 'telegraphic' && g.header ? telegraphHeader(g.header, speakers) : g.header,
        );
        const positions = r.keptUnits.map((i) => r.memory.units[i]?.start ?? -1);
        expect([...positions].sort((a, b) => a - b)).toEqual(positions);
        for (const u of r.memory.units) {
          if (r.keptUnits.includes(u.index)) continue;
          const more = renderUnits(r.memory, new Set([...r.keptUnits, u.index]), shown, headers);
          expect(count(more), `${style} ${budget}: unit ${u.index} fits`).toBeGreaterThan(budget);
        }
      }
  });
});

describe('repeated texts (review)', () => {
  it('spends nothing on a unit that repeats a kept one (case, spaces, quote markers aside), and keeps units that differ', async () => {
    // Review: a journal kept its one recurring sentence 9 times, an email thread each quoted copy.
    const dog = "My neighbour's dog keeps barking at the delivery drivers.";
    const journal = [
      'Monday 04 September 2023',
      `Saw Dr. Moreau today. ${dog}`,
      `Work was long. ${dog.toUpperCase()}`,
      `We might repaint. My  neighbour's dog keeps barking at the   delivery drivers.`,
      '',
      'Monday 11 September 2023',
      'The dog next door barked at the delivery drivers again today.',
      '',
      'Wednesday 13 September 2023',
      `> ${dog}`,
      '',
      'Thursday 14 September 2023',
      'The delivery drivers now leave parcels at the gate because of the dog.',
    ].join('\n');
    const r = await selectForQuery(journal, { query: 'What does the dog bark at?', budget: 120, count });
    const low = r.text.toLowerCase();
    expect(low.split("neighbour's dog keeps barking").length - 1).toBe(1);
    // Different words are no repeat: both stay, in the room the repeats gave back.
    expect(r.text).toContain('The dog next door barked at the delivery drivers again today.');
    expect(r.text).toContain('The delivery drivers now leave parcels at the gate because of the dog.');
    expect(count(r.text)).toBeLessThanOrEqual(120);
  });

  it('reads a chat with a pasted "From:" and "To:", or a meeting under "Date:" and "Subject:", as dialogue still (review)', () => {
    const pasted = [
      'Maya: I found the flight for the conference, pasting it here',
      'From: Lisbon (LIS)',
      'To: Berlin (BER)',
      'Maya: It leaves at 7:40 and costs 189 euros with one bag.',
      'Tom: Nice, book it. Did you check the hotel near the venue?',
      'Maya: Yes, Hotel Adlon is full, so I booked the Motel One at Alexanderplatz.',
      'Tom: Good. Remember the talk is on Wednesday at 14:00 in hall B.',
      'Maya: Got it, I will rehearse on Tuesday evening.',
    ].join('\n');
    expect(parseMemory(pasted).format).toBe('dialogue');
    const meeting = [
      'Date: 14 May 2024',
      'Subject: Sprint planning',
      'Ana: Let us start with the blockers.',
      'Ben: The payment API is still failing in staging.',
      'Chloe: I will pair with Ben on it this afternoon.',
      'Ana: Good. Next, the release date.',
      'Ben: Thursday still works for me.',
    ].join('\n');
    expect(parseMemory(meeting).format).toBe('dialogue');
  });

  it('keeps the same sentence under two dated headings: each is a fact of its day (review)', async () => {
    // Review: "Which days did I go to the gym?" kept 1 May only, its 3 and 6 May repeats given no budget.
    const journal = [
      '## 2024-05-01',
      'Slept badly again. Went to the gym after work.',
      '## 2024-05-02',
      'Worked late on the Q2 report for Priya.',
      '## 2024-05-03',
      'Went to the gym after work.',
      '## 2024-05-04',
      'Lunch with mum at the Italian place on Elm Street.',
      '## 2024-05-06',
      'Went to the gym after work.',
      '## 2024-05-07',
      'Dentist at 9, then the Q2 report again.',
    ].join('\n');
    const r = await selectForQuery(journal, { query: 'Which days did I go to the gym?', budget: 60, count });
    for (const day of ['2024-05-01', '2024-05-03', '2024-05-06']) expect(r.text).toContain(day);
  });

  it('leaves a dialogue without exact repeats as it was, and keeps one of two turns said word for word', async () => {
    const chat = [
      'Session 1 (8 May, 2023)',
      'Caroline: I went to the pottery class on Sunday.',
      'Melanie: Nice, what did you make?',
      'Caroline: A blue bowl for my mum.',
      '',
      'Session 2 (9 May, 2023)',
      'Caroline: I went to the pottery class on Sunday!',
      'Melanie: Nice, what did you make?',
      'Caroline: A mug this time.',
      'Melanie: Nice, what did you make?',
    ].join('\n');
    const r = await selectForQuery(chat, { query: 'What did Caroline make at pottery?', budget: 200, count });
    // A turn said twice word for word in a session is shown once there; in another session it is
    // that session's (each kept once); the "!" one differs and stays.
    expect(r.text.split('Melanie: Nice, what did you make?').length - 1).toBe(2);
    expect(r.text).toContain('Caroline: I went to the pottery class on Sunday.');
    expect(r.text).toContain('Caroline: I went to the pottery class on Sunday!');
    expect(r.text).toContain('Caroline: A mug this time.');
    expect(r.text).toContain('Caroline: A blue bowl for my mum.');
  });
});

describe('the weights in configs/inference.yaml', () => {
  it('can set every weight the selection has, and a misspelt one is an error naming it', () => {
    const all = parseInferenceConfig({ query: { weights: { ...DEFAULT_WEIGHTS, time: 0.3, verbatimShare: 0.2 } } });
    expect(all.query.weights).toEqual({ ...DEFAULT_WEIGHTS, time: 0.3, verbatimShare: 0.2 });
    expect(() => parseInferenceConfig({ query: { weights: { verbatimshare: 0.2 } } })).toThrow(/verbatimshare/);
    expect(() => parseInferenceConfig({ query: { weights: { verbatimShare: 2 } } })).toThrow(/verbatimShare/);
    expect(parseInferenceConfig({ query: { weights: { sentenceShare: 0.7 } } }).query.weights.sentenceShare).toBe(0.7);
    expect(() => parseInferenceConfig({ query: { weights: { sentenceShare: -1 } } })).toThrow(/sentenceShare/);
    expect(parseInferenceConfig({ query: { weights: { contextTop: 5 } } }).query.weights.contextTop).toBe(5);
    expect(() => parseInferenceConfig({ query: { weights: { contextTop: 1.5 } } })).toThrow(/contextTop/);
  });
});

describe('what a question about eating, a schedule or a condition needs (review)', () => {
  let store: EmbeddingStore;
  beforeAll(async () => {
    store = createEmbeddingStore({ modelPath: await ensureMiniLM(), dbPath: null });
  }, 600_000);
  afterAll(() => store.dispose());
  /** As `studio compress --query ... --ratio`: the learned ranker, telegraphic, the budget a share of the memory. */
  const compress = (memory: string, query: string, ratio: number) =>
    selectForQuery(memory, {
      query,
      budget: Math.floor(ratio * count(memory)),
      count,
      store,
      style: 'telegraphic',
    });

  it('keeps the allergy a question asks about, in an HTML memory', async () => {
    // Review: at 0.1 "Priyanka Rao is a product manager" was kept, "allergic to sesame" was not.
    const r = await compress(PRIYANKA_HTML, 'What is Priyanka allergic to?', 0.1);
    expect(r.text).toMatch(/allergic (?:to )?sesame/);
  }, 60_000);

  it("keeps a family member's allergy for a dinner", async () => {
    // Review: at 0.1 "Joost is allergic to peanuts (carries an EpiPen)" went for the instructions.
    const r = await compress(PROFILE, "Plan a dinner for Daniel's family.", 0.1);
    expect(r.text).toMatch(/Joost (?:is )?allergic (?:to )?peanuts/);
  }, 60_000);

  it("keeps a profile's calendar constraints for a meeting", async () => {
    // Review: "Calendar constraints" went whole at 0.1 and 0.2.
    const query = 'Suggest a time for a work meeting with Daniel next week.';
    const wide = await compress(PROFILE, query, 0.2);
    expect(wide.text).toContain('Wednesday mornings');
    expect(wide.text).toMatch(/Fridays after 15:00/);
    expect(wide.text).toMatch(/never before 08:30/);
    const tight = await compress(PROFILE, query, 0.1);
    expect(tight.text).toMatch(/Fridays after 15:00/);
    expect(tight.text).toMatch(/never before 08:30/);
  }, 60_000);

  it("keeps the gluten lines of the dish a coeliac child's question names", async () => {
    // Review: "the Knorr one we have is NOT [gluten-free]" and the separate pan went; the pizza's and
    // the oats' gluten lines, ranked higher, took the share.
    const query = 'Can Leo eat the Wednesday lentil bolognese, and what must we watch out for?';
    const r = await compress(MEAL_PLAN, query, 0.2);
    expect(r.text).toContain('coeliac');
    expect(r.text).toContain('Knorr');
    expect(r.text).toContain('separate pan');
  }, 60_000);

  it('trims for the budget without paying for tags left around nothing', async () => {
    // Review: at 0.1 and 0.2 "less than 6 months ... 8 weeks", ranked second, was trimmed while the
    // 18 `<doc>` tag lines of elements already emptied still counted; cheaper lines filled its room.
    const query = 'How many weeks of paid parental leave do I get if I joined 4 months ago?';
    for (const ratio of [0.1, 0.2]) {
      const r = await compress(RAG_CONTEXT, query, ratio);
      expect(r.text, `ratio ${ratio}`).toMatch(/8 weeks (?:of )?paid leave/);
      expect(r.tokens).toBeLessThanOrEqual(Math.floor(ratio * count(RAG_CONTEXT)));
    }
  }, 60_000);

  it("puts the question's units before the standing facts, and a fact with what it refers to (review 2)", async () => {
    // Review: "How do I make the lemon drizzle cake gluten-free?" at 0.1 kept the lasagne's "Do not
    // add it, whatever the internet says" (no ricotta) and the dal's "For Leo (coeliac) buy the
    // gluten-free one" (no asafoetida), and no line of the cake.
    const cake = await compress(RECIPES, 'How do I make the lemon drizzle cake gluten-free?', 0.1);
    expect(cake.text).toContain('Lemon drizzle cake');
    expect(cake.text).toMatch(/gluten-free self-raising flour/);
    expect(cake.text).not.toContain('internet');
    for (const query of [
      'Is the dal tadka safe for Leo?',
      'At what temperature and for how long do I bake the lasagne?',
      'Can I add ricotta to the lasagne?',
      'How do I make the lemon drizzle cake gluten-free?',
    ])
      for (const ratio of [0.1, 0.2]) {
        const r = await compress(RECIPES, query, ratio);
        if (/internet says/.test(r.text)) expect(r.text, `${query} ${ratio}`).toMatch(/ricotta/);
        if (/gluten-free one/.test(r.text)) expect(r.text, `${query} ${ratio}`).toMatch(/asafoetida/);
      }
  }, 120_000);

  it('keeps a sentence of a list item with the item it is about (review 2)', async () => {
    // Review: "## Problems" over "No complications" alone read as no problems; "Exception: Premium
    // customers pay no flat fee" came without the SWIFT fee it is an exception to, and "Say you
    // cannot" stood under "What you MUST NOT do" without the advice it is about.
    for (const query of [
      'What can I give Grace for knee pain, and at what maximum dose?',
      'Is it safe to give her cefalexin?',
      'Who can make health decisions for her?',
    ])
      for (const ratio of [0.1, 0.2]) {
        const r = await compress(PATIENT, query, ratio);
        if (/No complications/.test(r.text)) expect(r.text, `${query} ${ratio}`).toContain('knee replacement');
        if (/cephalosporins/.test(r.text)) expect(r.text, `${query} ${ratio}`).toContain('anaphylaxis');
      }
    const fee = await compress(SYSTEM_PROMPT, 'How much does a SWIFT transfer cost for a Premium customer?', 0.1);
    expect(fee.text).toMatch(/SWIFT\) transfers: EUR 7\.00/);
    expect(fee.text).toContain('Premium customers');
    expect(fee.text).not.toMatch(/investment/);
    for (const query of ['Can I unfreeze a card that has fraud_hold set?', 'When may I tell the user their balance?'])
      for (const ratio of [0.1, 0.2]) {
        const r = await compress(SYSTEM_PROMPT, query, ratio);
        if (/Say (?:you )?cannot/.test(r.text)) expect(r.text, `${query} ${ratio}`).toMatch(/investment/);
        if (/dispute/.test(r.text)) expect(r.text, `${query} ${ratio}`).toMatch(/refunds/);
      }
  }, 120_000);

  it('keeps the row whose range holds the quantity the question gives', async () => {
    // Review: at 0.1 row (a), 99.0-99.9 %: 5 %, was kept; row (b), the 10 % answer, was not.
    const r = await compress(CONTRACT, 'What service credit do we get if availability is 98.5%?', 0.1);
    expect(r.text).toMatch(/98\.0 % or more (?:but )?less than 99\.0 %: 10 %/);
    expect(boundsOf('(b) Availability of 98.0 % or more but less than 99.0 %: 10 %;')).toEqual([
      { kind: '%', value: 98, side: 'min', inclusive: true },
      { kind: '%', value: 99, side: 'max', inclusive: false },
    ]);
    expect([...queryQuantities('if I joined 4 months ago, for 2 weeks?')]).toEqual([
      ['month', [4]],
      ['week', [2]],
    ]);
  }, 60_000);

  it('reads a line under its headings: "Sunday" finds the lines under "## Sunday"', async () => {
    // Review: at 0.1 no Sunday line was kept; Monday's "roast 30 minutes" was.
    const r = await compress(MEAL_PLAN, 'How long does the Sunday roast chicken cook and at what temperature?', 0.1);
    expect(r.text).toContain('## Sunday — Roast chicken');
    expect(r.text).toMatch(/190 °C/);
  }, 60_000);

  it('adds no heading to the words of a dialogue (its session headers are dates and names)', async () => {
    const chat = [
      'Session 1 (1:56 pm on 8 May, 2023): Caroline and Melanie',
      'Caroline: I went to a support group yesterday.',
      'Melanie: Nice! I painted a sunset.',
      '',
      'Session 2 (2:10 pm on 9 June, 2023): Caroline and Melanie',
      'Caroline: I adopted a puppy today.',
      'Melanie: How cute!',
    ].join('\n');
    const signals = await relevanceSignals(prepare(chat), 'What did Caroline do in June?', null);
    expect([...signals.lexical].every((v) => v === 0)).toBe(true);
  });

  it('brings calendar facts only to a question about meeting or calling', () => {
    const memory = parseMemory(PROFILE);
    const score = new Float64Array(memory.units.length);
    const texts = (q: string) => calendarFacts(memory, q, score).units.map((i) => memory.units[i]?.text);
    expect(texts('Book Daniel a flight to Lisbon.')).toEqual([]);
    expect(texts('When does the scheduling app launch?')).toEqual([]);
    // A service's availability is no person's (review: a contract's maintenance window went first).
    expect(texts('What service credit do we get if availability is 98.5%?')).toEqual([]);
    // Being on call is a duty, not a call to set up (review 3: a runbook's rule went above the rota).
    expect(texts('Who is primary on call the week of 15 December?')).toEqual([]);
    expect(texts('Who is on-call this weekend?')).toEqual([]);
    const call = texts('Can we book a call with Daniel on Friday?');
    expect(call).toContain('- Fridays after 15:00 are off-limits for work meetings');
    expect(call).toContain(
      '- Works as a structural engineer at Van Rijn & Partners, four days a week (not on Wednesdays)',
    );
    expect(call).not.toContain('- Passport expires 2 June 2026');
  });

  it("reads calendar facts in the pruner's day and time vocabulary (lexicon.ts)", () => {
    // WEEK_TIME builds on lexicon.ts's WEEKDAY, DAY_PART and CLOCK_TIME: German hours and compounds,
    // Dutch "'s avonds", English abbreviations, which it did not read before.
    const memory = parseMemory(
      [
        '# Profil',
        '- Wohnt in Köln, arbeitet bei einer Versicherung',
        '- Keine Termine vor 10 Uhr',
        '- Mittwochvormittags nicht erreichbar',
        "- Nooit 's avonds bellen",
        '- Not available Mon-Fri before lunch',
        '- Telefonate nach 18 Uhr',
        // An appointment agreed before an exam: "vor" bounds no time here (review: it went above the
        // line the question named).
        '- Extrastunde vor der Klassenarbeit vereinbart: Montag 17. Februar, 15:00',
        '- Only uses a MIDI keyboard for demos',
        '- Paid 12.50 only for the cable',
      ].join('\n'),
    );
    const score = new Float64Array(memory.units.length);
    const texts = calendarFacts(memory, 'Wann können wir einen Termin machen?', score).units.map(
      (i) => memory.units[i]?.text,
    );
    expect(texts).toEqual([
      '- Keine Termine vor 10 Uhr',
      '- Mittwochvormittags nicht erreichbar',
      "- Nooit 's avonds bellen",
      '- Not available Mon-Fri before lunch',
      '- Telefonate nach 18 Uhr',
    ]);
  });

  it('keeps the line a question names above an appointment agreed "before" something', async () => {
    const notes = [
      'Sitzung 28. Januar 2025',
      'Thema: Wiederholung Scheitelpunktform',
      'Lina ist viel sicherer geworden.',
      'Termin geändert: Ab nächster Woche mittwochs statt dienstags, 16:30–17:30.',
      'Extrastunde vor der Klassenarbeit vereinbart: Montag 17. Februar, 15:00.',
      'Preis bleibt 35 € pro Sitzung, Extrastunde ebenfalls 35 €.',
    ].join('\n');
    const changed = 'Termin geändert: Ab nächster Woche mittwochs statt dienstags, 16:30–17:30.';
    const budget = count(['Sitzung 28. Januar 2025', changed].join('\n')) + 4;
    const r = await selectForQuery(notes, {
      query: 'Was hat sich am Termin geändert?',
      budget,
      count,
      ranker: 'weights',
    });
    expect(r.text).toContain(changed);
    expect(r.text).not.toContain('Extrastunde vor');
  });

  it('reads the words after each bound where they are, in linear time (re-read of session 34)', () => {
    // Speech without stops: each "na" read the rest of the line again (60,000 characters: 2.6 s).
    const line = `${'na casa na rua '.repeat(4000)}meeting Monday 10:00`;
    const memory = parseMemory(line);
    const t = performance.now();
    calendarFacts(memory, 'When can we meet?', new Float64Array(memory.units.length));
    expect(performance.now() - t).toBeLessThan(500);
    // A bound with a time within three words still limits; one three words off does not.
    const facts = (s: string) => {
      const m = parseMemory(s);
      return calendarFacts(m, 'When can we meet?', new Float64Array(m.units.length)).units.length;
    };
    expect(facts('Calls after 18:00 are fine.')).toBe(1);
    expect(facts('Extra lesson agreed before the big exam: Monday 15:00.')).toBe(0);
  });

  it('brings safety facts only to a question about eating or a condition, and none from a chat', () => {
    const memory = parseMemory(PROFILE);
    const score = new Float64Array(memory.units.length);
    const texts = (q: string) => safetyFacts(memory, q, score).units.map((i) => memory.units[i]?.text);
    expect(texts('Book Daniel a flight to Lisbon.')).toEqual([]);
    expect(texts('What should we cook for dinner?')[0]).toContain('Joost is allergic to peanuts');
    const chat = parseMemory(
      ['Ana: I am allergic to peanuts.', 'Ben: Noted!', 'Ana: What shall we eat tonight?', 'Ben: Pasta?'].join('\n'),
    );
    expect(chat.format).toBe('dialogue');
    expect(safetyFacts(chat, 'What can Ana eat?', new Float64Array(4)).units).toEqual([]);
  });
});

describe('one line of many items far over the budget (session 40)', () => {
  it('is cut to its items that answer, with … over the gaps, not returned whole past the budget', async () => {
    // Session 40: a single line of 1,200 dated entries asked about one date at 0.2 came back whole,
    // about five times the budget.
    const sports = ['rowing', 'tennis', 'climbing', 'judo', 'squash', 'fencing'];
    const day = (k: number) => new Date(Date.UTC(2023, 0, 1 + k)).toISOString().slice(0, 10);
    const line = `Court bookings: ${Array.from({ length: 900 }, (_, k) => `${day(k)} ${sports[(k * 7) % 6]}`).join(', ')}.`;
    const asked = day(500);
    const r = await selectForQuery(line, { query: `What was booked on ${asked}?`, budget: 300, count });
    expect(count(r.text)).toBeLessThanOrEqual(300);
    expect(r.text).toContain(`${asked} ${sports[(500 * 7) % 6]}`);
    expect(r.text).toContain('…');
  });
});

describe('an answer over the budget with its headings, where only filler would fit (session 40, N4)', () => {
  it('is kept with its headings over the budget, not a line naming nothing asked in its place', async () => {
    // Session 40: a changelog at 0.1 kept "All notable changes ..." where the Deprecated entry under
    // its version, 45 tokens with "# Changelog" and its headings, was left out.
    const notes = [
      '# Release history',
      '',
      'Every user-facing change to this tool is listed below, newest first.',
      '',
      '## [4.1.0] - 2026-02-10',
      '### Added',
      '- A `--since` filter for the report command.',
      '### Fixed',
      '- Exit code was 0 when the upload failed.',
      '',
      '## [4.0.0] - 2025-11-03',
      '### Removed',
      '- The `--xml-output` option; use `--format xml` instead.',
      '### Changed',
      '- Reports are written in UTF-8 on every platform.',
    ].join('\n');
    const r = await selectForQuery(notes, {
      query: 'When was the --xml-output option removed?',
      budget: 24,
      count,
      style: 'telegraphic',
    });
    expect(r.text).toContain('## [4.0.0] - 2025-11-03');
    expect(r.text).toContain('xml-output');
    expect(r.text).not.toContain('newest first');
    expect(r.overBudget).toBe(true);
  });
});
