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

describe('comparedRows of money going out or in', () => {
  // Session 40 B1: "Which payments were over 100?" of a bank statement named no column, and Council
  // Tax -142.00 came back with a 23.99 refund, not the rent of -1,150.00.
  const SIGNED = ['Date', 'Description', 'Amount', 'Balance'];
  const STATEMENT = [
    ['2026-03-01', 'Salary', '2,400.00', '2,910.40'],
    ['2026-03-02', 'Rent', '-950.00', '1,960.40'],
    ['2026-03-04', 'Water bill', '-38.50', '1,921.90'],
    ['2026-03-09', 'Refund', '45.00', '1,966.90'],
    ['2026-03-11', 'Car insurance', '-212.75', '1,754.15'],
    ['2026-03-15', 'Café', '-4.20', '1,749.95'],
  ];
  const signed = (query: string) => [...comparedRows(SIGNED, STATEMENT, query)].sort((a, b) => a - b);
  it('compares the size of the negative amounts when the question asks about payments or spending', () => {
    expect(signed('Which payments were over 100?')).toEqual([1, 4]);
    expect(signed('Where did I spend more than 200?')).toEqual([1, 4]);
    expect(signed('Which payments were under 10?')).toEqual([5]);
  });
  it('compares the positive amounts when it asks about money received', () => {
    expect(signed('Which deposits were over 40?')).toEqual([0, 3]);
  });
  it('reads a paid-out column whose cells are empty on the rows paid in', () => {
    const header = ['Date', 'Details', 'Paid out', 'Paid in', 'Balance'];
    const cells = [
      ['01 Mar', 'Salary', '', '2400.00', '2910.40'],
      ['02 Mar', 'Rent', '950.00', '', '1960.40'],
      ['04 Mar', 'Water bill', '38.50', '', '1921.90'],
      ['11 Mar', 'Car insurance', '212.75', '', '1709.15'],
    ];
    expect([...comparedRows(header, cells, 'Which payments were over 100?')].sort()).toEqual([1, 3]);
  });
});

describe('comparedRows of prices', () => {
  // Review (session 41): "Which drinks are under £3?" of a café's price list kept Hot chocolate at
  // £3.30, and "Which items cost more than 1,000?" of an invoice read the bound as 1.
  const MENU = ['Item', 'Size', 'Price'];
  const DRINKS = [
    ['Espresso', 'Single', '£2.10'],
    ['Espresso', 'Double', '£2.60'],
    ['Flat white', 'Regular', '£3.20'],
    ['Hot chocolate', 'Large', '£3.90'],
  ];
  const menu = (query: string) => [...comparedRows(MENU, DRINKS, query)].sort((a, b) => a - b);
  it('reads a bound written with a currency mark or thousands separators', () => {
    expect(menu('Which drinks have a price under £3?')).toEqual([0, 1]);
    const lines = [
      ['1', 'Discovery workshop', '£1,200.00'],
      ['2', 'Page templates', '£450.00'],
      ['3', 'Booking integration', '£1,850.00'],
    ];
    expect([
      ...comparedRows(['Line', 'Description', 'Amount'], lines, 'Which lines have an amount over 1,000?'),
    ]).toEqual([0, 2]);
  });
  it('compares the prices when the question asks what costs more or less, naming no column', () => {
    expect(menu('Which drinks cost less than 3?')).toEqual([0, 1]);
    expect(menu('Which drinks are under £3?')).toEqual([0, 1]);
    expect(menu('What costs more than £3.50?')).toEqual([3]);
  });
});
