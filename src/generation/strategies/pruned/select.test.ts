import { beforeAll, describe, expect, it } from 'vitest';
import { o200kCounter } from '../../../tokenizers/o200k-counter.ts';
import { compressWithRules } from '../../rules/index.ts';
import { flatScores as flat } from './flat-scores.ts';
import {
  bare,
  dialogueTurns,
  lockedUnits,
  markedUnits,
  phraseSpans,
  renderKept,
  selectWords,
  splitUnits,
} from './index.ts';
import { isClosedClass, isConstraint, isInstruction, lowInformationTexts } from './lexicon.ts';
import { firstMentionCost, leastNewTurns, namesFact, wordDensity } from './select.ts';
import { TURN_FEATURES, type TurnModel } from './turn-value.ts';
import { listItems, type Turn } from './units.ts';

// Selection is pure: these tests give every model token the same surprisal, so what is kept
// follows from the word classes and the turn rules alone, not from a model's opinion.

let o200k: (s: string) => number;
beforeAll(async () => {
  o200k = await o200kCounter();
});

const flatScores = (text: string) => flat(text, o200k);

const SESSION = [
  'Session 2 (1:14 pm on 25 May, 2023): Caroline and Melanie',
  'Caroline: I went to the pottery class with my kids and it was so much fun for all of us.',
  'Melanie: That is so great to hear, I am so happy for you and for them!',
  'Caroline: We made a blue ceramic bowl, a clay turtle and two small mugs for grandma Rosa.',
  'Melanie: Wow, that is really so great, I am happy for you!',
  'Caroline: Next we will try glazing at the studio on Elm Street in Portland.',
].join('\n');

const KAYAK = [
  'Ana: The kayak, the kayak, the kayak, the kayak, the kayak and the kayak again and again, with trout.',
  'Ben: Kayak trout canoe.',
  'Ana: Lake cabin went sunset tired now.',
].join('\n');

describe('selectWords (word classes and turns)', () => {
  it('drops closed-class words before any content word', () => {
    const r = selectWords(flatScores(SESSION), { ratio: 0.6 }, o200k);
    for (const w of ['pottery', 'class', 'kids', 'ceramic', 'bowl', 'turtle', 'mugs', 'glazing', 'studio', 'Elm'])
      expect(r.text).toContain(w);
    expect(r.text).not.toMatch(/\b(?:the|a|I|we|to|with)\b/);
    expect(r.ratio).toBeLessThanOrEqual(0.63);
  });

  it('drops a content word said before (given) before a new one', () => {
    const text = 'Ana: The garden needs water. The garden needs sun and the garden needs compost soon.';
    const r = selectWords(flatScores(text), { ratio: 0.6 }, o200k);
    expect(r.text).toContain('compost');
    expect(r.text).toContain('sun');
    expect((r.text.match(/garden/g) ?? []).length).toBeLessThan(3);
  });

  it('at a harsh ratio drops whole turns that say least that is new, never leaving a bare label', () => {
    // 0.4, not 0.33: since turns go until every first mention fits, at 0.33 the protected header
    // (a third of this short text) leaves room for one turn of facts only.
    const r = selectWords(flatScores(SESSION), { ratio: 0.4 }, o200k);
    for (const line of r.text.split('\n')) expect(line).not.toMatch(/^[^:]{1,40}:\s*$/);
    // The praise turns go whole, and one of the three turns of facts must go too: the plan ("Next
    // we will try glazing ... Elm Street"), as the turn model (turn-value.ts) values past events
    // ("I went", "We made ... two") above it. The turns kept keep their facts.
    expect(r.text).not.toContain('happy');
    for (const w of ['pottery', 'ceramic', 'Rosa']) expect(r.text).toContain(w);
    expect(r.text).not.toContain('Elm');
  });

  it('reads a timestamped log as turns: whole turns go, never a bare label, each kept turn with its stamp', () => {
    // Seen with `studio compress` on a chat log ("[2025-03-01 09:15] Sam: ..."): the label with its
    // stamp was not read as one, so turns were thinned word by word down to "[09:15] Sam:" alone.
    const log = [
      '[2025-03-01 09:14] Dana: Morning! I finally booked the flights to Lisbon for the half marathon.',
      '[2025-03-01 09:15] Sam: Nice, which date is the race again?',
      '[2025-03-01 09:16] Dana: The 12th of October, the start is at 8:30 near the Vasco da Gama bridge.',
      '[2025-03-01 09:20] Sam: I will train with you on Tuesdays then, my knee is better now.',
      '[2025-03-02 18:40] Dana: The new running shoes arrived, the Pegasus ones in blue.',
      '[2025-03-02 18:42] Sam (mobile): Cool, I still use my old trail shoes for the weekend runs.',
      '[2025-03-03 07:05] **Dana:** Rain today, moving our run to the gym treadmill.',
      '[2025-03-03 07:06] Sam: Fine by me, see you at seven.',
    ].join('\n');
    const scored = flatScores(log);
    expect(dialogueTurns(log, scored.units)).toHaveLength(8);
    for (const ratio of [0.5, 0.33]) {
      const r = selectWords(scored, { ratio }, o200k);
      for (const line of r.text.split('\n')) {
        expect(line, `${ratio}`).toMatch(/^\[2025-03-0\d \d\d:\d\d\] (?:\*\*)?(?:Dana|Sam)/);
        expect(line, `${ratio}`).not.toMatch(/:(?:\*\*)?\s*$/);
      }
      expect(r.text, `${ratio}`).toContain('Lisbon');
    }
  });

  it("after the chat rules, a log's kept turns keep their day when the day's first turn goes whole", async () => {
    // Seen with `studio compress` (rules, then the pruner): the rules wrote a day's date on its
    // first turn only ("[2025-03-02 18:40] Dana: ...", then "[18:42] Sam: ..."), the pruner dropped
    // that turn whole, and "[18:42] Sam" was left reading as the day before.
    const log = [
      '[2025-03-01 09:14] Dana: Morning! I finally booked the flights to Lisbon for the half marathon.',
      '[2025-03-01 09:16] Sam: Great, I will train with you on Tuesdays then, my knee is better now.',
      '[2025-03-02 18:40] Dana: Haha, wow, that is so great, I am so happy for you!',
      '[2025-03-02 18:42] Sam: The new trail shoes from the Portland store arrived, size 44, in green.',
      '[2025-03-03 07:05] Dana: Yes, totally, that is really so great!',
      '[2025-03-03 07:06] Sam: Rain today, so our Tuesday run moves to the Elm Street gym at 7.',
      '[2025-03-04 20:00] Dana: Wow, haha, that is so great, thanks so much!',
    ].join('\n');
    // The time of each turn (all differ) -> its day.
    const dayOf = new Map(log.split('\n').map((l) => [l.slice(12, 17), l.slice(1, 11)]));
    const ruled = (await compressWithRules(log, { domain: 'chat' })).text;
    const s = flatScores(ruled);
    const r = selectWords({ ...s, locked: lockedUnits(ruled, s.units, {}) }, { ratio: 0.4 }, o200k);
    // The praise turns go whole, the first of their day among them...
    expect(r.text).not.toContain('happy');
    expect(r.text).not.toContain('totally');
    // ...and every kept turn still stands under its own day.
    let day = '';
    let turns = 0;
    for (const line of r.text.split('\n')) {
      // A date written in the stamp or on a line of its own holds until the next one.
      const date = /^\[(\d{4}-\d{2}-\d{2})/.exec(line)?.[1];
      if (date) day = date;
      const time = /^\[(?:\d{4}-\d{2}-\d{2} )?(\d\d:\d\d)\]/.exec(line)?.[1];
      if (!time) continue;
      turns++;
      expect(day, line).toBe(dayOf.get(time));
    }
    expect(turns).toBeGreaterThanOrEqual(2);
    // A day whose every turn went leaves no date line over nothing, and its date is released with
    // its turn (the model-stage check would otherwise refuse the output for a lost protected span).
    const lines = r.text.split('\n');
    lines.forEach((line, k) => {
      if (/^\[[\d-]+\]$/.test(line)) expect(lines[k + 1] ?? '', line).toMatch(/^\[\d\d:\d\d\]/);
    });
    expect(r.text).not.toContain('2025-03-04');
    expect(r.released.map((x) => ruled.slice(x.start, x.end))).toContain('[2025-03-04]');
  });

  it('keeps a number with its unit, though the unit was said before', () => {
    // Seen with `studio compress` on samples/notes/onboarding.md: "a reduced fee of 25 euros" came
    // back as "reduced 25": "euros" had been said in the line before, so it went as given.
    const text = [
      'The yearly membership fee is 45 euros, which includes insurance for races.',
      'Students and people over 65 pay a reduced fee of 25 euros, and exports of 50,000 rows time out after 30 seconds.',
    ].join('\n');
    expect(phraseSpans(text).map((p) => text.slice(p.start, p.end))).toEqual(
      expect.arrayContaining(['45 euros', '25 euros', '50,000 rows', '30 seconds']),
    );
    // Not a year or an hour before a verb or a preposition.
    expect(phraseSpans('In 2016 we met at 8:30 near the gate, and 2023 was the last.')).toEqual([]);
    // A unit written as its symbol (review: "10-12 W" read "10-12").
    const watts = 'The lamp draws 10-12 W and the charger 65 W at most.';
    expect(phraseSpans(watts).map((p) => watts.slice(p.start, p.end))).toEqual(['12 W', '65 W']);
    // Not across a line, nor the article "A" (review: "Chapter 3\nA new day", "in 2024 A lot happened").
    for (const t of ['Chapter 3\nA new day', 'in 2024 A lot happened', 'Room 12\nV is for Victor'])
      expect(phraseSpans(t), t).toEqual([]);
    // The word that bounds or times a number: "people over 65" is not "people 65".
    const bounds = 'People over 65 pay less, at least 3 runs a week, the note is due by 20 May.';
    expect(phraseSpans(bounds).map((p) => bounds.slice(p.start, p.end))).toEqual([
      'over 65',
      'at least 3',
      'by 20',
      '3 runs',
      // With what it is per (review 3: "100 requests per second" read "100 requests").
      '3 runs a week',
    ]);
    const s = flatScores(text);
    const r = selectWords({ ...s, locked: lockedUnits(text, s.units, {}) }, { ratio: 0.5 }, o200k);
    for (const q of ['45 euros', '25 euros', '50,000 rows', '30 seconds']) expect(r.text).toContain(q);
  });

  it("keeps a document's shape: a heading's or a list item's marker stays while its line keeps a word", () => {
    // Seen with `studio compress` on samples/notes/onboarding.md: "## When and where we meet" came
    // back as "When meet" and "- The yearly membership fee ..." without its "-".
    const doc = [
      '# Welcome to the Riverside Striders',
      '',
      '## When and where we meet',
      '',
      'We meet twice a week at the east gate of Riverside Park, and on Saturdays at the boathouse.',
      '',
      '## Membership',
      '',
      '- The yearly membership fee is 45 euros, which includes insurance for races.',
      '- Students and people over 65 pay a reduced fee of 25 euros.',
      '1. Bring a reflective vest after dark.',
      '> Thanks!',
    ].join('\n');
    const s = flatScores(doc);
    for (const ratio of [0.8, 0.5, 0.33]) {
      const r = selectWords({ ...s, locked: lockedUnits(doc, s.units, {}) }, { ratio }, o200k);
      const lines = r.text.split('\n').filter(Boolean);
      // Whatever is kept of a marked line is under its marker.
      for (const [word, marker] of [
        [/Striders/, /^# \S/],
        [/Membership/, /^## \S/],
        [/yearly|Students/, /^- \S/],
        [/Bring|vest|dark/, /^1\. \S/],
        [/Thanks/, /^> \S/],
      ] as const)
        for (const line of lines.filter((l) => word.test(l))) expect(line, `${ratio}`).toMatch(marker);
      // No marker is left alone on its line.
      for (const line of lines) expect(line, `${ratio}`).not.toMatch(/^(?:#+|[-*>]|\d+\.)\s*$/);
      // A short heading names its section: it stays whole.
      for (const heading of ['# Welcome to the Riverside Striders', '## When and where we meet', '## Membership'])
        expect(lines, `${ratio}`).toContain(heading);
      if (ratio === 0.8) {
        expect(lines.filter((l) => l.startsWith('## '))).toHaveLength(2);
        expect(lines.filter((l) => /^- \S/.test(l))).toHaveLength(2);
      }
    }
  });

  it('closes no bracket whose opener went, nor leaves one open whose closer went', () => {
    // Seen with `studio compress` on samples/notes/meeting-2025-05-14.md: "(owner: Jun,\n due 30 May
    // 2025)." came back as "Jun,\n 30 May 2025)." with "(owner:" dropped.
    const text = [
      '1. Exports will be sent by email (owner: Jun,',
      '   due 30 May 2025).',
      'Ana: Look [shares photo: a dog on the beach] and (it was so fun)!',
      'Ben: Aw :( I miss that, (we should go again).',
    ].join('\n');
    const units = splitUnits(text);
    const drop = new Set(['(owner:', 'beach]', '(it', ':(']);
    const keep = Uint8Array.from(units, (u) => (drop.has(text.slice(u.word, u.end)) ? 0 : 1));
    expect(renderKept(text, units, keep)).toBe(
      [
        '1. Exports will be sent by email Jun,',
        '   due 30 May 2025.',
        'Ana: Look shares photo: a dog on the and was so fun!',
        'Ben: Aw I miss that, (we should go again).',
      ].join('\n'),
    );
  });

  it('keeps a negation: a kept clause never says the opposite', () => {
    // Seen with `studio compress` on a chat transcript: "many small shops and shrines do not take
    // cards" came back as "many small shops shrines take cards".
    const text = [
      'Assistant: Carry about 20,000 yen in cash; many small shops and shrines do not take cards.',
      "User: I can't read Japanese and I have never used a rail pass, nor a ticket machine.",
    ].join('\n');
    expect(
      phraseSpans(text)
        .filter((p) => p.kind === 'negation')
        .map((p) => text.slice(p.start, p.end)),
    ).toEqual(['not take cards', "can't read Japanese", 'never used a rail pass', 'nor a ticket machine']);
    const s = flatScores(text);
    for (const ratio of [0.5, 0.33]) {
      const r = selectWords({ ...s, locked: lockedUnits(text, s.units, {}) }, { ratio }, o200k);
      if (r.text.includes('take')) expect(r.text, `${ratio}`).toMatch(/not take/);
      if (r.text.includes('read')) expect(r.text, `${ratio}`).toMatch(/can't read/);
    }
  });

  it('keeps what a negated verb refuses: its object is the fact (review)', () => {
    // Review, `studio compress --ratio 0.5` without a query: "She does not eat pork." came back
    // "not eat", and "I'm not doing the mythic, only normal" "not doing normal".
    const text =
      "She does not eat pork. I'm not doing the mythic, only normal. Please never call me during work hours.";
    expect(
      phraseSpans(text)
        .filter((p) => p.kind === 'negation')
        .map((p) => text.slice(p.start, p.end)),
    ).toEqual(['not eat pork', 'not doing the mythic', 'never call me during work']);
    const s = flatScores(text);
    for (const ratio of [0.5, 0.33]) {
      const r = selectWords({ ...s, locked: lockedUnits(text, s.units, {}) }, { ratio }, o200k);
      expect(r.text, `${ratio}`).toContain('not eat pork');
      expect(r.text, `${ratio}`).toContain('not doing the mythic');
    }
  });

  it('reads "user:" and "assistant:" as speaker labels: no bare label is left (review)', () => {
    // Review: a support chat rendered with lower-case roles came back with four bare "user:" /
    // "assistant:" lines at ratio 0.3, and "Flat 3B" lost its "3B".
    const text = [
      "user: Hi there! I hope you're having a good day. I have a question about my order, if that's okay.",
      "assistant: Hello! Of course, I'd be happy to help you with your order. Could you please share the order number?",
      "user: Sure, it's 48213-B. I ordered a blue rain jacket in size M on 2 June and it still hasn't arrived.",
      'assistant: It was shipped on 4 June with Parcelink, tracking number PL-99317, and is held at the Leeds depot.',
      "user: Oh, I see. It's flat 3B, 17 Harbour Street.",
      "user: No, that's all, thanks a lot!",
      "assistant: You're very welcome! Have a wonderful day.",
    ].join('\n');
    expect(dialogueTurns(text, splitUnits(text)).length).toBe(7);
    for (const ratio of [0.5, 0.3]) {
      const s = flatScores(text);
      const r = selectWords({ ...s, locked: lockedUnits(text, s.units, {}) }, { ratio }, o200k);
      for (const line of r.text.split('\n')) expect(line, `${ratio}`).not.toMatch(/^(?:user|assistant):\s*$/i);
      if (r.text.includes('Harbour')) expect(r.text, `${ratio}`).toContain('3B');
    }
  });

  it('reads two turns on one line as two turns, and leaves no label bare inside a line (review)', () => {
    // Review: "Dana: I moved to Lisbon in May. Sam: nice." at 0.5 came back "Dana: moved Lisbon Sam:".
    // One line alone is no dialogue: "Sam:" is a word of it, and goes with its words.
    const line = 'Dana: I moved to Lisbon in May. Sam: nice.';
    for (const ratio of [0.3, 0.5, 0.7]) {
      const r = selectWords(flatScores(line), { ratio }, o200k);
      expect(r.text, `${ratio}`).not.toMatch(/Sam:\s*$/);
    }
    // In a dialogue whose speakers are Dana and Sam, the line holds three turns: each Sam's or Dana's.
    const chat = [
      'Dana: hi Sam, how are you?',
      'Sam: good, busy week at work with the launch.',
      'Dana: I moved to Lisbon in May. Sam: nice. Dana: the flat has a view of the river.',
      'Sam: great, I will visit in June.',
    ].join('\n');
    const units = splitUnits(chat);
    const turns = dialogueTurns(chat, units);
    const said = (t: Turn) =>
      chat.slice((units[t.first] as { word: number }).word, (units[t.last] as { end: number }).end);
    expect(turns.map(said)).toEqual([
      'Dana: hi Sam, how are you?',
      'Sam: good, busy week at work with the launch.',
      'Dana: I moved to Lisbon in May.',
      'Sam: nice.',
      'Dana: the flat has a view of the river.',
      'Sam: great, I will visit in June.',
    ]);
    for (const ratio of [0.3, 0.5, 0.7]) {
      const r = selectWords(flatScores(chat), { ratio }, o200k);
      expect(r.text, `${ratio}`).not.toMatch(/\b(?:Sam|Dana):\s*(?:$|\n|Dana:|Sam:)/);
    }
    // A label of no speaker of the dialogue ("Note:") is a word of its turn.
    const noted = chat.replace('Sam: nice.', 'Note: the lease is for a year.');
    expect(dialogueTurns(noted, splitUnits(noted))).toHaveLength(5);
  });

  it('keeps an allergy, a diet or a condition with what it is to, and never drops its turn whole (review)', () => {
    // Review, without a query: "Nadia is allergic to sesame, including tahini." read "Nadia allergic
    // including tahini."; "<li>Allergic to penicillin.</li>" "<li>Allergic</li>"; a chat's turn
    // "also I'm allergic to shellfish, remind me to tell the waiter" went whole.
    const facts = [
      'Nadia is allergic to sesame, including tahini.',
      'Ava goes to Lincoln Elementary and has a severe peanut allergy (carries EpiPen).',
      'Tom is lactose intolerant. He likes strong black tea in the morning.',
    ].join('\n');
    expect(
      phraseSpans(facts)
        .filter((p) => p.kind === 'safety')
        .map((p) => facts.slice(p.start, p.end)),
    ).toEqual(['Nadia is allergic to sesame', 'severe peanut allergy', 'carries EpiPen', 'is lactose intolerant']);
    // Only the first mention of each: a text about diabetes says it eight times (review: locking every
    // one kept 85 % of it at ratio 0.3).
    const about = Array.from(
      { length: 8 },
      (_, k) =>
        `People with diabetes check their blood sugar ${k + 2} times in the week, and most of them manage well.`,
    ).join(' ');
    expect(phraseSpans(about).filter((p) => p.kind === 'safety')).toHaveLength(1);
    const topic = selectWords(flatScores(about), { ratio: 0.3 }, o200k);
    expect(topic.ratio).toBeLessThanOrEqual(0.35);
    const chat = [
      'Sam: hey are we still on for Saturday night at the usual place?',
      'Me: yes, dinner at 7:30 pm at Trattoria Lucia, I booked a table for four people',
      'Sam: perfect, is Nadia coming with us this time or is she away?',
      'Me: she cannot come, she has a flight to Montreal that evening',
      "Sam: also I'm allergic to shellfish, remind me to tell the waiter",
      'Me: noted, I will tell them when we arrive at the restaurant',
    ].join('\n');
    for (const [text, ratio] of [
      [facts, 0.5],
      [chat, 0.5],
      [chat, 0.33],
    ] as const) {
      const s = flatScores(text);
      const r = selectWords({ ...s, locked: lockedUnits(text, s.units, {}) }, { ratio }, o200k);
      for (const span of phraseSpans(text).filter((p) => p.kind === 'safety'))
        expect(r.text, `${ratio}`).toContain(text.slice(span.start, span.end));
      // Over the ratio only when what must stay is more than it (said so, as for any protected word).
      if (r.ratio > ratio + 0.05) expect(r.protectedExceedsBudget, `${ratio}`).toBe(true);
    }
  });

  it('keeps each allergy of a line with what it is to: a second one is another fact (review)', () => {
    // Review, `studio compress` without a query: "User is not allergic to milk but is allergic to
    // eggs." read "User is not allergic to milk but is": only the first "allergic" of a line was kept.
    const text = 'User is not allergic to milk but is allergic to eggs. User never drinks coffee after 3pm.';
    expect(
      phraseSpans(text)
        .filter((p) => p.kind === 'safety')
        .map((p) => text.slice(p.start, p.end)),
    ).toEqual(['is not allergic to milk but is', 'but is allergic to eggs']);
    for (const ratio of [0.5, 0.33]) {
      const s = flatScores(text);
      const r = selectWords({ ...s, locked: lockedUnits(text, s.units, {}) }, { ratio }, o200k);
      expect(r.text, `${ratio}`).toContain('allergic to eggs');
      expect(r.text, `${ratio}`).toContain('not allergic to milk');
    }
  });

  it('keeps a negation with the word it negates: alone it negates the next word kept (review)', () => {
    // Review: "He has not started that report. He is worried ..." came back "not worried".
    const text = 'He has not started that report. He is worried about the grant, which is unlikely but not impossible.';
    expect(
      phraseSpans(text)
        .filter((p) => p.kind === 'negation')
        .map((p) => text.slice(p.start, p.end)),
    ).toEqual(['not started that report', 'not impossible']);
    const s = flatScores(text);
    for (const ratio of [0.5, 0.33]) {
      const r = selectWords({ ...s, locked: lockedUnits(text, s.units, {}) }, { ratio }, o200k);
      expect(r.text, `${ratio}`).toContain('not started');
      expect(r.text, `${ratio}`).toContain('not impossible');
    }
  });

  it("reads a turn's lines without a label as its own: they go with it, or stay under its label with their bullets", () => {
    // Seen with `studio compress` on a chat transcript: the assistant's turn was dropped whole but
    // its next lines stayed, under the user's label ("User: vegetarian. hard?" then "Look for shojin
    // ryori ..."), and the kept lines of its list lost their "-".
    const text = [
      'User: I am vegetarian. Will that be hard?',
      'Assistant: Wow, great, thanks so much, I am so happy for you!',
      'Look for shojin ryori, the Buddhist temple cuisine of Kyoto.',
      '- HappyCow lists vegetarian places in Tokyo and Osaka',
      '## Budget',
      'User: My budget is 300,000 yen for two weeks.',
    ].join('\n');
    const s = flatScores(text);
    const turns = dialogueTurns(text, s.units);
    expect(turns.map((t) => text.slice(s.units[t.first]?.word, s.units[t.last]?.end).split('\n').length)).toEqual([
      1, 3, 1,
    ]);
    for (const ratio of [0.8, 0.5, 0.33]) {
      const r = selectWords({ ...s, locked: lockedUnits(text, s.units, {}) }, { ratio }, o200k);
      const lines = r.text.split('\n');
      for (const [k, line] of lines.entries())
        if (/shojin|ryori|HappyCow|Kyoto/.test(line)) {
          const speaker = lines
            .slice(0, k + 1)
            .reverse()
            .find((l) => /^(?:User|Assistant):/.test(l));
          expect(speaker, `${ratio}: ${line}`).toMatch(/^Assistant:/);
        }
      for (const line of lines.filter((l) => /HappyCow|Osaka/.test(l))) expect(line, `${ratio}`).toMatch(/^- /);
    }
  });

  it("reads a few fields as fields: a document's body is no turn of its Subject line", () => {
    const mail = [
      'From: Dana',
      'To: Sam',
      'Subject: Offsite',
      '',
      'The offsite moves to 12 June in Porto. Bring the budget sheet and the 3 laptops.',
      'We leave at 8:30 from the office.',
    ].join('\n');
    const s = flatScores(mail);
    for (const t of dialogueTurns(mail, s.units)) expect(t.last - t.labelEnd).toBe(1);
  });

  it('reads a label alone on its line as the turn of the lines under it', () => {
    const chat = [
      'User: What adapter do I need?',
      'Assistant:',
      'A type A plug adapter.',
      'User: And for Korea?',
      'Assistant: Type C.',
    ].join('\n');
    const s = flatScores(chat);
    const turns = dialogueTurns(chat, s.units);
    expect(turns.map((t) => chat.slice(s.units[t.first]?.word, s.units[t.last]?.end))).toEqual([
      'User: What adapter do I need?',
      'Assistant:\nA type A plug adapter.',
      'User: And for Korea?',
      'Assistant: Type C.',
    ]);
  });

  it('reads a stamped label whose name has several words, and no sentence ending in a colon', () => {
    // Review: the label was looked for in a line's first four words, and the stamp takes two of them,
    // so "[2025-03-01 09:14] Dr. Mary Lee:" was no label and its turns were thinned to stubs.
    const log = [
      '[2025-03-01 09:14] Dr. Mary Lee: The scan on Monday showed the fracture is healing well.',
      '[2025-03-01 09:15] Tom Baker: Good, so can I start physio next week?',
      '[2025-03-01 09:16] Dr. Mary Lee: Yes, twice a week, and no running until June.',
      '[2025-03-01 09:17] Tom Baker: Thanks, I will book it at the clinic on Elm Street.',
    ].join('\n');
    const s = flatScores(log);
    expect(dialogueTurns(log, s.units).map((t) => t.labelEnd - t.first)).toEqual([4, 3, 4, 3]);
    // Past the stamp, a label is still four words at most: a sentence that ends in a colon is none.
    const prose = 'Then the whole team finally said: we ship it.\nAna: ok.\nBen: ok.\nAna: fine.';
    const p = flatScores(prose);
    expect(
      dialogueTurns(prose, p.units).map((t) => prose.slice(p.units[t.first]?.word, p.units[t.labelEnd]?.end)),
    ).toEqual(['Ana:', 'Ben:', 'Ana:']);
  });

  it('in a list of facts, never drops whole a diet, a condition or a standing instruction (review)', () => {
    // Review, without a query: at keep 0.5 "does not eat pork", "is diabetic (type 1)", "is vegan" and
    // "prefers answers in Dutch" went first, as lines with no name or number.
    const facts = [
      '- User lives in Rotterdam since 2019.',
      '- User does not eat pork.',
      '- User works at Fintrex as engineer number 4411.',
      '- User keeps kosher.',
      '- User has two daughters, Ada (7) and Zoe (4).',
      '- User is diabetic (type 1).',
      "- User's car is a 2018 Volvo V60.",
      '- User is vegan.',
      '- User prefers answers in Dutch.',
      '- User never wants emoji in replies.',
      '- User visited Lisbon in May 2023 with his brother Karel.',
      '- User plays the cello in an amateur orchestra on Thursdays.',
      // Review 5, F-10: a habit said the other way round.
      '- Drinks no alcohol since January 2026.',
    ].join('\n');
    for (const ratio of [0.5, 0.33]) {
      const s = flatScores(facts);
      const r = selectWords({ ...s, locked: lockedUnits(facts, s.units, {}) }, { ratio }, o200k);
      for (const word of ['pork', 'kosher', 'diabetic', 'vegan', 'Dutch', 'emoji', 'alcohol'])
        expect(r.text, `${ratio}`).toContain(word);
      // Other facts still go whole, the least new first: not every line thinned to its subject.
      expect(r.text.split('\n').length, `${ratio}`).toBeLessThan(13);
    }
    // In dialogue only an allergy keeps its turn: a chat about a vegan restaurant says "vegan" everywhere.
    const chat = Array.from(
      { length: 6 },
      (_, k) => `${k % 2 ? 'Ana' : 'Ben'}: the vegan place number ${k} was fine I guess`,
    ).join('\n');
    const c = flatScores(chat);
    expect(selectWords({ ...c, locked: lockedUnits(chat, c.units, {}) }, { ratio: 0.3 }, o200k).ratio).toBeLessThan(
      0.4,
    );
  });

  it("keeps whole only what the assistant acts on: ordinary habits and a profile's fields still go whole (review)", () => {
    // Review: every line of "User always takes the 8:15 train", "User hates spiders", "User prefers
    // window seats" was kept as an instruction, and a profile's "Music: ..." fields as email fields:
    // the ratio missed by 15 points, the lines thinned to "- User", "Music: Thursdays".
    const habits = [
      '- User always takes the 8:15 train to work from Delft station.',
      '- User never went to college and started working at 18.',
      '- User hates spiders and keeps a cat for that reason.',
      '- Her cat is always hungry and eats three times a day.',
      '- User has never been to Japan but wants to visit Kyoto.',
      '- User avoids the city centre on Saturdays because of crowds.',
      '- User always walks the dog at 7am before breakfast.',
      '- User prefers window seats on long flights to Asia.',
      '- User always calls his mother on Sunday evenings.',
    ].join('\n');
    const profile = [
      'Hobby: pottery and hiking in the mountains on weekends with friends',
      'Favourite food: ramen from the small shop near the central station',
      'Pet: a grey cat called Miso who is eleven years old now',
      'Job: senior engineer at Fintrex working on the payments platform',
      'Home: a flat in Rotterdam near the river since 2019',
      'Car: a 2018 Volvo V60 in dark blue bought second hand',
      'Partner: Karel, a teacher at the local primary school',
      'Music: plays the cello in an amateur orchestra on Thursdays',
    ].join('\n');
    for (const text of [habits, profile]) {
      const s = flatScores(text);
      const r = selectWords({ ...s, locked: lockedUnits(text, s.units, {}) }, { ratio: 0.33 }, o200k);
      expect(r.ratio, text.slice(0, 20)).toBeLessThanOrEqual(0.38);
      // Some lines go whole, rather than every line thinned to its subject.
      expect(r.text.split('\n').length, text.slice(0, 20)).toBeLessThan(text.split('\n').length);
    }
  });

  it('reads negations and allergies written in other languages (review)', () => {
    // Review: German "keine Nüsse" read "Nüsse", "nicht stornieren" went; a Japanese shrimp allergy
    // ("エビアレルギー") was the one line dropped.
    const de = 'Er hat eine Nussallergie und bittet darum, dass beim Firmenessen keine Nüsse serviert werden.';
    const spans = phraseSpans(de);
    expect(spans.filter((p) => p.kind === 'negation').map((p) => de.slice(p.start, p.end))[0]).toMatch(/^keine Nüsse/);
    expect(spans.filter((p) => p.kind === 'safety').map((p) => de.slice(p.start, p.end))).toEqual([
      'hat eine Nussallergie und bittet darum',
    ]);
    for (const [text, word] of [
      ['Il ne mange jamais de porc.', 'jamais'],
      ['Hij wil geen noten in het eten.', 'geen'],
      ['Ella nunca bebe café.', 'nunca'],
    ] as const)
      expect(phraseSpans(text).some((p) => p.kind === 'negation' && text.slice(p.start, p.end).startsWith(word))).toBe(
        true,
      );
    // Words of those languages that are English too, or names, are no negation (review: "Mai Tran"
    // and "a faux pas at the dinner" locked spans).
    for (const text of [
      'We met Mai Tran at the airport and Mai booked the hotel.',
      'It was a faux pas at the dinner party.',
    ])
      expect(phraseSpans(text).filter((p) => p.kind === 'negation')).toEqual([]);
    const ja = [
      '・田中さんはエビアレルギーがあります。',
      '・納期は6月30日です。',
      '・見積書番号はQ-2024-0517です。',
    ].join('\n');
    expect(phraseSpans(ja).some((p) => p.kind === 'safety')).toBe(true);
  });

  it('keeps a German or Dutch negation with the verb its clause ends with (review)', () => {
    // Review: "Bitte mich nie vor 10 Uhr anrufen." came back "nie vor 10 Uhr": the negated verb comes
    // last in a German clause, and a separable verb's particle ("op") is part of its meaning.
    const negated = (text: string) =>
      phraseSpans(text)
        .filter((p) => p.kind === 'negation')
        .map((p) => text.slice(p.start, p.end));
    expect(negated('Bitte mich nie vor 10 Uhr anrufen.')).toEqual(['nie vor 10 Uhr anrufen']);
    expect(negated("Bel me nooit voor 10 uur 's ochtends op.")).toEqual(["nooit voor 10 uur 's ochtends op"]);
    expect(negated('Bitte nicht vor 10:00 anrufen')).toEqual(['nicht vor 10:00 anrufen']);
    // The clause ends at its comma: what the negation denies, not the reason after it.
    expect(negated('Ich esse keine Nüsse, weil ich allergisch bin.')).toEqual(['keine Nüsse']);
    // A long clause keeps its last word (the verb) beside the words after the negation.
    const long =
      'Wir können den Vertrag nicht vor der Rückkehr des Geschäftsführers aus dem Urlaub im August unterschreiben.';
    expect(negated(long).at(-1)).toBe('unterschreiben');
    // English reads as before: the negated verb and its object.
    expect(negated('I do not eat pork at home, my sister does.')).toEqual(['not eat pork at home']);
    for (const text of ['Bitte mich nie vor 10 Uhr anrufen.', "Bel me nooit voor 10 uur 's ochtends op."]) {
      const s = flatScores(text);
      const r = selectWords({ ...s, locked: lockedUnits(text, s.units, {}) }, { ratio: 0.33 }, o200k);
      expect(r.text).toMatch(/(?:anrufen|op)\.?$/);
    }
    const nuts = 'Ich esse keine Nüsse, weil ich allergisch bin.';
    const s = flatScores(nuts);
    expect(selectWords({ ...s, locked: lockedUnits(nuts, s.units, {}) }, { ratio: 0.33 }, o200k).text).toMatch(
      /keine Nüsse.*allergisch/,
    );
  });

  it('reads French "pas" without its "ne" as a negation, and keeps a short Romance clause it negates (review)', () => {
    // Review: "mais pas à l'amoxicilline" came back "mais l'amoxicilline" at keep 0.5 and 0.33, the
    // allergy said the other way round; "Ne jamais lui proposer de rendez-vous le jeudi matin" lost
    // its Thursday.
    const negated = (text: string) =>
      phraseSpans(text)
        .filter((p) => p.kind === 'negation')
        .map((p) => text.slice(p.start, p.end));
    expect(negated("Elle est allergique à la pénicilline mais pas à l'amoxicilline.")).toContain(
      "pas à l'amoxicilline",
    );
    expect(negated("Elle n'a pas de voiture ; elle se déplace à vélo.")).toContain('pas de voiture');
    expect(negated("c'est pas grave")).toEqual(['pas grave']);
    // With what the colon says after it, its reason ("elle dort"), since review 4 (afterProhibition).
    expect(negated('Ne jamais lui proposer de rendez-vous le jeudi matin : elle dort.')).toContain(
      'Ne jamais lui proposer de rendez-vous le jeudi matin',
    );
    // Idioms: no negation.
    for (const t of ['That was a faux pas at dinner.', 'They danced a pas de deux.', 'Calais is in Pas-de-Calais.'])
      expect(negated(t), t).toEqual([]);
    const text =
      "- Elle est allergique à la pénicilline (réaction grave en 2016) mais pas à l'amoxicilline, dit son médecin de famille.";
    const s = flatScores(text);
    for (const ratio of [0.5, 0.33])
      expect(selectWords({ ...s, locked: lockedUnits(text, s.units, {}) }, { ratio }, o200k).text).toContain(
        "pas à l'amoxicilline",
      );
  });

  it('keeps a negated modal and the qualifier of what a negation denies (review)', () => {
    // Review, a contract at keep 0.33: "The Supplier may not terminate this Agreement for convenience
    // during the Initial Term" came back "Supplier not terminate this Agreement Initial Term"; an agent
    // log's "Task failed, not marking upstream as stale" "not marking upstream".
    const negated = (text: string) =>
      phraseSpans(text)
        .filter((p) => p.kind === 'negation')
        .map((p) => text.slice(p.start, p.end));
    // With its subject since review 3 (clause-spans.ts negatedSubject).
    expect(negated('The Supplier may not terminate this Agreement for convenience during the Initial Term.')).toEqual([
      'Supplier',
      'may not terminate this Agreement for convenience',
    ]);
    // "failed" is locked since review 3 (clause-spans.ts ENDS_OR_GOES: a thing that fails).
    expect(negated('Task failed, not marking upstream as stale')).toEqual(['failed', 'not marking upstream as stale']);
    expect(negated('- Not available on Wednesday mornings (swimming lessons)')).toEqual([
      'Not available on Wednesday mornings',
    ]);
    expect(negated('You must not share the key and need not ask.')).toEqual(['must not share the key', 'need not ask']);
    const text =
      'The Supplier may not terminate this Agreement for convenience during the Initial Term of the contract.';
    const s = flatScores(text);
    expect(selectWords({ ...s, locked: lockedUnits(text, s.units, {}) }, { ratio: 0.33 }, o200k).text).toContain(
      'may not terminate this Agreement for convenience',
    );
  });

  it('keeps the "from" and "to" of a change between two times or numbers', () => {
    // Seen with the review's Slack export: "the deploy moved from Thursday to Monday 14:00" came back
    // "deploy moved Thursday Monday 14:00", which way it moved unsaid.
    const text = '[09:05] maria: heads up: the deploy moved from Thursday to Monday 14:00 because of the DB migration';
    const s = flatScores(text);
    const r = selectWords({ ...s, locked: lockedUnits(text, s.units, {}) }, { ratio: 0.33 }, o200k);
    expect(r.text).toContain('from Thursday to Monday 14:00');
    const spans = (t: string) => phraseSpans(t).map((p) => t.slice(p.start, p.end));
    expect(spans('latency went from 340 ms to 95 ms')).toContain('from 340 ms to 95');
    expect(spans('the shop is open from 9 am until 5 pm')).toContain('from 9 am until 5 pm');
    // Not across a line: two turns are no range.
    expect(spans('Ana: I was off from Monday\nBen: to Friday?').some((w) => w.startsWith('from'))).toBe(false);
  });

  it('keeps a number with its unit, and in a list item a count with what it counts (review)', () => {
    // Review, a meal plan at keep 0.5: "- 2 tins chickpeas (400 g each), drained" came back "- 2 tins
    // 400", "- 3 tbsp olive oil, 2 tsp smoked paprika, 1 tsp ground cumin" "- 3 2 1"; French "moins
    // de 1 h 55" "moins de 1 55", "Plomberie Martin (8 400 €)" "Plomberie Martin 8 400".
    const recipe = [
      '## Monday: tray bake',
      '- 2 tins chickpeas (400 g each), drained and rinsed well under the cold tap',
      '- 3 tbsp olive oil, 2 tsp smoked paprika, 1 tsp ground cumin from the jar',
      '- Glaze: 3 tbsp tamari (not regular soy sauce), 1 tbsp honey',
      'Method: toss everything with the oil and spices, roast at 200 °C, turning once halfway.',
    ].join('\n');
    const s = flatScores(recipe);
    const r = selectWords({ ...s, locked: lockedUnits(recipe, s.units, {}) }, { ratio: 0.5 }, o200k);
    for (const w of ['2 tins chickpeas', '400 g', '3 tbsp olive oil', '2 tsp smoked paprika', '1 tsp ground cumin'])
      expect(r.text).toContain(w);
    expect(r.text).toMatch(/3 tbsp tamari.*1 tbsp honey/);
    expect(r.text).toContain('200 °C');
    const spans = (t: string) => phraseSpans(t).map((p) => t.slice(p.start, p.end));
    expect(spans('- Camille prépare le semi-marathon ; objectif : moins de 1 h 55.')).toContain('1 h 55');
    expect(spans('devis reçus de Plomberie Martin (8 400 €) et de SBR')).toContain('8 400 €');
    expect(spans('- Budget vacances : 2 500 € pour deux, hors transport.')).toContain('2 500 €');
    expect(spans('Serves 6. 1 h 15 min.')).toContain('1 h 15 min');
    // A count in a sentence counts nothing after it; a year before a comma is no "2020 mais".
    expect(spans('- Elle rembourse un prêt de 215 000 € sur 20 ans.')).not.toContain('215 000 € sur');
    const numbers = (t: string) =>
      phraseSpans(t)
        .filter((p) => p.kind === 'number')
        .map((p) => t.slice(p.start, p.end));
    expect(numbers('- Elle est végétarienne depuis 2020, mais elle mange du poisson.')).toEqual([]);
  });

  it('reads a greeting to a group as small talk: "morning all" says nothing to answer from (review)', () => {
    // Review: a Slack export's "morning all" was kept at keep 0.33 while the turn saying the deploy moved went.
    expect([
      ...lowInformationTexts([
        'morning all',
        'hi everyone!',
        'hey folks',
        'all hands at 9',
        'morning, Ana',
        'it was the night team',
      ]),
    ]).toEqual([0, 1, 2, 4]);
  });

  it("never drops a document's fields whole as turns: an email keeps its From and To (review)", () => {
    // Review, without a query: at keep 0.5 an email lost its From and To lines (sender, recipient).
    const email = [
      'From: Sarah Lin <sarah.lin@acme-logistics.com>',
      'To: support@shipfast.io',
      'Subject: Re: Order #SF-204-77812 not delivered',
      '',
      'Hi team,',
      '',
      'Our order #SF-204-77812 was supposed to arrive on May 28 but still says in transit.',
      "If this can't be resolved by Friday June 7, we would like a full refund, not store credit.",
      '',
      'Thanks,',
      'Sarah',
    ].join('\n');
    const s = flatScores(email);
    expect(dialogueTurns(email, s.units).every((t) => t.field)).toBe(true);
    for (const ratio of [0.5, 0.33]) {
      const r = selectWords({ ...s, locked: lockedUnits(email, s.units, {}) }, { ratio }, o200k);
      expect(r.text, `${ratio}`).toMatch(/^From: .*sarah\.lin@acme-logistics\.com/m);
      expect(r.text, `${ratio}`).toMatch(/^To: support@shipfast\.io/m);
    }
    // A chat's turns are no fields, stamped or not.
    const chat = [
      '[9:02 AM] alice: morning all',
      '[9:03 AM] bob: morning!',
      '[9:05 AM] alice: the deploy moved to Thursday',
    ].join('\n');
    expect(dialogueTurns(chat, flatScores(chat).units).some((t) => t.field)).toBe(false);
  });

  it('drops a question with its answer when the answer goes as saying least: never a question left unanswered (review)', () => {
    // Review: "Maya: Oh nice, was it bad?" stayed while Tom's answer ("Not at all. Dr. Alvarez said I
    // don't need the root canal after all, just a filling.") went whole. A turn model that rates
    // answers lowest and questions highest makes the turns dropped whole be the answers.
    const model: TurnModel = {
      bias: 0,
      weights: Object.fromEntries(TURN_FEATURES.map((f) => [f, 0])) as TurnModel['weights'],
    };
    model.weights = { ...model.weights, afterQuestion: -8, questions: 8 };
    const chat = [
      'Maya: Oh nice, was it bad?',
      'Tom: Alvarez said the root canal is unnecessary, only a filling.',
      'Maya: Is she flying with you too?',
      'Tom: Priya keeps Luna, planes scare her.',
      'Maya: Did you really quit it?',
      'Tom: Green tea only since February.',
      'Maya: Which hotel did you book?',
      'Tom: Hotel Kansai Riverside, eleven nights.',
    ];
    const text = chat.join('\n');
    const s = flatScores(text);
    const said = (line: string, out: string) =>
      line
        .replace(/^\w+: /, '')
        .split(' ')
        .some((w) => w.length > 4 && out.includes(w.replace(/[.,!?]$/, '')));
    let unanswered = 0;
    for (const ratio of [0.5, 0.4, 0.3]) {
      const r = selectWords({ ...s, locked: lockedUnits(text, s.units, {}) }, { ratio }, o200k, model);
      for (let k = 1; k < chat.length; k += 2) {
        if (said(chat[k] as string, r.text)) continue;
        unanswered++;
        expect(said(chat[k - 1] as string, r.text), `${ratio}: "${chat[k - 1]}" kept, its answer gone`).toBe(false);
      }
    }
    expect(unanswered).toBeGreaterThan(0);
    // A question that names someone holds the fact: it stays when its answer goes (review: "Did you
    // hear Ana got the job at Google in Zurich?" went with "Oh wow, I had no idea").
    const news = [
      'Maya: Did you hear that Ana got the job at Google in Zurich?',
      'Tom: Oh wow, I had no idea, honestly.',
      'Maya: Is the weather nice there?',
      'Tom: Mostly grey and rainy.',
    ].join('\n');
    const n = flatScores(news);
    const kept = selectWords({ ...n, locked: lockedUnits(news, n.units, {}) }, { ratio: 0.4 }, o200k, model);
    if (!kept.text.includes('no idea')) expect(kept.text).toContain('Zurich');
  });

  it('keeps the question mark of a question thinned to its content words: it must still ask (review)', () => {
    // Review, `studio compress` without a query: "Tom: Are you taking Luna with you?" read "taking
    // Luna", a fact, while the answer ("No, Luna is staying with my sister") went.
    const text =
      'Tom: Are you taking Luna with you? Maybe not.\nMaya: Is it far, then? No.\nTom: Why? It is cheap, I know.';
    const units = splitUnits(text);
    const drop = new Set(['Are', 'you', 'with', 'you?', 'Is', 'it', 'No.', 'Why?', 'far,']);
    const keep = Uint8Array.from(units, (u) => (drop.has(text.slice(u.word, u.end)) ? 0 : 1));
    expect(renderKept(text, units, keep)).toBe('Tom: taking Luna? Maybe not.\nMaya: then?\nTom: It is cheap, I know.');
    // A statement's tag question, "(?)", "x ? y" and a URL's "?" ask nothing of the sentence (review).
    for (const [line, dropped, want] of [
      ['We booked Rome, remember? It was great.', 'remember?', 'We booked Rome, It was great.'],
      ['So the venue is booked, right? Yes.', 'right?', 'So the venue is booked, Yes.'],
      ['He moved to Leeds (?) in 2019.', '(?)', 'He moved to Leeds in 2019.'],
      ['Use x ? y : z in the loader.', '?', 'Use x y : z in the loader.'],
      ['see https://x.io/a? for details', 'https://x.io/a?', 'see for details'],
      ['[9:02 AM] bob: are you coming tonight?', 'tonight?', '[9:02 AM] bob: are you coming?'],
    ] as const) {
      const u = splitUnits(line);
      const k = Uint8Array.from(u, (x) => (line.slice(x.word, x.end) === dropped ? 0 : 1));
      expect(renderKept(line, u, k), line).toBe(want);
    }
    // A question none of whose words is kept leaves no mark behind.
    const none = Uint8Array.from(units, (u) => (/^(?:Tom:|Maybe|not\.)$/.test(text.slice(u.word, u.end)) ? 1 : 0));
    expect(renderKept(text, units, none)).toBe('Tom: Maybe not.\nTom:');
  });

  it('removes an orphan bracket by its place in a word with an emoji', () => {
    const text = "Party (at Dana's 🎉). Next week too.";
    const units = splitUnits(text);
    const keep = Uint8Array.from(units, (u) => (text.slice(u.word, u.end) === '(at' ? 0 : 1));
    expect(renderKept(text, units, keep)).toBe("Party Dana's 🎉. Next week too.");
  });

  it('never drops whole a turn holding a span the caller marked', () => {
    const s = flatScores(SESSION);
    const protect = [/Wow/];
    const locked = lockedUnits(SESSION, s.units, { protect });
    // Locked alone, the praise turn still goes whole at 0.4 (with "Wow" in it)...
    expect(selectWords({ ...s, locked }, { ratio: 0.4 }, o200k).text).not.toContain('Wow');
    // ...marked by the caller, it stays, and so does the mark.
    const r = selectWords({ ...s, locked, marked: markedUnits(SESSION, s.units, protect) }, { ratio: 0.4 }, o200k);
    expect(r.text).toMatch(/^Melanie: Wow/m);
    expect(r.released.map((x) => SESSION.slice(x.start, x.end))).not.toContain(SESSION.split('\n')[4]);
  });

  it('reports the turns it dropped whole as released, and nothing of a turn it kept', () => {
    const r = selectWords(flatScores(SESSION), { ratio: 0.4 }, o200k);
    const lines = SESSION.split('\n');
    const released = r.released.map((x) => SESSION.slice(x.start, x.end));
    // Exactly the turns with no word left: the two praise turns and the plan.
    expect(released).toEqual([lines[2], lines[4], lines[5]]);
    for (const line of lines) if (!released.includes(line as string)) expect(r.text).toContain(line?.split(':')[0]);
    // Nothing is released when every turn keeps a word.
    expect(selectWords(flatScores(SESSION), { ratio: 0.9 }, o200k).released).toEqual([]);
  });

  it('drops no turn while every word can stay once, and then every word stays once', () => {
    const scored = flatScores(SESSION);
    const r = selectWords(scored, { ratio: 0.6 }, o200k);
    expect(r.text.split('\n')).toHaveLength(6);
    const left = new Set(r.text.split(/\s+/).map(bare));
    scored.units.forEach((u, i) => {
      const word = SESSION.slice(u.word, u.end);
      const start = i === 0 || /[.!?:]$/.test(SESSION.slice(scored.units[i - 1]?.word, scored.units[i - 1]?.end));
      if (!isClosedClass(word, start)) expect(left).toContain(bare(word));
    });
  });

  it('leastNewTurns drops reactions first, and only until the first mentions fit', () => {
    const scored = flatScores(SESSION);
    const turns = dialogueTurns(SESSION, scored.units);
    const none = new Uint8Array(scored.units.length);
    // Labels, the header and each word once fit in 60 %: nothing goes.
    expect(leastNewTurns(scored, turns, none, 0.6)).toEqual([]);
    expect(leastNewTurns(scored, turns, none, 1)).toEqual([]);
    // "Wow, that is really so great, I am happy for you!" (nothing new) first, then the other praise.
    expect(leastNewTurns(scored, turns, none, 0.5)).toEqual([3, 1]);
  });

  it('leastNewTurns counts a word as new in the next turn that says it once its first turn went', () => {
    const text = [
      ...KAYAK.split('\n').slice(0, 2),
      'Ana: The lake cabin was nice, we went there and it was nice.',
    ].join('\n');
    const scored = flatScores(text);
    const turns = dialogueTurns(text, scored.units);
    // Counted once, "Kayak trout canoe." says 1 new word in 5 tokens, below the cabin turn's 2 in 9,
    // and would go second; with the first turn gone it holds the only kayak and trout (3 in 5), so
    // the cabin turn goes, and the one turn that always stays is the kayak one.
    expect(leastNewTurns(scored, turns, new Uint8Array(scored.units.length), 0.2, null)).toEqual([0, 2]);
  });

  it('firstMentionCost follows drops and restores as if recounted', () => {
    // "happy" and "great" are said first in turn 1 and again in turn 3; "kayak" six times in one turn.
    for (const text of [SESSION, KAYAK]) {
      const scored = flatScores(text);
      const turns = dialogueTurns(text, scored.units);
      const recount = (gone: Iterable<number>) => {
        const out = new Uint8Array(scored.units.length);
        for (const k of gone) for (let i = (turns[k] as Turn).first; i <= (turns[k] as Turn).last; i++) out[i] = 1;
        return firstMentionCost(scored, turns, out).cost();
      };
      const live = firstMentionCost(scored, turns, new Uint8Array(scored.units.length));
      const all = live.cost();
      const steps: ['drop' | 'restore', number][] = [
        ['drop', 1],
        ['drop', 0],
        ['restore', 1],
        ['drop', 2],
        ['restore', 0],
        ['restore', 2],
      ];
      const gone = new Set<number>();
      for (const [op, k] of steps) {
        live[op](turns[k] as Turn);
        if (op === 'drop') gone.add(k);
        else gone.delete(k);
        expect(live.cost()).toBeCloseTo(recount(gone), 9);
      }
      expect(live.cost()).toBeCloseTo(all, 9);
    }
  });

  it('a word whose first mention went with a dropped turn is new again', () => {
    const text = 'Ana: We saw the kayak.\nBen: The kayak trip was cold.';
    const scored = flatScores(text);
    const turns = dialogueTurns(text, scored.units);
    const gone = new Uint8Array(scored.units.length);
    for (let i = (turns[0] as Turn).first; i <= (turns[0] as Turn).last; i++) gone[i] = 1;
    const words = scored.units.map((u) => text.slice(u.word, u.end));
    const second = words.lastIndexOf('kayak');
    const trip = words.indexOf('trip');
    expect(wordDensity(scored)[second]).toBeLessThan(wordDensity(scored)[trip] as number);
    expect(wordDensity(scored, gone)[second]).toBeCloseTo(wordDensity(scored, gone)[trip] as number, 9);
  });

  it('ranks a repeated stock word ("great") below every new word, and "I\'m" with the glue', () => {
    const text = "Ana: That is great news, great work.\nBen: I'm so happy, my tomatoes grow.";
    const scored = flatScores(text);
    const density = wordDensity(scored);
    const words = scored.units.map((u) => text.slice(u.word, u.end));
    // The density of the nth occurrence of a word.
    const at = (w: string, nth = 0) => density[words.flatMap((x, i) => (x === w ? [i] : []))[nth] as number] as number;
    expect(at('great')).toBeGreaterThan(at('great', 1));
    expect(at('happy,')).toBeGreaterThan(at('great', 1));
    expect(at('work.')).toBeGreaterThan(at('great', 1));
    expect(at("I'm")).toBeLessThan(at('great', 1));
    expect(at("I'm")).toBeLessThanOrEqual(at('my'));
  });
});

describe('a text of one turn', () => {
  // Found by the classifier's distil test in CI: each source was one dialogue line, and at keep 0.5
  // the turn rule dropped the only turn, so pruned returned nothing and distilling had no pairs.
  it('is thinned word by word, never dropped whole: the output keeps its label and its content', () => {
    const text = 'Caroline: I went to the LGBTQ support group yesterday and it was so powerful.';
    const r = selectWords(flatScores(text), { ratio: 0.5 }, o200k);
    expect(r.text.startsWith('Caroline:')).toBe(true);
    expect(r.text).toContain('LGBTQ');
    expect(r.keptTokens).toBeLessThan(r.totalTokens);
    expect(r.keptTokens).toBeGreaterThan(0);
  });

  it('is the one turn left of a dialogue whose every turn would go', () => {
    const text = ['Caroline: Hi Mel, the pottery class was fun.', 'Melanie: Great to hear that, Caroline!'].join('\n');
    const scored = flatScores(text);
    const turns = dialogueTurns(text, scored.units);
    const dropped = leastNewTurns(scored, turns, new Uint8Array(scored.units.length), 0.05);
    expect(dropped.length).toBe(turns.length - 1);
  });
});

describe('selectWords on a list of facts', () => {
  // Seen on a Mem0-style memory at keep 0.5: every fact thinned word by word, so "- Dana is
  // allergic to peanuts and shellfish." came back as "Dana" (its markers gone, the name locked),
  // and "- Dana dislikes meetings before 9 am." as "Dana 9 am.".
  const FACTS = [
    "- User's name is Dana Whitfield.",
    '- Dana moved to Lisbon in March 2024 for a job at a fintech startup.',
    '- Dana is allergic to peanuts and shellfish.',
    "- Dana's partner is called Ravi; they have a dog named Biscuit.",
    '- Dana prefers answers in British English and short bullet points.',
    '- Dana is training for the Lisbon half marathon on 12 October 2025.',
    "- Dana's manager is Joana Costa; weekly 1:1 on Tuesdays at 10:00.",
    '- Dana dislikes meetings before 9 am.',
    '- Dana is learning Portuguese, currently at A2 level, with classes on Thursday evenings.',
    "- Dana's sister Mia lives in Toronto and visits every December.",
    '- Dana uses a MacBook Pro M3 with 36 GB of RAM for work.',
    "- Dana's favourite cuisine is Japanese, especially ramen.",
  ].join('\n');
  const contentOf = (line: string) =>
    line
      .replace(/^- /, '')
      .split(/\s+/)
      .filter((w) => !isClosedClass(w, false) && !/^Dana/.test(w));

  it('keeps or drops each fact whole, under its marker, and leaves no stub of its subject', () => {
    for (const ratio of [0.5, 0.33]) {
      const r = selectWords(flatScores(FACTS), { ratio }, o200k);
      expect(r.ratio, `${ratio}`).toBeLessThanOrEqual(ratio + 0.03);
      const lines = r.text.split('\n');
      expect(lines.length, `${ratio}`).toBeGreaterThan(1);
      for (const line of lines) {
        // Each line left is one fact, with its marker, and all of its content words.
        expect(line, `${ratio}`).toMatch(/^- \S/);
        const source = FACTS.split('\n').find((f) => contentOf(f).every((w) => line.includes(w)));
        expect(source, `${ratio}: ${line}`).toBeDefined();
      }
    }
  });

  it('keeps standing instructions in other languages as it does English ones (review)', () => {
    // Review, a French memory at keep 0.5: "préfère que l'assistant lui réponde en français", "Ne
    // jamais lui proposer de rendez-vous le jeudi matin" and "ne veut pas que l'assistant mentionne son
    // travail" went whole, read as ordinary facts.
    const memory = [
      "- L'utilisatrice s'appelle Camille Fournier, elle habite à Lyon (Croix-Rousse) depuis 2019.",
      '- Elle est infirmière de nuit au CHU de Lyon ; elle travaille trois nuits par semaine.',
      "- Son compagnon s'appelle Julien ; il est professeur de mathématiques au lycée Ampère.",
      "- Elle apprend l'italien pour un voyage à Turin en mai ; elle a un niveau A2.",
      "- Elle préfère que l'assistant lui réponde en français et la tutoie.",
      '- Ne jamais lui proposer de rendez-vous le jeudi matin : elle dort après sa dernière garde.',
      '- Sa mère, Hélène, habite à Annecy et a 71 ans ; Camille lui rend visite un week-end par mois.',
      "- Elle n'aime pas les films d'horreur mais adore les séries policières scandinaves.",
      "- Elle ne veut pas que l'assistant mentionne son travail quand elle demande des idées de loisirs.",
      "- Projet : refaire la salle de bain avant l'hiver ; devis reçus de Plomberie Martin et de SBR Rénovation.",
    ].join('\n');
    const r = selectWords(flatScores(memory), { ratio: 0.5 }, o200k);
    expect(r.ratio).toBeLessThanOrEqual(0.53);
    for (const w of ["l'assistant lui réponde", 'jeudi matin', 'mentionne son travail']) expect(r.text).toContain(w);
    // Facts are not instructions: the same in the other languages, and a dislike of films.
    for (const fact of [
      "- Elle n'aime pas les films d'horreur.",
      '- Sie möchte nach Japan reisen.',
      "- Il veut apprendre l'italien.",
      '- Dana will be an assistant.',
      '- Moved to Amersfoort. Never liked Utrecht much.',
      '- The office is open: always busy on Mondays.',
      // Re-read of session 31: a chat's turn or a paragraph's advice, not a list's item.
      "Tom: Don't forget to bring the cake!",
      'Mel: haha. Never tell him I said that',
      'The hike was long. Always bring water and snacks.',
    ])
      expect(isInstruction(fact), fact).toBe(false);
    for (const rule of [
      // Review 5, F-10: after a fact's colon or its first sentence, and "Keep private".
      '- Salary is private: never mention it in drafts or summaries. (2025-06-01)',
      '- Calendar: Google Calendar for personal, Outlook for work. Never put personal events in Outlook.',
      '- Wants to take a sabbatical in 2028; has told no one at work. Keep private.',
      '- Sie bevorzugt Antworten auf Deutsch.',
      '- Nie vor 10 Uhr anrufen.',
      '- Prefiere que el asistente le responda en español.',
      "- Non vuole che l'assistente parli del lavoro.",
      '- Prefere respostas curtas.',
      '- Hij wil dat de assistent in het Nederlands antwoordt.',
    ])
      expect(isInstruction(rule), rule).toBe(true);
  });

  it("keeps a Markdown profile's instructions and constraints, and drops a heading left over nothing (review)", () => {
    // Review, a profile at keep 0.33: "## Communication preferences" and "## Calendar constraints"
    // were left as empty headings, "Do not use emoji", "no more than 150 words" and "Not available
    // on Wednesday mornings" gone with their lines.
    const profile = [
      '# User profile: Daniel Achterberg',
      '',
      '## Basics',
      '- Lives in Utrecht, Netherlands (timezone Europe/Amsterdam)',
      '- Partner: Sanne (teacher); children: Mila (9) and Joost (6)',
      '- Speaks Dutch and English; prefers answers in English unless he writes in Dutch',
      '',
      '## Communication preferences',
      '- Keep answers short: bullet points, no more than 150 words unless he asks for detail',
      '- Do not use emoji',
      '- Metric units only; temperatures in Celsius',
      '',
      '## Calendar constraints',
      '- School run: drops the kids at 08:15 on Mondays and Thursdays',
      '- Not available on Wednesday mornings (swimming lessons with Mila, 09:00-10:30)',
      '',
      '## Projects',
      '- Renovating the attic into a home office with a dormer window and underfloor heating',
      '- Learning Spanish on Duolingo with a long streak of lessons every single evening',
      '',
      '## Travel',
      '- Prefers trains over flights for most trips across the continent and back home again',
      '- Window seat, aisle when travelling with the children and their grandparents',
    ].join('\n');
    const r = selectWords(flatScores(profile), { ratio: 0.33 }, o200k);
    // 0.36 before a preference kept its object ("prefers answers in English", "Prefers trains over
    // flights": review 3), which costs this profile half a point.
    expect(r.ratio).toBeLessThanOrEqual(0.37);
    for (const w of ['emoji', 'no more than 150 words', 'Wednesday']) expect(r.text).toContain(w);
    // No heading is left over nothing: each is followed by a line of its own section.
    const lines = r.text.split('\n').filter((l) => l.trim());
    lines.forEach((line, k) => {
      const level = /^(#+) /.exec(line)?.[1]?.length;
      if (level === undefined) return;
      const next = lines[k + 1];
      const nextLevel = next ? /^(#+) /.exec(next)?.[1]?.length : 0;
      expect(nextLevel === undefined || (nextLevel ?? 0) > level, `${line} over nothing:\n${r.text}`).toBe(true);
    });
    expect(isConstraint('- Not available on Wednesday mornings')).toBe(true);
    expect(isConstraint('- Prefers meetings in the morning, never before 08:30')).toBe(true);
    expect(isConstraint('- Lives in Utrecht, not far from the station')).toBe(false);
  });

  it("keeps a French profile's calendar constraints, read in the shared day vocabulary (lexicon.ts)", () => {
    // Before, CONSTRAINT read English days and negations only: at keep 0.33 both lines below went
    // whole, and a line about cycling stayed.
    const profile = [
      '# Profil : Claire Dubois',
      '',
      '## Généralités',
      '- Habite à Lyon, dans le quartier de la Croix-Rousse, avec son compagnon et leurs deux enfants',
      '- Travaille comme architecte dans une agence du centre-ville, surtout sur des projets de logements',
      '- Fait du vélo le week-end avec un club local et prépare une course de cent kilomètres en juin',
      '',
      '## Agenda',
      '- Pas de rendez-vous le mercredi matin',
      '- Jamais après 18h le vendredi',
      '- Aime les longues promenades en forêt et les expositions de photographie au musée',
    ].join('\n');
    const r = selectWords(flatScores(profile), { ratio: 0.33 }, o200k);
    expect(r.text).toContain('- Pas de rendez-vous le mercredi matin');
    expect(r.text).toContain('- Jamais après 18h le vendredi');
  });

  it('reads dated facts and numbered dated memories as items, their dates as markers (review)', () => {
    // Review: "2024-01-08: promoted to senior research scientist" was thinned to "2024-01-08:", and
    // ChatGPT's "8. [2024-04-09]. Rafael ..." left "8. [2024-04-09]" with nothing after it.
    const dated = [
      '2019-09-01: started a PhD in computational linguistics at the University of Edinburgh',
      '2020-03-16: moved back home to Porto during the lockdown',
      '2022-01-10: adopted a cat named Bolacha',
      '2023-09-12: diagnosed with celiac disease, strictly gluten-free since',
      '2024-01-08: promoted to senior research scientist',
      '2024-03-02: moved to Berlin for a 6-month secondment at the DeepL office',
    ].join('\n');
    const numbered = [
      "1. [2024-02-11]. User's name is Rafael Quintero and he lives in Valencia, Spain.",
      '2. [2024-02-11]. Rafael is a high school physics teacher at IES Lluis Vives.',
      '3. [2024-02-19]. Rafael prefers explanations with worked numerical examples.',
      "4. [2024-03-22]. Rafael's daughter Lucia is 7 and plays the violin.",
      '5. [2024-05-06]. Rafael runs a YouTube channel with about 18,400 subscribers.',
    ].join('\n');
    // A day's heading over its bullets is no dated fact, nor the date half of a date-time stamp
    // (review: a diary's three day headings went, and an app log became a list of facts).
    const diary = [
      '2024-03-01 Friday',
      '- Flew to Lisbon on the early flight with Ana and her brother Tiago',
      '- Dinner at Ramiro, the seafood place Tiago recommended, paid 86 euros',
      '2024-03-02 Saturday',
      '- Tram 28 up to the castle, then the Alfama flea market in the rain',
      '- Evening walk through Alfama, bought two tiles for the kitchen wall',
    ].join('\n');
    const log = [
      '[2024-05-01 10:00:01] INFO server started on port 8080 with 4 workers',
      '[2024-05-01 10:00:05] INFO connected to database orders-db at 10.0.0.12',
      '[2024-05-01 10:05:40] ERROR payment gateway timeout for order 55812 after 30 s',
    ].join('\n');
    // Nor is a log's component after its level a speaker (review: "[INFO] server:" lines went whole).
    const levels =
      '[INFO] server: started on port 8080\n[WARN] db: slow query\n[INFO] server: retry ok\n[WARN] db: index missing';
    expect(dialogueTurns(levels, splitUnits(levels))).toEqual([]);
    for (const text of [diary, log]) {
      const units = splitUnits(text);
      expect(
        listItems(text, units).filter((t) => /^\[?\d{4}/.test(text.slice((units[t.first] as { word: number }).word))),
      ).toEqual([]);
    }
    for (const text of [dated, numbered]) {
      const r = selectWords(flatScores(text), { ratio: 0.5 }, o200k);
      for (const line of r.text.split('\n')) {
        // Each line left opens with its marker and says something after it.
        expect(line).toMatch(/^(?:\d{4}-\d{2}-\d{2}:|\d\. \[\d{4}-\d{2}-\d{2}\]\.) \S/);
        expect(text.split('\n').some((f) => f.startsWith(line.slice(0, 12)))).toBe(true);
      }
    }
  });

  it('reads only lists as such: a few bullets among prose are words like any other', () => {
    const prose = [
      'The report covers the first quarter and the plans for the second one in some detail.',
      '- revenue grew',
      'Costs rose faster than expected because of the new office and the hiring.',
      'The board meets again in June to decide on the budget for the rest of the year.',
    ].join('\n');
    const r = selectWords(flatScores(prose), { ratio: 0.5 }, o200k);
    expect(r.text.split('\n')).toHaveLength(4);
  });

  it('keeps the tags an app framed its memory in, both ends', () => {
    // Seen with `studio compress` on a "<memory>" block of chat at keep 0.5: "</memory>" was gone.
    for (const text of [`<memory>\n${SESSION}\n</memory>`, `<facts source="app">\n${FACTS}\n</facts>`])
      for (const ratio of [0.5, 0.33]) {
        const lines = selectWords(flatScores(text), { ratio }, o200k).text.split('\n');
        expect(lines[0], `${ratio}`).toBe(text.split('\n')[0]);
        expect(lines.at(-1), `${ratio}`).toBe(text.split('\n').at(-1));
      }
  });
});

describe('selectWords on prose inside markup', () => {
  // Seen with `studio compress` on an HTML snippet at keep 0.5: "<p>Please note that the build is
  // very very slow ... soon.</p>" came back as "<p>Please" with its "</p>" gone, and the ratio,
  // taken of the tags too, left "Dana 12 May." of the second paragraph.
  const HTML = [
    '<div class="memory"><p>Please note that the build is very slow and we should fix it before the release.</p>',
    '<p>Dana said the release is on 12 May and that <b>the demo</b> happens in Lisbon.</p>',
    '<p>It was nice to see you all, and thanks again for the lovely lunch.</p></div>',
  ].join('\n');

  it('cuts a tag apart from the words it touches, whole even with spaces inside', () => {
    const words = (t: string) => splitUnits(t).map((u) => t.slice(u.word, u.end));
    expect(words('<p>Please note <a href="x y">it</a> soon.</p>')).toEqual([
      '<p>',
      'Please',
      'note',
      '<a href="x y">',
      'it',
      '</a>',
      'soon.',
      '</p>',
    ]);
    // A generic type is no tag (review: "List<String>" rendered "use<String>" with "List" dropped).
    expect(words('use List<String> here')).toEqual(['use', 'List<String>', 'here']);
    // A word after a closing tag whose punctuation went keeps its space (review).
    const t = 'I called <i>Friday</i>; again';
    const u = splitUnits(t);
    expect(
      renderKept(
        t,
        u,
        Uint8Array.from(u, (x) => (t.slice(x.word, x.end) === ';' ? 0 : 1)),
      ),
    ).toBe('I called <i>Friday</i> again');
    // No tag: a comparison, a heart, an address in angle brackets.
    expect(words('if x < y and a<3 mail <dana@x.org>')).toEqual([
      'if',
      'x',
      '<',
      'y',
      'and',
      'a<3',
      'mail',
      '<dana@x.org>',
    ]);
  });

  it('keeps every tag of an element it keeps a word of, and takes the ratio of the words', () => {
    for (const ratio of [0.5, 0.33]) {
      const r = selectWords(flatScores(HTML), { ratio }, o200k);
      const tags = (t: string) => t.match(/<\/?[a-z][^<>]*>/g) ?? [];
      // Each element is kept whole or dropped whole: the tags left are balanced, in order.
      const open: string[] = [];
      for (const tag of tags(r.text)) {
        const name = /^<\/?(\w+)/.exec(tag)?.[1] as string;
        if (tag.startsWith('</')) expect(open.pop(), `${ratio}: ${r.text}`).toBe(name);
        else open.push(name);
      }
      expect(open).toEqual([]);
      expect(r.text).toMatch(/^<div class="memory"><p>/);
      expect(r.text).toMatch(/<\/div>$/);
      // The bold run is kept whole; the words, not the tags, are thinned to the ratio.
      expect(r.text).toContain('<b>the demo</b>');
      const words = (t: string) => o200k(t.replace(/<[^<>]*>/g, ' ').replace(/\s+/g, ' '));
      expect(words(r.text) / words(HTML), `${ratio}`).toBeGreaterThan(ratio - 0.15);
      expect(r.text).toMatch(/<p>Dana .*12 May/);
      // A word glued to its tag stays glued: no "<p> build".
      expect(r.text).not.toMatch(/<p> /);
    }
  });

  it('keeps a short HTML heading whole, as a Markdown one', () => {
    const text = `<h2>Action items for the team</h2>\n${HTML}`;
    for (const ratio of [0.5, 0.33])
      expect(selectWords(flatScores(text), { ratio }, o200k).text).toMatch(/^<h2>Action items for the team<\/h2>\n/);
  });

  it('keeps an HTML table whole, an empty element, and an element holding an image (review)', () => {
    const text = [
      '<p>Please note that the build is very slow and we should fix it before the release in May.</p>',
      '<table><tr><td>Dana</td><td></td><td>vegetarian</td></tr><tr><td>Sam</td><td>Porto</td><td></td></tr></table>',
      '<p><img src="team.png"></p><div class="spacer"></div>',
      '<p>It was so nice to see you all, and thanks again for the lovely lunch at the cafe.</p>',
    ].join('\n');
    for (const ratio of [0.5, 0.33]) {
      const r = selectWords(flatScores(text), { ratio }, o200k);
      expect(r.text, `${ratio}`).toContain(text.split('\n')[1]);
      expect(r.text, `${ratio}`).toContain('<p><img src="team.png"></p><div class="spacer"></div>');
    }
  });

  it('drops an element whose words all went, tags and all, and reports it released', () => {
    const text = '<p>Dana booked the flight to Lisbon for 12 May.</p>\n<p>Thanks, thanks, thanks so much!</p>';
    const scored = flatScores(text);
    // The second paragraph's words are worth nothing to the model.
    scored.surprisal = Float64Array.from(scored.units, (_, i) => (i < scored.units.length - 8 ? 3 : 0));
    const r = selectWords(scored, { ratio: 0.4 }, o200k);
    expect(r.text).toBe('<p>Dana booked flight Lisbon 12 May.</p>');
    expect(r.released.map((x) => text.slice(x.start, x.end))).toContain('<p>Thanks, thanks, thanks so much!</p>');
  });
});

describe('selectWords on a Markdown table', () => {
  it('keeps the table whole (header, delimiter row, rows) and takes the ratio of the prose around it', () => {
    // Seen with `studio compress` on a note with a table at keep 0.5: the header and the |---| row
    // went, and each row lost its closing pipe.
    const table = [
      '|name|city|note|',
      '|-|-|-|',
      '|Dana|Lisbon|likes tea and long walks by the river in the evening|',
      '|Sam|Porto|prefers email, never calls after nine in the evening|',
    ].join('\n');
    const text = `Contacts for the trip, please keep this list up to date and share it with everyone.\n\n${table}\n\nThe bus leaves at 7 am from the main square, so please be there a little bit early.`;
    const r = selectWords(flatScores(text), { ratio: 0.5 }, o200k);
    expect(r.text).toContain(table);
    // The prose is thinned to about half; it is not given up to pay for the table.
    const prose = (t: string) => o200k(t.replace(table, ''));
    expect(prose(r.text) / prose(text)).toBeGreaterThan(0.35);
    expect(r.text).toMatch(/bus.*7 am/);
    // Without outer pipes too (review: read as a "|"-separated CSV, it lost its delimiter row).
    const bare = 'Name | City\n--- | ---\nDana | Lisbon\nSam | Porto';
    const plain = `The contacts for the trip are below, please keep them up to date and share them.\n\n${bare}\n\nThanks!`;
    expect(selectWords(flatScores(plain), { ratio: 0.5 }, o200k).text).toContain(bare);
  });
});

describe('a label before prose (review 2)', () => {
  it('does not drop a paragraph after a label whole, as a field that says little', () => {
    // Review: a building diary's "Problema: ..." entry went whole at keep 0.5, read as a document's
    // "Label:" field; a field is a short line, a paragraph of sentences after a label is prose.
    const diary = [
      'Diario de la reforma — piso de la calle Pelayo, Valencia',
      '',
      '3 de febrero de 2025',
      'Primera visita de Rafa, el jefe de obra de Reformas Turia. Propone tirar el tabique entre cocina y salón, pero el arquitecto (Lucía Marín) dice que es un muro de carga: no se puede tirar entero, solo abrir un hueco de 1,80 m con una viga. Presupuesto inicial: 38.900 € con IVA, plazo de 10 semanas.',
      '',
      '10 de febrero de 2025',
      'Firmamos el contrato con Reformas Turia. Pagamos el 30 % de anticipo (11.670 €) por transferencia. Inicio de obra: 24 de febrero. Penalización por retraso: 100 € por día a partir de la semana 12.',
      '',
      '24 de febrero de 2025',
      'Empieza la demolición del baño. Aparece una tubería de plomo en la bajante; Rafa dice que hay que cambiarla, 1.450 € extra. Aceptamos, pero pedimos que quede por escrito antes de hacerlo.',
      '',
      '3 de marzo de 2025',
      'La comunidad de vecinos se queja del ruido. Acordamos que no se trabaje antes de las 9:00 ni los sábados. El administrador de la finca (Sr. Peris) pide el seguro de responsabilidad civil de la empresa; Rafa lo envía el mismo día.',
      '',
      '12 de marzo de 2025',
      'Elegimos azulejos: Porcelanosa modelo Marmi Calacatta para el baño (60x120), y para la cocina no, al final pintura lavable. La encimera será de Silestone blanco Zeus, no de granito como pensábamos. Plazo de la encimera: 4 semanas.',
      '',
      '19 de marzo de 2025',
      'Problema: la viga del hueco cocina-salón no llega hasta el 2 de abril. La obra se para en la cocina, pero siguen con el baño y la electricidad. Marta no está contenta porque perdemos una semana.',
      '',
      '2 de abril de 2025',
      'Llega la viga y se instala. Lucía firma el certificado de obra de la viga. Pagamos el segundo 30 % (11.670 €). La tubería de plomo ya está cambiada; la factura extra es de 1.380 €, no de 1.450 € como dijeron al principio.',
      '',
      '15 de abril de 2025',
      'Fontanería del baño terminada. Ducha de obra con mampara fija de 90 cm. No se pone bañera. El electricista instala 14 enchufes nuevos y cambia el cuadro eléctrico; el boletín eléctrico lo entregan al final.',
      '',
      '29 de abril de 2025',
      'Se monta la cocina (muebles de Leroy Merlin, montaje incluido). Falta la encimera: el medidor de Silestone viene el 6 de mayo. El horno y la placa los compramos nosotros en MediaMarkt; el lavavajillas no, lo aporta la empresa.',
      '',
      '14 de mayo de 2025',
      'Semana 12 de obra. Todavía falta la encimera y la pintura del salón. Rafa dice que el retraso de la viga fue culpa del proveedor y que la penalización no aplica; nosotros creemos que sí aplica según la cláusula 7 del contrato. Pendiente de hablarlo con Lucía.',
      '',
      '27 de mayo de 2025',
      'Encimera instalada. Pintura terminada. Revisión final con Lucía: quedan 6 pendientes (un enchufe del baño sin tapa, silicona de la mampara, rodapié del pasillo, una puerta que roza, la campana que vibra y una mancha en el techo del salón). No pagamos el último 40 % (15.560 €) hasta que estén resueltos.',
    ].join('\n');
    const s = flatScores(diary);
    for (const ratio of [0.5, 0.33]) {
      const r = selectWords({ ...s, locked: lockedUnits(diary, s.units, {}) }, { ratio }, o200k).text;
      expect(r, r).toMatch(/19 de marzo de 2025\nProblema: .*no llega hasta el 2 de abril\./);
    }
  });
});

describe('a list of dated facts (review 2)', () => {
  it('keeps the newer fact that updates an older one, and the facts that deny or forbid', () => {
    // Review: an assistant's memory at keep 0.5 kept "Ana started school in Porto" and dropped "Ana
    // moved back to Lisbon; she now goes to school in Lisbon, not Porto" as saying least that is new,
    // and "do not suggest work tasks during that time" with it.
    const memory = [
      '- 2023-11-20: User lives in Lisbon, works as a structural engineer at a bridge consultancy.',
      '- 2024-01-30: User is allergic to penicillin (hives as a child).',
      "- 2024-03-02: User's daughter Ana started school in Porto; she lives with her grandmother there during the week.",
      '- 2024-05-05: User bought an electric car, a used Renault Zoe, replacing the diesel Golf.',
      '- 2024-07-01: User is on parental leave until the end of October; do not suggest work tasks during that time.',
      '- 2024-09-09: Ana moved back to Lisbon; she now goes to school in Lisbon, not Porto.',
      '- 2024-11-03: User is planning a trip to the Azores in April; wants whale watching on São Miguel.',
    ].join('\n');
    const s = flatScores(memory);
    const r = selectWords({ ...s, locked: lockedUnits(memory, s.units, {}) }, { ratio: 0.5 }, o200k).text;
    expect(r, r).toMatch(/2024-09-09: .*Lisbon.*not Porto/);
    expect(r, r).toMatch(/2024-07-01: .*not suggest work tasks/);
    expect(r, r).not.toMatch(/2024-03-02/);
  });
});

describe("a document's identifying fields (review 3)", () => {
  it('never drops whole a short field whose value is an identifier, an amount, a date or a name', () => {
    // Review 3: a home insurance schedule lost "Policy number: HC-4471-0932-IE", its period, sum
    // insured and standard excess at keep 0.5 and 0.33, each read as a field that says little.
    const rental = [
      'VEHICLE RENTAL AGREEMENT - SUMMARY',
      '',
      'Renter: Ms Ingrid Solberg',
      'Agreement number: RA-88213-NO',
      'Rental period: 14/07/2025 to 28/07/2025',
      'Vehicle: Toyota Corolla Touring, registration EK 41207',
      'Deposit held: NOK 5,000',
      'Damage excess: NOK 12,000 per incident',
      'Accidental damage: included',
      '',
      'The renter must return the car with a full tank of fuel, or the company charges the fuel at its own price plus a refuelling fee of NOK 450. The car must not be taken off paved roads, and it may not leave Norway, Sweden or Finland without written consent. Smoking in the car is not allowed and leads to a cleaning fee. Any fine for speeding, parking or tolls during the rental is charged to the renter with an admin fee of NOK 150 for each fine.',
      'Roadside assistance is available day and night on the number printed on the key ring, and a replacement car is given when the repair takes more than one day.',
    ].join('\n');
    const s = flatScores(rental);
    for (const ratio of [0.5, 0.33]) {
      const r = selectWords({ ...s, locked: lockedUnits(rental, s.units, {}) }, { ratio }, o200k);
      expect(r.text, `${ratio}`).toMatch(/^Agreement number: RA-88213-NO$/m);
      expect(r.text, `${ratio}`).toMatch(/^Renter: .*Ingrid Solberg/m);
      expect(r.text, `${ratio}`).toMatch(/^Deposit held: NOK 5,000$/m);
      expect(r.text, `${ratio}`).toMatch(/^Damage excess: NOK 12,000/m);
      expect(r.text, `${ratio}`).toMatch(/^Rental period: 14\/07\/2025 .*28\/07\/2025/m);
    }
  });

  it('reads no fact in a note that opens with a capitalised word (review of the session)', () => {
    for (const note of [
      'Call Mom tomorrow',
      'The Board approved the new budget today',
      'Next Monday we go hiking',
      'OK with it',
    ])
      expect(namesFact(note), note).toBe(false);
    for (const fact of ['Ms Ingrid Solberg', 'Jonas Okafor | SE: Mei Lin', 'HC-4471-0932-IE', 'KLM 9HT2RX', '@lena-k'])
      expect(namesFact(fact), fact).toBe(true);
  });

  it("keeps a record line's label, its value's head and its other short fields (review 3)", () => {
    // Review 3: "Owner: Jonas Okafor | SE: Mei Lin | Stage: Negotiation" went whole in a CRM export,
    // a PR's "Author: @lena-k · Base: ..." read "Base: ...", a lab report lost its patient line.
    const notes = [
      'Ticket export - support queue EMEA',
      '',
      'Ticket: Harbour Freight Ltd (Leeds)',
      'Assignee: Priya Natarajan | Team: Billing | Priority: High',
      'Reporter: @tom.w · Product: Invoicing · Status: Waiting on customer',
      'The customer says the March invoice was charged twice to the company card, once on the 3rd and again on the 5th, and wants the second charge refunded before the card statement closes on the 20th.',
      'We checked the payment logs and the second charge came from a retry after a gateway timeout; finance agreed to refund it but needs the last four digits of the card to find the transaction in the processor portal.',
      'The customer has not answered the request for the card digits yet, so the ticket waits; a reminder goes out on Monday if nothing comes in.',
    ].join('\n');
    const s = flatScores(notes);
    for (const ratio of [0.5, 0.33]) {
      const r = selectWords({ ...s, locked: lockedUnits(notes, s.units, {}) }, { ratio }, o200k);
      expect(r.text, `${ratio}`).toMatch(/^Assignee: Priya Natarajan \| Team: Billing \| Priority: High$/m);
      expect(r.text, `${ratio}`).toMatch(/^Reporter: @tom\.w .*Status: Waiting on customer$/m);
    }
  });
});
