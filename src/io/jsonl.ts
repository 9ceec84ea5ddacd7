import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { locateJsonError } from './json-error.ts';
import { mapRecord, toReadItem } from './record-mapping.ts';
import type { ReaderContext, ReadItem } from './types.ts';

/**
 * Streams a JSON-lines file: one record per line, read line by line so a file of any size imports
 * in flat memory. A line that is not JSON is an issue naming its line number; the rest go on.
 */
export async function* readJsonl(path: string, ctx: ReaderContext): AsyncGenerator<ReadItem> {
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNo = 0;
  let lastReported = 0;
  try {
    for await (const raw of lines) {
      lineNo++;
      if (ctx.onBytes && stream.bytesRead - lastReported >= 1 << 20) {
        lastReported = stream.bytesRead;
        ctx.onBytes(stream.bytesRead);
      }
      const line = lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (!line.trim()) continue;
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
            line: lineNo,
            message: `not valid JSON${at ? ` at column ${at.column}` : ''} (${detail})`,
          },
        };
        continue;
      }
      yield toReadItem(mapRecord(value, ctx, lineNo, 'jsonl'));
    }
  } finally {
    lines.close();
    stream.destroy();
  }
  ctx.onBytes?.(stream.bytesRead);
}
