import { beforeAll, describe, expect, it } from 'vitest';
import { o200kCounter } from '../../../tokenizers/o200k-counter.ts';
import { flatScores as flat } from './flat-scores.ts';
import {
  dialogueTurns,
  leastNewTurns,
  selectWords,
  splitUnits,
  TURN_FEATURES,
  TURN_MODEL,
  turnFeatures,
  turnNovelty,
} from './index.ts';

// Selection without a model's opinion: every token equally surprising, so which turn goes follows
// from the turn rank alone.

let o200k: (s: string) => number;
beforeAll(async () => {
  o200k = await o200kCounter();
});

const flatScores = (text: string) => flat(text, o200k);

const feature = (row: Float64Array | undefined, f: (typeof TURN_FEATURES)[number]) =>
  (row as Float64Array)[TURN_FEATURES.indexOf(f)];

// A fact (a first-person past event, a number, a place) and a reaction that asks: the same four
// new content words in the same six o200k tokens.
const FACT_AND_CHAT = 'Ana: We adopted two puppies in Denver.\nBen: Cute fluffy pals, sleepy?';

describe('turn value', () => {
  it('reads what a turn looks like: past events, numbers, names, questions to the other', () => {
    const text = [
      'Ana: We adopted two puppies in Denver.',
      'Ben: How are you feeling about it?',
      'Ana: Tired but happy! [shares a photo of two puppies]',
    ].join('\n');
    const units = splitUnits(text);
    const turns = dialogueTurns(text, units);
    const rows = turnFeatures(text, units, turns, flatScores(text).cost);
    expect(rows).toHaveLength(3);
    expect([feature(rows[0], 'firstPast'), feature(rows[0], 'number'), feature(rows[0], 'questions')]).toEqual([
      1, 1, 0,
    ]);
    expect(feature(rows[0], 'names')).toBeGreaterThan(0);
    expect([feature(rows[1], 'questions'), feature(rows[1], 'asksYou'), feature(rows[1], 'firstPast')]).toEqual([
      1, 1, 0,
    ]);
    expect([feature(rows[2], 'afterQuestion'), feature(rows[2], 'photo'), feature(rows[2], 'position')]).toEqual([
      1, 1, 1,
    ]);
    expect(feature(rows[2], 'exclaims')).toBeGreaterThan(0);
  });

  it('keeps a fact turn over a chit-chat turn of the same new words per token', () => {
    const scored = flatScores(FACT_AND_CHAT);
    const turns = dialogueTurns(FACT_AND_CHAT, scored.units);
    const none = new Uint8Array(scored.units.length);
    // The novelty rank alone cannot tell them apart (a tie goes to the earlier turn).
    const { fresh, tokens } = turnNovelty(scored, turns, none);
    expect([...fresh]).toEqual([4, 4]);
    expect(tokens[0]).toBe(tokens[1]);
    expect(leastNewTurns(scored, turns, none, 0.6, null)).toEqual([0]);
    expect(leastNewTurns(scored, turns, none, 0.6, TURN_MODEL)).toEqual([1]);
    // The default is the fitted model, and the pruner's output keeps the fact.
    expect(leastNewTurns(scored, turns, none, 0.6)).toEqual([1]);
    const r = selectWords(scored, { ratio: 0.6 }, o200k);
    expect(r.text).toContain('Denver');
    expect(r.text).not.toContain('fluffy');
  });

  it('changes nothing while every word fits once', () => {
    const scored = flatScores(FACT_AND_CHAT);
    const turns = dialogueTurns(FACT_AND_CHAT, scored.units);
    expect(leastNewTurns(scored, turns, new Uint8Array(scored.units.length), 0.95)).toEqual([]);
  });
});
