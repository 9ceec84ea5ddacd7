import { describe, expect, it } from 'vitest';
import { parseCode } from '../../code/parser.ts';
import { compressCodePath } from './code-path.ts';
import { compressMixed, splitMixed } from './mixed.ts';

const PY = `import os
import json
from typing import List


def _unused_helper(x):
    # nothing calls this
    total = 0
    for i in range(x):
        total += i * i
    return total


def _used_helper(xs: List[int]) -> int:
    return sum(xs)


def mean(xs: List[int]) -> float:
    """Average of the numbers."""
    # guard against empty input
    if not xs:
        return 0.0
    return _used_helper(xs) / len(xs)


def public_api(a):
    return json.dumps(a)


if __name__ == "__main__":
    print(mean([1, 2, 3]))
    print(_unused_helper(4))
`;

async function parsesClean(code: string, language: string): Promise<boolean> {
  const tree = await parseCode(code, language);
  try {
    return tree !== undefined && !tree.rootNode.hasError;
  } finally {
    tree?.delete();
  }
}

describe('the code path', () => {
  it('drops whole comments, docstrings, the main harness, private code nothing uses and unused imports', async () => {
    const r = await compressCodePath(PY, { language: 'python', ratio: 0.3 });
    expect(await parsesClean(r.text, 'python')).toBe(true);
    expect(r.text).not.toContain('# guard');
    expect(r.text).not.toContain('Average of the numbers');
    expect(r.text).not.toContain('__main__');
    expect(r.text).not.toContain('_unused_helper');
    expect(r.text).not.toContain('import os');
    // What is used or public stays, line for line.
    expect(r.text).toContain('def _used_helper(xs: List[int]) -> int:\n    return sum(xs)');
    expect(r.text).toContain('def public_api(a):\n    return json.dumps(a)');
    expect(r.text).toContain('from typing import List');
    expect(r.text).toContain('import json');
    expect(r.removed.blocks).toEqual(
      expect.arrayContaining(['harness: if __name__ == "__main__"', 'private: _unused_helper', 'import: import os']),
    );
    expect(r.tokensAfter).toBeLessThan(r.tokensBefore * 0.7);
    // Every line of the result is a line of the original: nothing is cut inside a line.
    const lines = new Set(PY.split('\n'));
    for (const line of r.text.split('\n')) expect(lines.has(line)).toBe(true);
  });

  it('stops as soon as the ratio is reached, and says when it cannot be', async () => {
    const gentle = await compressCodePath(PY, { language: 'python', ratio: 0.95 });
    expect(gentle.removed.blocks).toEqual([]); // comments and docstrings were enough
    const hard = await compressCodePath(PY, { language: 'python', ratio: 0.1 });
    expect(hard.notes.join(' ')).toMatch(/asked 10 %/);
  });

  it('never removes a protected name, such as the entry point a test calls', async () => {
    const r = await compressCodePath(PY, { language: 'python', ratio: 0.1, protect: ['_unused_helper'] });
    expect(r.text).toContain('def _unused_helper(x):');
  });

  it('keeps what is used without an identifier: decorated code, __all__, string annotations, __doc__, a namespace lookup (review)', async () => {
    // Review: each of these was removed as unused, and the program broke or changed.
    const deco = [
      'import atexit',
      '',
      '@atexit.register',
      'def _cleanup():',
      '    print("bye")',
      '',
      'def area(r: "np.ndarray") -> float:',
      '    return 3.14 * r * r',
      '',
      'import numpy as np',
      'import readline',
      '',
      '__all__ = ["area", "_exported"]',
      '',
      'def _exported():',
      '    return 42',
      '',
      'def _really_unused():',
      '    return 0',
      '',
    ].join('\n');
    const r = await compressCodePath(deco, { language: 'python', ratio: 0.1 });
    for (const kept of ['@atexit.register', 'import atexit', 'import numpy as np', 'import readline', 'def _exported'])
      expect(r.text, kept).toContain(kept);
    expect(r.text).not.toContain('_really_unused');
    // A module that looks its names up at run time keeps its private definitions.
    const dynamic = 'def run(name):\n    return globals()["_cmd_" + name]()\n\ndef _cmd_hello():\n    return "hi"\n';
    expect((await compressCodePath(dynamic, { language: 'python', ratio: 0.1 })).text).toContain('def _cmd_hello');
    // A program that reads __doc__ keeps its docstrings.
    const doc =
      '"""Usage: tool.py [--verbose] FILE"""\nimport argparse\n\ndef main():\n    return argparse.ArgumentParser(description=__doc__)\n';
    const d = await compressCodePath(doc, { language: 'python' });
    expect(d.text).toContain('"""Usage: tool.py [--verbose] FILE"""');
    expect(d.notes).toContain('kept docstrings: the program reads __doc__');
  });

  it('removes unexported JavaScript that nothing references, keeps exports', async () => {
    const js = `import { a } from './a.js';\n\nfunction unusedLocal(x) {\n  return x * 2;\n}\n\nexport function api(y) {\n  // call a\n  return a(y);\n}\n`;
    const r = await compressCodePath(js, { language: 'javascript', ratio: 0.3 });
    expect(await parsesClean(r.text, 'javascript')).toBe(true);
    expect(r.text).not.toContain('unusedLocal');
    expect(r.text).toContain('export function api(y) {');
    expect(r.text).not.toContain('// call a');
  });

  it('removes unused JavaScript and TypeScript imports, and keeps a side-effect import and the React of JSX (review)', async () => {
    // Review: unused imports went in Python and stayed in TS and ESM JavaScript.
    const ts = [
      "import React from 'react';",
      "import def, { used, other as alias } from './m';",
      "import * as unusedNs from 'ns';",
      "import { gone1, gone2 } from './u';",
      "import './polyfill';",
      "import type { Shape } from './types';",
      "import fs = require('fs');",
      'export const area: Shape = used(alias);',
      'export function App() {',
      '  return <div>{area}</div>;',
      '}',
      '',
    ].join('\n');
    const r = await compressCodePath(ts, { language: 'tsx', ratio: 0.1 });
    expect(await parsesClean(r.text, 'tsx')).toBe(true);
    expect(r.removed.blocks).toEqual(
      expect.arrayContaining([
        "import: import * as unusedNs from 'ns';",
        "import: import { gone1, gone2 } from './u';",
        "import: import fs = require('fs');",
      ]),
    );
    for (const kept of [
      "import React from 'react';",
      "import def, { used, other as alias } from './m';",
      "import './polyfill';",
      "import type { Shape } from './types';",
    ])
      expect(r.text).toContain(kept);
    // Without JSX, React is an import like any other.
    const plain = await compressCodePath(ts.replace(/export function App[\s\S]*$/, ''), {
      language: 'typescript',
      ratio: 0.1,
    });
    expect(plain.text).not.toContain('React');
    const esm = await compressCodePath(
      "import { a, b } from './a.js';\nimport c from './c.js';\n\nexport const x = a + 1;\n",
      {
        language: 'javascript',
        ratio: 0.1,
      },
    );
    expect(esm.text).toBe("import { a, b } from './a.js';\nexport const x = a + 1;\n");
  });

  it("keeps a browser script's top-level functions: a script's names are globals (review)", async () => {
    // Review: a page's `onclick="save()"` handler went as unused private code.
    const script =
      'function save() {\n  localStorage.setItem("draft", editor.value);\n}\n\nfunction clearDraft() {\n  editor.value = "";\n}\n';
    const r = await compressCodePath(script, { language: 'javascript', ratio: 0.1 });
    expect(r.text).toContain('function save()');
    expect(r.text).toContain('function clearDraft()');
    // A CommonJS module's unexported helpers are its own, as an ES module's are.
    const cjs = `const fs = require('fs');\n\nfunction unusedHelper() {\n  return 1;\n}\n\nmodule.exports = { read: (p) => fs.readFileSync(p, 'utf8') };\n`;
    const m = await compressCodePath(cjs, { language: 'javascript', ratio: 0.1 });
    expect(m.text).not.toContain('unusedHelper');
    expect(m.text).toContain("const fs = require('fs');");
  });

  it('leaves code that does not parse, or has no parser, as it is', async () => {
    const broken = 'def f(:\n    return 1\n';
    const r = await compressCodePath(broken, { language: 'python', ratio: 0.5 });
    expect(r.text).toBe(broken);
    expect(r.notes[0]).toMatch(/does not parse/);
    const sql = 'SELECT 1; -- one\n';
    expect((await compressCodePath(sql, { language: 'sql', ratio: 0.5 })).text).toBe(sql);
  });

  it('never returns code that fails to parse, at any ratio, on varied programs', async () => {
    const programs: [string, string][] = [
      [PY, 'python'],
      ['class _A:\n    """doc"""\n    x = 1\n\n\nclass B(_A):\n    pass\n', 'python'],
      ['def f():\n    """only a docstring"""\n', 'python'],
      ['const _x = 1, y = 2;\nexport const z = y;\n// end\n', 'javascript'],
      [
        'type T = { a: number };\ninterface Unused { b: string }\nexport function g(t: T): number {\n  return t.a;\n}\n',
        'typescript',
      ],
    ];
    for (const [code, language] of programs) {
      for (const ratio of [0.1, 0.3, 0.5, 0.7, 0.9]) {
        const r = await compressCodePath(code, { language, ratio });
        expect(await parsesClean(r.text, language), `${language} at ${ratio}:\n${r.text}`).toBe(true);
      }
    }
  });
});

describe('mixed content', () => {
  const doc = [
    '# Setup',
    '',
    'Install the package and then, as you would expect, run the command below.',
    '',
    '```python',
    '# configure',
    'import os',
    'print(os.getcwd())',
    '```',
    '',
    'That is really all there is to it.',
  ].join('\n');

  it('splits prose from fenced code and puts the document back in order', async () => {
    const segs = splitMixed(doc);
    expect(segs.map((s) => s.kind)).toEqual(['prose', 'code', 'prose']);
    expect(segs[1]).toMatchObject({ language: 'python', text: '# configure\nimport os\nprint(os.getcwd())' });
    const out = await compressMixed(doc, {
      prose: async (t) => t.replace('as you would expect, ', ''),
      code: async (t, lang) => (await compressCodePath(t, { language: lang ?? '', ratio: 0.5 })).text,
    });
    expect(out.segments).toEqual({ prose: 2, code: 1 });
    expect(out.text).toContain('```python\nimport os\nprint(os.getcwd())\n```');
    expect(out.text).toContain('Install the package and then, run the command below.');
    expect(out.text.indexOf('# Setup')).toBeLessThan(out.text.indexOf('```python'));
  });
});
