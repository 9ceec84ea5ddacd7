import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadValidationConfig } from '../src/config.ts';
import type { ModelRef } from '../src/contracts/providers.ts';
import { runGeneration } from '../src/generation/generate-job.ts';
import { importPaths } from '../src/io/import.ts';
import { openProject } from '../src/project.ts';
import { ensureSmolLM2 } from '../src/providers/local/test-model.ts';
import { modelName } from '../src/providers/model-ref.ts';
import { listProbes } from '../src/store/probes.ts';
import { getSource } from '../src/store/sources.ts';
import { sha256 } from '../src/util/hash.ts';
import { runPythonTests } from '../src/validation/code-checks.ts';
import { createJobRegistry } from '../src/validation/deps.ts';
import { tokenF1 } from '../src/validation/match.ts';
import { runValidation } from '../src/validation/run.ts';
import { stamp, writeSection } from './results-file.ts';

const WORK = join(process.cwd(), 'bench', '.work');
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/**
 * The generation "must show": `rules` and `pruned` at 0.3/0.5/0.7 on LoCoMo sessions and HumanEval
 * programs, with token reduction (o200k) and equivalence measured by the validation harness with
 * the local SmolLM2 as validator, judge and prober (LoCoMo: the dataset's QA as probes, their
 * answers as references; HumanEval: the dataset's tests run on each compression).
 */
export async function benchGeneration(
  shared: string,
  options: { sessions?: number; programs?: number } = {},
): Promise<void> {
  const sessions = options.sessions ?? Number(process.env.BENCH_GEN_SESSIONS ?? 10);
  const programs = options.programs ?? Number(process.env.BENCH_GEN_PROGRAMS ?? 20);
  if (!existsSync(join(shared, 'locomo-dev.json'))) {
    console.log('generation: ../shared/data not found, skipped');
    return;
  }
  mkdirSync(WORK, { recursive: true });
  const dir = join(WORK, 'generation-project');
  rmSync(dir, { recursive: true, force: true });
  const project = openProject({ dir, create: true });
  try {
    await importPaths(project.db, [join(shared, 'locomo-dev.json'), join(shared, 'humaneval-dev.jsonl')], {
      config: project.config.import,
    });
    const ids = (domain: string, n: number) =>
      project.db
        .prepare('SELECT id FROM sources WHERE domain = ? ORDER BY id LIMIT ?')
        .pluck()
        .all(domain, n) as number[];
    const chat = ids('chat', sessions);
    const code = ids('code', programs);
    const gguf = ensureSmolLM2();
    const local: ModelRef = { provider: 'local', model: gguf };
    const registry = createJobRegistry(project);
    const config = loadValidationConfig();
    config.probes.perSource = 3;
    config.concurrency = 1;

    const t0 = performance.now();
    await runGeneration(project, { strategy: 'rules', ratios: [], sourceIds: [...chat, ...code] });
    const tp = performance.now();
    await runGeneration(project, {
      strategy: 'pruned',
      ratios: [0.3, 0.5, 0.7],
      sourceIds: [...chat, ...code],
      prunerModelPath: gguf,
    });
    const pruneSeconds = (performance.now() - tp) / 1000;
    console.log(`generation: candidates in ${((performance.now() - t0) / 1000).toFixed(0)} s`);

    type Group = { label: string; pairIds: number[]; sourceIds: number[] };
    const groups = (sourceIds: number[]): Group[] => {
      const rows = project.db
        .prepare(
          `SELECT id, source_id AS sourceId, strategy, json_extract(metadata, '$.covers') AS covers FROM pairs
           WHERE source_id IN (${sourceIds.map(() => '?').join(',')})`,
        )
        .all(...sourceIds) as { id: number; sourceId: number; strategy: string; covers: string }[];
      const out: Group[] = [];
      for (const label of ['rules', 'pruned 0.3', 'pruned 0.5', 'pruned 0.7']) {
        const key = label === 'rules' ? '-' : `r:${label.split(' ')[1]}`;
        const strategy = label.split(' ')[0];
        const pick = rows.filter((r) => r.strategy === strategy && (JSON.parse(r.covers) as string[]).includes(key));
        out.push({ label, pairIds: pick.map((r) => r.id), sourceIds: pick.map((r) => r.sourceId) });
      }
      return out;
    };
    const tokens = (pairIds: number[]) => {
      if (!pairIds.length) return { before: 0, after: 0 };
      const before = project.db
        .prepare(`SELECT sum(tokens_original) FROM pairs WHERE id IN (${pairIds.map(() => '?').join(',')})`)
        .pluck()
        .get(...pairIds) as number;
      const after = project.db
        .prepare(`SELECT sum(tokens_compressed) FROM pairs WHERE id IN (${pairIds.map(() => '?').join(',')})`)
        .pluck()
        .get(...pairIds) as number;
      return { before, after };
    };

    // LoCoMo: equivalence through the harness, and answers against the dataset's references.
    const chatRows: string[][] = [];
    const model = modelName(local);
    for (const g of groups(chat)) {
      const tv = performance.now();
      const v = await runValidation(project, {
        pairIds: g.pairIds,
        validators: [local],
        judge: local,
        prober: local,
        registry,
        config,
      });
      const m = v.scores.byModel[0];
      // Reference F1: the validator's answer with the compression vs the dataset's answer.
      let f1Original = 0;
      let f1Compressed = 0;
      let n = 0;
      for (const pairId of g.pairIds) {
        const pair = project.db.prepare('SELECT source_id, compressed FROM pairs WHERE id = ?').get(pairId) as {
          source_id: number;
          compressed: string;
        };
        const source = getSource(project.db, pair.source_id);
        if (!source) continue;
        for (const probe of listProbes(project.db, source.id)) {
          if (!probe.reference || probe.origin !== 'dataset') continue;
          const ans = (text: string) =>
            (project.db
              .prepare('SELECT text FROM answers WHERE probe_id = ? AND model = ? AND context_hash = ?')
              .pluck()
              .get(probe.id, model, sha256(text)) as string | undefined) ?? '';
          f1Original += tokenF1(ans(source.text), probe.reference);
          f1Compressed += tokenF1(ans(pair.compressed), probe.reference);
          n++;
        }
      }
      const t = tokens(g.pairIds);
      chatRows.push([
        g.label,
        String(g.pairIds.length),
        t.before ? pct(1 - t.after / t.before) : '–',
        m?.taskEquivalence === null || m?.taskEquivalence === undefined ? '–' : pct(m.taskEquivalence),
        `${m?.probesEquivalent ?? 0}/${m?.probesJudged ?? 0}`,
        String(m?.judgeErrors ?? 0),
        n ? (f1Original / n).toFixed(3) : '–',
        n ? (f1Compressed / n).toFixed(3) : '–',
        `${((performance.now() - tv) / 1000).toFixed(0)} s`,
      ]);
      console.log(`generation: ${g.label} validated`);
    }

    // HumanEval: the dataset's tests on each compression.
    const codeRows: string[][] = [];
    for (const g of groups(code)) {
      let pass = 0;
      for (const pairId of g.pairIds) {
        const pair = project.db.prepare('SELECT source_id, compressed FROM pairs WHERE id = ?').get(pairId) as {
          source_id: number;
          compressed: string;
        };
        const s = getSource(project.db, pair.source_id);
        const test = s?.metadata.test;
        const entry = s?.metadata.entryPoint;
        if (typeof test !== 'string' || typeof entry !== 'string') continue;
        if ((await runPythonTests(pair.compressed, test, entry)).passed) pass++;
      }
      const t = tokens(g.pairIds);
      codeRows.push([
        g.label,
        String(g.pairIds.length),
        t.before ? pct(1 - t.after / t.before) : '–',
        `${pass}/${g.pairIds.length}`,
      ]);
    }
    const chatTokens = project.db
      .prepare(`SELECT sum(length(text)) FROM sources WHERE id IN (${chat.map(() => '?').join(',')})`)
      .pluck()
      .get(...chat) as number;

    writeSection(
      'generation',
      `## Generation: \`rules\` and \`pruned\` on LoCoMo and HumanEval, with equivalence

${stamp()} · \`npm run bench -- generation\`

The first ${chat.length} LoCoMo sessions (${chatTokens.toLocaleString('en-US')} characters) and the first ${code.length}
HumanEval programs from \`../shared/data\`, compressed by \`studio generate\`'s functions. Reduction is
in o200k tokens over the pairs of the row (a ratio a strategy could not reach is the closest it got:
code only loses whole comments, docstrings, blank lines and unused blocks, so it stops early).
Equivalence is the validation harness with SmolLM2-135M-Instruct (Q4_1, node-llama-cpp, CPU) as
validator, judge and prober; probes are the dataset's QA (3 per session, references kept):
"task equivalence" is the share of probes whose answer with the compression matches the answer
with the original (match, token F1 ≥ 0.9, or the judge). "Reference F1" is the validator's answer
against the dataset's answer, with the original and with the compression. A 135M validator is a
weak reader, so these numbers measure agreement of a weak model; the relative order is the signal.

| LoCoMo (chat) | pairs | reduction | task equivalence | probes equivalent | judge errors | reference F1 original | reference F1 compressed | time |
|---|---|---|---|---|---|---|---|---|
${chatRows.map((r) => `| ${r.join(' | ')} |`).join('\n')}

| HumanEval (code) | pairs | reduction | tests pass |
|---|---|---|---|
${codeRows.map((r) => `| ${r.join(' | ')} |`).join('\n')}

Making the \`pruned\` candidates (3 ratios, ${chat.length} sessions and ${code.length} programs, model load included):
${pruneSeconds.toFixed(1)} s.`,
    );
  } finally {
    project.close();
  }
}
