/**
 * A bounded least-recently-used map (a Map keeps insertion order: a hit is moved to the end, the
 * first key is the oldest). Calls for a key already in flight share one computation; failures
 * are never stored.
 */
/** A computation in flight: its callers still waiting, and how to stop it when none is left. */
interface InFlight<V> {
  promise: Promise<V>;
  abort: AbortController;
  waiting: number;
}

export class LruCache<V> {
  private readonly items = new Map<string, V>();
  private readonly inFlight = new Map<string, InFlight<V>>();
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

  /**
   * The cached value, the promise already computing it, or a new computation (stored on success).
   * A caller with a `signal` leaves at once when it aborts (rejected with the signal's reason);
   * the shared computation goes on for the callers still waiting, and its own signal (given to
   * `compute`) aborts only when none is left: one caller giving up must not cancel the others'
   * work, and work nobody waits for must not hold the model. A caller without a signal never
   * leaves. Sharing rather than "a call with a signal runs alone": the proxy and the service
   * always pass one, and identical requests in flight would each run the model again.
   */
  getOrCompute(
    key: string,
    compute: (signal: AbortSignal) => Promise<V>,
    store: (v: V) => boolean = () => true,
    signal?: AbortSignal,
  ): Promise<V> | V {
    const hit = this.get(key);
    if (hit !== undefined) {
      this.hits++;
      return hit;
    }
    let entry = this.inFlight.get(key);
    if (entry) this.hits++;
    else {
      this.misses++;
      entry = this.start(key, compute, store);
    }
    return this.join(key, entry, signal);
  }

  private start(key: string, compute: (signal: AbortSignal) => Promise<V>, store: (v: V) => boolean): InFlight<V> {
    const abort = new AbortController();
    const done = (e: InFlight<V>) => {
      if (this.inFlight.get(key) === e) this.inFlight.delete(key);
    };
    const entry: InFlight<V> = { abort, waiting: 0, promise: Promise.resolve() as Promise<V> };
    entry.promise = compute(abort.signal).then(
      (v) => {
        done(entry);
        // Abandoned by every caller: not stored, whatever came out.
        if (!abort.signal.aborted && store(v)) this.set(key, v);
        return v;
      },
      (error: unknown) => {
        done(entry);
        throw error;
      },
    );
    // Every caller may have left: nobody else awaits it.
    entry.promise.catch(() => undefined);
    this.inFlight.set(key, entry);
    return entry;
  }

  private join(key: string, entry: InFlight<V>, signal: AbortSignal | undefined): Promise<V> {
    entry.waiting++;
    if (!signal) return entry.promise;
    return new Promise<V>((resolve, reject) => {
      const leave = () => {
        reject(signal.reason);
        if (--entry.waiting > 0) return;
        // The next identical call starts afresh instead of joining a run that is stopping.
        if (this.inFlight.get(key) === entry) this.inFlight.delete(key);
        entry.abort.abort(signal.reason);
      };
      if (signal.aborted) {
        leave();
        return;
      }
      signal.addEventListener('abort', leave, { once: true });
      entry.promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', leave));
    });
  }

  clear(): void {
    this.items.clear();
    this.bytes = 0;
  }
}
