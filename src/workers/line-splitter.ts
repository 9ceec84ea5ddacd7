/** One stdout line, numbered from 1. `truncated`: the line was longer than the bound and was cut. */
export interface OutputLine {
  number: number;
  text: string;
  truncated: boolean;
  /** The line's full length in characters (more than `text.length` when truncated). */
  length: number;
}

export interface LineSplitter {
  push(chunk: string): void;
  /** Delivers a last line that had no newline. */
  end(): void;
}

/**
 * Cuts a text stream into lines ("\n", with "\r\n" taken as one) holding at most `maxChars` of any
 * one line in memory: a child that prints a gigabyte without a newline costs `maxChars`, and its
 * line still arrives (cut, marked `truncated`) when the newline or the end comes.
 */
export function createLineSplitter(maxChars: number, onLine: (line: OutputLine) => void): LineSplitter {
  let buffer = '';
  let length = 0;
  let number = 0;
  const emit = () => {
    number += 1;
    const text = buffer.endsWith('\r') && length === buffer.length ? buffer.slice(0, -1) : buffer;
    onLine({ number, text, truncated: length > buffer.length, length: length > buffer.length ? length : text.length });
    buffer = '';
    length = 0;
  };
  const append = (piece: string) => {
    length += piece.length;
    if (buffer.length < maxChars) buffer += piece.slice(0, maxChars - buffer.length);
  };
  return {
    push(chunk) {
      let start = 0;
      for (let nl = chunk.indexOf('\n'); nl !== -1; nl = chunk.indexOf('\n', start)) {
        append(chunk.slice(start, nl));
        emit();
        start = nl + 1;
      }
      if (start < chunk.length) append(chunk.slice(start));
    },
    end() {
      if (length > 0) emit();
    },
  };
}
