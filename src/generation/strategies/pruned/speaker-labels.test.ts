import { beforeAll, describe, expect, it } from 'vitest';
import { o200kCounter } from '../../../tokenizers/o200k-counter.ts';
import { flatScores as flat } from './flat-scores.ts';
import { dialogueTurns, selectWords } from './index.ts';
import { firstMentionCost } from './select.ts';
import { renderKept, splitUnits, type Turn } from './units.ts';

// Every model token equally surprising: what is kept follows from the rules alone.
let o200k: (s: string) => number;
beforeAll(async () => {
  o200k = await o200kCounter();
});

const flatScores = (text: string) => flat(text, o200k);

// Ana's facts, Ben's reactions between them: at a harsh ratio Ben's turns go, and Ana's turns
// follow one another.
const TALK = [
  'Session 1 (9:00 am on 2 March, 2024): Ana and Ben',
  'Ana: I adopted a grey rescue greyhound called Pixel from the shelter in Leeds last spring.',
  'Ben: Wow, that is so great, I am happy for you!',
  'Ana: My sister Clara teaches violin at the conservatory in Bristol on Tuesdays.',
  'Ben: That is really so great, I am so happy!',
  'Ana: Next summer we will sail to Corsica with our cousins from Lyon.',
  'Ben: Oh, what a lovely plan for the summer!',
].join('\n');

/** Each output line's speaker: its label, or the speaker of the line above it. */
function speakersOf(out: string): string[] {
  let speaker = '';
  return out
    .split('\n')
    .slice(1)
    .map((line) => {
      speaker = /^(\w+):/.exec(line)?.[1] ?? speaker;
      return speaker;
    });
}

describe('speaker labels once turns go', () => {
  it("puts a speaker's turns left one after another on one line under one label (review 4, F-02)", () => {
    const r = selectWords(flatScores(TALK), { ratio: 0.5 }, o200k);
    const lines = r.text.split('\n');
    // Ben's first two reactions go: Ana's three turns go on one line, under her label, each
    // ending as a sentence; Ben's last turn keeps a word ("lovely") and its label. No line is
    // left without a speaker.
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^Ana: .*Pixel.*\. .*Clara.*\. .*Corsica/);
    expect(lines[2]).toMatch(/^Ben: .*lovely/);
  });

  it('spends the labels it saves on words: more of the turns stays than with a label each', () => {
    // The same turns, each with a label of its own speaker ("Ana", "Abe", "Amy"): nothing to merge.
    let n = 0;
    const distinct = TALK.split('\n')
      .map((l) => (l.startsWith('Ana:') ? l.replace('Ana:', ['Ana:', 'Abe:', 'Amy:'][n++] as string) : l))
      .join('\n');
    const merged = selectWords(flatScores(TALK), { ratio: 0.5 }, o200k);
    const apart = selectWords(flatScores(distinct), { ratio: 0.5 }, o200k);
    const bodyWords = (s: string) =>
      s
        .split('\n')
        .slice(1)
        .join(' ')
        .replace(/\b[A-Z]\w+:/g, '')
        .split(/\s+/)
        .filter(Boolean).length;
    expect(bodyWords(merged.text)).toBeGreaterThan(bodyWords(apart.text));
  });

  it('never leaves a line under the wrong speaker, at any ratio', () => {
    const turnsOf = (t: string) => t.split('\n').slice(1);
    for (const ratio of [0.2, 0.3, 0.4, 0.5, 0.7]) {
      const r = selectWords(flatScores(TALK), { ratio }, o200k);
      const original = turnsOf(TALK);
      const said = speakersOf(r.text);
      // Each output line is thinned original lines (a turn ending in a full stop where the next
      // goes on on its line), in order, said by the same speaker named at its start.
      const plain = (w: string) => w.replace(/[.!?]$/, '');
      let k = 0;
      r.text
        .split('\n')
        .slice(1)
        .forEach((line, j) => {
          expect(line).toMatch(/^\w+: /);
          for (const part of line.replace(/^\w+:\s*/, '').split(/(?<=\.) /)) {
            const body = part.split(/\s+/).map(plain);
            const fits = (orig: string) => {
              let at = 0;
              for (const w of orig.split(/\s+/)) if (plain(w) === body[at]) at++;
              return at === body.length;
            };
            while (k < original.length && !fits(original[k] as string)) k++;
            expect(k, `${ratio}: "${line}"`).toBeLessThan(original.length);
            expect(said[j]).toBe(/^(\w+):/.exec(original[k] as string)?.[1]);
            k++;
          }
        });
      for (const line of r.text.split('\n')) expect(line).not.toMatch(/^[^:]{1,40}:\s*$/);
    }
  });

  it('firstMentionCost counts one label per run of a speaker, through drops and restores', () => {
    const scored = flatScores(TALK);
    const turns = dialogueTurns(TALK, scored.units);
    const recount = (gone: Iterable<number>) => {
      const out = new Uint8Array(scored.units.length);
      for (const k of gone) for (let i = (turns[k] as Turn).first; i <= (turns[k] as Turn).last; i++) out[i] = 1;
      return firstMentionCost(scored, turns, out).cost();
    };
    const live = firstMentionCost(scored, turns, new Uint8Array(scored.units.length));
    const anaLabel = o200k('Ana:');
    const gone = new Set<number>();
    // Dropping Ben's turn between two of Ana's saves his label and Ana's second one.
    const before = live.cost();
    live.drop(turns[1] as Turn);
    gone.add(1);
    expect(live.cost()).toBeCloseTo(recount(gone), 9);
    expect(before - live.cost()).toBeGreaterThan(anaLabel);
    for (const [op, k] of [
      ['drop', 3],
      ['drop', 2],
      ['restore', 1],
      ['restore', 2],
      ['drop', 5],
      ['restore', 3],
    ] as const) {
      live[op](turns[k] as Turn);
      if (op === 'drop') gone.add(k);
      else gone.delete(k);
      expect(live.cost(), `${op} ${k}`).toBeCloseTo(recount(gone), 9);
    }
  });
});

describe('conversation formats (review 4)', () => {
  it("keeps a phone export's sender ('Me, 08:31:') on every message kept", () => {
    // F-06: "Me" was read as a pronoun and dropped from every one of the user's messages.
    const sms = [
      'Mon 3 Nov 2025',
      "Dad, 08:14: Morning love. Mum's appointment at the Royal Infirmary is on Thursday 13th, 10:40.",
      "Me, 08:31: Morning! Yes of course. I'll pick you up at 9:45.",
      'Dad, 08:32: 9:30 please, parking is a nightmare there.',
      'Me, 08:33: 9:30 it is, see you then.',
      'Dad, 19:02: Also your sister says she is coming for Christmas after all, with the twins.',
      'Me, 19:10: Oh great! I thought Fiona was doing Christmas with Rob this year?',
    ].join('\n');
    const r = selectWords(flatScores(sms), { ratio: 0.5 }, o200k);
    const lines = r.text.split('\n').slice(1);
    expect(lines.some((l) => l.startsWith('Me, '))).toBe(true);
    for (const line of lines) expect(line).toMatch(/^(?:Dad|Me), \d\d:\d\d: \S/);
  });

  it("reads a transcript's heads ('[Jordan Lee] 14:02:11') as turns: none is left over nothing", () => {
    // F-08/F-18: a head whose words all went stayed, protected, over nothing; "Agenda:" under a
    // head is the turn's word, not a speaker.
    const zoom = [
      '[Jordan Lee] 14:02:11',
      'Okay, I think everyone is here. This is the launch go/no-go for the Helix app.',
      '',
      '[Amara Nwosu] 14:02:24',
      'Fine by me.',
      '',
      '[Tomasz Zielinski] 14:02:26',
      'Sure.',
      '',
      '[Jordan Lee] 14:02:31',
      'Agenda: QA status, the payments bug, app store review, and then the decision on Tuesday the 8th.',
      '',
      '[Amara Nwosu] 14:02:58',
      'QA first. We ran the full regression suite last night, 1,214 test cases, and 11 failed.',
    ].join('\n');
    const scored = flatScores(zoom);
    expect(dialogueTurns(zoom, scored.units)).toHaveLength(5);
    const r = selectWords(scored, { ratio: 0.4 }, o200k);
    const blocks = r.text.split(/\n\s*\n/);
    for (const b of blocks) expect(b).toMatch(/^\[[A-Z][a-z]+ [A-Z][a-z]+\] \d\d:\d\d:\d\d\n\S/);
  });
});

describe('renderKept: a continued turn after a line of structure (re-read of session 30)', () => {
  it('goes on a line of its own, under its label, after a closing fence, a table row or a list item, never onto it', () => {
    const text = 'Bot: Run this:\n```\nls -la\n```\nUser: ok\nBot: Then restart.';
    const units = splitUnits(text);
    const keep = new Uint8Array(units.length).fill(1);
    const at = (w: string) => units.findIndex((u) => text.slice(u.word, u.end) === w);
    // The user's turn and the second label dropped; "Then" continues the bot's turn.
    for (const w of ['User:', 'ok', 'Bot:']) keep[units.findLastIndex((u) => text.slice(u.word, u.end) === w)] = 0;
    const label = units.findLastIndex((u) => text.slice(u.word, u.end) === 'Bot:');
    const out = renderKept(text, units, keep, new Map([[at('Then'), [label, label] as const]]));
    // On a line of its own, under its speaker's label again (session 30's note: no one's before).
    expect(out).toContain('```\nBot: Then restart.');
    expect(out).not.toMatch(/```\. Then/);
    // After prose, the turn goes on the line as before.
    const prose = 'Bot: Restart the router.\nUser: ok\nBot: Then wait a minute.';
    const pu = splitUnits(prose);
    const pk = new Uint8Array(pu.length).fill(1);
    for (const w of ['User:', 'ok']) pk[pu.findIndex((u) => prose.slice(u.word, u.end) === w)] = 0;
    pk[pu.findLastIndex((u) => prose.slice(u.word, u.end) === 'Bot:')] = 0;
    const proseLabel = pu.findLastIndex((u) => prose.slice(u.word, u.end) === 'Bot:');
    const then = pu.findIndex((u) => prose.slice(u.word, u.end) === 'Then');
    expect(renderKept(prose, pu, pk, new Map([[then, [proseLabel, proseLabel] as const]]))).toBe(
      'Bot: Restart the router. Then wait a minute.',
    );
  });
});

describe('a continued turn after a list, end to end (session 30 note)', () => {
  it("shows its speaker's label again on the line after her list: no line is no one's", () => {
    const text = [
      'Session 1 (9:00 am on 2 March, 2024): Ana and Ben',
      'Ana: For the trip to Corsica I still need:',
      '- a waterproof jacket from the outdoor shop in Leeds',
      '- sea-sickness tablets for the ferry from Marseille',
      'Ben: Wow, so great!',
      'Ana: My sister Clara teaches violin at the conservatory in Bristol on Tuesdays.',
      'Ben: Oh, what a lovely plan, really so great!',
    ].join('\n');
    // Ben's "Wow, so great!" goes, the list stays, and Ana's next turn continues hers.
    const r = selectWords(flatScores(text), { ratio: 0.6 }, o200k);
    expect(r.text).toContain('- sea-sickness tablets');
    const lines = r.text.split('\n');
    const clara = lines.find((l) => l.includes('Clara'));
    expect(clara, r.text).toMatch(/^Ana: /);
    // Never glued onto the list item above it.
    expect(lines.find((l) => l.includes('Marseille')) ?? '', r.text).not.toContain('Clara');
  });
});
