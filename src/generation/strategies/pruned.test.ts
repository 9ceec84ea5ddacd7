import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSmolLM2 } from '../../providers/local/test-model.ts';
import { countTiktoken } from '../../tokenizers/tiktoken.ts';
import { findProtectedSpans } from '../protect.ts';
import {
  createPruner,
  dialogueTurns,
  type Pruner,
  pruneAtRatios,
  prunedCandidates,
  prunedStrategy,
  renderKept,
  splitUnits,
  vocativeUnits,
} from './pruned/index.ts';

// Model calls take ~1 s per 1k tokens on 2 idle cores, far longer when the machine is shared:
// the timeouts are generous on purpose (speed is checked in bench/pruning.ts, not here).

// A LoCoMo-like session (dated header, one line per turn), written for this test.
const DIALOGUE = `Session 4 (3:15 pm on 12 June, 2023): Jonah and Priya
Jonah: Hey Priya, long time no see! How was the trip to Lisbon last month?
Priya: It was wonderful, honestly one of the best weeks I have had in a while. We walked everywhere and ate far too many pastries.
Jonah: That sounds amazing. Did you get to see the old tram that climbs up through the hills?
Priya: Yes, we rode tram 28 twice, once in the morning and once at night. The view from the top was really something special.
Jonah: I am so jealous. I have been stuck at home working on the garden most weekends.
Priya: Oh nice, what are you growing this year? Last time you mentioned tomatoes and some herbs.
Jonah: Mostly tomatoes again, but I also planted peppers, basil and a small row of strawberries for my daughter Mia.
Priya: That is lovely. Does Mia help you with the watering and the weeding, or is she more of a taster?
Jonah: She is definitely more of a taster, she ate half of the strawberries before they were even ripe.
Priya: Haha, that sounds about right for a six year old. Kids always find the sweetest things first.
Jonah: By the way, I finally started learning an instrument, I picked the cello after thinking about it for years.
Priya: Wow, the cello! That is such a beautiful instrument. Are you taking lessons or teaching yourself?
Jonah: I take lessons every Thursday evening with a teacher called Mr. Alvarez, he is patient and very funny.
Priya: That is great. How long did it take before you could play a simple song without stopping?
Jonah: About 6 weeks, and even now my bowing is shaky. My neighbours must be very tolerant people.
Priya: I am sure they enjoy it more than you think. Music in the house is always better than silence.
Jonah: Thanks, that is kind of you to say. What about you, any new hobbies since you got back from Portugal?
Priya: I joined a running club near the river, we meet at 7:30 in the morning on Saturdays and Sundays.
Jonah: Early mornings, impressive! Are you training for a race or just running for fun with friends?
Priya: I signed up for the city half marathon on 24 September, so I am slowly building up the distance.
Jonah: That is a big goal. How far can you run at the moment without needing to walk?
Priya: Around 14 kilometres on a good day, although my knees complain loudly the next morning.
Jonah: You should stretch properly afterwards, my physio always told me that it makes a huge difference.
Priya: Good advice, I keep forgetting. Maybe I will ask the club coach for a simple routine to follow.
Jonah: Let me know how the marathon goes, I would love to come and cheer for you at the finish line.
Priya: That would mean a lot, thank you. Bring Mia too, she can hold a sign with my name on it.
Jonah: Deal, she will love making a sign. We will bring snacks and maybe some strawberries if any survive.
Priya: Perfect. I should go now, but let us catch up again soon, maybe over coffee next week?
Jonah: Sounds good, I will message you on Monday to pick a day. Take care and say hi to Sam for me!`;

const PROSE = `The history of the lighthouse at Cape Verity begins in 1851, when a storm drove three merchant ships onto the rocks
within a single night. The harbour commission, led by a stubborn engineer named Eleanor Whitcombe, argued for months that a
tower was cheaper than the losses, and in the spring of 1853 construction finally began on the northern headland. The work was
slow and dangerous: stone had to be carried up the cliff path by hand, and two workers were injured when a scaffold collapsed
during an autumn gale. When the lamp was first lit on 14 March 1856, it burned whale oil and could be seen from roughly
eighteen miles away on a clear night. Over the following decades the keepers kept careful logs of every passing vessel, every
storm and every repair, and those logs are now one of the best records of coastal weather in the region. In 1921 the oil lamp
was replaced with an electric one, and in 1987 the station was fully automated, which ended more than a century of keepers
living on the headland with their families. Today the tower is a small museum, and visitors can climb the 132 steps to the
gallery, where a volunteer explains how the lens was ground, shipped from Paris and assembled without a single modern tool.`;

const QUESTION = 'Which instrument did Jonah start learning?';
const ANSWER = ['cello'];

let pruner: Pruner;

beforeAll(() => {
  pruner = createPruner({ modelPath: ensureSmolLM2(), threads: 1, contextSize: 2048 });
}, 300_000);
afterAll(async () => {
  await pruner.dispose();
});

/**
 * A text's words, as compared: a question thinned to its content words keeps its "?" on its last kept
 * word (units.ts renderKept), in place of that word's comma, if any, and a turn going on on its
 * speaker's line ends with a full stop.
 */
const bareEnd = (w: string) => w.replace(/[?,;:.]+$/, '');
const words = (s: string) => s.split(/\s+/).filter(Boolean).map(bareEnd);
const isSubsequence = (small: readonly string[], big: readonly string[]) => {
  let j = 0;
  for (const w of big) if (j < small.length && small[j] === w) j++;
  return j === small.length && small.length > 0;
};
const turns = (s: string) => s.split('\n').map((l) => /^([^:]+):/.exec(l)?.[1]);

describe('pruned (real SmolLM2 GGUF)', () => {
  it('fixtures are about the intended sizes', async () => {
    expect(await countTiktoken(DIALOGUE, 'o200k')).toBeGreaterThan(550);
    expect(await countTiktoken(PROSE, 'o200k')).toBeGreaterThan(250);
  });

  for (const [name, text, domain] of [
    ['dialogue', DIALOGUE, 'chat'],
    ['prose', PROSE, 'nl'],
  ] as const) {
    for (const ratio of [0.3, 0.5, 0.7]) {
      it(`${name} at ratio ${ratio}: within ±5 %, protected spans verbatim, whole words only`, async () => {
        const r = await pruner.prune(text, { ratio, domain });
        expect(r.protectedExceedsBudget).toBe(false);
        expect(r.totalTokens).toBe(await countTiktoken(text, 'o200k'));
        expect(r.keptTokens).toBe(await countTiktoken(r.text, 'o200k'));
        expect(Math.abs(r.keptTokens / r.totalTokens - ratio)).toBeLessThanOrEqual(0.05 * ratio);
        // Whole words only: every output word is a word of the input.
        const input = new Set(words(text));
        for (const w of words(r.text)) expect(input.has(w), w).toBe(true);
        // Lines never merge but for a speaker's turns: a turn is kept (its label first, its words
        // in order) or dropped whole (small talk), a turn going on from its speaker's turn kept
        // before it (the turn between dropped) goes on that line, after its last word (review 4:
        // no kept turn without its speaker), and every protected span of a kept line survives
        // verbatim. A vocative ("Hey Priya,") is not protected, nor a sentence of prose dropped whole.
        const inLines = text.split('\n');
        const outLines = r.text.split('\n');
        const units = splitUnits(text);
        const vocative = vocativeUnits(text, units, dialogueTurns(text, units));
        const calledAt = new Set(units.flatMap((u, i) => (vocative[i] ? [u.word] : [])));
        // A document's sentence dropped whole goes with its spans, released as a turn dropped whole is.
        const released = (at: number) => r.released.some((x) => x.start <= at && at < x.end);
        let k = 0;
        let offset = 0;
        /** How many input lines from `k` the output line spans: its speaker's turns, or one line. */
        const spans = (line: string): number => {
          const who = turns(inLines[k] ?? '')[0];
          for (let j = 1; j <= 8 && k + j <= inLines.length; j++) {
            const last = inLines[k + j - 1] ?? '';
            if (j > 1 && (domain !== 'chat' || turns(last)[0] !== who)) continue;
            if (isSubsequence(words(line), words(inLines.slice(k, k + j).join(' ')))) return j;
          }
          return 0;
        };
        for (const line of outLines) {
          while (k < inLines.length && !spans(line)) {
            // A line of prose left out went whole, released (its sentences dropped whole).
            const skipped = inLines[k] ?? '';
            if (domain === 'nl' && skipped.trim()) expect(released(offset + skipped.search(/\S/)), skipped).toBe(true);
            offset += (inLines[k] ?? '').length + 1;
            k++;
          }
          expect(k, `output line "${line}" is not a pruned input line in order`).toBeLessThan(inLines.length);
          const n = spans(line);
          const original = inLines[k] ?? '';
          if (n === 1)
            for (const s of findProtectedSpans(original, { domain }))
              if (!calledAt.has(offset + s.start) && !released(offset + s.start))
                expect(line).toContain(original.slice(s.start, s.end));
          if (domain === 'chat' && k > 0) expect(turns(line)[0], line).toEqual(turns(original)[0]);
          for (const l of inLines.slice(k, k + n)) offset += l.length + 1;
          k += n;
        }
        if (domain === 'nl') expect(outLines.length).toBeLessThanOrEqual(inLines.length);
        // Never a bare speaker label.
        for (const line of outLines) expect(line, line).not.toMatch(/^[^:]{1,40}:\s*$/);
      }, 600_000);
    }
  }

  it('drops small-talk turns whole before pruning words, never leaves a bare label, keeps phrases whole', async () => {
    const chat = [
      'Session 1 (9:00 am on 2 March, 2024): Ana and Ben',
      'Ana: Hey Ben! Good to see you!',
      'Ben: Hey Ana! So glad to hear from you.',
      'Ana: I visit my grandmother in Porto once or twice a year, usually in the spring when the weather is mild.',
      'Ben: Thanks!',
      'Ben: My two kids started swimming lessons at the community pool near the library last week.',
      'Ana: Sounds great!',
      'Ana: I visit my grandmother in Porto once or twice a year, usually in the spring when the weather is mild.',
    ].join('\n');
    const r = await pruner.prune(chat, { ratio: 0.5, domain: 'chat' });
    expect(r.text).not.toContain('Good to see you');
    expect(r.text).not.toContain('Thanks!');
    expect(r.text).not.toContain('Sounds great');
    expect(r.text).toContain('once or twice a year');
    expect(r.text).toContain('two kids');
    // The repeated turn is dropped, the first one kept.
    expect(r.text.split('\n').filter((l) => l.includes('Porto'))).toHaveLength(1);
    for (const line of r.text.split('\n')) expect(line).not.toMatch(/^[^:]{1,40}:\s*$/);
    // At a harsh ratio on the long dialogue, still no bare label.
    const harsh = await pruner.prune(DIALOGUE, { ratio: 0.2, domain: 'chat' });
    for (const line of harsh.text.split('\n')) expect(line, line).not.toMatch(/^[^:]{1,40}:\s*$/);
  }, 600_000);

  it('is deterministic: same input and settings, same bytes', async () => {
    const a = await pruner.prune(DIALOGUE, { ratio: 0.5, domain: 'chat' });
    const b = await pruner.prune(DIALOGUE, { ratio: 0.5, domain: 'chat' });
    expect(b.text).toBe(a.text);
    const c = await pruner.prune(DIALOGUE, { ratio: 0.5, domain: 'chat', question: QUESTION });
    const d = await pruner.prune(DIALOGUE, { ratio: 0.5, domain: 'chat', question: QUESTION });
    expect(d.text).toBe(c.text);
  }, 600_000);

  it('question-aware pruning keeps the answer better than plain pruning', async () => {
    const hits = (s: string) => ANSWER.filter((w) => words(s.toLowerCase()).some((x) => x.includes(w))).length;
    let plainHits = 0;
    let awareHits = 0;
    for (const ratio of [0.3, 0.5]) {
      const plain = await pruner.prune(DIALOGUE, { ratio, domain: 'chat' });
      const aware = await pruner.prune(DIALOGUE, { ratio, domain: 'chat', question: QUESTION });
      expect(Math.abs(aware.ratio - ratio)).toBeLessThanOrEqual(0.05 * ratio);
      plainHits += hits(plain.text);
      awareHits += hits(aware.text);
      expect(hits(aware.text)).toBe(ANSWER.length);
      // The question's turn keeps more of its words.
      const line = (s: string) => words(s.split('\n')[11] ?? '').length;
      expect(line(aware.text)).toBeGreaterThanOrEqual(line(plain.text));
    }
    // With the question the answer always survives. Plain pruning used to drop it at 0.3 (a
    // predictable noun after "picked the"); now that closed-class words go first it keeps it too.
    expect(awareHits).toBeGreaterThanOrEqual(plainHits);
    expect(awareHits).toBe(2 * ANSWER.length);
  }, 600_000);

  it('keeps what the user marks', async () => {
    const r = await pruner.prune(PROSE, { ratio: 0.3, protect: ['whale oil', /cliff path/] });
    expect(r.text).toContain('whale oil');
    expect(r.text).toContain('cliff path');
  }, 600_000);

  it('takes a score threshold instead of a ratio: a higher threshold keeps less', async () => {
    const low = await pruner.prune(PROSE, { threshold: 1 });
    const high = await pruner.prune(PROSE, { threshold: 4 });
    expect(high.keptTokens).toBeLessThan(low.keptTokens);
    expect(low.keptTokens).toBeLessThanOrEqual(low.totalTokens);
  }, 600_000);

  it('refuses code and bad settings with a clear error', async () => {
    await expect(pruner.prune('def f(x):\n    return x + 1\n', { ratio: 0.5, domain: 'code' })).rejects.toThrow(
      /does not prune code/,
    );
    await expect(pruner.prune(PROSE, {})).rejects.toThrow(/ratio or a threshold/);
    await expect(pruner.prune(PROSE, { ratio: 1.5 })).rejects.toThrow(/ratio must be/);
  });

  it('scores long texts in windows and still meets the ratio', async () => {
    const small = createPruner({ modelPath: ensureSmolLM2(), threads: 1, contextSize: 256, overlapTokens: 32 });
    try {
      const r = await small.prune(DIALOGUE, { ratio: 0.5, domain: 'chat' });
      expect(r.modelTokens).toBeGreaterThan(256);
      expect(Math.abs(r.ratio - 0.5)).toBeLessThanOrEqual(0.025);
      // Every line is one of the original's, thinned, in order, or its speaker's turns one after
      // another (the turns between dropped, review 4): windows never merge or split lines.
      // (Not every turn stays: since turns go whenever each word's first mention does not fit, this
      // dense dialogue loses a few reactions at 0.5.)
      const lines = DIALOGUE.split('\n');
      let at = 0;
      for (const line of r.text.split('\n')) {
        const words = line.split(/\s+/).map(bareEnd);
        const thinned = (orig: string) => {
          let k = 0;
          for (const w of orig.split(/\s+/)) if (bareEnd(w) === words[k]) k++;
          return k === words.length;
        };
        const who = (k: number) => turns(lines[k] as string)[0];
        /** The input lines the output line spans from `at` (its speaker's turns), or 0. */
        const spans = () => {
          for (let j = 1; j <= 8 && at + j <= lines.length; j++)
            if ((j === 1 || who(at + j - 1) === who(at)) && thinned(lines.slice(at, at + j).join(' '))) return j;
          return 0;
        };
        while (at < lines.length && !spans()) at++;
        expect(at).toBeLessThan(lines.length);
        expect(turns(line)[0]).toBe(who(at));
        at += spans();
      }
    } finally {
      await small.dispose();
    }
  }, 600_000);

  it('makes one candidate per ratio from one forward pass, with its parameters recorded', async () => {
    const cands = await pruneAtRatios(
      pruner,
      { text: DIALOGUE, domain: 'chat' },
      { ratios: [0.3, 0.7], model: 'smollm2-135m-q4_1', protect: [/cello/] },
    );
    expect(prunedStrategy.name).toBe('pruned');
    expect(cands.map((c) => [c.strategy, c.params.ratio, c.params.model, c.params.protect])).toEqual([
      ['pruned', 0.3, 'smollm2-135m-q4_1', ['/cello/']],
      ['pruned', 0.7, 'smollm2-135m-q4_1', ['/cello/']],
    ]);
    expect(cands[0]?.params).toMatchObject({ version: 1, contextSize: 2048, topK: 40 });
    for (const c of cands) {
      expect(Math.abs(c.tokensAfter / c.tokensBefore - (c.params.ratio ?? 0))).toBeLessThanOrEqual(
        0.05 * (c.params.ratio ?? 0),
      );
      expect(c.text).toContain('cello');
    }
    // Same bytes as prune() at the same settings.
    expect(cands[0]?.text).toBe(
      (await pruner.prune(DIALOGUE, { ratio: 0.3, domain: 'chat', protect: [/cello/] })).text,
    );
  }, 600_000);

  it('the registered strategy (the one prunedCandidates) gives the same bytes for dialogue, one pair per ratio', async () => {
    const source = { id: 1, text: DIALOGUE, domain: 'chat' as const, language: null, metadata: {} };
    const out = await prunedCandidates(source, { ratios: [0.3, 0.7] }, { pruner, prunerModel: 'smollm2' });
    expect(out.rejected).toEqual([]);
    const direct = await pruneAtRatios(
      pruner,
      { text: DIALOGUE, domain: 'chat' },
      { ratios: [0.3, 0.7], model: 'smollm2' },
    );
    expect(out.candidates.map((c) => c.compressed)).toEqual(direct.map((c) => c.text));
    expect(out.candidates.map((c) => [c.strategy, c.model, c.params.ratio, c.metadata.covers])).toEqual([
      ['pruned', 'smollm2', 0.3, ['r:0.3']],
      ['pruned', 'smollm2', 0.7, ['r:0.7']],
    ]);
  }, 600_000);
});

describe('pruned, stopped by its caller', () => {
  it('stops at its next window when the signal aborts, and the next call runs at once after it', async () => {
    // Small windows, a long text: many forward passes, so an abort lands between two of them.
    const p = createPruner({ modelPath: ensureSmolLM2(), threads: 1, contextSize: 128 });
    try {
      const long = Array.from({ length: 12 }, () => DIALOGUE).join('\n');
      const already = AbortSignal.abort();
      await expect(p.prune(DIALOGUE, { ratio: 0.5, domain: 'chat', signal: already })).rejects.toMatchObject({
        name: 'AbortError',
      });
      const abort = new AbortController();
      const first = p.prune(long, { ratio: 0.5, domain: 'chat', signal: abort.signal });
      const queued = p.prune('Ana: We met Bob in Porto on 3 May, 2024.', { ratio: 0.7, domain: 'chat' });
      setTimeout(() => abort.abort(), 300);
      await expect(first).rejects.toMatchObject({ name: 'AbortError' });
      // The queued call was behind the aborted one in the model's queue; it still gets its answer.
      expect((await queued).text).toContain('Porto');
    } finally {
      await p.dispose();
    }
  }, 300_000);
});

describe('renderKept', () => {
  it('hands a dropped line start its line break, so lines never merge', () => {
    const text = 'A: one two\nthree four\n\nB: five';
    const units = splitUnits(text);
    const keep = Uint8Array.from(units.map((_, i) => (i === 3 ? 0 : 1)));
    expect(renderKept(text, units, keep)).toBe('A: one two\nfour\n\nB: five');
  });
});
