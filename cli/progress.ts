import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, total: number, label?: string): void;
  stop(): void;
}

/**
 * A bar on a terminal; plain lines (at most one every two seconds, and at the end) when stderr is
 * a pipe or a log file, so CI logs stay readable. A total of 0 is unknown (a batch read from
 * stdin): the count alone is shown.
 */
export function createProgress(title: string, options: { enabled?: boolean; unit?: 'bytes' | 'items' } = {}): Progress {
  if (options.enabled === false) return { update() {}, stop() {} };
  const unit = options.unit ?? 'items';
  const fmt = (n: number) => (unit === 'bytes' ? `${(n / 1048576).toFixed(1)} MB` : n.toLocaleString('en-US'));
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${title} [{bar}] {percentage}% | {doneText}/{totalText} | {label}`,
        stream: process.stderr,
        hideCursor: true,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(done, total, label = '') {
        const payload = { doneText: fmt(done), totalText: total ? fmt(total) : '?', label };
        if (!started) {
          bar.start(Math.max(total, done, 1), done, payload);
          started = true;
        } else {
          bar.setTotal(Math.max(total, done, 1));
          bar.update(done, payload);
        }
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let last = 0;
  let lastLine = '';
  return {
    update(done, total, label = '') {
      const now = Date.now();
      lastLine = `${title}: ${fmt(done)}${total ? `/${fmt(total)} (${Math.floor((done / total) * 100)}%)` : ''}${label ? ` ${label}` : ''}`;
      if (now - last >= 2000) {
        last = now;
        process.stderr.write(`${lastLine}\n`);
        lastLine = '';
      }
    },
    stop() {
      if (lastLine) process.stderr.write(`${lastLine}\n`);
    },
  };
}
