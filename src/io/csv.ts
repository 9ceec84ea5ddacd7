import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { mapRecord, toReadItem } from './record-mapping.ts';
import type { ReaderContext, ReadItem } from './types.ts';

/**
 * Streams a CSV (or TSV) file with a header row. Each row maps like a JSON record, columns as
 * fields. A row with the wrong number of columns or broken quoting is an issue with its line.
 */
export async function* readCsv(path: string, ctx: ReaderContext, delimiter = ','): AsyncGenerator<ReadItem> {
  const stream = createReadStream(path);
  const issues: ReadItem[] = [];
  const parser = stream.pipe(
    parse({
      bom: true,
      columns: true,
      delimiter,
      info: true,
      relax_quotes: false,
      skip_empty_lines: true,
      skip_records_with_error: true,
    }),
  );
  parser.on('skip', (err: Error & { lines?: number }) => {
    issues.push({
      kind: 'issue',
      issue: {
        file: ctx.file,
        ...(err.lines === undefined ? {} : { line: err.lines }),
        message: err.message.replace(/^Invalid Record Length: /, 'wrong number of columns: '),
      },
    });
  });
  let lastReported = 0;
  try {
    for await (const item of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      while (issues.length) yield issues.shift() as ReadItem;
      if (ctx.onBytes && stream.bytesRead - lastReported >= 1 << 20) {
        lastReported = stream.bytesRead;
        ctx.onBytes(stream.bytesRead);
      }
      yield toReadItem(mapRecord(item.record, ctx, item.info.lines, 'csv'));
    }
  } catch (error) {
    // A fatal parse error (e.g. an unclosed quote at the end): keep what was read, report where.
    const e = error as Error & { lines?: number };
    yield {
      kind: 'issue',
      issue: { file: ctx.file, ...(e.lines === undefined ? {} : { line: e.lines }), message: e.message },
    };
  } finally {
    stream.destroy();
  }
  while (issues.length) yield issues.shift() as ReadItem;
  ctx.onBytes?.(stream.bytesRead);
}
