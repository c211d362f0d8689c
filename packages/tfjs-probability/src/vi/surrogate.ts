/**
 * Trainable surrogate posteriors for variational inference (TFP's
 * `tfp.experimental.vi.build_*_surrogate_posterior`): a distribution over the flat
 * unconstrained space of a target (mean-field normal, full-rank normal or an inverse
 * autoregressive flow), pushed onto the target's parts through their event-space bijectors.
 */
import * as tf from '@tensorflow/tfjs';
import { AutoregressiveNetwork } from '../bijectors/autoregressive_network.js';
import { Invert } from '../bijectors/invert.js';
import { MaskedAutoregressiveFlow } from '../bijectors/masked_autoregressive_flow.js';
import type { JointValues } from '../distributions/joint_distribution.js';
import { InvalidArgumentError } from '../errors.js';
import { triangularSolve } from '../math/linalg.js';
import { randomNormal, randomUniform } from '../math/random.js';
import { softplusInverse } from '../math/special.js';
import { checkSeed, describeValue, splitSeed } from '../util.js';
import { UnconstrainedSpace, type SurrogateTarget } from './space.js';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** A trainable distribution over flat `[n, D]` vectors. */
interface FlatFamily {
  /** Reparameterized draws `[n, D]` and their log density `[n]`. */
  sampleAndLogProb(n: number, seed: number | undefined): [tf.Tensor, tf.Tensor];
  logProb(z: tf.Tensor): tf.Tensor;
  variables: tf.Variable[];
  dispose(): void;
}

/** Σ log N(eps; 0, 1) over the last axis. */
const stdNormalLogProb = (eps: tf.Tensor): tf.Tensor => tf.sum(tf.sub(tf.mul(-0.5, tf.square(eps)), HALF_LOG_2PI), -1);

/**
 * A surrogate posterior: reparameterized draws of the target's parts, their log density, and
 * the variables `fitSurrogatePosterior` trains. The caller disposes it.
 */
export class SurrogatePosterior {
  readonly className: string;
  /** The variables that define the surrogate (trained by fitSurrogatePosterior). */
  readonly trainableVariables: tf.Variable[];

  constructor(className: string, private readonly space: UnconstrainedSpace, private readonly family: FlatFamily) {
    this.className = className;
    this.trainableVariables = family.variables;
  }

  /** `[n]` draws of every part (structure of the target) and their log density `[n]`, in one pass. */
  sampleAndLogProb(n: number, options: { seed?: number } = {}): [JointValues, tf.Tensor] {
    const seed = this.checkN(n, options, 'sampleAndLogProb');
    return tf.tidy(() => {
      const [z, lq] = this.family.sampleAndLogProb(n, seed);
      const { values, ldj } = this.space.forward(z);
      return [values, tf.sub(lq, ldj)] as [JointValues, tf.Tensor];
    }) as [JointValues, tf.Tensor];
  }

  /** `[n]` draws of every part, shapes `[n, ...eventShape]`. */
  sample(n: number, options: { seed?: number } = {}): JointValues {
    const seed = this.checkN(n, options, 'sample');
    return tf.tidy(() => this.space.forward(this.family.sampleAndLogProb(n, seed)[0]).values) as JointValues;
  }

  /** Log density of values with one leading sample dim `[n, ...]` per part: shape `[n]`. */
  logProb(values: unknown): tf.Tensor {
    return tf.tidy(() => {
      const { flat, ildj } = this.space.inverse(values, `${this.className}.logProb`);
      return tf.add(this.family.logProb(flat), ildj);
    });
  }

  /** Releases the variables. */
  dispose(): void {
    this.family.dispose();
    this.space.dispose();
  }

  private checkN(n: number, options: { seed?: number }, method: string): number | undefined {
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${this.className}.${method}: n must be a positive integer; got ${describeValue(n)}`);
    return checkSeed(options?.seed, `${this.className}.${method}`);
  }
}

/** Options of every surrogate builder. */
export interface SurrogateOptions {
  /** Integer seed of the initial values: the same seed, the same surrogate. */
  seed?: number;
  /** Initial standard deviation in unconstrained space. Default 0.01 (TFP's). */
  initialScale?: number;
  /** Initial location in unconstrained space; default uniform on (-2, 2) (TFP's). */
  initialLoc?: number[];
}

/** A variable holding `t`'s values; `t` itself is released. */
function variableOf(t: tf.Tensor): tf.Variable {
  const v = tf.variable(t);
  t.dispose();
  return v;
}

/** A variable of `d` entries `softplus⁻¹(scale)`. */
function rhoOf(d: number, scale: number): tf.Variable {
  return variableOf(tf.tidy(() => tf.mul(tf.ones([d]), softplusInverse(tf.scalar(scale)))));
}

function initialLoc(space: UnconstrainedSpace, o: SurrogateOptions, seed: number | undefined, owner: string): tf.Variable {
  if (o.initialLoc !== undefined) {
    if (!Array.isArray(o.initialLoc) || o.initialLoc.length !== space.dim || !o.initialLoc.every(Number.isFinite)) {
      throw new InvalidArgumentError(`${owner}: initialLoc must be ${space.dim} finite numbers (the unconstrained size); got ${describeValue(o.initialLoc)}`);
    }
    return variableOf(tf.tensor1d(o.initialLoc));
  }
  return variableOf(tf.tidy(() => tf.sub(tf.mul(randomUniform([space.dim], seed), 4), 2)));
}

function initialScaleOf(o: SurrogateOptions, owner: string, fallback = 0.01): number {
  const s = o.initialScale ?? fallback;
  if (!(s > 0 && s < Infinity)) throw new InvalidArgumentError(`${owner}: initialScale must be positive and finite; got ${describeValue(s)}`);
  return s;
}

/**
 * A mean-field normal surrogate (TFP's `build_factored_surrogate_posterior`): independent
 * normals in unconstrained space, `z = loc + softplus(ρ) ε`, pushed through the target's
 * event-space bijectors.
 *
 * @example
 * ```ts
 * const model = new tfd.JointDistributionNamed({
 *   mu: new tfd.Normal({ loc: 0, scale: 1 }),
 *   y: ({ mu }) => new tfd.Normal({ loc: mu, scale: 1 }),
 * });
 * const q = tfp.vi.buildFactoredSurrogatePosterior(model.pin({ y: 1 }), { seed: 1 });
 * q.sample(5, { seed: 2 });   // { mu: [5] }
 * ```
 */
export function buildFactoredSurrogatePosterior(target: SurrogateTarget, options: SurrogateOptions = {}): SurrogatePosterior {
  const owner = 'buildFactoredSurrogatePosterior';
  const seed = checkSeed(options?.seed, owner);
  const space = new UnconstrainedSpace(owner, target);
  const loc = initialLoc(space, options, seed, owner);
  const rho = rhoOf(space.dim, initialScaleOf(options, owner));
  return new SurrogatePosterior('FactoredSurrogatePosterior', space, {
    variables: [loc, rho],
    sampleAndLogProb: (n, s) => {
      const eps = randomNormal([n, space.dim], s);
      const scale = tf.softplus(rho);
      return [tf.add(loc, tf.mul(scale, eps)), tf.sub(stdNormalLogProb(eps), tf.sum(tf.log(scale)))];
    },
    logProb: (z) => {
      const scale = tf.softplus(rho);
      return tf.sub(stdNormalLogProb(tf.div(tf.sub(z, loc), scale)), tf.sum(tf.log(scale)));
    },
    dispose: () => tf.dispose([loc, rho]),
  });
}

/**
 * A full-rank normal surrogate (TFP's `build_affine_surrogate_posterior` with a lower-
 * triangular scale): `z = loc + L ε` with `L` lower triangular, positive diagonal `softplus(ρ)`,
 * so correlations between parameters are captured; pushed through the event-space bijectors.
 */
export function buildAffineSurrogatePosterior(target: SurrogateTarget, options: SurrogateOptions = {}): SurrogatePosterior {
  const owner = 'buildAffineSurrogatePosterior';
  const seed = checkSeed(options?.seed, owner);
  const space = new UnconstrainedSpace(owner, target);
  const d = space.dim;
  const loc = initialLoc(space, options, seed, owner);
  const rho = rhoOf(d, initialScaleOf(options, owner));
  const lower = variableOf(tf.zeros([d, d]));
  const mask = tf.tidy(() => tf.sub(tf.linalg.bandPart(tf.ones([d, d]), -1, 0), tf.eye(d)));
  const scaleTril = (): [tf.Tensor, tf.Tensor] => {
    const diag = tf.softplus(rho);
    return [tf.add(tf.mul(lower, mask), tf.mul(tf.eye(d), diag)), diag];
  };
  return new SurrogatePosterior('AffineSurrogatePosterior', space, {
    variables: [loc, rho, lower],
    sampleAndLogProb: (n, s) => {
      const eps = randomNormal([n, d], s);
      const [l, diag] = scaleTril();
      return [tf.add(loc, tf.matMul(eps, l, false, true)), tf.sub(stdNormalLogProb(eps), tf.sum(tf.log(diag)))];
    },
    logProb: (z) => {
      const [l, diag] = scaleTril();
      const eps = tf.transpose(triangularSolve(l, tf.transpose(tf.sub(z, loc))));
      return tf.sub(stdNormalLogProb(eps), tf.sum(tf.log(diag)));
    },
    dispose: () => tf.dispose([loc, rho, lower, mask]),
  });
}

/** Options of the flow surrogate. */
export interface FlowSurrogateOptions extends SurrogateOptions {
  /** Number of inverse autoregressive layers. Default 2. */
  numFlows?: number;
  /** Hidden units of each layer's autoregressive network. Default `[32, 32]`. */
  hiddenUnits?: number[];
}

/**
 * A normalizing-flow surrogate: inverse autoregressive flows (each an inverted
 * `MaskedAutoregressiveFlow` on a `tfb.AutoregressiveNetwork`, alternating orders, starting at
 * the identity) on standard normals, then a diagonal affine map as in the mean-field surrogate:
 * non-Gaussian, correlated posteriors (funnels, bananas) in unconstrained space. Sampling with its
 * log density is one network pass per layer; `logProb` of given values takes D passes. The
 * initial scale defaults to 1 (not 0.01): from a nearly collapsed start the layers get no
 * useful gradient.
 */
export function buildFlowSurrogatePosterior(target: SurrogateTarget, options: FlowSurrogateOptions = {}): SurrogatePosterior {
  const owner = 'buildFlowSurrogatePosterior';
  const seed = checkSeed(options?.seed, owner);
  const numFlows = options.numFlows ?? 2;
  if (!Number.isInteger(numFlows) || numFlows < 1) throw new InvalidArgumentError(`${owner}: numFlows must be a positive integer; got ${describeValue(numFlows)}`);
  const space = new UnconstrainedSpace(owner, target);
  const d = space.dim;
  if (d < 2) throw new InvalidArgumentError(`${owner}: a flow needs at least 2 unconstrained dimensions; got ${d} (use buildFactoredSurrogatePosterior)`);
  const seeds = splitSeed(seed, numFlows + 1);
  const loc = initialLoc(space, options, seeds[numFlows], owner);
  const rho = rhoOf(d, initialScaleOf(options, owner, 1));
  const nets = Array.from({ length: numFlows }, (_, i) => new AutoregressiveNetwork({
    params: 2,
    eventShape: [d],
    hiddenUnits: options.hiddenUnits ?? [32, 32],
    activation: 'relu',
    inputOrder: i % 2 === 0 ? 'left-to-right' : 'right-to-left',
    outputKernelInitializer: 'zeros',
    ...(seeds[i] === undefined ? {} : { seed: seeds[i]! }),
  }));
  const iafs = nets.map((made) => new Invert({ bijector: new MaskedAutoregressiveFlow({ shiftAndLogScaleFn: made }) }));
  const variables = [loc, rho, ...nets.flatMap((m) => m.trainableWeights.map((w) => w.read() as tf.Variable))];
  return new SurrogatePosterior('FlowSurrogatePosterior', space, {
    variables,
    sampleAndLogProb: (n, s) => {
      let z = randomNormal([n, d], s);
      let lq = stdNormalLogProb(z);
      for (const b of iafs) {
        lq = tf.sub(lq, b.forwardLogDetJacobian(z, 1));
        z = b.forward(z);
      }
      const scale = tf.softplus(rho);
      return [tf.add(loc, tf.mul(scale, z)), tf.sub(lq, tf.sum(tf.log(scale)))];
    },
    logProb: (y) => {
      const scale = tf.softplus(rho);
      let z = tf.div(tf.sub(y, loc), scale);
      let ldj = tf.neg(tf.sum(tf.log(scale)));
      for (const b of [...iafs].reverse()) {
        const x = b.inverse(z);
        ldj = tf.sub(ldj, b.forwardLogDetJacobian(x, 1));
        z = x;
      }
      return tf.add(stdNormalLogProb(z), ldj);
    },
    dispose: () => {
      tf.dispose([loc, rho]);
      iafs.forEach((b) => b.dispose());
      nets.forEach((m) => m.dispose());
    },
  });
}
