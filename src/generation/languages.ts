/**
 * Programming languages the studio recognises, by file extension and by content. The content
 * signatures are regular expressions scored per line: cheap, deterministic and good enough to
 * route a text to the right compressor; a file name, when known, always wins.
 */
export const LANGUAGE_BY_EXTENSION: Readonly<Record<string, string>> = {
  py: 'python',
  pyi: 'python',
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  jsx: 'javascript',
  ts: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  // JSX inside: the tsx grammar reads it, the typescript one does not (review: a .tsx file was left as is).
  tsx: 'tsx',
  go: 'go',
  rs: 'rust',
  java: 'java',
  kt: 'kotlin',
  kts: 'kotlin',
  swift: 'swift',
  c: 'c',
  h: 'c',
  cc: 'cpp',
  cpp: 'cpp',
  cxx: 'cpp',
  hpp: 'cpp',
  hh: 'cpp',
  cs: 'csharp',
  rb: 'ruby',
  php: 'php',
  sh: 'shell',
  bash: 'shell',
  zsh: 'shell',
  sql: 'sql',
  html: 'html',
  htm: 'html',
  css: 'css',
  scss: 'css',
  json: 'json',
  yaml: 'yaml',
  yml: 'yaml',
  toml: 'toml',
  ini: 'ini',
  lua: 'lua',
  r: 'r',
  scala: 'scala',
  dart: 'dart',
  diff: 'diff',
  patch: 'diff',
  // Terraform and other HashiCorp configs: blocks of `key = value`, read by their lines (no grammar).
  tf: 'hcl',
  tfvars: 'hcl',
  hcl: 'hcl',
};

/** Extensions that are text for people, whatever they contain: classified by content. */
export const PROSE_EXTENSIONS = new Set(['md', 'markdown', 'mdx', 'txt', 'rst', 'adoc', 'text']);

/** Fence info strings (```py) to language names. */
export const FENCE_ALIASES: Readonly<Record<string, string>> = {
  py: 'python',
  python3: 'python',
  js: 'javascript',
  node: 'javascript',
  ts: 'typescript',
  sh: 'shell',
  bash: 'shell',
  zsh: 'shell',
  console: 'shell',
  shell: 'shell',
  rs: 'rust',
  golang: 'go',
  'c++': 'cpp',
  cs: 'csharp',
  'c#': 'csharp',
  rb: 'ruby',
  yml: 'yaml',
  kt: 'kotlin',
  terraform: 'hcl',
  tf: 'hcl',
};

export function languageFromPath(path: string): string | undefined {
  const base = path.split(/[\\/]/).pop() ?? path;
  if (base === 'Dockerfile' || base === 'Makefile') return base.toLowerCase();
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return undefined;
  return LANGUAGE_BY_EXTENSION[base.slice(dot + 1).toLowerCase()];
}

export function isProsePath(path: string): boolean {
  const dot = path.lastIndexOf('.');
  return dot > 0 && PROSE_EXTENSIONS.has(path.slice(dot + 1).toLowerCase());
}

/** Languages the studio reads that no extension above names (data read by content, files by name). */
const OTHER_LANGUAGES = ['jsonl', 'csv', 'tsv', 'dockerfile', 'makefile', 'diff'];

/** The languages a `--language` may name: the studio's own names, and their fence aliases ("py"). */
export function knownLanguage(name: string): string | undefined {
  const word = name.trim().toLowerCase();
  if (OTHER_LANGUAGES.includes(word)) return word;
  return normaliseFenceLanguage(word);
}

/** Every name `knownLanguage` takes, for an error that lists them. */
export function knownLanguages(): string[] {
  return [...new Set([...Object.values(LANGUAGE_BY_EXTENSION), ...OTHER_LANGUAGES])].sort();
}

export function normaliseFenceLanguage(info: string): string | undefined {
  const word = info.trim().split(/\s+/)[0]?.toLowerCase();
  if (!word) return undefined;
  return FENCE_ALIASES[word] ?? (Object.values(LANGUAGE_BY_EXTENSION).includes(word) ? word : undefined);
}

/**
 * A signature's `\w` as any script's letter or digit (with the `u` flag): an identifier may be
 * `größe` or `面积` (review: a Python function named in German, read from stdin, had no language).
 */
function anyScript(re: RegExp): RegExp {
  let out = '';
  let inClass = false;
  for (let i = 0; i < re.source.length; i++) {
    const c = re.source[i] as string;
    if (c === '\\') {
      const next = re.source[i + 1] ?? '';
      out += next === 'w' ? (inClass ? '\\p{L}\\p{N}_' : '[\\p{L}\\p{N}_]') : c + next;
      i++;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    out += c;
  }
  return new RegExp(out, `${re.flags}u`);
}

/** Per-language line signatures; each matching line adds its weight to the language's score. */
const SIGNATURES: ReadonlyArray<readonly [string, RegExp, number]> = (
  [
    ['python', /^\s*def \w+\(.*\)\s*(->\s*[^:]+)?:\s*(#.*)?$/, 4],
    ['python', /^\s*(elif .*|else|try|finally|except( \w+(\.\w+)*( as \w+)?)?):\s*(#.*)?$/, 3],
    ['python', /^\s*(from [\w.]+ import |import [\w.]+(\s+as\s+\w+)?\s*$)/, 3],
    ['python', /^\s*class \w+(\(.*\))?:\s*$/, 4],
    ['python', /\bself\.\w+|\b(None|True|False)\b|\bnot in\b|\bis not\b|\blambda \w*:/, 1],
    ['python', /^\s*(if|for|while|with) .*:\s*(#.*)?$/, 2],
    ['python', /^\s*@\w+(\.\w+)*(\(.*\))?\s*$/, 1],
    // A module-level name bound to a literal opened on its line (`CONFIG = {`): no keyword before it.
    ['python', /^[A-Za-z_]\w*\s*=\s*[[{(]\s*$/, 2],
    ['javascript', /\b(const|let|var) \w+\s*=|=>|\bfunction\s*\w*\s*\(/, 2],
    ['javascript', /\brequire\(['"]|module\.exports|export (default|const|function|class)|import .* from ['"]/, 3],
    ['javascript', /\b(undefined|null|console\.log|document\.|window\.|Promise|async|await)\b/, 1],
    ['javascript', /===|!==/, 2],
    // A class whose body opens with a brace (Python's ends its line with a colon), its constructor.
    ['javascript', /^\s*class \w+(\s+extends\s+[\w.]+)?\s*\{\s*$|\bthis\.\w+/, 2],
    ['javascript', /^\s*constructor\s*\([^)]*\)\s*\{/, 3],
    ['typescript', /:\s*(string|number|boolean|void|unknown|any|never)(\[\])?\s*[,;)=|]/, 4],
    ['typescript', /^\s*(export\s+)?(interface|type|enum|namespace|declare)\s+\w+/, 4],
    [
      'typescript',
      /\b(readonly|private|public|protected|implements)\s+\w+|<\w+(,\s*\w+)*>\(|\bas\s+(const|string|number|unknown)\b/,
      2,
    ],
    ['go', /^\s*package \w+\s*$|^\s*func (\(\w+ \*?\w+\) )?\w+\(|:=|\bfmt\.\w+/, 3],
    ['go', /^\s*(import \(|type \w+ (struct|interface) \{)|\bnil\b|\berr != nil\b/, 2],
    [
      'rust',
      /^\s*(pub(\(crate\))?\s+)?(fn|struct|enum|impl|trait|mod|use) \w+|\blet mut\b|&mut\b|::<|\bSome\(|\bOk\(|\bErr\(/,
      3,
    ],
    ['rust', /->\s*(Self|Result<|Option<|&)|\bmatch \w+ \{|#\[\w+/, 2],
    ['java', /^\s*(public|private|protected)\s+(static\s+)?(final\s+)?(class|interface|void|[A-Z]\w*(<.*>)?)\s+\w+/, 3],
    [
      'java',
      /System\.out\.println|@Override|\bnew [A-Z]\w*\(|^\s*package [\w.]+;\s*$|^\s*import [\w.]+(\.\*)?;\s*$/,
      3,
    ],
    ['c', /^\s*#\s*(include|define|ifdef|ifndef|endif|pragma)\b/, 3],
    ['c', /\b(printf|malloc|free|sizeof|NULL|struct \w+ \*|int main\()|->\w+/, 2],
    ['cpp', /\bstd::|\btemplate\s*<|\bnamespace \w+|#include <(iostream|vector|string|memory)>|\bnullptr\b|::\w+\(/, 3],
    [
      'csharp',
      /^\s*using System(\.\w+)*;|\bnamespace [\w.]+|\bpublic (async )?(Task|void|string|int) \w+\(|\bvar \w+ = new\b/,
      3,
    ],
    ['ruby', /^\s*(def \w+[?!]?(\(.*\))?|end|module \w+|require ['"]|attr_(reader|accessor) :)\s*$|\.each do \|/, 3],
    ['ruby', /^\s*(puts|elsif) |\bdo \|\w+\|/, 2],
    ['php', /<\?php|\$this->|\$\w+\s*=|\bfunction \w+\(\$|->\w+\(/, 3],
    [
      'shell',
      /^#!\s*\/(usr\/)?bin\/(env )?(ba|z)?sh|^\s*(fi|done|esac|then|do)\s*$|\$\{?\w+\}?|^\s*(export|echo|set -\w+|cd|mkdir|rm -rf|apt-get|npm|pip) /,
      2,
    ],
    ['shell', /^\s*if \[\[? |\|\| exit|2>&1|^\s*\w+=\S*\s*$/, 2],
    ['sql', /^\s*(SELECT|INSERT INTO|UPDATE|DELETE FROM|CREATE (TABLE|INDEX|VIEW)|ALTER TABLE|DROP TABLE)\b/i, 3],
    ['sql', /\b(FROM|WHERE|JOIN|GROUP BY|ORDER BY|VALUES|PRIMARY KEY)\b/, 2],
    ['html', /^\s*<(!DOCTYPE|html|head|body|div|span|p|a|script|style|meta|link|ul|li|table)\b[^>]*>/i, 3],
    ['css', /^\s*[.#]?[\w-]+(\s*[,>+~]\s*[.#]?[\w-]+)*\s*\{\s*$|^\s*[\w-]+\s*:\s*[^;]+;\s*$/, 2],
    // Terraform (HCL): a block named by a keyword and quoted labels (`resource "aws_s3_bucket" "logs" {`),
    // or Terraform's own blocks; read as CSS by their `name {` lines before, or as no language at all.
    [
      'hcl',
      /^\s*(resource|data|module|variable|output|provider)\s+"[^"]+"(\s+"[^"]+")?\s*\{\s*$|^\s*(terraform|locals)\s*\{\s*$/,
      5,
    ],
    ['hcl', /^\s*[a-z]\w*(\s+"[^"]+")+\s*\{\s*$/, 3],
    ['json', /^\s*"[^"]+"\s*:\s*("|\d|\[|\{|true|false|null)/, 2],
    ['yaml', /^\s*[\w-]+:(\s+[^,;{}()[\]=]*[^,;{}()[\]=\s])?\s*$|^\s*- [\w-]+:\s+[^,;{}()]*$|^---\s*$/, 1],
  ] as const
).map(([lang, re, weight]) => [lang, anyScript(re), weight] as const);

/** Triple quotes: a Python string (a docstring, mostly) is open while an odd number has been seen. */
const TRIPLE = /"""|'''/g;

export function scoreLanguages(lines: readonly string[]): Map<string, number> {
  const scores = new Map<string, number>();
  // Lines inside a triple-quoted string are text, not code: a docstring's examples
  // ("digitSum("abAB") => 131") must not score as JavaScript arrows. A triple-quoted string is
  // itself a Python sign.
  let open: string | null = null;
  for (const line of lines) {
    if (!line.trim()) continue;
    const wasOpen = open !== null;
    for (const m of line.matchAll(TRIPLE)) {
      if (open === null) open = m[0];
      else if (open === m[0]) open = null;
    }
    if (wasOpen || open !== null) {
      if (!wasOpen) scores.set('python', (scores.get('python') ?? 0) + 2);
      continue;
    }
    for (const [lang, re, weight] of SIGNATURES) {
      if (re.test(line)) scores.set(lang, (scores.get(lang) ?? 0) + weight);
    }
  }
  // JSON opens with a brace or a bracket: lines like its fields in a program that does not (a
  // Python module's `CONFIG = {` over `"host": "localhost",`) are that program's literal.
  const first = lines.find((l) => l.trim());
  if (first !== undefined && !/^\s*[[{]/.test(first)) scores.delete('json');
  // TypeScript is JavaScript plus types: its own signals decide, the shared ones add to both.
  const ts = scores.get('typescript') ?? 0;
  if (ts > 0) scores.set('typescript', ts + (scores.get('javascript') ?? 0));
  // C++ reads as C too.
  const cpp = scores.get('cpp') ?? 0;
  if (cpp > 0) scores.set('cpp', cpp + (scores.get('c') ?? 0));
  return scores;
}

export function bestLanguage(lines: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = 0;
  for (const [lang, score] of scoreLanguages(lines)) {
    if (score > bestScore) {
      best = lang;
      bestScore = score;
    }
  }
  return best;
}
