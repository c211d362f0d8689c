/**
 * The sampler's view of a model: a log density over one flat unconstrained
 * vector per chain, evaluated for all chains in one batched call.
 *
 * The user's `targetLogProbFn` takes tensors with a leading chain dimension
 * (`[numChains, ...shape]` per part) and returns `[numChains]`. `FlatTarget`
 * keeps each chain's position as a float64 row on the host, and one
 * `evaluate(x)` runs the whole model once for all chains: one upload of
 * `[numChains, dim]`, a split into parts, the bijectors (constrained =
 * bijector.forward(unconstrained), plus their log-det-Jacobians), the user's
 * density and its gradient, and two downloads (by `await data()`, never a
 * synchronous read). The samplers' arithmetic (leapfrog steps, tree building,
 * Metropolis decisions) runs on the host in float64 between these calls, so the
 * launches per gradient are only those of the model itself.
 */
import * as tf from '@tensorflow/tfjs';
import type { Bijector } from '../bijectors/bijector.js';
import { sizeOf } from '../util.js';
import { InvalidArgumentError } from '../errors.js';

/** One named part of the state: its shape in the constrained space and the bijector R^n -> support. */
export interface PartSpec {
  name: string;
  /** Shape of one chain's value in the constrained space (without the chain dimension). */
  shape: number[];
  /** Maps the unconstrained space onto the part's support; identity when omitted. */
  bijector?: Bijector;
}

interface Layout {
  spec: PartSpec;
  uShape: number[];
  offset: number;
  size: number;
}

/** Values and gradients of the log density for every chain. */
export interface Evaluation {
  /** `[numChains]`; `-Infinity` where the density or its gradient is not finite. */
  logp: Float64Array;
  /** `[numChains * dim]`, row per chain. */
  grad: Float64Array;
}

/** What this module reads of a node of tfjs' gradient tape. */
interface TapeNode {
  saved?: tf.Tensor[];
}

export type PartsLogProbFn = (parts: tf.Tensor[]) => tf.Tensor;

/** A batched log density on flat unconstrained rows (see the module notes). */
export class FlatTarget {
  readonly dim: number;
  readonly numChains: number;
  readonly parts: readonly PartSpec[];
  /** Number of batched gradient evaluations so far (each covers all chains). */
  numEvaluations = 0;
  private readonly layout: Layout[];

  constructor(private readonly fn: PartsLogProbFn, parts: PartSpec[], numChains: number, private readonly owner = 'mcmc') {
    if (!Number.isInteger(numChains) || numChains < 1) {
      throw new Error(`${owner}: numChains must be a positive integer; got ${numChains}`);
    }
    this.numChains = numChains;
    this.parts = parts;
    let offset = 0;
    this.layout = parts.map((spec) => {
      const uShape = spec.bijector ? spec.bijector.inverseEventShape(spec.shape) : [...spec.shape];
      const size = sizeOf(uShape);
      const l = { spec, uShape, offset, size };
      offset += size;
      return l;
    });
    this.dim = offset;
    if (this.dim === 0) throw new Error(`${owner}: the state has no elements (parts ${parts.map((p) => p.name).join(', ')})`);
  }

  /** The constrained parts (each `[rows, ...shape]`) and the log-det-Jacobian `[rows]` for unconstrained rows `u [rows, dim]`. */
  constrain(u: tf.Tensor): { parts: tf.Tensor[]; ldj: tf.Tensor } {
    const rows = u.shape[0]!;
    let ldj: tf.Tensor = tf.zeros([rows]);
    const pieces = this.layout.length === 1 ? [u] : tf.split(u, this.layout.map((l) => l.size), 1);
    const parts = this.layout.map((l, i) => {
      const piece = l.uShape.length === 1 ? pieces[i]! : tf.reshape(pieces[i]!, [rows, ...l.uShape]);
      const b = l.spec.bijector;
      if (!b) return piece;
      ldj = tf.add(ldj, b.forwardLogDetJacobian(piece, l.uShape.length));
      return b.forward(piece);
    });
    return { parts, ldj };
  }

  /** The unconstrained rows `[rows, dim]` of constrained parts (each `[rows, ...shape]`). */
  unconstrain(parts: tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const rows = parts[0]!.shape[0]!;
      const flat = this.layout.map((l, i) => {
        const p = parts[i]!;
        const want = [rows, ...l.spec.shape];
        if (p.shape.length !== want.length || p.shape.some((d, k) => d !== want[k])) {
          throw new Error(`${this.owner}: part ${l.spec.name} must have shape [${want.join(', ')}]; got [${p.shape.join(', ')}]`);
        }
        const u = l.spec.bijector ? l.spec.bijector.inverse(p) : p;
        return tf.reshape(u, [rows, l.size]);
      });
      return flat.length === 1 ? flat[0]! : tf.concat(flat, 1);
    });
  }

  /** Log density (with Jacobian terms) of unconstrained rows; `[rows]`. */
  logProbRows(u: tf.Tensor): tf.Tensor {
    const { parts, ldj } = this.constrain(u);
    const lp = this.fn(parts);
    const rows = u.shape[0]!;
    if (lp.shape.length !== 1 || lp.shape[0] !== rows) {
      throw new Error(`${this.owner}: targetLogProbFn must return one value per chain, shape [${rows}]; got [${lp.shape.join(', ')}]`);
    }
    return tf.add(lp, ldj);
  }

  /**
   * Runs the batched value-and-gradient for `rows` rows of `x`; throws what the model throws.
   *
   * When the model throws during the forward pass, tfjs has already kept the tensors that the ops
   * before the throw saved for their gradients (clones outside every tidy scope), and drops the
   * tape that would have released them: the tape is read while the model runs, and on an error its
   * saved tensors are disposed here, so a throwing model leaks nothing.
   */
  private async valueAndGradRows(x: Float32Array, rows: number): Promise<[Float32Array, Float32Array]> {
    let tape: TapeNode[] | null | undefined;
    let value: tf.Tensor;
    let grad: tf.Tensor;
    try {
      [value, grad] = tf.tidy(() => {
        const xt = tf.tensor2d(x, [rows, this.dim]);
        const r = tf.valueAndGrad((u: tf.Tensor) => {
          tape = (tf.engine() as unknown as { state: { activeTape: TapeNode[] | null } }).state.activeTape;
          return this.logProbRows(u);
        })(xt, tf.ones([rows]));
        return [r.value, r.grad];
      });
    } catch (err) {
      for (const node of tape ?? []) for (const t of node.saved ?? []) t.dispose();
      throw err;
    }
    try {
      const [lv, gv] = await Promise.all([value.data(), grad.data()]);
      return [lv as Float32Array, gv as Float32Array];
    } finally {
      value.dispose();
      grad.dispose();
    }
  }

  /**
   * Values and gradients of rows `[start, start + rows)` of `x32` into `lv`/`gv`. A model that throws an
   * InvalidArgumentError for some rows is re-run on each half of them in turn, so k bad rows among n
   * cost about 2k log2(n) extra runs (not n); a single row that throws gets `-Infinity`. Returns the
   * number of rows that threw.
   */
  private async evaluateBlock(x32: Float32Array, start: number, rows: number, lv: Float32Array, gv: Float32Array): Promise<number> {
    const d = this.dim;
    try {
      const [l, g] = await this.valueAndGradRows(x32.subarray(start * d, (start + rows) * d), rows);
      lv.set(l, start);
      gv.set(g, start * d);
      return 0;
    } catch (err) {
      if (!(err instanceof InvalidArgumentError)) throw err;
      if (rows === 1) return 1;
      const half = rows >> 1;
      return (await this.evaluateBlock(x32, start, half, lv, gv)) + (await this.evaluateBlock(x32, start + half, rows - half, lv, gv));
    }
  }

  /**
   * Log density and gradient at `x` (`[numChains * dim]`, row per chain), all chains in one call.
   *
   * A model that throws an InvalidArgumentError (a Cholesky factorization of a matrix that is not
   * positive definite, say) for some chains' values is re-run on halves of the rows until the rows
   * that throw are found; those rows get `-Infinity`, as Stan rejects a proposal whose density
   * throws. An error on every row is rethrown.
   */
  async evaluate(x: Float64Array): Promise<Evaluation> {
    const c = this.numChains;
    const d = this.dim;
    this.numEvaluations++;
    const lv = new Float32Array(c).fill(-Infinity);
    const gv = new Float32Array(c * d);
    const x32 = Float32Array.from(x);
    try {
      const [l, g] = await this.valueAndGradRows(x32, c);
      lv.set(l);
      gv.set(g);
    } catch (err) {
      if (!(err instanceof InvalidArgumentError) || c === 1) throw err;
      const half = c >> 1;
      const failures = (await this.evaluateBlock(x32, 0, half, lv, gv)) + (await this.evaluateBlock(x32, half, c - half, lv, gv));
      if (failures === c) throw err;
    }
    const logp = new Float64Array(c);
    const g = new Float64Array(c * d);
    for (let i = 0; i < c; i++) {
      let ok = Number.isFinite(lv[i]!);
      for (let j = 0; ok && j < d; j++) ok = Number.isFinite(gv[i * d + j]!);
      logp[i] = ok ? lv[i]! : -Infinity;
      if (ok) for (let j = 0; j < d; j++) g[i * d + j] = gv[i * d + j]!;
    }
    return { logp, grad: g };
  }

  /** Log density only (no gradient), for Metropolis kernels; `-Infinity` where not finite. */
  async evaluateValue(x: Float64Array): Promise<Float64Array> {
    const value = tf.tidy(() => this.logProbRows(tf.tensor2d(Float32Array.from(x), [this.numChains, this.dim])));
    this.numEvaluations++;
    let lv: Float32Array | Int32Array | Uint8Array;
    try {
      lv = await value.data();
    } finally {
      value.dispose();
    }
    return Float64Array.from(lv, (v) => (Number.isFinite(v) ? v : -Infinity));
  }

  /** Constrained tensors `[numDraws, numChains, ...shape]` per part from host rows (`numDraws * numChains` rows of `dim`). */
  toConstrained(rows: Float64Array, numDraws: number): tf.Tensor[] {
    const c = this.numChains;
    return tf.tidy(() => {
      const u = tf.tensor2d(Float32Array.from(rows), [numDraws * c, this.dim]);
      const { parts } = this.constrain(u);
      return parts.map((p, i) => tf.reshape(p, [numDraws, c, ...this.layout[i]!.spec.shape]));
    });
  }
}
