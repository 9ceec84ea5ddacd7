import { describe, expect, it } from 'vitest';
import { emitJson, jsonFaults, keyOf, parseJsonSource, valueNode } from './json-source.ts';

describe('parseJsonSource and emitJson', () => {
  const text = '{\n  "a": 1.50,\n  "b": [2e3, "x  y", {"c": null}],\n  "d": {"e": "caf\\u00e9"}\n}';

  it('writes a document back minified, every scalar as written', () => {
    const root = parseJsonSource(text);
    if (!root) throw new Error('no tree');
    expect(emitJson(text, root)).toBe('{"a":1.50,"b":[2e3,"x  y",{"c":null}],"d":{"e":"caf\\u00e9"}}');
  });

  it('leaves out what keep refuses, keeps containers with a kept part, replaces strings', () => {
    const root = parseJsonSource(text);
    if (!root) throw new Error('no tree');
    const b = valueNode(root.children?.[1] ?? root);
    const xy = b?.children?.[1];
    expect(keyOf(root.children?.[1] ?? root)).toBe('b');
    expect(
      emitJson(text, root, {
        keep: (n) => (n === xy ? true : n.type === 'object' || n.type === 'array' ? undefined : false),
      }),
    ).toBe('{"b":["x  y"]}');
    expect(emitJson(text, root, { keep: () => false })).toBeNull();
    expect(emitJson(text, root, { replace: new Map([[xy as NonNullable<typeof xy>, 'say "hi"']]) })).toBe(
      '{"a":1.50,"b":[2e3,"say \\"hi\\"",{"c":null}],"d":{"e":"caf\\u00e9"}}',
    );
  });

  it('is null for what is no strict JSON object or array', () => {
    for (const bad of ['"a string"', '42', '{"a": 1,}', '{"a": 1 // note\n}', '{"a": ', 'plain words'])
      expect(parseJsonSource(bad), bad).toBeNull();
  });
});

describe('a document nested deeper than the parser can recurse', () => {
  // '{"a":' 4,000 times overflowed jsonc-parser's stack: compress threw "Maximum call stack size
  // exceeded" (a fuzz, session 40). It is no tree (deeper than MAX_DEPTH), and is not parsed.
  const deep = `${'{"a":'.repeat(4000)}1${'}'.repeat(4000)}`;
  it('is no tree, strict or lenient, and has no faults to name', () => {
    expect(parseJsonSource(deep)).toBeNull();
    expect(parseJsonSource(deep, { lenient: true })).toBeNull();
    expect(jsonFaults(deep)).toEqual([]);
  });
  it('counts brackets inside strings as text, not as depth', () => {
    const root = parseJsonSource(JSON.stringify({ note: '['.repeat(1000), list: [[1]] }));
    expect(root?.type).toBe('object');
  });
});
