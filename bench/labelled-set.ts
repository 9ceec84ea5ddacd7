import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Domain } from '../src/contracts/source.ts';
import { languageFromPath } from '../src/generation/languages.ts';
import { sha256 } from '../src/util/hash.ts';

/**
 * A labelled set for the domain classifier, built from real files on this machine: code from the
 * installed npm packages and Python's standard library, prose from their documentation (Markdown
 * and reStructuredText paragraphs), mixed text from Markdown sections that hold a code fence, and
 * dialogue from LoCoMo sessions when ../shared/data is present. Labels come from how each sample
 * was cut, never from the classifier. Selection is deterministic (sorted paths, hash order).
 */
export interface Sample {
  label: Domain;
  language: string | null;
  origin: string;
  text: string;
}

function walk(root: string, accept: (path: string) => boolean, out: string[] = [], depth = 0): string[] {
  if (depth > 12 || !existsSync(root)) return out;
  for (const name of readdirSync(root).sort()) {
    if (name === '.git' || name === 'test' || name === 'tests' || name === '__pycache__') continue;
    const path = join(root, name);
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(path);
    } catch {
      continue;
    }
    if (st.isDirectory()) walk(path, accept, out, depth + 1);
    else if (st.isFile() && st.size > 1500 && st.size < 400_000 && accept(path)) out.push(path);
  }
  return out;
}

function pick<T extends string>(items: readonly T[], n: number, salt: string): T[] {
  return [...items].sort((a, b) => sha256(salt + a).localeCompare(sha256(salt + b))).slice(0, n);
}

function codeWindow(text: string, size = 40): string | undefined {
  const lines = text.split('\n');
  if (lines.length < size + 10) return undefined;
  const start = Math.floor(lines.length / 3);
  const window = lines.slice(start, start + size).join('\n');
  return window.trim().length > 200 ? window : undefined;
}

const NOT_PROSE = /^\s*(```|~~~|\||#|[-*+] |\d+\. |>|\.\. |<|\[!\[|!\[|:\w+:|={3,}|-{3,}|\$ |npm |pip )/;

/** Paragraphs of running text: no code, no lists, no tables, at least 25 words. */
function proseParagraphs(text: string): string[] {
  const blocks = text.replace(/\r\n?/g, '\n').split(/\n\s*\n/);
  const out: string[] = [];
  let inFence = false;
  for (const block of blocks) {
    const fences = (block.match(/^\s*(```|~~~)/gm) ?? []).length;
    if (inFence || fences) {
      if (fences % 2 === 1) inFence = !inFence;
      continue;
    }
    const lines = block.split('\n');
    if (lines.some((l) => NOT_PROSE.test(l) || /^\s{4,}\S/.test(l) || l.includes('::'))) continue;
    const words = block.match(/[A-Za-z][a-z'-]+/g) ?? [];
    if (words.length < 25 || !/[.!?]\s*$/.test(block.trim())) continue;
    if ((block.match(/[{}();=<>]/g) ?? []).length > 6) continue;
    out.push(block.trim());
  }
  return out;
}

/** A Markdown section around a fence: the paragraph before it, the fence, the text after. */
function mixedSections(text: string): string[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  let i = 0;
  let lastFenceEnd = -1;
  while (i < lines.length) {
    if (!/^\s{0,3}```/.test(lines[i] as string)) {
      i++;
      continue;
    }
    const open = i;
    let end = i + 1;
    while (end < lines.length && !/^\s{0,3}```\s*$/.test(lines[end] as string)) end++;
    if (end >= lines.length) break;
    i = end + 1;
    if (end - open < 3 || end - open > 40) {
      lastFenceEnd = end;
      continue;
    }
    // The paragraph right before the fence, and nothing from an earlier fence.
    let last = open - 1;
    while (last > lastFenceEnd && (lines[last] as string).trim() === '') last--;
    let first = last;
    while (first - 1 > lastFenceEnd && (lines[first - 1] as string).trim() !== '') first--;
    lastFenceEnd = end;
    if (last <= first - 1 || first <= 0) continue;
    const before = lines.slice(first, last + 1).join(' ');
    if ((before.match(/[A-Za-z][a-z'-]+/g) ?? []).length < 8 || /^\s*(#|[-*|])/.test(before)) continue;
    out.push(lines.slice(first, end + 1).join('\n'));
  }
  return out;
}

export function buildLabelledSet(options: { nodeModules: string; pythonLib: string; shared?: string }): Sample[] {
  const samples: Sample[] = [];
  const codeFiles = walk(
    options.nodeModules,
    (p) => /\.(js|mjs|ts|c|cc|cpp|h|hpp|go|sh)$/.test(p) && !p.endsWith('.min.js') && !p.endsWith('.d.ts'),
  ).concat(walk(options.pythonLib, (p) => p.endsWith('.py') && !p.includes('site-packages')));
  const byLanguage = new Map<string, string[]>();
  for (const f of codeFiles) {
    const lang = languageFromPath(f) ?? 'unknown';
    byLanguage.set(lang, [...(byLanguage.get(lang) ?? []), f]);
  }
  const perLanguage: Record<string, number> = {
    python: 60,
    javascript: 50,
    typescript: 40,
    c: 15,
    cpp: 15,
    go: 4,
    shell: 6,
  };
  for (const [lang, files] of [...byLanguage.entries()].sort()) {
    let taken = 0;
    for (const f of pick(files, 400, lang)) {
      if (taken >= (perLanguage[lang] ?? 0)) break;
      const w = codeWindow(readFileSync(f, 'utf8'));
      // Minified or generated files are not what people paste: skip very long lines.
      if (!w || w.split('\n').some((l) => l.length > 300)) continue;
      samples.push({ label: 'code', language: lang, origin: relative(process.cwd(), f), text: w });
      taken++;
    }
  }

  const docs = walk(
    options.nodeModules,
    (p) => /\.(md|markdown)$/i.test(p) && !/CHANGELOG|HISTORY|LICENSE/i.test(p),
  ).concat(
    walk(
      options.pythonLib,
      (p) => /\.(rst|txt)$/.test(p) && !/LICENSE|COPYING|requirements|entry_points|top_level|RECORD|METADATA/i.test(p),
    ),
  );
  let prose = 0;
  for (const f of pick(docs, 2000, 'prose')) {
    if (prose >= 120) break;
    const paras = proseParagraphs(readFileSync(f, 'utf8'));
    if (paras.length < 1) continue;
    samples.push({
      label: 'nl',
      language: null,
      origin: relative(process.cwd(), f),
      text: paras.slice(0, 3).join('\n\n'),
    });
    prose++;
  }
  let mixed = 0;
  for (const f of pick(
    docs.filter((d) => /\.(md|markdown)$/i.test(d)),
    2000,
    'mixed',
  )) {
    if (mixed >= 100) break;
    const sections = mixedSections(readFileSync(f, 'utf8'));
    if (!sections.length) continue;
    samples.push({ label: 'mixed', language: null, origin: relative(process.cwd(), f), text: sections[0] as string });
    mixed++;
  }

  // Short Python functions whose docstring examples use "=>" (the HumanEval style): the arrows once
  // read as JavaScript. Written for this set, not taken from a dataset.
  for (const [i, text] of DOCSTRING_ARROW_PROGRAMS.entries())
    samples.push({ label: 'code', language: 'python', origin: `bench/labelled-set.ts docstring-arrows ${i}`, text });

  // Python that opens a triple-quoted string after code on a line (`NOTE = """`): its closing
  // quotes once read as an opening, and the program as prose. Written for this set.
  for (const [i, text] of TRIPLE_QUOTE_AFTER_CODE_PROGRAMS.entries())
    samples.push({ label: 'code', language: 'python', origin: `bench/labelled-set.ts triple-quote ${i}`, text });

  // Programs read from stdin (no file name) whose language was missed: identifiers in other
  // scripts than ASCII, a JavaScript class alone, a Python module that is only a literal. Written
  // for this set (review).
  for (const [i, [language, text]] of NAMELESS_PROGRAMS.entries())
    samples.push({ label: 'code', language, origin: `bench/labelled-set.ts nameless ${i}`, text });

  const locomo = options.shared ? join(options.shared, 'locomo-dev.json') : undefined;
  if (locomo && existsSync(locomo)) {
    const data = JSON.parse(readFileSync(locomo, 'utf8')) as {
      sample_id: string;
      conversation: Record<string, unknown>;
    }[];
    for (const conv of data) {
      for (const [key, turns] of Object.entries(conv.conversation)) {
        if (!/^session_\d+$/.test(key) || !Array.isArray(turns)) continue;
        // A window of 12 turns, the size of a memory snippet an app injects.
        const lines = (turns as { speaker: string; text: string }[]).slice(0, 12).map((t) => `${t.speaker}: ${t.text}`);
        if (lines.length >= 4 && Number(key.split('_')[1]) % 3 === 0) {
          samples.push({
            label: 'chat',
            language: null,
            origin: `locomo ${conv.sample_id} ${key}`,
            text: lines.join('\n'),
          });
        }
      }
    }
  }
  return samples;
}

/** Python programs documented with `=>` examples in their docstrings (see buildLabelledSet). */
export const DOCSTRING_ARROW_PROGRAMS: readonly string[] = [
  `
def count_upper_vowels(word):
    """
    Count the upper-case vowels that sit at even positions of a word.

    Examples:
        count_upper_vowels("aBCdEf") => 1
        count_upper_vowels("abcdefg") => 0
        count_upper_vowels("dBBE") => 0
    """
    return sum(1 for i, ch in enumerate(word) if i % 2 == 0 and ch in "AEIOU")
`,
  `
def is_square(n):
    '''
    Return True when n is the square of a whole number.
    is_square(16) ==> True
    is_square(15) ==> False
    is_square(0) ==> True
    '''
    n = abs(n)
    return int(round(n ** 0.5)) ** 2 == n
`,
  `
def order_by_ends(values):
    """
    Given a list of non-negative integers, return a sorted copy: ascending when the first and the
    last value add up to an odd number, descending otherwise.

    * order_by_ends([]) => []
    * order_by_ends([3, 1, 2]) => [3, 2, 1]
    * order_by_ends([4, 1, 2, 3]) => [1, 2, 3, 4]
    """
    if not values:
        return []
    return sorted(values, reverse=(values[0] + values[-1]) % 2 == 0)
`,
  `
def shout_words(sentence):
    """Upper-case every word longer than three letters.
    shout_words("the cat jumped") => "the cat JUMPED"
    shout_words("") => ""
    """
    return " ".join(w.upper() if len(w) > 3 else w for w in sentence.split(" "))
`,
];

/** Python programs with a module-level triple-quoted string opened after code (see buildLabelledSet). */
export const TRIPLE_QUOTE_AFTER_CODE_PROGRAMS: readonly string[] = [
  `
NOTE = """
Add more cases for words that end in a vowel, and for the empty
string, which should give zero.
"""

def trailing_vowels(word):
    """Return how many vowels the word ends with.

    >>> trailing_vowels("idea")
    2
    >>> trailing_vowels("sky")
    0
    """
    count = 0
    for ch in reversed(word.lower()):
        if ch not in "aeiou":
            break
        count += 1
    return count
`,
  `
import math

USAGE = """Call area(r) with a radius in metres. The result is in square metres,
rounded to two places. A negative radius is an error."""


def area(r):
    if r < 0:
        raise ValueError("negative radius")
    return round(math.pi * r * r, 2)


def ring(outer, inner):
    """The area between two circles that share a centre."""
    return round(area(outer) - area(inner), 2)
`,
];

/** Programs whose language only their lines tell, each with its language (see buildLabelledSet). */
export const NAMELESS_PROGRAMS: readonly (readonly [string, string])[] = [
  ['python', 'def größe(länge, breite):\n    fläche = länge * breite\n    return fläche\n\n\nprint(größe(3, 4))\n'],
  ['python', 'def 面积(宽, 高):\n    结果 = 宽 * 高\n    return 结果\n'],
  ['python', 'class Größe:\n    def __init__(self, wert):\n        self.wert = wert\n'],
  ['python', 'CONFIG = {\n    "host": "localhost",\n    "port": 8080,\n    "debug": True,\n    "workers": None,\n}\n'],
  ['python', 'ROUTES = [\n    ("/", "index"),\n    ("/about", "about"),\n    ("/login", "login"),\n]\n'],
  [
    'javascript',
    'class Stack {\n  constructor() {\n    this.items = [];\n  }\n  push(x) {\n    this.items.push(x);\n  }\n  pop() {\n    return this.items.pop();\n  }\n}\n',
  ],
  // A template literal's `${...}` once read as a shell variable.
  [
    'javascript',
    ['class Dog extends Animal {', '  speak() {', '    console.log(`$' + '{this.name} barks.`);', '  }', '}', ''].join(
      '\n',
    ),
  ],
  ['javascript', 'const größe = (länge, breite) => länge * breite;\nconsole.log(größe(3, 4));\n'],
];
