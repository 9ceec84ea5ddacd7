/** Shared by the service and the proxy: bounded body reads, error bodies, percentiles. */

export type BodyRead = { ok: true; bytes: Buffer } | { ok: false; status: 400 | 413; message: string };

/**
 * The whole body, or 413 as soon as it passes `limit` bytes (by its Content-Length, else while it
 * streams in): a body is refused, never truncated.
 */
export async function readBody(req: Request, limit: number): Promise<BodyRead> {
  const declared = Number(req.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit)
    return { ok: false, status: 413, message: `the body is ${declared} bytes, over the limit of ${limit}` };
  if (!req.body) return { ok: true, bytes: Buffer.alloc(0) };
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => undefined);
        return { ok: false, status: 413, message: `the body is over the limit of ${limit} bytes` };
      }
      chunks.push(value);
    }
  } catch (error) {
    return { ok: false, status: 400, message: `the body could not be read: ${String(error)}` };
  }
  return { ok: true, bytes: Buffer.concat(chunks) };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** The text, or undefined when the bytes are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

export function errorJson(name: string, message: string, retryable = false) {
  return { error: { name, message, retryable } };
}

/** A fixed window of the latest values, for p50/p95 without keeping every sample. */
export class Window {
  private readonly values: Float64Array;
  private next = 0;
  private filled = 0;
  constructor(size: number) {
    this.values = new Float64Array(size);
  }
  add(v: number): void {
    this.values[this.next] = v;
    this.next = (this.next + 1) % this.values.length;
    if (this.filled < this.values.length) this.filled++;
  }
  percentile(p: number): number | null {
    if (!this.filled) return null;
    const sorted = Array.from(this.values.subarray(0, this.filled)).sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
  }
  get count(): number {
    return this.filled;
  }
}

export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}
