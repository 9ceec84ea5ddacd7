import { createRequire } from 'node:module';
import type { Language, Tree } from 'web-tree-sitter';

const require = createRequire(import.meta.url);

/** Our language names to the grammar files that @vscode/tree-sitter-wasm ships. */
const GRAMMARS: Readonly<Record<string, string>> = {
  python: 'python',
  javascript: 'javascript',
  typescript: 'typescript',
  tsx: 'tsx',
  go: 'go',
  rust: 'rust',
  java: 'java',
  // No C grammar ships; C is close enough to C++ that its parse is checked by the C++ grammar,
  // and the verification step refuses any change the grammar cannot confirm.
  c: 'cpp',
  cpp: 'cpp',
  csharp: 'c-sharp',
  ruby: 'ruby',
  php: 'php',
  shell: 'bash',
  css: 'css',
};

type TreeSitter = typeof import('web-tree-sitter');
let runtime: Promise<TreeSitter> | undefined;
const languages = new Map<string, Promise<Language>>();

/** web-tree-sitter and its wasm load at the first parse, not at import: prose never needs them. */
function treeSitter(): Promise<TreeSitter> {
  runtime ??= import('web-tree-sitter').then(async (m) => {
    await m.Parser.init();
    return m;
  });
  return runtime;
}

async function loadLanguage(grammar: string): Promise<Language> {
  const { Language } = await treeSitter();
  let lang = languages.get(grammar);
  if (!lang) {
    lang = Language.load(require.resolve(`@vscode/tree-sitter-wasm/wasm/tree-sitter-${grammar}.wasm`));
    languages.set(grammar, lang);
  }
  return lang;
}

/**
 * Parses a program. Returns undefined when there is no grammar for the language; the caller then
 * leaves the code alone rather than guess. The caller must `delete()` the tree.
 */
export async function parseCode(
  text: string,
  language: string,
  options: { jsx?: boolean } = {},
): Promise<Tree | undefined> {
  let grammar = GRAMMARS[language];
  if (!grammar) return undefined;
  if (language === 'typescript' && options.jsx) grammar = 'tsx';
  const lang = await loadLanguage(grammar);
  const { Parser } = await treeSitter();
  const parser = new Parser();
  try {
    parser.setLanguage(lang);
    return parser.parse(text) ?? undefined;
  } finally {
    parser.delete();
  }
}
