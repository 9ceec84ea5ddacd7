/**
 * What a text must contain for a regular expression (RE2 syntax, matched case-insensitively) to
 * match it, as literal strings a trigram index can look up: the prefilter of the Pairs search.
 *
 * The parser is conservative: anything it does not understand for certain ends the literal run it
 * is in (a class it will not expand, a group, an optional atom) or, when it cannot even tell how long
 * the construct is, gives up on the whole pattern (no prefilter: every row is tested). Literal runs
 * keep printable ASCII only, lower-cased, so the index's case folding cannot miss one.
 */
export interface RegexPrefilter {
  /**
   * Every match contains, for each group, at least one of the group's strings (each 3+ characters).
   * Empty: no usable literal, every text must be tested.
   */
  groups: string[][];
  /**
   * The pattern matches exactly the texts containing one of groups[0]'s strings (a literal, a small
   * class like [0-9], or an alternation of such), so the index answer needs no regex after it.
   */
  exact: boolean;
}

const NONE: RegexPrefilter = { groups: [], exact: false };
/** Expanding classes multiplies the strings of a run; past this many the run is cut. */
const MAX_STRINGS = 64;
const MAX_CLASS = 16;
const MIN_LITERAL = 3;

class Unsure extends Error {}

const isPrintableAscii = (c: string) => c >= ' ' && c <= '~';
const isWordChar = (c: string) => /[A-Za-z0-9]/.test(c);
const META = new Set(['\\', '.', '+', '*', '?', '(', ')', '|', '[', ']', '{', '}', '^', '$']);
const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** One atom of the pattern: the strings it can stand for (lower-cased), or null for "anything". */
type Atom = string[] | null;

export function regexPrefilter(pattern: string): RegexPrefilter {
  try {
    const alternatives = splitTopLevel(pattern).map(sequencePrefilter);
    if (alternatives.length === 1) return alternatives[0] as RegexPrefilter;
    // a|b: a match contains one of a's strings or one of b's; keep each alternative's best group.
    if (alternatives.some((a) => a.groups.length === 0)) return NONE;
    const union = [...new Set(alternatives.flatMap((a) => best(a.groups)))];
    if (union.length > MAX_STRINGS) return NONE;
    return { groups: [union], exact: alternatives.every((a) => a.exact) };
  } catch (error) {
    if (error instanceof Unsure) return NONE;
    throw error;
  }
}

/** The group whose shortest string is longest: the most selective for a trigram index. */
function best(groups: string[][]): string[] {
  const score = (g: string[]) => Math.min(...g.map((s) => s.length)) - g.length / 1000;
  return groups.reduce((a, b) => (score(b) > score(a) ? b : a));
}

/** Splits on `|` outside groups and classes. */
function splitTopLevel(pattern: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '[') i = classEnd(pattern, i);
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      parts.push(pattern.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(pattern.slice(start));
  return parts;
}

/** The index of the `]` closing the class that opens at `open`. */
function classEnd(pattern: string, open: number): number {
  let i = open + 1;
  if (pattern[i] === '^') i++;
  if (pattern[i] === ']') i++; // a leading ] is a literal
  for (; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '[' && pattern[i + 1] === ':') {
      const end = pattern.indexOf(':]', i + 2);
      if (end < 0) throw new Unsure();
      i = end + 1;
    } else if (c === ']') return i;
  }
  throw new Unsure();
}

/** The index after the `)` closing the group that opens at `open`. */
function groupEnd(pattern: string, open: number): number {
  let depth = 0;
  for (let i = open; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '[') i = classEnd(pattern, i);
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i + 1;
  }
  throw new Unsure();
}

/** The characters of a class, when it is small, positive and plain; null otherwise. */
function classChars(body: string): Atom {
  if (body.startsWith('^') || body.includes('[:')) return null;
  const chars = new Set<string>();
  let i = 0;
  const next = (): string | null => {
    const c = body[i++] as string;
    if (c !== '\\') return isPrintableAscii(c) ? c : null;
    const e = body[i++] as string;
    if (e !== undefined && isPrintableAscii(e) && !isWordChar(e)) return e;
    return null; // \d, \w, \x{..} and the like inside a class: not expanded
  };
  while (i < body.length) {
    const from = next();
    if (from === null) return null;
    if (body[i] === '-' && i + 1 < body.length) {
      i++;
      const to = next();
      if (to === null || to < from) return null;
      for (let code = from.charCodeAt(0); code <= to.charCodeAt(0); code++) {
        chars.add(String.fromCharCode(code).toLowerCase());
        if (chars.size > MAX_CLASS) return null;
      }
    } else chars.add(from.toLowerCase());
    if (chars.size > MAX_CLASS) return null;
  }
  return chars.size ? [...chars] : null;
}

/** Reads one atom at `i`: what it stands for and where it ends. */
function readAtom(p: string, i: number): { atom: Atom; end: number; zeroWidth: boolean } {
  const c = p[i] as string;
  if (c === '\\') {
    const e = p[i + 1];
    if (e === undefined) throw new Unsure();
    if (isPrintableAscii(e) && !isWordChar(e)) return { atom: [e], end: i + 2, zeroWidth: false };
    if (e === 'd') return { atom: DIGITS, end: i + 2, zeroWidth: false };
    if ('DwWsS'.includes(e)) return { atom: null, end: i + 2, zeroWidth: false };
    if ('bBAz'.includes(e)) return { atom: null, end: i + 2, zeroWidth: true };
    throw new Unsure(); // \x{..}, \p{..}, \Q..\E, \n, octal: lengths this parser does not track
  }
  if (c === '[') {
    const end = classEnd(p, i);
    return { atom: classChars(p.slice(i + 1, end)), end: end + 1, zeroWidth: false };
  }
  if (c === '(') return { atom: null, end: groupEnd(p, i), zeroWidth: false };
  if (c === '^' || c === '$') return { atom: null, end: i + 1, zeroWidth: true };
  if (c === '.') return { atom: null, end: i + 1, zeroWidth: false };
  if (META.has(c)) throw new Unsure(); // a quantifier with nothing before it, a stray ) or {
  return { atom: isPrintableAscii(c) ? [c.toLowerCase()] : null, end: i + 1, zeroWidth: false };
}

/** Reads the quantifier at `i`, if any: its minimum count and where it ends. */
function readQuantifier(p: string, i: number): { min: number; exactlyOnce: boolean; end: number } | null {
  const c = p[i];
  let min: number;
  let exactlyOnce = false;
  let end: number;
  if (c === '*' || c === '?') {
    min = 0;
    end = i + 1;
  } else if (c === '+') {
    min = 1;
    end = i + 1;
  } else if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i));
    if (!m) throw new Unsure(); // RE2 reads some braces as literals; not worth guessing
    min = Number(m[1]);
    exactlyOnce = min === 1 && (m[2] === undefined || m[3] === '1');
    end = i + m[0].length;
  } else return null;
  if (p[end] === '?' || p[end] === '+') end++; // lazy or possessive: the same strings
  return { min, exactlyOnce, end };
}

function sequencePrefilter(p: string): RegexPrefilter {
  const groups: string[][] = [];
  let run: string[] = [''];
  let exact = true;
  const cut = () => {
    if (run.length && run.every((s) => s.length >= MIN_LITERAL)) groups.push([...new Set(run)]);
    else if (run.some((s) => s.length > 0)) exact = false; // a literal too short to look up
    run = [''];
  };
  const append = (atom: string[]) => {
    if (run.length * atom.length > MAX_STRINGS) {
      cut();
      exact = false;
    }
    run = run.flatMap((s) => atom.map((a) => s + a));
  };
  for (let i = 0; i < p.length; ) {
    const { atom, end, zeroWidth } = readAtom(p, i);
    const q = readQuantifier(p, end);
    i = q ? q.end : end;
    if (atom === null) {
      if (zeroWidth && !q) {
        // ^, $, \b: nothing is consumed, the run goes on only if nothing else is lost
        cut();
        exact = false;
        continue;
      }
      cut();
      exact = false;
      continue;
    }
    if (!q || q.exactlyOnce) {
      append(atom);
      continue;
    }
    exact = false;
    if (q.min === 0) {
      cut(); // an optional atom: what came before and what follows need not touch
      continue;
    }
    // x+ or x{2,}: one x ends the run before it, and the last x starts the next
    append(atom);
    cut();
    run = [...atom];
  }
  cut();
  if (groups.length !== 1) exact = false;
  return { groups, exact: exact && groups.length === 1 };
}
