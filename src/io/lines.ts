import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';

/** One physical line of a text file, or why it cannot be read as one. */
export type LineItem = { kind: 'line'; line: number; text: string } | { kind: 'bad'; line: number; message: string };

const NL = 0x0a;
const CR = 0x0d;

/**
 * Reads a file line by line from its bytes. Unlike readline over a decoded stream, a line that is
 * not UTF-8 is reported (decoding would silently turn it into U+FFFD) and a line longer than
 * `maxLineBytes` is skipped and reported without being held in memory, so one bad line costs that
 * line only. Lines are numbered from 1; the trailing CR of CRLF is dropped; a BOM on line 1 is dropped.
 */
export async function* readLines(
  path: string,
  options: { maxLineBytes: number; onBytes?: (bytes: number) => void },
): AsyncGenerator<LineItem> {
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  let parts: Buffer[] = [];
  let partBytes = 0;
  let tooLong = false;
  let line = 0;
  let bytes = 0;
  const finish = (tail: Buffer): LineItem => {
    line++;
    if (tooLong || partBytes + tail.length > options.maxLineBytes) {
      parts = [];
      partBytes = 0;
      tooLong = false;
      return { kind: 'bad', line, message: `line longer than ${options.maxLineBytes} bytes: skipped` };
    }
    let buf = parts.length ? Buffer.concat([...parts, tail]) : tail;
    parts = [];
    partBytes = 0;
    if (buf.length && buf[buf.length - 1] === CR) buf = buf.subarray(0, buf.length - 1);
    if (!isUtf8(buf)) return { kind: 'bad', line, message: `not valid UTF-8 (at byte ${firstInvalidByte(buf)})` };
    const text = buf.toString('utf8');
    return { kind: 'line', line, text: line === 1 ? text.replace(/^\uFEFF/, '') : text };
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      let start = 0;
      for (let nl = chunk.indexOf(NL, start); nl !== -1; nl = chunk.indexOf(NL, start)) {
        yield finish(tooLong ? Buffer.alloc(0) : chunk.subarray(start, nl));
        start = nl + 1;
      }
      if (start < chunk.length && !tooLong) {
        const rest = chunk.subarray(start);
        partBytes += rest.length;
        if (partBytes > options.maxLineBytes) {
          // Drop what was held: the rest of this line is skipped as it streams past.
          tooLong = true;
          parts = [];
          partBytes = 0;
        } else {
          parts.push(Buffer.from(rest));
        }
      }
      options.onBytes?.(bytes);
    }
    if (partBytes > 0 || tooLong) yield finish(Buffer.alloc(0));
  } finally {
    stream.destroy();
  }
}

/** The 1-based byte column of the first byte that breaks UTF-8 (binary search over prefixes). */
function firstInvalidByte(buf: Buffer): number {
  let lo = 0;
  let hi = buf.length;
  // Invariant: buf[0, lo) may be a valid prefix (up to a cut sequence), buf[0, hi) is not valid.
  while (hi - lo > 4) {
    const mid = (lo + hi) >> 1;
    if (isUtf8(buf.subarray(0, trimToBoundary(buf, mid)))) lo = mid;
    else hi = mid;
  }
  return lo + 1;
}

/** Backs a cut point off a multi-byte sequence so a valid prefix is not judged invalid. */
function trimToBoundary(buf: Buffer, end: number): number {
  let e = end;
  while (e > 0 && end - e < 4 && ((buf[e] ?? 0) & 0xc0) === 0x80) e--;
  return e;
}

/**
 * A pass-through stream that notes which lines are not UTF-8, for parsers (csv-parse) that decode
 * on their own and would replace bad bytes with U+FFFD without a word. `badLines` fills as bytes
 * pass, so by the time the parser emits a record, every line it came from has been checked.
 */
export function utf8LineCheck(): { stream: Transform; badLines: number[] } {
  const badLines: number[] = [];
  let line = 1;
  let carry: Buffer[] = [];
  let carryBytes = 0;
  let lineBad = false;
  const check = (buf: Buffer) => {
    if (!lineBad && buf.length && !isUtf8(buf)) lineBad = true;
  };
  const endLine = () => {
    check(carry.length === 1 ? (carry[0] as Buffer) : Buffer.concat(carry));
    if (lineBad) badLines.push(line);
    carry = [];
    carryBytes = 0;
    lineBad = false;
    line++;
  };
  const stream = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      let start = 0;
      for (let nl = chunk.indexOf(NL, start); nl !== -1; nl = chunk.indexOf(NL, start)) {
        carry.push(chunk.subarray(start, nl));
        endLine();
        start = nl + 1;
      }
      if (start < chunk.length) {
        carry.push(Buffer.from(chunk.subarray(start)));
        carryBytes += chunk.length - start;
        if (carryBytes > 1 << 20) {
          // A very long line is checked in pieces cut at character boundaries, so memory stays flat.
          const all = Buffer.concat(carry);
          const cut = trimToBoundary(all, all.length);
          check(all.subarray(0, cut));
          carry = [all.subarray(cut)];
          carryBytes = all.length - cut;
        }
      }
      done(null, chunk);
    },
    flush(done: TransformCallback) {
      if (carryBytes > 0) endLine();
      done();
    },
  });
  return { stream, badLines };
}
