import { describe, expect, it } from 'vitest';
import { useMiniLMCompressor } from '../testing/minilm-compressor.ts';
import { correctionBlocks, corrects, rankCorrections } from './corrections.ts';
import { parseMemory } from './memory-units.ts';

describe('corrects', () => {
  it('reads a line that corrects or updates what was said', () => {
    for (const t of [
      'One correction: our forecast is now 140 containers, not 120.',
      'Update: the launch moved to 12 May.',
      'Rui no longer eats fish; fully vegetarian since August.',
      'We changed it to Thursday.',
      'Ana now goes to school in Lisbon, not Porto.',
      'Update: the call moved to 10:00.',
      // Review 3: from a moment on, and a word in lower case denied.
      'From then on my address is Sopot, not Gdansk.',
      "So I'm pescatarian now, not vegetarian.",
      // Review 4: a plan that turned out otherwise.
      'Not Torshov in the end. I took a one-bedroom in Sagene, 14,500 kroner a month.',
      "We went with Nando's after all, not Wagamama.",
      // Review 5: a thread's reply that sets the record right.
      'No, 3-17 is a fixed desk. I swapped you to 3-22, which is a standing desk.',
      "You're right, it's Tuesday 10 November, 18:00. Finance moved it.",
      // Review 6: a change noted where it was made, a way done now in place of another.
      'Changed in 2019: we now use 7 g dried yeast instead of the fresh cube.',
      "Katrin's change: I use 100 g sugar instead of 125 g, nobody noticed.",
      'I now cycle to work instead of driving.',
    ])
      expect(corrects(t), t).toBe(true);
    for (const t of [
      'Our volume forecast is 120 containers for Q1.',
      "I'm not sure, maybe later.",
      'Now that the kids are older we travel more.',
      // Chit-chat with a correction's words (review of the session): none corrects anything.
      'Now I am not sure which one we picked.',
      'Right now the bucket is not in use.',
      "Let's take the train instead of driving to Porto.",
      'In the end we had a great time in Porto.',
      // Re-read of session 30: hedges with "in the end".
      'Not 100% sure it will work out in the end.',
      'Not Everyone agreed in the end, but fine.',
      'Not bad after all, the food was fine.',
      'I updated my phone yesterday.',
      // Review 6: a change's words with no change stated.
      'Changes log:',
      'I changed my mind about the trip.',
      'We take the bus instead of the train.',
      'Subject: RE: Q1 cold-chain contract - revised pricing',
      "You're right about the weather, we should go.",
      'We moved to Lisbon in 2019.',
    ])
      expect(corrects(t), t).toBe(false);
  });
});

describe('corrects: stock replies (review of session 29)', () => {
  it('reads no correction in "not sure", "not really", "not yet"', () => {
    for (const line of [
      'Right now I am swamped, not sure.',
      'Now that I think about it, not really.',
      'Now go, not yet!',
      'From now on, not bad.',
    ])
      expect(corrects(line), line).toBe(false);
    expect(corrects("I'm pescatarian now, not vegetarian.")).toBe(true);
    expect(corrects('From then on my address is Sopot, not Gdansk.')).toBe(true);
  });
});

describe('rankCorrections', () => {
  it('reads the later sentences of a block an "Update:" opens as its correction (review 6)', () => {
    const m = parseMemory(
      [
        '## Flights',
        '- Outbound: TP 1351, Berlin BER to Lisbon LIS, Fri 6 June, departs 07:40.',
        '- ~~Return: TP 1352, Lisbon to Berlin, Sun 15 June, 18:20~~',
        '- UPDATE 12 May: return moved. TAP cancelled the Sunday evening flight. New return is TP 1358 from Porto OPO (not Lisbon!) on Mon 16 June, departs 11:05.',
        '- Hotel: Casa do Largo, Alfama. Breakfast included.',
        '- Train to Porto: Tue 10 June 16:09.',
      ].join('\n'),
    );
    const at = (re: RegExp) => m.units.findIndex((u) => re.test(u.text));
    const score = new Float64Array(m.units.length).fill(1);
    score[at(/~~Return/)] = 6;
    score[at(/^- Outbound/)] = 5;
    score[at(/UPDATE/)] = 4;
    score[at(/Train to Porto/)] = 3;
    score[at(/Hotel/)] = 2;
    rankCorrections(score, m, 'When does our return flight leave and from which airport?');
    const best = [...score.keys()].sort((a, b) => (score[b] as number) - (score[a] as number))[0];
    expect(m.units[best as number]?.text).toMatch(/^New return is TP 1358/);
    // Its sentences that deny nothing are any fact's: not raised for what they share with the question.
    const bag = parseMemory(
      [
        '- Hotel Ribeira Douro: breakfast not included, EUR 12 extra.',
        '- Casa do Largo: breakfast included.',
        '- UPDATE 12 May: return moved. Checked bag still included (23 kg each).',
        '- Train to Porto: Tue 10 June 16:09.',
        '- Douro tour: lunch included.',
        '- Flea market: Tue and Sat.',
      ].join('\n'),
    );
    const kept = Float64Array.from(bag.units.map((_, k) => 10 - k));
    const bagAt = bag.units.findIndex((u) => /Checked bag/.test(u.text));
    const before = kept[bagAt];
    rankCorrections(kept, bag, 'Is breakfast included at the Porto hotel?');
    expect(kept[bagAt]).toBe(before);
    // A paragraph no "Update" opens lends its sentences nothing.
    const plain = parseMemory('- Return: TP 1352 from Lisbon. New return is TP 1358 from Porto (not Lisbon!).');
    const flat = new Float64Array(plain.units.length).fill(1);
    flat[0] = 5;
    rankCorrections(flat, plain, 'When does the return flight leave?');
    expect(flat[0]).toBe(5);
  });

  it('reads no correction block in an instruction or a changelog line opening on "Update" (re-read of session 32)', () => {
    for (const text of ['- Update the router firmware. Then reboot it twice.', '- Updated README. Added the docs.'])
      expect(correctionBlocks(parseMemory(text)).size, text).toBe(0);
    for (const text of ['**Update:** moved. New is TP 1358.', 'Correction - it moved. New is 10:00.'])
      expect(correctionBlocks(parseMemory(text)).size, text).toBe(1);
  });

  it('raises the turn where a plan turned out otherwise above the plan it sets aside (review 4)', () => {
    const m = parseMemory(
      [
        'Session 1 (9:00 am on 3 March, 2025): Seun and Ingrid',
        'Seun: Congratulations! Where will you live?',
        "Ingrid: I'm looking at flats in Torshov. Rents are terrifying. About 16,000 kroner a month for a one-bedroom.",
        'Seun: Oslo rents are wild.',
        '',
        'Session 2 (6:30 pm on 20 April, 2025): Seun and Ingrid',
        'Seun: How is the new job?',
        'Ingrid: Busy. The team is great.',
        'Ingrid: Not Torshov in the end. I took a one-bedroom in Sagene, 14,500 kroner a month.',
      ].join('\n'),
    );
    const score = Float64Array.from(
      m.units.map((u) =>
        /Torshov. Rents/.test(u.text) ? 5 : /Where will/.test(u.text) ? 4 : /wild/.test(u.text) ? 3 : 1,
      ),
    );
    rankCorrections(score, m, 'Where does Ingrid live now?');
    const best = [...score.keys()].sort((a, b) => (score[b] as number) - (score[a] as number))[0];
    expect(m.units[best as number]?.text).toMatch(/Sagene/);
  });

  it('for a question about the present, brings the change a state ended into above the state (review 4)', () => {
    const lines = [
      'Lived in Portland, Oregon (Sellwood) until January 2025.',
      'Mother, Abena, lives in Columbus, Ohio.',
      'Stopped using Duolingo in January 2025.',
      'Calls her mother every Sunday.',
      'Prefers short answers with bullet points.',
      'Vegetarian since 2019.',
      'Moved with Femi to a house in Milwaukie, Oregon on 15 January 2025.',
    ];
    const rank = (query: string) => {
      const m = parseMemory(lines.join('\n\n'));
      const score = Float64Array.from([7, 6, 5, 4, 3, 2, 1]);
      rankCorrections(score, m, query);
      return [...score.keys()].sort((a, b) => (score[b] as number) - (score[a] as number)).map((k) => m.units[k]?.text);
    };
    const now = rank('Where does Cilla live now?');
    expect(now[0]).toMatch(/^Moved with Femi/);
    expect(now[1]).toMatch(/^Lived in Portland/);
    // The month alone links nothing: the hobby stopped that January stays where it ranked.
    expect(now.indexOf('Stopped using Duolingo in January 2025.')).toBe(3);
    // Not asked about the present: as ranked.
    expect(rank('Where did Cilla live in 2024?')[0]).toMatch(/^Lived in Portland/);
  });

  it("for a question in the present, brings the line that left a best line's state just above it (review 5, F-14)", () => {
    const lines = [
      '## Work',
      '- Dan works as a backend developer at Kestrel Logistics (Utrecht), since 2022. (2025-02-10)',
      // Re-read of session 31: the question's own name leaves no state.
      '- Left Dan at the airport on Friday morning, then drove to the office. (2025-03-04)',
      '- Phone in contacts app is the work phone; personal number ends in -0417. (2025-05-02)',
      '- Brother: Maarten, lives in Ghent, Belgium; works as a nurse. (2025-03-20)',
      '- Left Kestrel Logistics on 31 July 2026. New job from 1 September 2026: staff engineer at Veldwerk Energy. (2026-08-02)',
      '- We left Monday morning for the coast. (2026-08-03)',
    ];
    const rank = (query: string) => {
      const m = parseMemory(lines.join('\n'));
      const score = Float64Array.from(
        m.units.map((u) =>
          /Dan works as/.test(u.text) ? 6 : /Phone/.test(u.text) ? 5 : /Brother/.test(u.text) ? 4 : 1,
        ),
      );
      rankCorrections(score, m, query);
      return [...score.keys()]
        .sort((a, b) => (score[b] as number) - (score[a] as number))
        .map((k) => m.units[k]?.text ?? '');
    };
    const now = rank('Where does Dan work?');
    expect(now[0]).toMatch(/Left Kestrel Logistics/);
    expect(now[1]).toMatch(/works as a backend developer/);
    // A day left names no state; a question about the past keeps the rank.
    expect(now.findIndex((t) => t.includes('left Monday'))).toBeGreaterThan(2);
    expect(now.findIndex((t) => t.includes('Left Dan'))).toBeGreaterThan(2);
    expect(rank('Where did Dan work in 2023?')[0]).toMatch(/works as a backend developer/);
  });

  it('raises a correction that denies a figure of the best lines, wherever it ranked', () => {
    const m = parseMemory(
      [
        'Our volume forecast is 120 containers for Q1.',
        'Forecasts are due on Fridays.',
        'The forecast sheet lives in the shared drive.',
        'Volume tends to peak in March.',
        'Q1 volumes were discussed on the call.',
        'Rotterdam handles most of the volume.',
        'One correction: our forecast is now 140 containers, not 120, because a plant opens.',
      ].join('\n\n'),
    );
    const score = Float64Array.from([6, 5, 4, 3, 2, 1.5, 1]);
    rankCorrections(score, m, 'What is the current Q1 volume forecast?');
    const best = [...score.keys()].sort((a, b) => (score[b] as number) - (score[a] as number))[0];
    expect(m.units[best as number]?.text).toMatch(/^One correction/);
  });
});

/** A thread as the review sent it: the newest mail first, its quoted history, and a later reply at the end. */
const THREAD = [
  'From: Marta Kowalski <marta.kowalski@brightline-logistics.com>',
  'To: Daniel Reyes <d.reyes@harborfoods.co>',
  'Cc: Priya Nair <priya.nair@brightline-logistics.com>',
  'Date: Thu, 14 Nov 2024 16:42:09 +0100',
  'Subject: RE: Q1 cold-chain contract - revised pricing',
  '',
  'Hi Daniel,',
  '',
  'Thanks for the quick turnaround. Priya checked with our Rotterdam depot: we can hold the reefer rate at EUR 1,840 per container for Q1, but only for bookings confirmed at least 10 working days ahead. Short-notice bookings (under 10 days) stay at EUR 2,150.',
  '',
  'We can NOT offer the free detention days you asked for on the Hamburg lane; that one is capacity-constrained until March. Rotterdam and Antwerp keep 3 free days as before.',
  '',
  'Invoices will move to net 45 from 1 January, as you requested. Please send the signed amendment by 22 November so it goes into the December billing run.',
  '',
  'Best regards,',
  'Marta',
  '',
  '--',
  'Marta Kowalski | Key Account Manager',
  'Brightline Logistics B.V. | Wilhelminakade 91, Rotterdam',
  'T +31 10 555 0192 | M +31 6 5550 1187',
  'This e-mail and any attachments are confidential.',
  '',
  'On Wed, 13 Nov 2024 at 11:05, Daniel Reyes <d.reyes@harborfoods.co> wrote:',
  '> Hi Marta,',
  '>',
  '> Following our call on Monday, here is where we landed internally:',
  '>',
  "> 1. We'd like the reefer rate fixed at EUR 1,840 per container for all of Q1.",
  '> 2. We need 5 free detention days on Hamburg, Rotterdam and Antwerp.',
  '> 3. Payment terms: could we move from net 30 to net 45?',
  '>',
  '> Our volume forecast is 120 containers for Q1, roughly 60% via Rotterdam.',
  '> Please note that we will not be shipping frozen seafood any more after',
  '> December; everything is chilled produce (2-4 °C).',
  '>',
  '> Thanks,',
  '> Daniel',
  '>',
  '> Daniel Reyes',
  '> Procurement Lead, Harbor Foods',
  '> +34 91 555 0148',
  '>',
  '> On Mon, 11 Nov 2024 at 09:30, Priya Nair <priya.nair@brightline-logistics.com> wrote:',
  '>> Daniel, Marta,',
  '>>',
  ">> Quick recap of Monday's call: current reefer rate is EUR 1,920 per container,",
  '>> 3 free detention days at all ports, net 30. Harbor Foods asked for a Q1 fix.',
  ">> I'll check depot capacity on Hamburg before we commit to anything there.",
  '>>',
  '>> Priya',
  '>>',
  '>> --',
  '>> Priya Nair | Operations Planner',
  '>> Brightline Logistics B.V.',
  '',
  'From: Daniel Reyes <d.reyes@harborfoods.co>',
  'To: Marta Kowalski <marta.kowalski@brightline-logistics.com>',
  'Date: Fri, 15 Nov 2024 09:12:44 +0100',
  'Subject: RE: Q1 cold-chain contract - revised pricing',
  '',
  'Marta,',
  '',
  'Fine with the 10-day rule and the Hamburg position. One correction: our forecast is now 140 containers, not 120, because the Valencia plant comes online in February. Legal will return the signed amendment by 20 November.',
  '',
  'Daniel',
].join('\n');

describe('an email thread with a question', () => {
  const { compressor } = useMiniLMCompressor('corrections');

  it("keeps the refusal under its mail's short header, and the correction before the figure it corrects (review)", async () => {
    const c = compressor('cache.db');
    try {
      // The top mail's header cost 84 tokens with its addresses, weekday and seconds; its refusal
      // never fit beside the request it refused.
      const refusal = await c.compress(THREAD, {
        query: 'How many free detention days do we get in Hamburg?',
        ratio: 0.2,
      });
      expect(refusal.strategy).toBe('select');
      expect(refusal.text).toContain('NOT offer free detention days');
      expect(refusal.text).toContain('From: Marta Kowalski\n');
      expect(refusal.text).not.toContain('@brightline-logistics.com');
      // The stale figure named the question's words first; the correction was fourth.
      const forecast = await c.compress(THREAD, {
        query: "What is Harbor Foods' current Q1 volume forecast?",
        ratio: 0.2,
      });
      expect(forecast.text).toContain('forecast now 140 containers not 120');
    } finally {
      await c.dispose();
    }
  }, 120_000);
});

/** A chat's messages array (review 3): facts given early, two corrected later. */
const CHAT = JSON.stringify([
  { role: 'system', content: 'You are Ada, an assistant for Lena Horvat. Always answer in English.' },
  {
    role: 'user',
    content:
      'Hi Ada. Facts about me for later: I live in Graz, I work as a nurse at the LKH hospital, and I am vegan. My brother is Marko.',
  },
  { role: 'assistant', content: 'Got it, Lena. Noted: Graz, nurse at LKH, vegan, brother Marko.' },
  { role: 'user', content: 'My budget for a new bike is 900 EUR, and it must have disc brakes.' },
  { role: 'assistant', content: 'Understood: bike budget 900 EUR, disc brakes.' },
  { role: 'user', content: 'I booked a dentist appointment for 4 June at 9:00.' },
  {
    role: 'user',
    content:
      'Big news, we bought a house near Maribor and move in on 1 July. From then on my address is Maribor, not Graz.',
  },
  { role: 'user', content: 'I eat eggs again since spring, so I am vegetarian now, not vegan. Still no meat.' },
  { role: 'assistant', content: 'Noted, I will keep suggesting places without meat.' },
  { role: 'user', content: 'I ordered the Cube Nuroad bike for 849 EUR, delivery in May.' },
]);

describe('a JSON chat with a correction (review 3)', () => {
  const { compressor } = useMiniLMCompressor('corrections-json');

  it('ranks the record correcting a value above the record stating it', async () => {
    const c = compressor('cache.db');
    try {
      const out = await c.compress(CHAT, { query: 'Where does Lena live now?', ratio: 0.2 });
      expect(out.text).toContain('Maribor');
    } finally {
      await c.dispose();
    }
  }, 120_000);
});
