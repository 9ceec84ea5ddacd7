import { createReadStream, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { loadConfig } from '../../src/config.ts';
import { type Domain, DomainSchema } from '../../src/contracts/source.ts';
import { InputError } from '../../src/errors/index.ts';
import { type CompressReport, compressText, measureTokens } from '../../src/generation/compress-text.ts';
import { knownLanguage, knownLanguages } from '../../src/generation/languages.ts';
import { RULES_VERSION } from '../../src/generation/rules/index.ts';
import { rulesPair, runRulesJob } from '../../src/generation/rules-job.ts';
import { getCompressor } from '../../src/inference/compress.ts';
import { QUERY_MAX_CHARS } from '../../src/inference/compress-types.ts';
import { decodeText } from '../../src/io/files.ts';
import { insertPairs } from '../../src/store/pairs.ts';
import { getSource } from '../../src/store/sources.ts';
import { createTokenCounter, formatCount } from '../../src/tokenizers/index.ts';
import type { CompressOptions } from '../commands/compress.ts';
import type { CliContext } from '../main.ts';
import { createProgress } from '../progress.ts';
import { percent, renderTable } from '../table.ts';
import { withProject } from '../with-project.ts';
import { parseTokenizers } from './stats.ts';

async function readStdin(): Promise<Buffer> {
  if (process.stdin.isTTY) throw new InputError('compress: give a file, --source ID, --all, or pipe text on stdin');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The input as text, or an error naming it: binary or broken UTF-8 is refused, never compressed. */
async function readInput(file: string | undefined): Promise<string> {
  const fromStdin = !file || file === '-';
  const name = fromStdin ? 'stdin' : file;
  const bytes = fromStdin
    ? await readStdin()
    : await readFile(name).catch((e: Error) => {
        throw new InputError(`cannot read ${name}: ${e.message}`);
      });
  const decoded = decodeText(bytes);
  if ('message' in decoded) throw new InputError(`${name}: ${decoded.message}`);
  return decoded.text;
}

function printReport(ctx: CliContext, report: CompressReport, json: boolean | undefined): void {
  if (json) {
    ctx.out(JSON.stringify(report, null, 2));
    return;
  }
  ctx.out(report.compressed);
  const lines = report.tokens.map(
    (t) =>
      `${t.tokenizer}: ${formatCount({ count: t.before, method: t.method })} -> ${formatCount({ count: t.after, method: t.method })} tokens (${percent(t.reduction)} fewer)`,
  );
  ctx.logger.info(
    `\n[rules ${RULES_VERSION}] domain ${report.domain}${report.language ? ` (${report.language})` : ''}, ${report.ms.toFixed(1)} ms${report.verified === 'ast' ? ', syntax tree verified' : ''}`,
  );
  for (const l of lines) ctx.logger.info(l);
  for (const n of report.notes) ctx.logger.info(`note: ${n}`);
}

function budgetOptions(opts: CompressOptions): { ratio?: number; maxTokens?: number } {
  const ratio = opts.ratio === undefined ? undefined : Number(opts.ratio);
  if (ratio !== undefined && !(ratio > 0 && ratio <= 1))
    throw new InputError(`--ratio is the kept fraction, between 0 and 1: got "${opts.ratio}"`);
  const maxTokens = opts.maxTokens === undefined ? undefined : Number(opts.maxTokens);
  if (maxTokens !== undefined && !(Number.isInteger(maxTokens) && maxTokens > 0))
    throw new InputError(`--max-tokens is a positive whole number of o200k tokens: got "${opts.maxTokens}"`);
  if (ratio !== undefined && maxTokens !== undefined) throw new InputError('give --ratio or --max-tokens, not both');
  if (opts.query !== undefined && !opts.query.trim()) throw new InputError('--query is empty');
  if (opts.query !== undefined && opts.query.length > QUERY_MAX_CHARS)
    throw new InputError(
      `--query is ${opts.query.length.toLocaleString('en-US')} characters, at most ${QUERY_MAX_CHARS.toLocaleString('en-US')} (as the service takes): a question, not a document`,
    );
  return { ...(ratio !== undefined ? { ratio } : {}), ...(maxTokens !== undefined ? { maxTokens } : {}) };
}

const JsonlLineSchema = z.strictObject({
  id: z.union([z.string(), z.number()], { error: 'must be a string or a number, which names the line in the results' }),
  /** Empty is no error: given back as it came, as the service and the library do. */
  text: z.string(),
  query: z.string().min(1).max(QUERY_MAX_CHARS).optional(),
  ratio: z.number().gt(0).max(1).optional(),
  maxTokens: z.number().int().positive().optional(),
  domain: DomainSchema.optional(),
  /** Code's language, as --language says it for a file (review: a batch of programs could not name it). */
  language: z.string().min(1).max(40).optional(),
  /** The file the text came from: its extension says what it is, as for a file in text mode. */
  path: z.string().min(1).max(4096).optional(),
});

/** Lines with something on them: what a --jsonl batch will compress. */
async function countLines(file: string): Promise<number> {
  let n = 0;
  for await (const raw of createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY }))
    if (raw.trim()) n++;
  return n;
}

/**
 * `--jsonl FILE|-`: one compression per line through one compressor (models load once), one
 * result line per input line in order. A line that is not JSON, fails the schema or fails to
 * compress becomes an error line with its number; the others go on. Exit code 1 if any failed.
 * Lines run one after the other (the model does one at a time anyway); progress goes to stderr, so
 * a batch of long texts is not minutes of silence.
 */
async function compressJsonl(ctx: CliContext, file: string, opts: CompressOptions): Promise<void> {
  const defaults = budgetOptions(opts);
  if (file !== '-' && !existsSync(file)) throw new InputError(`cannot read ${file}: no such file`);
  const total = file === '-' ? 0 : await countLines(file);
  const input = file === '-' ? process.stdin : createReadStream(file);
  const compressor = getCompressor();
  // Not when the result lines go to the terminal too: they show the progress, and a bar redrawn
  // between them would garble them.
  const progress = createProgress('Compressing', { enabled: !opts.json && !process.stdout.isTTY });
  let failed = 0;
  let fellBack = 0;
  /** Each id's first line: a result line is found by its id, so a second line with it is refused. */
  const seen = new Map<string, number>();
  let done = 0;
  let n = 0;
  try {
    const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
    for await (const raw of lines) {
      n++;
      if (!raw.trim()) continue;
      const fail = (error: string, id?: unknown) => {
        failed++;
        ctx.out(JSON.stringify({ line: n, ...(id !== undefined ? { id } : {}), error }));
      };
      const tally = (id: unknown) =>
        progress.update(
          ++done,
          total,
          `${id === undefined ? `line ${n}` : `id ${String(id)}`}${fellBack ? `, ${fellBack} fell back to the rules` : ''}`,
        );
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch (e) {
        fail(`not JSON: ${(e as Error).message}`);
        tally(undefined);
        continue;
      }
      const parsed = JsonlLineSchema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const id = json !== null && typeof json === 'object' ? (json as { id?: unknown }).id : undefined;
        fail(`${issue?.path.join('.') || 'line'}: ${issue?.message ?? 'invalid'}`, id);
        tally(id);
        continue;
      }
      const line = parsed.data;
      const key = `${typeof line.id}:${line.id}`;
      const first = seen.get(key);
      if (first !== undefined) {
        fail(`id: ${JSON.stringify(line.id)} is already line ${first}'s; each line needs its own id`, line.id);
        tally(line.id);
        continue;
      }
      seen.set(key, n);
      try {
        const ratio = line.ratio ?? (line.maxTokens === undefined ? defaults.ratio : undefined);
        const maxTokens = line.maxTokens ?? (line.ratio === undefined ? defaults.maxTokens : undefined);
        const query = line.query ?? opts.query;
        const r = await compressor.compress(line.text, {
          ...(line.domain ? { domain: line.domain } : {}),
          ...(line.language ? { language: checkedLanguage(line.language, 'language') } : {}),
          ...(line.path ? { path: line.path } : {}),
          ...(ratio !== undefined ? { ratio } : {}),
          ...(maxTokens !== undefined ? { maxTokens } : {}),
          ...(query ? { query } : {}),
          ...(opts.model ? { model: opts.model } : {}),
        });
        ctx.out(
          JSON.stringify({
            id: line.id,
            text: r.text,
            tokensBefore: r.tokensBefore,
            tokensAfter: r.tokensAfter,
            strategy: r.strategy,
            // How the line was read, as text mode's status line says it.
            domain: r.domain,
            language: r.language,
            fallback: r.fallback,
            // What a stage said (over the budget, BM25 only, a query not used): as text mode prints them.
            notes: r.notes,
          }),
        );
        if (r.fallback && r.fallback.reason !== 'no-model') fellBack++;
      } catch (e) {
        fail(e instanceof Error ? e.message : String(e), line.id);
      }
      tally(line.id);
    }
  } finally {
    progress.stop();
    await compressor.dispose();
  }
  if (failed) {
    // Of the lines with something on them, as the progress counts them (blank lines are skipped).
    ctx.logger.info(`${failed} of ${done} line(s) failed (error lines name them by line number)`);
    process.exitCode = 1;
  }
}

/**
 * A `--language` the compressor reads, as its own name ("py" -> "python"); anything else is refused
 * with the list (review: `-l klingon` was taken, and only a note said no parser read it).
 */
function checkedLanguage(name: string, field = '--language'): string {
  const known = knownLanguage(name);
  if (!known)
    throw new InputError(`${field} "${name}" is not a language the compressor reads: ${knownLanguages().join(', ')}`);
  return known;
}

/** How the compressor's note begins when a query could not select from a document (JSON, YAML) that does not parse. */
const QUERY_NOT_USED = 'select: the query was not used:';

/** `studio compress`: text mode (a file or stdin), one stored source, the whole store, or a JSONL batch. */
export async function compress(ctx: CliContext, file: string | undefined, opts: CompressOptions): Promise<void> {
  if (opts.jsonl !== undefined) {
    await compressJsonl(ctx, opts.jsonl, opts);
    return;
  }
  const tokenizers = parseTokenizers(opts.tokenizers);
  let domain: Domain | undefined;
  if (opts.domain !== undefined) {
    const d = DomainSchema.safeParse(opts.domain);
    if (!d.success) throw new InputError(`--domain must be one of ${DomainSchema.options.join(', ')}`);
    domain = d.data;
  }
  if (opts.all) {
    await withProject(ctx, async (project) => {
      const progress = createProgress('Compressing', { enabled: !opts.json });
      const summary = await runRulesJob(project, {
        ...(domain ? { domain } : {}),
        ...(opts.tag ? { tag: opts.tag } : {}),
        onProgress: (d, t) => progress.update(d, t),
      }).finally(() => progress.stop());
      if (opts.json) {
        ctx.out(JSON.stringify(summary, null, 2));
        return;
      }
      ctx.out(
        renderTable(
          ['domain', 'sources', 'o200k before', 'o200k after', 'reduction'],
          Object.entries(summary.byDomain).map(([d, s]) => [
            d,
            s.sources,
            s.tokensBefore,
            s.tokensAfter,
            percent(s.reduction),
          ]),
        ),
      );
      ctx.out(
        `\n${summary.pairsInserted} new pairs, ${summary.pairsExisting} already stored, ${summary.unchanged} sources the rules leave unchanged (no pair stored for those).`,
      );
    });
    return;
  }
  if (opts.source !== undefined) {
    const sourceId = opts.source;
    await withProject(ctx, async (project) => {
      const s = getSource(project.db, sourceId);
      if (!s) throw new InputError(`no source with id ${sourceId}`);
      const report = await compressText(s.text, project.tokens, {
        domain: domain ?? s.domain,
        language: (opts.language !== undefined ? checkedLanguage(opts.language) : undefined) ?? s.language,
        tokenizers,
      });
      if (opts.save) {
        const o200k = report.tokens.find((t) => t.tokenizer === 'o200k');
        const res = insertPairs(project.db, [
          rulesPair(
            sourceId,
            { ...report, text: report.compressed },
            o200k ? { before: o200k.before, after: o200k.after } : null,
          ),
        ]);
        ctx.logger.info(res.inserted ? `Stored as pair ${res.ids[0]}` : `Already stored as pair ${res.ids[0]}`);
      }
      printReport(ctx, report, opts.json);
    });
    return;
  }
  const text = await readInput(file);
  if (!text.trim()) throw new InputError(`${file ?? 'stdin'}: nothing to compress (empty input)`);
  const { ratio, maxTokens } = budgetOptions(opts);
  // Text mode is the production compressor (src/inference): the pipeline configured for the
  // domain, rules first, then the fine-tuned model or pruning, falling back to the rules.
  const compressor = getCompressor();
  try {
    // Said of the file, not of the service's field "text" (review).
    const limit = compressor.config.limits.maxTextChars;
    if (text.length > limit)
      throw new InputError(
        `${file && file !== '-' ? file : 'stdin'}: ${text.length} characters, over the limit of ${limit} (limits.maxTextChars in configs/inference.yaml): split it, or raise the limit`,
      );
    const result = await compressor.compress(text, {
      ...(domain ? { domain } : {}),
      ...(opts.language ? { language: checkedLanguage(opts.language) } : {}),
      // A file's extension says what it is (review: a .sh and a .py file read as prose were pruned).
      ...(file !== undefined && file !== '-' ? { path: file } : {}),
      ...(ratio !== undefined ? { ratio } : {}),
      ...(opts.model ? { model: opts.model } : {}),
      ...(opts.protect?.length ? { protect: opts.protect } : {}),
      ...(opts.query !== undefined ? { query: opts.query } : {}),
      ...(maxTokens !== undefined ? { maxTokens } : {}),
    });
    const counter = createTokenCounter({ config: loadConfig().tokenizers });
    const tokens = await measureTokens(counter, text, result.text, tokenizers, result.domain);
    if (opts.json) {
      ctx.out(JSON.stringify({ ...result, original: text, compressed: result.text, tokens }, null, 2));
      return;
    }
    // The line end the input's lines had: a CRLF file's output ends in CRLF too, not a lone LF.
    const eol = text.endsWith('\r\n') || result.text.includes('\r\n') ? '\r\n' : '\n';
    ctx.out(result.text.endsWith('\n') ? result.text : `${result.text}${eol}`);
    ctx.logger.info(
      `\n[${result.strategy}] domain ${result.domain}${result.language ? ` (${result.language})` : ''}, ${result.totalMs.toFixed(1)} ms${result.model ? `, model ${result.model}` : ''}`,
    );
    for (const t of tokens)
      ctx.logger.info(
        `${t.tokenizer}: ${formatCount({ count: t.before, method: t.method })} -> ${formatCount({ count: t.after, method: t.method })} tokens (${percent(t.reduction)} fewer)`,
      );
    // No file at any model stage's path: there was no output to refuse, and a note says which
    // stages were skipped and what the result is (compress-stages.ts noteSkippedModels).
    if (result.fallback && result.fallback.reason !== 'no-model')
      ctx.logger.info(`note: the model's output was not used (${result.fallback.reason}): ${result.fallback.detail}`);
    // A document that does not parse comes back as written, and exits 0 as any result does (the
    // proxy and the library give it back the same way; exit 1 is for input not read at all): the
    // query going unused is what the caller must not miss, so it is a warning, not one more note
    // among the timings (review: malformed YAML with --query read as a success).
    for (const n of result.notes)
      if (n.startsWith(QUERY_NOT_USED)) ctx.logger.warn(n);
      else ctx.logger.info(`note: ${n}`);
  } finally {
    await compressor.dispose();
  }
}
