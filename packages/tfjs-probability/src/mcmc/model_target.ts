/**
 * The model side shared by the one-call samplers (`windowedAdaptiveNuts`, `windowedAdaptiveHmc`):
 * a log density over named parts with bijectors, or a joint distribution with observed values,
 * turned into a batched `FlatTarget`; Stan's random initialization; and the draws mapped back
 * to constrained tensors by part name.
 */
import * as tf from '@tensorflow/tfjs';
import type { Bijector } from '../bijectors/bijector.js';
import type { JointDistribution } from '../distributions/joint_distribution.js';
import { InvalidArgumentError } from '../errors.js';
import { Xoshiro128 } from '../math/random.js';
import type { TensorLike } from '../util.js';
import { jointDistributionTarget } from './joint_target.js';
import { FlatTarget, type PartSpec } from './target.js';

/** One named part: its shape (constrained space, without the chain dimension) and its bijector R^n -> support. */
export interface PartDeclaration {
  shape: number[];
  bijector?: Bijector;
}

/** How a model is given to the one-call samplers. */
export interface ModelArgs {
  /** Log density over named parts (each `[numChains, ...shape]`) in the constrained space -> `[numChains]`. */
  targetLogProbFn?: (parts: Record<string, tf.Tensor>) => tf.Tensor;
  parts?: Record<string, PartDeclaration>;
  /** Or a joint distribution with observed values (parts and bijectors come from the distribution). */
  jointDistribution?: JointDistribution;
  /** Observed values by part name (a list for JointDistributionSequential, `undefined` for free parts). */
  observed?: Record<string, TensorLike> | TensorLike[];
  /** Initial values uniform in (-initRange, initRange) on the unconstrained scale; default 2 (Stan's). */
  initRange?: number;
  /** Initial constrained values per part (`[numChains, ...shape]`); overrides the random initialization. */
  initialState?: Record<string, tf.Tensor>;
}

export interface PreparedModel {
  target: FlatTarget;
  /** The partsFn the kernels take (parts in declaration order). */
  partsFn: (...ts: tf.Tensor[]) => tf.Tensor;
  /** Initial unconstrained rows `[numChains * dim]`. */
  x0: Float64Array;
  /** Constrained states by part name `[numDraws, numChains, ...shape]` from unconstrained rows. */
  states: (rows: Float64Array, numDraws: number) => Record<string, tf.Tensor>;
  /** Releases what the model's preparation allocated (not the states handed out). */
  release: () => void;
}

/** Random initial rows in (-r, r), redrawn (up to 100 times, as Stan) for chains whose density is not finite. */
async function initialRows(target: FlatTarget, seed: number, r: number, owner: string): Promise<Float64Array> {
  const c = target.numChains;
  const d = target.dim;
  const rng = new Xoshiro128(seed ^ 0x5bd1e995);
  const x = new Float64Array(c * d);
  let redo = Array.from({ length: c }, (_, i) => i);
  let lastError = '';
  for (let attempt = 0; attempt < 100 && redo.length > 0; attempt++) {
    for (const ch of redo) for (let j = ch * d; j < (ch + 1) * d; j++) x[j] = (2 * rng.nextOpen01() - 1) * r;
    try {
      const ev = await target.evaluate(x);
      redo = redo.filter((ch) => !(ev.logp[ch]! > -Infinity));
    } catch (err) {
      // The model rejected every chain's value (Stan retries such initializations too).
      if (!(err instanceof InvalidArgumentError)) throw err;
      lastError = ` (last error: ${err.message})`;
    }
  }
  if (redo.length > 0) {
    throw new Error(`${owner}: no finite log density (and gradient) found in 100 random initializations in (-${r}, ${r}) for chain ${redo[0]}; check the model or give initialState${lastError}`);
  }
  return x;
}

/** Checks the model arguments, builds the batched target and the initial rows. */
export async function prepareModel(args: ModelArgs, numChains: number, seed: number, owner: string): Promise<PreparedModel> {
  const initRange = args.initRange ?? 2;
  if (!(initRange > 0)) throw new Error(`${owner}: initRange must be positive; got ${args.initRange}`);
  let fn: (parts: Record<string, tf.Tensor>) => tf.Tensor;
  let decl: Record<string, PartDeclaration>;
  let release = (): void => {};
  let constrain: ((u: Record<string, tf.Tensor>) => Record<string, tf.Tensor>) | undefined;
  if (args.jointDistribution) {
    if (args.targetLogProbFn || args.parts) throw new Error(`${owner}: give either jointDistribution (with observed) or targetLogProbFn with parts, not both`);
    const jt = jointDistributionTarget(args.jointDistribution, args.observed ?? {}, owner);
    fn = jt.logProbFn;
    decl = jt.parts;
    release = jt.dispose;
    constrain = jt.constrain;
  } else {
    if (!args.targetLogProbFn || !args.parts) throw new Error(`${owner}: targetLogProbFn and parts are required (or jointDistribution with observed)`);
    fn = args.targetLogProbFn;
    decl = args.parts;
  }
  try {
    const names = Object.keys(decl);
    if (names.length === 0) throw new Error(`${owner}: parts must name at least one part`);
    const specs: PartSpec[] = names.map((name) => {
      const p = decl[name]!;
      if (!p || !Array.isArray(p.shape)) throw new Error(`${owner}: parts.${name} must be {shape: number[], bijector?}; got ${JSON.stringify(p)}`);
      return { name, shape: p.shape, ...(p.bijector ? { bijector: p.bijector } : {}) };
    });
    const partsFn = (...ts: tf.Tensor[]): tf.Tensor => fn(Object.fromEntries(names.map((n, i) => [n, ts[i]!])));
    const target = new FlatTarget((ts) => partsFn(...ts), specs, numChains, owner);
    let x0: Float64Array;
    if (args.initialState) {
      const u = target.unconstrain(names.map((n) => {
        const t = args.initialState![n];
        if (!t) throw new Error(`${owner}: initialState lacks part ${n}`);
        return t;
      }));
      try {
        x0 = Float64Array.from(await u.data());
      } finally {
        u.dispose();
      }
    } else {
      x0 = await initialRows(target, seed, initRange, owner);
    }
    const states = (rows: Float64Array, numDraws: number): Record<string, tf.Tensor> => {
      const parts = target.toConstrained(rows, numDraws);
      const byName: Record<string, tf.Tensor> = Object.fromEntries(names.map((n, i) => [n, parts[i]!]));
      if (!constrain) return byName;
      try {
        return constrain(byName);
      } finally {
        tf.dispose(Object.values(byName));
      }
    };
    return { target, partsFn, x0, states, release };
  } catch (e) {
    release();
    throw e;
  }
}

/** `[numDraws, numChains]` tensors from host traces (`numDraws * numChains` values each). */
export function traceTensors(trace: Record<string, ArrayLike<number>>, numDraws: number, numChains: number): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const [k, v] of Object.entries(trace)) out[k] = tf.tensor2d(Float32Array.from(v), [numDraws, numChains]);
  return out;
}
