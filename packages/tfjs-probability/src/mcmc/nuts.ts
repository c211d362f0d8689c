/**
 * The No-U-Turn Sampler (TFP's `tfp.mcmc.NoUTurnSampler`), as Stan runs it:
 * multinomial sampling of the trajectory's points (Betancourt 2017), biased
 * progressive sampling between doublings, the generalized no-U-turn criterion
 * checked across the whole tree and across its merged subtrees, divergence at
 * an energy error above 1000, and a diagonal metric (`invMass`) or a dense one
 * (`invMassChol`, dense_metric.ts).
 *
 * Each chain builds its own tree on the host in float64; every leapfrog asks
 * a shared GradientBatcher for the gradient, so all chains that are still
 * integrating share one batched model evaluation per leapfrog.
 */
import { nextNormal, type Xoshiro128 } from '../math/random.js';
import { GradientBatcher } from './batcher.js';
import { denseKinetic, denseMomentum, denseVelocity } from './dense_metric.js';
import {
  type ChainState,
  type KernelResults,
  type StepContext,
  type TargetLogProbFn,
  InnerKernel,
  emptyResults,
  logAddExp,
  row,
} from './kernel.js';

export interface NoUTurnSamplerArgs {
  targetLogProbFn: TargetLogProbFn;
  /** Initial step size: a number or one per chain. */
  stepSize: number | ArrayLike<number>;
  /** Largest tree depth (2^maxTreeDepth - 1 leapfrogs at most). Default 10, as Stan and TFP. */
  maxTreeDepth?: number;
  /** Energy error that marks a divergence. Default 1000, as Stan and TFP. */
  maxEnergyDiff?: number;
}

interface Point {
  q: Float64Array;
  p: Float64Array;
  logp: number;
  grad: Float64Array;
}

interface Subtree {
  propose: Point;
  pSharpBeg: Float64Array;
  pSharpEnd: Float64Array;
  pBeg: Float64Array;
  pEnd: Float64Array;
  rho: Float64Array;
  logSumWeight: number;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function add(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! + b[i]!;
  return out;
}

function criterion(pSharpMinus: Float64Array, pSharpPlus: Float64Array, rho: Float64Array): boolean {
  return dot(pSharpPlus, rho) > 0 && dot(pSharpMinus, rho) > 0;
}

/** The criterion for rho = a + b, without forming the sum. */
function criterion2(pSharpMinus: Float64Array, pSharpPlus: Float64Array, a: Float64Array, b: Float64Array): boolean {
  return dot(pSharpPlus, a) + dot(pSharpPlus, b) > 0 && dot(pSharpMinus, a) + dot(pSharpMinus, b) > 0;
}

/** One chain's transition (Stan's base_nuts::transition). */
class NutsTransition {
  nLeapfrog = 0;
  sumMetroProb = 0;
  divergent = false;
  depth = 0;
  private cur!: Point;
  private h0 = 0;

  constructor(
    private readonly chain: number,
    private readonly batcher: GradientBatcher,
    private readonly rng: Xoshiro128,
    private readonly eps: number,
    private readonly invM: Float64Array,
    private readonly maxDepth: number,
    private readonly maxDeltaH: number,
    /** This chain's dense inverse-metric factor `[dim * dim]` (dense_metric.ts), or undefined for the diagonal `invM`. */
    private readonly chol?: Float64Array,
  ) {}

  private hamiltonian(z: Point): number {
    let k = 0;
    if (this.chol) k = 2 * denseKinetic(this.chol, 0, z.p.length, z.p);
    else for (let i = 0; i < z.p.length; i++) k += z.p[i]! * z.p[i]! * this.invM[i]!;
    const h = -z.logp + 0.5 * k;
    return Number.isNaN(h) ? Infinity : h;
  }

  private sharp(p: Float64Array): Float64Array {
    if (this.chol) return denseVelocity(this.chol, 0, p.length, p);
    const out = new Float64Array(p.length);
    for (let i = 0; i < p.length; i++) out[i] = p[i]! * this.invM[i]!;
    return out;
  }

  private async leapfrog(z: Point, eps: number): Promise<Point> {
    const d = z.q.length;
    const p = new Float64Array(d);
    const q = new Float64Array(d);
    if (this.chol) {
      for (let i = 0; i < d; i++) p[i] = z.p[i]! + 0.5 * eps * z.grad[i]!;
      const v = denseVelocity(this.chol, 0, d, p);
      for (let i = 0; i < d; i++) q[i] = z.q[i]! + eps * v[i]!;
    } else {
      for (let i = 0; i < d; i++) {
        p[i] = z.p[i]! + 0.5 * eps * z.grad[i]!;
        q[i] = z.q[i]! + eps * this.invM[i]! * p[i]!;
      }
    }
    const ev = await this.batcher.request(this.chain, q);
    const grad = ev.grad; // a fresh array per evaluation, never written to
    for (let i = 0; i < d; i++) p[i] = p[i]! + 0.5 * eps * grad[i]!;
    return { q, p, logp: ev.logp, grad };
  }

  private async buildTree(depth: number, sign: number): Promise<Subtree | null> {
    if (depth === 0) {
      this.cur = await this.leapfrog(this.cur, sign * this.eps);
      this.nLeapfrog++;
      const h = this.hamiltonian(this.cur);
      const dH = this.h0 - h;
      this.sumMetroProb += dH > 0 ? 1 : Math.exp(dH);
      if (-dH > this.maxDeltaH || !(this.cur.logp > -Infinity)) {
        this.divergent = true;
        return null;
      }
      const ps = this.sharp(this.cur.p);
      return { propose: this.cur, pSharpBeg: ps, pSharpEnd: ps, pBeg: this.cur.p, pEnd: this.cur.p, rho: this.cur.p, logSumWeight: dH };
    }
    const init = await this.buildTree(depth - 1, sign);
    if (!init) return null;
    const fin = await this.buildTree(depth - 1, sign);
    if (!fin) return null;
    const lsw = logAddExp(init.logSumWeight, fin.logSumWeight);
    let propose = init.propose;
    if (fin.logSumWeight > lsw || this.rng.nextOpen01() < Math.exp(fin.logSumWeight - lsw)) propose = fin.propose;
    const rho = add(init.rho, fin.rho);
    const persist =
      criterion(init.pSharpBeg, fin.pSharpEnd, rho) &&
      criterion2(init.pSharpBeg, fin.pSharpBeg, init.rho, fin.pBeg) &&
      criterion2(init.pSharpEnd, fin.pSharpEnd, fin.rho, init.pEnd);
    if (!persist) return null;
    return { propose, pSharpBeg: init.pSharpBeg, pSharpEnd: fin.pSharpEnd, pBeg: init.pBeg, pEnd: fin.pEnd, rho, logSumWeight: lsw };
  }

  async run(q: Float64Array, logp: number, grad: Float64Array): Promise<{ sample: Point; energy: number; moved: boolean }> {
    const d = q.length;
    const p0 = new Float64Array(d);
    if (this.chol) denseMomentum(this.chol, 0, d, Array.from({ length: d }, () => nextNormal(this.rng)), p0);
    else for (let i = 0; i < d; i++) p0[i] = nextNormal(this.rng) / Math.sqrt(this.invM[i]!);
    const z0: Point = { q, p: p0, logp, grad };
    this.h0 = this.hamiltonian(z0);
    let zFwd = z0;
    let zBck = z0;
    let sample = z0;
    const ps0 = this.sharp(p0);
    let pFwdFwd: Float64Array = p0, pFwdBck: Float64Array = p0, pBckFwd: Float64Array = p0, pBckBck: Float64Array = p0;
    let sFwdFwd: Float64Array = ps0, sFwdBck: Float64Array = ps0, sBckFwd: Float64Array = ps0, sBckBck: Float64Array = ps0;
    let rho: Float64Array = p0.slice();
    let rhoFwd: Float64Array = rho, rhoBck: Float64Array = rho;
    let lsw = 0;
    while (this.depth < this.maxDepth) {
      let sub: Subtree | null;
      if (this.rng.nextOpen01() > 0.5) {
        this.cur = zFwd;
        rhoBck = rho;
        pBckFwd = pFwdFwd;
        sBckFwd = sFwdFwd;
        sub = await this.buildTree(this.depth, 1);
        zFwd = this.cur;
        if (!sub) break;
        [sFwdBck, sFwdFwd, rhoFwd, pFwdBck, pFwdFwd] = [sub.pSharpBeg, sub.pSharpEnd, sub.rho, sub.pBeg, sub.pEnd];
      } else {
        this.cur = zBck;
        rhoFwd = rho;
        pFwdBck = pBckBck;
        sFwdBck = sBckBck;
        sub = await this.buildTree(this.depth, -1);
        zBck = this.cur;
        if (!sub) break;
        [sBckFwd, sBckBck, rhoBck, pBckFwd, pBckBck] = [sub.pSharpBeg, sub.pSharpEnd, sub.rho, sub.pBeg, sub.pEnd];
      }
      this.depth++;
      if (sub.logSumWeight > lsw || this.rng.nextOpen01() < Math.exp(sub.logSumWeight - lsw)) sample = sub.propose;
      lsw = logAddExp(lsw, sub.logSumWeight);
      rho = add(rhoBck, rhoFwd);
      const persist =
        criterion(sBckBck, sFwdFwd, rho) &&
        criterion2(sBckBck, sFwdBck, rhoBck, pFwdBck) &&
        criterion2(sBckFwd, sFwdFwd, rhoFwd, pBckFwd);
      if (!persist) break;
    }
    return { sample, energy: this.hamiltonian(sample), moved: sample !== z0 };
  }
}

/**
 * The No-U-Turn Sampler (Hoffman & Gelman 2014) in Stan's multinomial form
 * with the generalized no-U-turn criterion (Betancourt 2017).
 *
 * @example
 * ```ts
 * const kernel = new tfp.mcmc.NoUTurnSampler({
 *   targetLogProbFn: (x) => tf.mul(-0.5, tf.sum(tf.square(x), -1)),
 *   stepSize: 0.5,
 * });
 * const { states, trace } = await tfp.mcmc.sampleChain({
 *   numResults: 200, numBurninSteps: 50, currentState: tf.zeros([4, 3]), kernel, seed: 1,
 * });
 * states.shape; // [200, 4, 3]
 * states.dispose(); Object.values(trace).forEach((t) => t.dispose());
 * ```
 */
export class NoUTurnSampler extends InnerKernel {
  readonly className = 'NoUTurnSampler';
  readonly maxTreeDepth: number;
  readonly maxEnergyDiff: number;

  constructor(args: NoUTurnSamplerArgs) {
    super(args.targetLogProbFn, args.stepSize, 'stepSize');
    this.maxTreeDepth = args.maxTreeDepth ?? 10;
    this.maxEnergyDiff = args.maxEnergyDiff ?? 1000;
    if (!Number.isInteger(this.maxTreeDepth) || this.maxTreeDepth < 1) {
      throw new Error(`NoUTurnSampler: maxTreeDepth must be a positive integer; got ${args.maxTreeDepth}`);
    }
  }

  async oneStep(ctx: StepContext, prev: KernelResults): Promise<KernelResults> {
    const c = ctx.target.numChains;
    const d = ctx.target.dim;
    const batcher = new GradientBatcher(ctx.target, prev.state.x);
    const next: ChainState = { x: prev.state.x.slice(), logp: prev.state.logp.slice(), grad: prev.state.grad.slice() };
    const out = emptyResults(next, c, prev.stepSize, prev.invMass);
    const chol = prev.invMassChol;
    if (chol) out.invMassChol = chol;
    await Promise.all(
      Array.from({ length: c }, async (_, ch) => {
        const t = new NutsTransition(ch, batcher, ctx.rngs[ch]!, prev.stepSize[ch]!, row(prev.invMass, ch, d), this.maxTreeDepth, this.maxEnergyDiff, chol?.subarray(ch * d * d, (ch + 1) * d * d));
        try {
          const { sample, energy, moved } = await t.run(row(prev.state.x, ch, d), prev.state.logp[ch]!, row(prev.state.grad, ch, d));
          next.x.set(sample.q, ch * d);
          next.grad.set(sample.grad, ch * d);
          next.logp[ch] = sample.logp;
          out.energy[ch] = energy;
          out.acceptProb[ch] = t.nLeapfrog > 0 ? t.sumMetroProb / t.nLeapfrog : 0;
          out.isAccepted[ch] = moved ? 1 : 0;
          out.divergent[ch] = t.divergent ? 1 : 0;
          out.treeDepth[ch] = t.depth;
          out.numLeapfrogSteps[ch] = t.nLeapfrog;
        } finally {
          batcher.done();
        }
      }),
    );
    return out;
  }
}
