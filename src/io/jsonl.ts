import { locateJsonError } from './json-error.ts';
import { readLines } from './lines.ts';
import { mapRecord, toReadItem } from './record-mapping.ts';
import { READER_LIMITS, type ReaderContext, type ReadItem } from './types.ts';

/**
 * Streams a JSON-lines file: one record per line, read line by line so a file of any size imports
 * in flat memory. A line that is not JSON, not UTF-8 or too long is an issue naming its line
 * number; the rest go on. A file with no records at all says so.
 */
export async function* readJsonl(path: string, ctx: ReaderContext): AsyncGenerator<ReadItem> {
  let lastReported = 0;
  let nonBlank = 0;
  for await (const item of readLines(path, {
    maxLineBytes: ctx.maxRecordBytes ?? READER_LIMITS.maxRecordBytes,
    onBytes: (bytes) => {
      if (ctx.onBytes && bytes - lastReported >= 1 << 20) {
        lastReported = bytes;
        ctx.onBytes(bytes);
      }
    },
  })) {
    if (item.kind === 'bad') {
      nonBlank++;
      yield { kind: 'issue', issue: { file: ctx.file, line: item.line, message: item.message } };
      continue;
    }
    const line = item.text;
    if (!line.trim()) continue;
    nonBlank++;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      const at = locateJsonError(line);
      yield {
        kind: 'issue',
        issue: {
          file: ctx.file,
          line: item.line,
          message: `not valid JSON${at ? ` at column ${at.column}` : ''} (${detail})`,
        },
      };
      continue;
    }
    yield toReadItem(mapRecord(value, ctx, item.line, 'jsonl'));
  }
  if (nonBlank === 0) yield { kind: 'issue', issue: { file: ctx.file, message: 'the file is empty: no records' } };
}
