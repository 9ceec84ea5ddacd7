import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { utf8LineCheck } from './lines.ts';
import { mapRecord, toReadItem } from './record-mapping.ts';
import { READER_LIMITS, type ReaderContext, type ReadItem } from './types.ts';

type CsvError = Error & { code?: string; lines?: number };

/**
 * Streams a CSV (or TSV) file with a header row. Each row maps like a JSON record, columns as
 * fields. A row with the wrong number of columns, broken quoting or bytes that are not UTF-8 is an
 * issue with its line; an unclosed quote is reported at the line where the quote opens.
 */
export async function* readCsv(path: string, ctx: ReaderContext, delimiter = ','): AsyncGenerator<ReadItem> {
  const stream = createReadStream(path);
  const utf8 = utf8LineCheck();
  const issues: ReadItem[] = [];
  // Where the last good record ended, to find an unclosed quote's opening line.
  let lastEnd = { lines: 0, bytes: 0 };
  let unclosedQuote = false;
  const parser = stream.pipe(utf8.stream).pipe(
    parse({
      bom: true,
      columns: true,
      delimiter,
      info: true,
      relax_quotes: false,
      skip_empty_lines: true,
      skip_records_with_error: true,
      max_record_size: ctx.maxRecordBytes ?? READER_LIMITS.maxRecordBytes,
    }),
  );
  const issueFrom = (err: CsvError): ReadItem => ({
    kind: 'issue',
    issue: {
      file: ctx.file,
      ...(err.lines === undefined ? {} : { line: err.lines }),
      message: err.message.replace(/^Invalid Record Length: /, 'wrong number of columns: '),
    },
  });
  parser.on('skip', (err: CsvError) => {
    // csv-parse names the last line it read; the quote opened earlier, found once the file is read.
    if (err.code === 'CSV_QUOTE_NOT_CLOSED') unclosedQuote = true;
    else issues.push(issueFrom(err));
  });
  let lastReported = 0;
  let badSeen = 0;
  let rows = 0;
  try {
    for await (const item of parser as AsyncIterable<{
      record: Record<string, string>;
      info: { lines: number; bytes: number };
    }>) {
      while (issues.length) yield issues.shift() as ReadItem;
      if (ctx.onBytes && stream.bytesRead - lastReported >= 1 << 20) {
        lastReported = stream.bytesRead;
        ctx.onBytes(stream.bytesRead);
      }
      rows++;
      if (rows === 1 && utf8.badLines[0] === 1) {
        // The header row itself: say so once, and judge the data rows by their own lines.
        badSeen = 1;
        yield { kind: 'issue', issue: { file: ctx.file, line: 1, message: 'header row is not valid UTF-8' } };
      }
      const start = Math.max(lastEnd.lines, rows === 1 ? 1 : 0);
      lastEnd = { lines: item.info.lines, bytes: item.info.bytes };
      // A line of this record that is not UTF-8: the parser has already turned its bytes into U+FFFD.
      while (badSeen < utf8.badLines.length && (utf8.badLines[badSeen] as number) <= start) badSeen++;
      const bad = utf8.badLines[badSeen];
      if (bad !== undefined && bad <= item.info.lines) {
        yield { kind: 'issue', issue: { file: ctx.file, line: bad, message: 'not valid UTF-8' } };
        continue;
      }
      yield toReadItem(mapRecord(item.record, ctx, item.info.lines, 'csv'));
    }
  } catch (error) {
    // A fatal parse error: keep what was read, report where.
    yield issueFrom(error as CsvError);
  } finally {
    stream.destroy();
  }
  while (issues.length) yield issues.shift() as ReadItem;
  if (unclosedQuote) {
    const line = await quoteOpeningLine(path, lastEnd);
    yield {
      kind: 'issue',
      issue: { file: ctx.file, line, message: `a quote opened on line ${line} is never closed` },
    };
  } else if (rows === 0 && stream.bytesRead === 0) {
    yield { kind: 'issue', issue: { file: ctx.file, message: 'the file is empty: no header and no rows' } };
  } else if (rows === 0 && !utf8.badLines.length) {
    yield { kind: 'issue', issue: { file: ctx.file, message: 'no rows after the header' } };
  }
  ctx.onBytes?.(stream.bytesRead);
}

/**
 * Scans from the end of the last good record for the quote that is still open at the end of the
 * file ("" inside a quoted field toggles twice, so it never counts as an opening).
 */
async function quoteOpeningLine(path: string, from: { lines: number; bytes: number }): Promise<number> {
  let line = from.lines + 1;
  let open = false;
  let openedAt = line;
  for await (const chunk of createReadStream(path, { start: from.bytes }) as AsyncIterable<Buffer>) {
    for (const byte of chunk) {
      if (byte === 0x0a) line++;
      else if (byte === 0x22) {
        open = !open;
        if (open) openedAt = line;
      }
    }
  }
  return openedAt;
}
