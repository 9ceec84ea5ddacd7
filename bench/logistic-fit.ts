/**
 * The fitting parts the bench's small models share (bench/turn-value-fit.ts, bench/query-rank-fit.ts):
 * standardised features, Newton's method for an L2-regularised logistic regression, and a linear
 * solver for its steps. Weights come back on the raw features, so a model applies them directly.
 */

export interface Scale {
  mean: Float64Array;
  /** Standard deviation per feature (1 where a feature is constant). */
  sd: Float64Array;
}

export function standardise(xs: readonly Float64Array[]): Scale {
  const d = xs[0]?.length ?? 0;
  const mean = new Float64Array(d);
  const sd = new Float64Array(d);
  for (const x of xs) for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) + (x[j] as number) / xs.length;
  for (const x of xs)
    for (let j = 0; j < d; j++) sd[j] = (sd[j] as number) + ((x[j] as number) - (mean[j] as number)) ** 2 / xs.length;
  for (let j = 0; j < d; j++) sd[j] = Math.sqrt(sd[j] as number) || 1;
  return { mean, sd };
}

/** Weights fitted on standardised features, back on the raw ones (the bias absorbs the means). */
export function unscale(scale: Scale, bias: number, w: readonly number[]): { bias: number; weights: number[] } {
  const weights = w.map((v, j) => v / (scale.sd[j] as number));
  return { bias: bias - weights.reduce((s, v, j) => s + v * (scale.mean[j] as number), 0), weights };
}

/** Logistic regression, standardised features, L2 `lambda` (not on the bias), Newton's method. */
export function fitLogistic(
  xs: readonly Float64Array[],
  ys: readonly number[],
  lambda: number,
): { bias: number; weights: number[] } {
  const scale = standardise(xs);
  const d = scale.mean.length;
  const z = xs.map((x) =>
    Float64Array.from([1, ...Array.from(x, (v, j) => (v - (scale.mean[j] as number)) / (scale.sd[j] as number))]),
  );
  const w = new Array<number>(d + 1).fill(0);
  for (let iter = 0; iter < 30; iter++) {
    const g = w.map((wi, j) => (j ? lambda * wi : 0));
    const h = w.map((_, a) => w.map((__, b) => (a === b && a ? lambda : 0)));
    z.forEach((zn, n) => {
      let s = 0;
      for (let j = 0; j <= d; j++) s += (zn[j] as number) * (w[j] as number);
      const p = 1 / (1 + Math.exp(-s));
      const q = p * (1 - p);
      for (let a = 0; a <= d; a++) {
        const za = zn[a] as number;
        g[a] = (g[a] as number) + (p - (ys[n] as number)) * za;
        const row = h[a] as number[];
        for (let b = a; b <= d; b++) row[b] = (row[b] as number) + q * za * (zn[b] as number);
      }
    });
    for (let a = 0; a <= d; a++) for (let b = 0; b < a; b++) (h[a] as number[])[b] = (h[b] as number[])[a] as number;
    const step = solve(h, g);
    step.forEach((s, j) => {
      w[j] = (w[j] as number) - s;
    });
    if (Math.max(...step.map(Math.abs)) < 1e-8) break;
  }
  return unscale(scale, w[0] as number, w.slice(1));
}

/** Gaussian elimination with partial pivoting: h x = g. */
export function solve(h: number[][], g: number[]): number[] {
  const n = g.length;
  const a = h.map((row, i) => [...row, g[i] as number]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++)
      if (Math.abs((a[r] as number[])[c] as number) > Math.abs((a[p] as number[])[c] as number)) p = r;
    [a[c], a[p]] = [a[p] as number[], a[c] as number[]];
    const pr = a[c] as number[];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const row = a[r] as number[];
      const f = (row[c] as number) / (pr[c] as number);
      for (let k = c; k <= n; k++) row[k] = (row[k] as number) - f * (pr[k] as number);
    }
  }
  return a.map((row, i) => (row[n] as number) / (row[i] as number));
}
