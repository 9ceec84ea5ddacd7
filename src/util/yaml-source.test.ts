import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type JsonNode, stringValues, valueNode } from './json-source.ts';
import { parseYamlSource } from './yaml-source.ts';

const PROFILE = `# Dana's profile, kept by the assistant
user:
  name: Dana Okafor # preferred: Dana
  zip: 01234
  id: 12345678901234567890
  price: 1.50
  allergies: [peanuts, shellfish]
  notes: |
    Dana moved to Lisbon in 2023.
    She works nights.
memories:
- date: 2025-03-01
  text: Dana booked flights to Lisbon.
- date: 2025-03-05
  text: "Dana does not drink coffee after 2 pm."
`;

const find = (root: JsonNode, key: string): JsonNode => {
  const stack = [root];
  for (let n = stack.pop(); n; n = stack.pop()) {
    if (n.type === 'property' && String(n.children?.[0]?.value) === key) return valueNode(n) as JsonNode;
    stack.push(...(n.children ?? []));
  }
  throw new Error(`no ${key}`);
};

describe('parseYamlSource', () => {
  it('reads a YAML document into the tree JSON gives: objects, arrays, properties, typed scalars', () => {
    const src = parseYamlSource(PROFILE);
    expect(src?.format).toBe('yaml');
    const root = src?.root as JsonNode;
    expect(root.type).toBe('object');
    expect(root.children?.map((p) => p.children?.[0]?.value)).toEqual(['user', 'memories']);
    expect(find(root, 'zip')).toMatchObject({ type: 'number', value: '01234' });
    expect(find(root, 'name')).toMatchObject({ type: 'string', value: 'Dana Okafor' });
    expect(find(root, 'memories').children).toHaveLength(2);
    expect(stringValues(root).map((n) => n.value)).toContain('Dana does not drink coffee after 2 pm.');
    // Offsets index the source, as jsonc-parser's do.
    const name = find(root, 'name');
    expect(PROFILE.slice(name.offset, name.offset + name.length)).toBe('Dana Okafor');
  });

  it('writes the document back as written: comments, quoting, flow lists, numbers as they were', () => {
    const src = parseYamlSource(PROFILE);
    const out = src?.emit(src.root);
    // The one change: the space before a comment is made one.
    expect(out).toBe(PROFILE.replace('Okafor # preferred', 'Okafor # preferred'));
    expect(out).toContain('zip: 01234\n  id: 12345678901234567890\n  price: 1.50\n');
    expect(out).toContain('allergies: [peanuts, shellfish]');
    expect(out).toContain('memories:\n- date: 2025-03-01');
    // An indented list stays indented.
    const indented = 'people:\n  - name: Ana\n    city: Porto\n  - name: Bo\n    city: Oslo\n';
    const s = parseYamlSource(indented);
    expect(s?.emit(s.root)).toBe(indented);
  });

  it('writes with the indentation the source uses: four spaces stay four, under list items too', () => {
    const four = [
      'user:',
      '    name: Dana',
      '    facts:',
      '        - likes tea',
      '        - place: Lisbon',
      '          since: 2023',
      '    notes: |',
      '        She works nights.',
      '',
    ].join('\n');
    const written = (text: string) => {
      const src = parseYamlSource(text);
      return src?.emit(src.root);
    };
    expect(written(four)).toBe(four);
    // A list item's map: its keys line up after the dash, its nested keys one unit further.
    const nested = '- address:\n      street: Rua Augusta\n      city: Lisbon\n  name: Dana\n';
    expect(written(nested)).toBe(nested);
    const three = 'a:\n   b: 1\n   c:\n      d: 2\n';
    expect(written(three)).toBe(three);
    // A block scalar's lines are not structure (review): its content nesting by 4 leaves a
    // 2-space document at 2; the most common step wins over the first one met.
    const scalar = 'text: |\n  Note:\n      Remember: milk\nuser:\n  name: Dana\n  home:\n    city: Lisbon\n';
    expect(written(scalar)).toBe(scalar);
    // Mixed steps: the whole document is its own source, byte for byte.
    expect(written('a:\n    b: 1\nc:\n  d: 2\ne:\n  f: 3\n')).toBe('a:\n    b: 1\nc:\n  d: 2\ne:\n  f: 3\n');
  });

  it('writes a block scalar that opens with spaces at a step of 4 (review: it was no document at all)', () => {
    const src = parseYamlSource(
      'profile:\n    name: Dana\n    bio: Dana moved to Lisbon in 2023 and she works nights at the port office.\n    poem: |4\n          Roses are red\n        violets are blue\n',
    );
    if (!src) throw new Error('no source');
    const bio = find(src.root, 'bio');
    const out = src.emit(src.root, { replace: new Map([[bio, 'Dana moved Lisbon 2023, works nights port office.']]) });
    expect(out).not.toBeNull();
    const value = parse(out ?? '');
    expect(value.profile.poem).toBe('  Roses are red\nviolets are blue\n');
    expect(value.profile.bio).toBe('Dana moved Lisbon 2023, works nights port office.');
  });

  it('leaves out and replaces what it is told, and the result reads as the values meant', () => {
    const src = parseYamlSource(PROFILE);
    if (!src) throw new Error('no source');
    const memories = find(src.root, 'memories');
    const first = memories.children?.[0] as JsonNode;
    const notes = find(src.root, 'notes');
    const out = src.emit(src.root, {
      keep: (n) => (n === first ? false : n === memories || n === src.root ? undefined : true),
      replace: new Map([[notes, 'Dana moved Lisbon 2023. Works nights.']]),
    });
    const value = parse(out ?? '');
    expect(value.memories).toEqual([{ date: '2025-03-05', text: 'Dana does not drink coffee after 2 pm.' }]);
    // A literal block stays a literal block, with its final line break.
    expect(out).toContain('  notes: |\n    Dana moved Lisbon 2023. Works nights.\n');
    expect(value.user.notes).toBe('Dana moved Lisbon 2023. Works nights.\n');
    expect(out?.startsWith("# Dana's profile, kept by the assistant\n")).toBe(true);
    // One value alone.
    expect(src.emit(first)).toBe('date: 2025-03-01\ntext: Dana booked flights to Lisbon.\n');
  });

  it('keeps comments with what they describe when values are left out (review)', () => {
    // The document's opening comment stays on top when the first record goes (it went with it), and
    // a record's comment goes with its record (it had stayed behind, over the next record kept).
    const doc = [
      '# Memories about Dana, kept by the assistant',
      'memories:',
      '# session 0: the trip',
      '- date: 2025-03-01',
      '  text: Dana booked flights.',
      '# session 1: the cat',
      '- date: 2025-03-02',
      '  text: Miso hides under the bed.',
      '',
    ].join('\n');
    const src = parseYamlSource(doc);
    if (!src) throw new Error('no source');
    const memories = find(src.root, 'memories');
    const first = memories.children?.[0] as JsonNode;
    const out = src.emit(src.root, {
      keep: (n) => (n === first ? false : n === memories || n === src.root ? undefined : true),
    });
    expect(out).toBe(
      [
        '# Memories about Dana, kept by the assistant',
        'memories:',
        '# session 1: the cat',
        '- date: 2025-03-02',
        '  text: Miso hides under the bed.',
        '',
      ].join('\n'),
    );
    // The same for a list at the root, and unchanged when nothing is left out.
    const list = '# Dana\n- a: 1\n  b: x\n- a: 2\n  b: y\n';
    const l = parseYamlSource(list);
    if (!l) throw new Error('no source');
    expect(l.emit(l.root)).toBe(list);
    const head = l.root.children?.[0];
    expect(l.emit(l.root, { keep: (n) => (n === head ? false : n === l.root ? undefined : true) })).toBe(
      '# Dana\n- a: 2\n  b: y\n',
    );
    // After an empty value, the comment over the next key is that key's: it goes with it (review).
    const empty = parseYamlSource('a:\n# about b\nb: 1\n');
    if (!empty) throw new Error('no source');
    const b = valueNode(empty.root.children?.[1] as JsonNode);
    expect(empty.emit(empty.root, { keep: (n) => (n === b ? false : n === empty.root ? undefined : true) })).toBe(
      'a:\n',
    );
    // A record's cost counts its comments: the pieces add up to about the whole.
    const pieces = (memories.children ?? []).map((n) => src.piece(n)).join('');
    expect(pieces).toContain('# session 0: the trip\n');
    expect(pieces).toContain('# session 1: the cat\n');
  });

  it('cuts the records left out from the source and keeps every other byte as written (issue 14: the library joined and respaced them)', () => {
    const doc = [
      '# Dana   (kept by the assistant)',
      'memories:',
      '  #   session 0: the trip',
      '  -   date: 2025-03-01',
      '      text: Dana booked flights',
      '        to Lisbon for October.   # long line',
      '  # session 1: the cat',
      '  -   date: 2025-03-02',
      '      text: Miso hides under the bed.',
      '  - date: 2025-03-03',
      '    tags: [cats,',
      '           home]',
      '    text: >',
      '      Miso ate the',
      '      basil again.',
      'profile: {name: Dana,',
      '  city: Lisbon}',
      '',
    ].join('\n');
    const src = parseYamlSource(doc);
    if (!src) throw new Error('no source');
    const memories = find(src.root, 'memories');
    const [trip, cat, basil] = memories.children ?? [];
    const keepAllBut = (gone: JsonNode) => (n: JsonNode) =>
      n === gone ? false : n === memories || n === src.root ? undefined : true;
    // The cat's record goes with its comment; the flow list over two lines, the folded plain
    // scalar, the comments' own spacing and `-   date` stay as they were.
    expect(src.emit(src.root, { keep: keepAllBut(cat as JsonNode) })).toBe(
      doc.replace('  # session 1: the cat\n  -   date: 2025-03-02\n      text: Miso hides under the bed.\n', ''),
    );
    // The first record goes with the comment over it; the document's opening comment stays.
    const noTrip = src.emit(src.root, { keep: keepAllBut(trip as JsonNode) });
    expect(
      noTrip?.startsWith(
        '# Dana   (kept by the assistant)\nmemories:\n  # session 1: the cat\n  -   date: 2025-03-02\n',
      ),
    ).toBe(true);
    // New strings go in their place, in their style where it holds them: plain, folded, quoted when not.
    const text = (n: JsonNode | undefined) => find(n as JsonNode, 'text');
    const out = src.emit(src.root, {
      keep: keepAllBut(cat as JsonNode),
      replace: new Map([
        [text(trip), 'Dana booked flights Lisbon October.'],
        [text(basil), 'Miso ate basil again.'],
        [find(src.root, 'city'), 'yes'],
      ]),
    });
    expect(out).toContain('  -   date: 2025-03-01\n      text: Dana booked flights Lisbon October.   # long line\n');
    expect(out).toContain('    text: >\n      Miso ate basil again.\n');
    expect(out).toContain('profile: {name: Dana,\n  city: "yes"}\n');
    expect(parse(out ?? '').memories[1].text).toBe('Miso ate basil again.\n');
    // A key sharing its line with a `- ` goes to its line's end, the dash staying over the item's
    // other keys; every other byte as written (review 4, F-15: the library wrote the document, and
    // `# long line` lost its spaces).
    const date = find(basil as JsonNode, 'date');
    const noDate = src.emit(src.root, {
      keep: (n) => (n === date ? false : n === memories || n === basil || n === src.root ? undefined : true),
    });
    expect(noDate).toBe(doc.replace('  - date: 2025-03-03\n', '  -\n'));
    expect(parse(noDate ?? '').memories[2]).toEqual({ tags: ['cats', 'home'], text: 'Miso ate the basil again.\n' });
  });

  it('leaves one blank line where sections cut one after another had theirs (review 4, F-15)', () => {
    // Review 4: a Helm values file with a question came back with seven blank lines in a row where
    // the sections between two kept ones were cut, and two at the end.
    const doc = [
      '# service values',
      '',
      'replicas: 4     # ignored while autoscaling is on',
      '',
      'image:',
      '  tag: "1.2"',
      '',
      'service:',
      '  port: 80',
      'nodeSelector:',
      '  disk: ssd',
      'tolerations: []',
      '',
      'probes:',
      '  path: /ready  # checks the database only',
      '',
      'ingress:',
      '  enabled: true',
      '',
      'extraVolumes: []',
      '',
    ].join('\n');
    const src = parseYamlSource(doc);
    if (!src) throw new Error('no source');
    const kept = new Set(['replicas', 'probes']);
    const top = new Set((src.root.children ?? []).map((p) => valueNode(p) as JsonNode));
    const out = src.emit(src.root, {
      keep: (n) => (n === src.root ? undefined : top.has(n) ? kept.has(String(n.parent?.children?.[0]?.value)) : true),
    });
    expect(out).toBe(
      '# service values\n\nreplicas: 4     # ignored while autoscaling is on\n\nprobes:\n  path: /ready  # checks the database only\n',
    );
  });

  it('splices what plain YAML, a flow list, a block header and a byte-order mark can hold, and quotes the rest (review)', () => {
    const doc = '\uFEFFfirst: gone\ntags: [a, b]\nlead: |\n  old words\nstrip: |-\n  no break\nlast: 1\n';
    const src = parseYamlSource(doc);
    if (!src) throw new Error('no source');
    const [, tags, lead, strip] = (src.root.children ?? []).map((p) => valueNode(p) as JsonNode);
    const firstValue = valueNode(src.root.children?.[0] as JsonNode) as JsonNode;
    const out = src.emit(src.root, {
      keep: (n) => (n === firstValue ? false : n === src.root || n === tags ? undefined : true),
      replace: new Map([
        [tags?.children?.[0] as JsonNode, 'x, y'],
        [lead as JsonNode, ' opens with a space'],
        [strip as JsonNode, 'ends with a break\n'],
      ]),
    });
    // The mark stays at the start when the first line goes; a comma in a flow list is quoted; a
    // block that cannot hold the value (a leading space, a break after `|-`) becomes a quoted line
    // ending where the block ended.
    expect(out).toBe(
      '\uFEFFtags: ["x, y", b]\nlead: " opens with a space\\n"\nstrip: "ends with a break\\n"\nlast: 1\n',
    );
    expect(parse(out ?? '')).toEqual({
      tags: ['x, y', 'b'],
      lead: ' opens with a space\n',
      strip: 'ends with a break\n',
      last: 1,
    });
  });

  it('writes line breaks and a byte-order mark as the source has them (review)', () => {
    const crlf = '\uFEFFuser:\r\n  name: Dana\r\n  city: Lisbon\r\nnotes:\r\n  - one\r\n  - two\r\n';
    const src = parseYamlSource(crlf);
    if (!src) throw new Error('no source');
    expect(src.emit(src.root)).toBe(crlf);
  });

  it('quotes a new value that plain YAML would read as something else', () => {
    const src = parseYamlSource('a: some words here\nb: more words there\nc: x\n');
    if (!src) throw new Error('no source');
    const [a, b] = stringValues(src.root);
    const out = src.emit(src.root, {
      replace: new Map([
        [a as JsonNode, '42'],
        [b as JsonNode, 'key: value # not a comment'],
      ]),
    });
    expect(parse(out ?? '')).toEqual({ a: '42', b: 'key: value # not a comment', c: 'x' });
    // YAML 1.1 readers (PyYAML) read yes/no/on/off, 1:20 and 2024-01-01 as other things than text (review).
    for (const text of ['yes', 'Off', '1:20', '1_000', '2024-01-01', '.5 cups']) {
      const again = src.emit(src.root, { replace: new Map([[a as JsonNode, text]]) });
      expect(again).toContain(`a: "${text}"`);
      expect(parse(again ?? '', { version: '1.1' }).a).toBe(text);
    }
  });

  it('is null for what it cannot write back safely: anchors, aliases, merge keys, several documents, errors, scalars', () => {
    expect(parseYamlSource('base: &b {a: 1}\nother: *b\n')).toBeNull();
    expect(parseYamlSource('base: {a: 1}\nother:\n  <<: {c: 2}\n  d: 3\n')).toBeNull();
    expect(parseYamlSource('a: 1\n---\nb: 2\n')).toBeNull();
    expect(parseYamlSource('a: 1\na: 2\n')).toBeNull();
    expect(parseYamlSource('a: [1, 2\n')).toBeNull();
    expect(parseYamlSource('Dana is vegetarian.')).toBeNull();
    expect(parseYamlSource('? [a, b]\n: c\n')).toBeNull();
  });
});
