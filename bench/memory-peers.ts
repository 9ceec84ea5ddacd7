import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { createPruner, selectWords } from '../src/generation/strategies/pruned/index.ts';
import { createCompressor, loadInferenceConfig } from '../src/inference/index.ts';
import { ensureSmolLM2 } from '../src/providers/local/test-model.ts';
import { o200kCounter } from '../src/tokenizers/o200k-counter.ts';
import { answerSurvives } from './answer-survival.ts';
import { type Conversation, conversations, type Qa, questions, sectionsOf, survives } from './memory.ts';
import { peerCached } from './pruning.ts';
import { stamp, table, writeSection } from './results-file.ts';

/**
 * `npm run bench -- memory-peers`: the with-question curve of the memory bench beside the two
 * other ways to cut a memory to 5x / 10x / 20x: `pruned` given the question (SmolLM2 surprisal,
 * LongLLMLingua's contrastive question term and a lexical bonus; words dropped across the whole
 * memory) and the LLMLingua peer (../shared/peers/llmlingua, v1, the same SmolLM2, each session
 * compressed at the rate; it takes no question). Same memories, same questions, same measure:
 * answer survival in the evidence sessions against the uncompressed memory.
 *
 * `pruned` scores the whole memory (15-26k tokens) twice per question, a minute or more each on
 * this shared CPU, so the curve is drawn on a subsample: BENCH_MEMORY_PEERS_PER_CONV (4) questions
 * per conversation, evenly spaced among those whose answer survives uncompressed; `select` is
 * measured on the same questions. The peer, which takes no question and compresses each session on
 * its own, runs on the subsample's evidence sessions only (over a minute a session and rate here).
 * Every output is cached in bench/.work/memory-peers (pruned per question, the peer per session and
 * rate), so a rerun measures again in seconds.
 */

const RATIOS = [0.2, 0.1, 0.05] as const;
const THREADS = 1;

const PrunedCacheSchema = z.object({ memory: z.string(), question: z.string(), texts: z.array(z.string()) });

const hash = (s: string) => createHash('sha1').update(s).digest('hex').slice(0, 16);

/** Every k-th QA whose answer survives uncompressed, `n` per conversation. */
export function subsample(convs: readonly Conversation[], n: number): Qa[] {
  return convs.flatMap((c) => {
    const ok = questions([c]).filter((qa) => survives(qa, qa.conv.sessions));
    const step = ok.length / n;
    return Array.from({ length: Math.min(n, ok.length) }, (_, k) => ok[Math.floor(k * step)] as Qa);
  });
}

interface Row {
  method: string;
  set: string;
  ratio: number;
  before: number;
  after: number;
  kept: number;
  n: number;
}

/** "select 18/20, ..." for one ratio, both sets together, with each method's reduction. */
function summary(rows: readonly Row[], ratio: number): string {
  const methods = [...new Set(rows.map((r) => r.method))];
  return methods
    .map((m) => {
      const rs = rows.filter((r) => r.method === m && r.ratio === ratio);
      const sum = (f: (r: Row) => number) => rs.reduce((a, r) => a + f(r), 0);
      return `${m} ${sum((r) => r.kept)}/${sum((r) => r.n)} (${(
        sum((r) => r.before) /
          Math.max(
            1,
            sum((r) => r.after),
          )
      ).toFixed(1)}x)`;
    })
    .join(', ');
}

export async function benchMemoryPeers(shared: string): Promise<void> {
  const locomoFile = join(shared, 'locomo-dev.json');
  if (!existsSync(locomoFile)) {
    console.log('memory-peers: ../shared/data/locomo-dev.json not found, skipped');
    return;
  }
  const work = resolve('bench', '.work', 'memory-peers');
  mkdirSync(work, { recursive: true });
  const all = conversations(locomoFile);
  const perConv = Number(process.env.BENCH_MEMORY_PEERS_PER_CONV ?? 4);
  // Each set's questions, picked once: every compressor runs on the same ones.
  const sets = [
    ['conversations 1-3 (tuning)', subsample(all.slice(0, 3), perConv)],
    ['conversations 4-5 (held out)', subsample(all.slice(3, 5), perConv)],
  ] as const;
  const count = await o200kCounter();
  const rows: Row[] = [];
  const load = loadavg()[0]?.toFixed(1);
  const t0 = performance.now();

  // select: the product's query-aware stage, as the memory bench runs it.
  const compressor = createCompressor(
    loadInferenceConfig({
      override: {
        query: { embeddingCache: resolve('bench', '.work', 'memory', 'embeddings.db') },
        cache: { entries: 0 },
      },
    }),
  );
  for (const [set, picked] of sets)
    for (const ratio of RATIOS) {
      const row: Row = { method: 'select (the product)', set, ratio, before: 0, after: 0, kept: 0, n: 0 };
      for (const qa of picked) {
        const r = await compressor.compress(qa.conv.memory, { query: qa.question, ratio, domain: 'chat' });
        row.before += r.tokensBefore;
        row.after += r.tokensAfter;
        row.n++;
        if (survives(qa, sectionsOf(r.text))) row.kept++;
      }
      rows.push(row);
    }
  await compressor.dispose();

  // pruned with the question: scored once per question, selected at each ratio.
  const pruner = createPruner({ modelPath: ensureSmolLM2(), threads: THREADS, contextSize: 2048 });
  try {
    for (const [set, picked] of sets) {
      const outs: string[][] = [];
      for (const [k, qa] of picked.entries()) {
        const file = join(work, `pruned-${hash(qa.conv.memory)}-${hash(qa.question)}.json`);
        const cached = existsSync(file) ? PrunedCacheSchema.safeParse(JSON.parse(readFileSync(file, 'utf8'))) : null;
        if (cached?.success && cached.data.memory === qa.conv.memory && cached.data.question === qa.question) {
          outs.push(cached.data.texts);
          continue;
        }
        const started = performance.now();
        const scored = await pruner.score(qa.conv.memory, { domain: 'chat', question: qa.question });
        const texts = RATIOS.map((ratio) => selectWords(scored, { ratio }, count).text);
        writeFileSync(`${file}.tmp`, JSON.stringify({ memory: qa.conv.memory, question: qa.question, texts }));
        renameSync(`${file}.tmp`, file);
        outs.push(texts);
        console.log(
          `memory-peers: pruned ${set} ${k + 1}/${picked.length} in ${((performance.now() - started) / 1000).toFixed(0)} s`,
        );
      }
      RATIOS.forEach((ratio, j) => {
        const row: Row = { method: 'pruned, with the question', set, ratio, before: 0, after: 0, kept: 0, n: 0 };
        picked.forEach((qa, k) => {
          const text = outs[k]?.[j] ?? '';
          row.before += count(qa.conv.memory);
          row.after += count(text);
          row.n++;
          if (survives(qa, sectionsOf(text))) row.kept++;
        });
        rows.push(row);
      });
    }
  } finally {
    await pruner.dispose();
  }

  // LLMLingua: each evidence session of the subsample's questions at the rate (it takes no
  // question, and compresses every session on its own, so the sessions no question looks in would
  // not change a row: they are left out, a quarter of the peer's hours on this CPU); the answer is
  // looked for in the peer's text of each evidence session, so a header it cut does not count.
  // Reduction: over the same sessions.
  let peerNote = '';
  for (const [set, picked] of sets) {
    const keys = [...new Set(picked.flatMap((qa) => qa.sessions.map((n) => `${qa.conv.id}:${n}`)))];
    const sessions = picked
      .flatMap((qa) => qa.sessions.map((n) => ({ key: `${qa.conv.id}:${n}`, text: qa.conv.sessions.get(n) ?? '' })))
      .filter((s, i, all) => all.findIndex((o) => o.key === s.key) === i);
    for (const ratio of RATIOS) {
      const started = performance.now();
      const peer = peerCached(sessions, ratio, work);
      if (!('texts' in peer)) {
        peerNote = `LLMLingua skipped: ${peer.skipped}`;
        break;
      }
      console.log(
        `memory-peers: LLMLingua ${set} rate ${ratio}, ${sessions.length} sessions in ${((performance.now() - started) / 1000).toFixed(0)} s`,
      );
      const out = new Map(sessions.map((s, i) => [s.key, peer.texts[i] ?? '']));
      const row: Row = { method: 'LLMLingua (peer), no question', set, ratio, before: 0, after: 0, kept: 0, n: 0 };
      for (const k of keys) {
        row.before += count(sessions.find((s) => s.key === k)?.text ?? '');
        row.after += count(out.get(k) ?? '');
      }
      for (const qa of picked) {
        row.n++;
        if (answerSurvives(qa.answer, qa.sessions.map((n) => out.get(`${qa.conv.id}:${n}`) ?? '').join('\n')))
          row.kept++;
      }
      rows.push(row);
    }
  }
  const minutes = ((performance.now() - t0) / 60_000).toFixed(1);

  const lines = rows.map((r) => [
    r.method,
    r.set,
    `${Math.round(1 / r.ratio)}x asked`,
    `${(r.before / Math.max(1, r.after)).toFixed(1)}x`,
    `${r.kept}/${r.n}`,
    `${((100 * r.kept) / Math.max(1, r.n)).toFixed(1)} %`,
  ]);
  for (const l of lines) console.log(l.join(' | '));
  writeSection(
    'memory-peers',
    `## Memory with the question: select beside \`pruned\` and LLMLingua (LoCoMo)

${stamp()} · \`npm run bench -- memory-peers\` · ${minutes} min this run, load average ${load} at the start (outputs cached in bench/.work/memory-peers are reused; a first run scores each question with the pruner, about 3 min each here)

The memory bench's with-question measurement, on a subsample: ${perConv} questions per conversation
(categories 1, 2, 4; evenly spaced among those whose answer survives uncompressed, so retention = answers
kept), each conversation's sessions joined as one memory (15-26k o200k tokens). \`select\`: the product's
query-aware stage, as in the memory section. \`pruned\`: the SmolLM2 pruner given the question
(surprisal with and without the question before the text, LongLLMLingua's contrastive term, plus a
lexical bonus for the question's words), words dropped across the whole memory to the ratio (one
thread). LLMLingua: the peer (v1, the same SmolLM2; ../shared/peers/llmlingua), each evidence session of these
questions on its own at the rate (it takes no question, so the sessions no question looks in change no
row; its reduction is over the sessions it compressed); its rate counts SmolLM2 tokens, so its o200k
reduction differs from the one asked. The answer must survive in the evidence sessions of each output.${peerNote ? `\n\n${peerNote}` : ''}

${table(['compressor', 'memory', 'target', 'reduction (o200k)', 'answers kept', 'retention vs uncompressed'], lines)}

Over all ${sets.reduce((a, [, picked]) => a + picked.length, 0)} questions at 10x asked: ${summary(rows, 0.1)}. The subsample is small (a question is
5-12 points of a row); the memory section above has \`select\` on every question.
`,
  );
}
