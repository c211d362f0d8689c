/**
 * The no-input baseline that `evaluate` reports beside the model: the marginal distribution
 * of the training targets, fitted at `fit` time and stored with the model. A model whose NLL
 * is not below it has learned nothing from its inputs that a constant prediction would not give.
 *
 * - Continuous targets: a Gaussian with the training mean and covariance (joint over the targets).
 * - Count targets: per column the empirical pmf of the training counts (add-1/2 smoothing over
 *   0..max), mixed 99:1 with a Poisson of the training mean so that unseen counts keep a finite
 *   log probability; columns independent.
 */
export type Baseline =
  | { kind: 'gaussian'; mean: number[]; covariance: number[][] }
  | { kind: 'empirical-counts'; histograms: number[][]; means: number[]; rows: number };

const MAX_COUNT = 100_000;
const TAIL = 0.01;

export function fitBaseline(y: ArrayLike<number>, n: number, d: number, counts: boolean): Baseline | undefined {
  if (n < 2) return undefined;
  if (counts) {
    const histograms: number[][] = [];
    const means: number[] = [];
    for (let j = 0; j < d; j++) {
      let max = 0;
      let sum = 0;
      for (let i = 0; i < n; i++) {
        max = Math.max(max, y[i * d + j]!);
        sum += y[i * d + j]!;
      }
      if (max > MAX_COUNT) return undefined;
      const h = new Array<number>(max + 1).fill(0);
      for (let i = 0; i < n; i++) h[y[i * d + j]!]!++;
      histograms.push(h);
      means.push(sum / n);
    }
    return { kind: 'empirical-counts', histograms, means, rows: n };
  }
  const mean = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += y[i * d + j]! / n;
  const covariance = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) {
      for (let b = 0; b <= a; b++) covariance[a]![b]! += ((y[i * d + a]! - mean[a]!) * (y[i * d + b]! - mean[b]!)) / (n - 1);
    }
  }
  for (let a = 0; a < d; a++) for (let b = a + 1; b < d; b++) covariance[a]![b] = covariance[b]![a]!;
  return { kind: 'gaussian', mean, covariance };
}

function lgamma(x: number): number {
  // Lanczos (g = 7, n = 9), float64; x > 0.
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  x -= 1;
  let a = c[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Lower Cholesky factor of a symmetric positive-definite matrix (float64), with a small ridge if needed. */
function cholesky(m: number[][]): number[][] {
  const d = m.length;
  const scale = Math.max(...m.map((r, i) => Math.abs(r[i]!)), 1e-300);
  for (let ridge = 0; ; ridge = ridge === 0 ? 1e-10 * scale : ridge * 10) {
    const l = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    let ok = true;
    for (let i = 0; i < d && ok; i++) {
      for (let j = 0; j <= i; j++) {
        let s = m[i]![j]! + (i === j ? ridge : 0);
        for (let k = 0; k < j; k++) s -= l[i]![k]! * l[j]![k]!;
        if (i === j) {
          if (!(s > 0)) ok = false;
          else l[i]![i] = Math.sqrt(s);
        } else l[i]![j] = s / l[j]![j]!;
      }
    }
    if (ok) return l;
    if (ridge > scale) throw new Error('baseline covariance is not positive definite');
  }
}

/** Mean negative log likelihood per row of `y` `[n, d]` under the baseline. */
export function baselineNll(b: Baseline, y: ArrayLike<number>, n: number, d: number): number {
  let total = 0;
  if (b.kind === 'gaussian') {
    const l = cholesky(b.covariance);
    let logDet = 0;
    for (let i = 0; i < d; i++) logDet += Math.log(l[i]![i]!);
    const z = new Array<number>(d);
    for (let r = 0; r < n; r++) {
      let q = 0;
      for (let i = 0; i < d; i++) {
        let s = y[r * d + i]! - b.mean[i]!;
        for (let k = 0; k < i; k++) s -= l[i]![k]! * z[k]!;
        z[i] = s / l[i]![i]!;
        q += z[i]! * z[i]!;
      }
      total += 0.5 * q + logDet + 0.5 * d * Math.log(2 * Math.PI);
    }
    return total / n;
  }
  for (let j = 0; j < d; j++) {
    const h = b.histograms[j]!;
    const denom = b.rows + 0.5 * h.length;
    const mu = Math.max(b.means[j]!, 1e-12);
    for (let r = 0; r < n; r++) {
      const k = y[r * d + j]!;
      const emp = k < h.length ? (h[k]! + 0.5) / denom : 0;
      const pois = Math.exp(k * Math.log(mu) - mu - lgamma(k + 1));
      total -= Math.log((1 - TAIL) * emp + TAIL * pois);
    }
  }
  return total / n;
}

/** One line for `evaluate`'s text report. */
export function baselineLine(modelNll: number, base: number, kind: Baseline['kind']): string {
  const what = kind === 'gaussian' ? "Gaussian with the training targets' mean and covariance" : "training targets' empirical distribution";
  const diff = modelNll - base;
  const verdict = diff < 0 ? `the model is better by ${(-diff).toFixed(4)}` : `the model is WORSE by ${diff.toFixed(4)}: it does no better than ignoring the inputs`;
  return `  baseline NLL, no inputs (${what})  ${base.toFixed(4)}  (${verdict})`;
}

/**
 * The note `fit` prints for a count head whose targets have no zeros: poisson, negbin and zinb
 * put probability on 0, which such data never show.
 */
export function noZerosNote(y: ArrayLike<number>, n: number, columns: string[], head: string): string | null {
  const d = columns.length;
  const cols: string[] = [];
  for (let j = 0; j < d; j++) {
    let min = Infinity;
    for (let i = 0; i < n; i++) min = Math.min(min, y[i * d + j]!);
    if (min > 0) cols.push(`"${columns[j]}" (smallest ${min})`);
  }
  if (cols.length === 0) return null;
  return (
    `note: the targets have no zeros: ${cols.join(', ')}. The ${head} head puts probability on 0; ` +
    'for counts that start at 1 fit the shifted target y - 1 (a shifted model) or use a zero-truncated model, ' +
    "and compare with evaluate's no-input baseline"
  );
}
