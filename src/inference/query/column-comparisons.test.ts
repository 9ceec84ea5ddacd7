import { describe, expect, it } from 'vitest';
import { comparedRows } from './column-comparisons.ts';

const HEADER = ['part_no', 'description', 'bin', 'on_hand', 'min_qty', 'vendor'];
const PARTS = [
  ['P-3101', 'Hinge, brass', 'D-01', '75', '30', 'Hafele'],
  ['P-3102', 'Door stop', 'D-02', '8', '24', 'Hafele'],
  ['P-3103', 'Cabinet knob', 'D-05', '0', '6', 'Hettich'],
  ['P-3104', 'Drawer runner', 'E-02', '14', '12', 'Blum'],
  ['P-3105', 'Shelf pin', 'E-04', '3', '60', 'Hettich'],
  ['P-3106', 'Wood screw box', 'E-09', '41', '8', 'Spax'],
  ['P-3107', 'Magnet catch', 'F-01', '1', '5', 'Blum'],
];
const rows = (query: string) => [...comparedRows(HEADER, PARTS, query)].sort((a, b) => a - b);

describe('comparedRows with two bounds in one question', () => {
  it('names the rows meeting both when the question joins them with "and", "with ... have" or "that ... and"', () => {
    // Session 39: "Which parts with a min qty above 20 have fewer than 10 on hand?" named every row
    // meeting either bound (P-2201's 140 on hand, P-2207's min qty of 6).
    const both = [1, 4];
    expect(rows('Which parts with a min qty above 20 have fewer than 10 on hand?')).toEqual(both);
    expect(rows('Which parts have a min qty above 20 and fewer than 10 on hand?')).toEqual(both);
    expect(rows('List the parts that have fewer than 10 on hand and a min qty over 20.')).toEqual(both);
  });

  it('names the rows meeting either when the question joins them with "or"', () => {
    expect(rows('Which parts have a min qty above 20 or fewer than 10 on hand?')).toEqual([0, 1, 2, 4, 6]);
    expect(rows('Which parts are below their min qty or have fewer than 2 on hand?')).toEqual([1, 2, 4, 6]);
  });
});

describe('comparedRows with a column under a short name', () => {
  const TABLE = ['Pos', 'Club', 'Pld', 'GD', 'Pts'];
  const CLUBS = [
    ['1', 'Northside', '12', '15', '28'],
    ['2', 'Westbury', '12', '6', '24'],
    ['3', 'Hill End', '12', '-2', '17'],
    ['4', 'Lakeview', '12', '-9', '9'],
  ];
  it('reads "Pts" as points and "GD" as goal difference, not "Pos" as points', () => {
    // Session 40: "Which teams have more than 25 points?" of a league table named no column.
    expect([...comparedRows(TABLE, CLUBS, 'Which clubs have more than 20 points?')]).toEqual([0, 1]);
    expect([...comparedRows(TABLE, CLUBS, 'Which clubs have a goal difference below 0?')]).toEqual([2, 3]);
  });
});
