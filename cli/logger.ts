/**
 * Human-readable messages go to stderr, data to stdout, so `studio stats --json > out.json` holds
 * only data. Colour only on a terminal.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function createLogger(options: { level?: Level; stream?: NodeJS.WritableStream } = {}): Logger {
  const stream = options.stream ?? process.stderr;
  const min = ORDER[options.level ?? 'info'];
  const tty = 'isTTY' in stream && Boolean((stream as { isTTY?: boolean }).isTTY);
  const paint = (code: string, text: string) => (tty ? `\u001b[${code}m${text}\u001b[0m` : text);
  const write = (level: Level, message: string) => {
    if (ORDER[level] < min) return;
    const prefix = level === 'error' ? paint('31', 'error: ') : level === 'warn' ? paint('33', 'warning: ') : '';
    stream.write(`${prefix}${message}\n`);
  };
  return {
    debug: (m) => write('debug', m),
    info: (m) => write('info', m),
    warn: (m) => write('warn', m),
    error: (m) => write('error', m),
  };
}
