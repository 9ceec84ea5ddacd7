import { describe, expect, it } from 'vitest';
import { arrayToLines, linesToArray, parseJsonLines } from './json-lines.ts';

describe('JSON Lines', () => {
  it('reads a record a line (blank lines, CRLF and a byte-order mark allowed) and writes it back so', () => {
    const text = '\uFEFF{"id": 1, "n": 1.50}\r\n\r\n{"id": 2, "t": "caf\\u00e9"}\r\n[3, 4]\r\n';
    const records = parseJsonLines(text);
    expect(records).toEqual(['{"id": 1, "n": 1.50}', '{"id": 2, "t": "caf\\u00e9"}', '[3, 4]']);
    // Minified from the source: numbers and escapes as written.
    expect(arrayToLines(linesToArray(records as string[]))).toBe('{"id":1,"n":1.50}\n{"id":2,"t":"caf\\u00e9"}\n[3,4]');
  });

  it('is none when a line is no JSON object or array, or there is one record', () => {
    expect(parseJsonLines('{"a": 1}\nnot json\n{"b": 2}')).toBeNull();
    expect(parseJsonLines('{"a": 1}\n"a string"')).toBeNull();
    expect(parseJsonLines('{"a": 1}')).toBeNull();
    expect(parseJsonLines('{"a":\n1}')).toBeNull();
    expect(arrayToLines('{"a": 1}')).toBeNull();
  });
});
