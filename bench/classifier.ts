import { join } from 'node:path';
import type { Domain } from '../src/contracts/source.ts';
import { classifyDomain } from '../src/generation/domain.ts';
import { buildLabelledSet } from './labelled-set.ts';
import { pct, stamp, table, writeSection } from './results-file.ts';

/** Domain classifier accuracy on a labelled set cut from real files on this machine. */
export async function benchClassifier(options: { shared?: string; pythonLib: string }): Promise<void> {
  const set = buildLabelledSet({
    nodeModules: join(process.cwd(), 'node_modules'),
    pythonLib: options.pythonLib,
    ...(options.shared ? { shared: options.shared } : {}),
  });
  const classes: Domain[] = ['nl', 'chat', 'code', 'mixed'];
  const confusion = new Map<string, number>();
  const per = new Map<Domain, { ok: number; n: number }>();
  const misses: string[] = [];
  let lang = { ok: 0, n: 0 };
  const t0 = performance.now();
  for (const s of set) {
    const r = classifyDomain(s.text);
    confusion.set(`${s.label}>${r.domain}`, (confusion.get(`${s.label}>${r.domain}`) ?? 0) + 1);
    const p = per.get(s.label) ?? { ok: 0, n: 0 };
    p.n++;
    if (r.domain === s.label) p.ok++;
    else misses.push(`${s.label} read as ${r.domain} (${r.reason}): ${s.origin}`);
    per.set(s.label, p);
    if (s.label === 'code' && r.domain === 'code') {
      // A .h file is C or C++ by its content, not its name: either counts.
      const ok = r.language === s.language || (s.origin.endsWith('.h') && (r.language === 'c' || r.language === 'cpp'));
      lang = { ok: lang.ok + (ok ? 1 : 0), n: lang.n + 1 };
    }
  }
  const ms = performance.now() - t0;
  const ok = [...per.values()].reduce((n, p) => n + p.ok, 0);
  const accuracy = ok / set.length;
  const present = classes.filter((c) => per.has(c));
  const body = `## Domain classifier accuracy

${stamp()} · \`npm run bench -- classifier\`

Labelled set: ${set.length} samples cut from real files (code: 40-line windows from the middle of
installed npm packages' sources and Python's standard library; nl: running-text paragraphs from
their Markdown/reST documentation; mixed: a Markdown paragraph with the code fence that follows it;
chat: 12-turn windows of LoCoMo sessions from ../shared/data). Labels come from how each sample was
cut; the classifier sees the text only, no file name.

**Accuracy: ${pct(accuracy)}** (${ok}/${set.length}; target ≥ 95 %). Language of code read as code: ${pct(lang.ok / Math.max(1, lang.n))} (${lang.ok}/${lang.n}).
${(ms / set.length).toFixed(2)} ms per sample.

${table(
  ['label \\ read as', ...present, 'accuracy'],
  present.map((label) => [
    label,
    ...present.map((c) => confusion.get(`${label}>${c}`) ?? 0),
    pct((per.get(label)?.ok ?? 0) / (per.get(label)?.n ?? 1)),
  ]),
)}

Misread samples:
${misses.length ? misses.map((m) => `- ${m}`).join('\n') : '- none'}
`;
  writeSection('classifier', body);
  console.log(`classifier: ${pct(accuracy)} on ${set.length} samples, language ${pct(lang.ok / Math.max(1, lang.n))}`);
}
