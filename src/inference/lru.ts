/**
 * A bounded least-recently-used map (a Map keeps insertion order: a hit is moved to the end, the
 * first key is the oldest). Calls for a key already in flight share one promise; failures are
 * never stored.
 */
export class LruCache<V> {
  private readonly items = new Map<string, V>();
  private readonly inFlight = new Map<string, Promise<V>>();
  hits = 0;
  misses = 0;

  private bytes = 0;

  /** At most `capacity` entries and, with `sizeOf`, at most `maxBytes` in all. */
  constructor(
    private readonly capacity: number,
    private readonly maxBytes = Number.POSITIVE_INFINITY,
    private readonly sizeOf: (v: V) => number = () => 0,
  ) {}

  get size(): number {
    return this.items.size;
  }

  get(key: string): V | undefined {
    const v = this.items.get(key);
    if (v === undefined) return undefined;
    this.items.delete(key);
    this.items.set(key, v);
    return v;
  }

  set(key: string, value: V): void {
    const size = this.sizeOf(value);
    if (this.capacity <= 0 || size > this.maxBytes) return;
    this.remove(key);
    this.items.set(key, value);
    this.bytes += size;
    while (this.items.size > this.capacity || this.bytes > this.maxBytes)
      this.remove(this.items.keys().next().value as string);
  }

  private remove(key: string): void {
    const v = this.items.get(key);
    if (v === undefined) return;
    this.items.delete(key);
    this.bytes -= this.sizeOf(v);
  }

  /** The cached value, the promise already computing it, or a new computation (stored on success). */
  getOrCompute(key: string, compute: () => Promise<V>, store: (v: V) => boolean = () => true): Promise<V> | V {
    const hit = this.get(key);
    if (hit !== undefined) {
      this.hits++;
      return hit;
    }
    const pending = this.inFlight.get(key);
    if (pending) {
      this.hits++;
      return pending;
    }
    this.misses++;
    const p = compute().then(
      (v) => {
        this.inFlight.delete(key);
        if (store(v)) this.set(key, v);
        return v;
      },
      (error: unknown) => {
        this.inFlight.delete(key);
        throw error;
      },
    );
    this.inFlight.set(key, p);
    return p;
  }

  clear(): void {
    this.items.clear();
    this.bytes = 0;
  }
}
