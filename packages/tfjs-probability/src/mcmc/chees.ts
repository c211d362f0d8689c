/**
 * Ensemble HMC for many chains in lockstep, and ChEES trajectory-length
 * adaptation (Hoffman, Radul & Sountsov 2021, "An Adaptive MCMC Scheme for
 * Setting Trajectory Lengths in Hamiltonian Monte Carlo"; TFP's
 * `GradientBasedTrajectoryLengthAdaptation` with its `chees_criterion`).
 *
 * Every chain takes the same number of leapfrog steps with the same step size
 * and diagonal metric, so one batched gradient serves all chains at every
 * leapfrog step and no chain waits for another (as NUTS trees of different
 * sizes must). The positions, momenta and gradients live in flat float64
 * arrays `[numChains * dim]`; the host's work per leapfrog step is a few
 * passes over them, small beside the batched gradient.
 */
import { type Xoshiro128, nextNormalFast } from '../math/random.js';
import type { FlatTarget } from './target.js';

/** The ensemble's current state: positions, log densities and gradients, one row per chain. */
export interface EnsembleState {
  x: Float64Array;
  logp: Float64Array;
  grad: Float64Array;
}

/** What one ensemble transition did, per chain. */
export interface EnsembleStep {
  acceptProb: Float64Array;
  isAccepted: Uint8Array;
  divergent: Uint8Array;
  /** Hamiltonian of the kept state. */
  energy: Float64Array;
  /**
   * The gradient with respect to log T of the trajectory criterion (acceptance-weighted over chains;
   * 0 without a usable chain): ChEES, or with `rate` ChEES per unit of trajectory length.
   */
  cheesGradLogT: number;
}

/** An energy error above this marks a divergent trajectory (Stan's threshold). */
const MAX_ENERGY_ERROR = 1000;

function kineticRow(p: Float64Array, invMass: Float64Array, ch: number, d: number): number {
  let k = 0;
  const o = ch * d;
  for (let j = 0; j < d; j++) k += p[o + j]! * p[o + j]! * invMass[j]!;
  return 0.5 * k;
}

/** Momenta `p ~ N(0, M)` for every chain (`M = diag(1 / invMass)`). */
export function drawMomenta(rng: Xoshiro128, c: number, invMass: Float64Array): Float64Array {
  const d = invMass.length;
  const sd = Float64Array.from(invMass, (v) => 1 / Math.sqrt(v));
  const p = new Float64Array(c * d);
  for (let i = 0; i < c * d; i++) p[i] = nextNormalFast(rng) * sd[i % d]!;
  return p;
}

/**
 * One HMC transition of every chain: `numSteps` leapfrog steps of size `eps` (one batched gradient
 * each), then a Metropolis decision per chain. A chain whose energy error exceeds 1000 or whose
 * density stops being finite is frozen where it was (divergent, rejected), so the batch never
 * evaluates a runaway position. With `jitter` > 0 the ChEES gradient of the transition is
 * returned for trajectory-length adaptation (T = numSteps * eps / jitter); with `rate`, that of
 * ChEES divided by T (the criterion per leapfrog step).
 */
export async function ensembleTransition(
  target: FlatTarget,
  rng: Xoshiro128,
  state: EnsembleState,
  eps: number,
  invMass: Float64Array,
  numSteps: number,
  jitter = 0,
  rate = false,
): Promise<{ next: EnsembleState; step: EnsembleStep }> {
  const c = target.numChains;
  const d = target.dim;
  const p = drawMomenta(rng, c, invMass);
  const h0 = new Float64Array(c);
  for (let ch = 0; ch < c; ch++) h0[ch] = -state.logp[ch]! + kineticRow(p, invMass, ch, d);
  const q = state.x.slice();
  const grad = state.grad.slice();
  const logp = state.logp.slice();
  const frozen = new Uint8Array(c);
  const qPrev = new Float64Array(c * d);
  for (let l = 0; l < numSteps; l++) {
    qPrev.set(q);
    for (let ch = 0; ch < c; ch++) {
      if (frozen[ch]) continue;
      for (let j = 0, i = ch * d; j < d; j++, i++) {
        p[i] = p[i]! + 0.5 * eps * grad[i]!;
        q[i] = q[i]! + eps * invMass[j]! * p[i]!;
      }
    }
    const ev = await target.evaluate(q);
    for (let ch = 0; ch < c; ch++) {
      if (frozen[ch]) continue;
      const lp = ev.logp[ch]!;
      const row = ev.grad.subarray(ch * d, (ch + 1) * d);
      if (lp > -Infinity) for (let j = 0, i = ch * d; j < d; j++, i++) p[i] = p[i]! + 0.5 * eps * row[j]!;
      if (!(lp > -Infinity) || -lp + kineticRow(p, invMass, ch, d) - h0[ch]! > MAX_ENERGY_ERROR) {
        // Frozen where it was, with its last finite gradient (the batch still evaluates the row).
        frozen[ch] = 1;
        logp[ch] = -Infinity;
        q.set(qPrev.subarray(ch * d, (ch + 1) * d), ch * d);
        continue;
      }
      logp[ch] = lp;
      grad.set(row, ch * d);
    }
  }
  const step: EnsembleStep = {
    acceptProb: new Float64Array(c),
    isAccepted: new Uint8Array(c),
    divergent: frozen,
    energy: new Float64Array(c),
    cheesGradLogT: 0,
  };
  const next: EnsembleState = { x: state.x.slice(), logp: state.logp.slice(), grad: state.grad.slice() };
  for (let ch = 0; ch < c; ch++) {
    const h1 = frozen[ch] ? Infinity : -logp[ch]! + kineticRow(p, invMass, ch, d);
    const logAccept = Number.isNaN(h0[ch]! - h1) ? -Infinity : h0[ch]! - h1;
    step.acceptProb[ch] = Math.min(1, Math.exp(logAccept));
    const accept = Math.log(rng.nextOpen01()) < logAccept;
    step.isAccepted[ch] = accept ? 1 : 0;
    step.energy[ch] = accept ? h1 : h0[ch]!;
    if (accept) {
      next.x.set(q.subarray(ch * d, (ch + 1) * d), ch * d);
      next.grad.set(grad.subarray(ch * d, (ch + 1) * d), ch * d);
      next.logp[ch] = logp[ch]!;
    }
  }
  if (jitter > 0) {
    const g = cheesGradient(state.x, q, p, step.acceptProb, invMass, c, d, numSteps * eps);
    step.cheesGradLogT = rate ? g.gradLogT - g.value : g.gradLogT;
  }
  return { next, step };
}

/**
 * The ChEES criterion, E[(|q' - E q|² - |q - E q|²)²] / 4, and its gradient with respect to log T
 * for the proposals `q'` (momenta `p'`) reached from `q` after a trajectory of length `t`: per
 * chain `t (|q' - m'|² - |q - m|²) (q' - m')ᵀ p'`, with the norms in the metric's whitened
 * coordinates (where `(q' - m')ᵀ p'` is the whitened difference against the whitened velocity;
 * m, m' the ensemble means), averaged over chains with their acceptance probabilities as weights.
 */
export function cheesGradient(
  q0: Float64Array,
  q1: Float64Array,
  p1: Float64Array,
  accept: Float64Array,
  invMass: Float64Array,
  c: number,
  d: number,
  t: number,
): { value: number; gradLogT: number } {
  const m0 = new Float64Array(d);
  const m1 = new Float64Array(d);
  for (let ch = 0; ch < c; ch++) {
    for (let j = 0; j < d; j++) {
      m0[j] = m0[j]! + q0[ch * d + j]! / c;
      m1[j] = m1[j]! + q1[ch * d + j]! / c;
    }
  }
  let num = 0;
  let val = 0;
  let den = 0;
  for (let ch = 0; ch < c; ch++) {
    const a = accept[ch]!;
    if (!(a > 0)) continue;
    let n0 = 0;
    let n1 = 0;
    let dot = 0;
    for (let j = 0, i = ch * d; j < d; j++, i++) {
      const e0 = q0[i]! - m0[j]!;
      const e1 = q1[i]! - m1[j]!;
      n0 += (e0 * e0) / invMass[j]!;
      n1 += (e1 * e1) / invMass[j]!;
      // (q' - m') whitened, dotted with the whitened velocity: the metric cancels.
      dot += e1 * p1[i]!;
    }
    const g = t * (n1 - n0) * dot;
    if (!Number.isFinite(g)) continue;
    num += a * g;
    val += (a * (n1 - n0) * (n1 - n0)) / 4;
    den += a;
  }
  return den > 0 ? { value: val / den, gradLogT: num / den } : { value: 0, gradLogT: 0 };
}

/**
 * Adam on log T with TFP's ChEES defaults (no momentum, squared-gradient average with rate 0.5,
 * bias-corrected), and the running average of log T that is used after the warm-up.
 */
export class TrajectoryLengthAdam {
  private v = 0;
  private t = 0;
  private sum = 0;
  private count = 0;
  logT: number;

  constructor(t0: number, private readonly rate: number, private readonly beta2 = 0.5) {
    this.logT = Math.log(t0);
  }

  /** One ascent step on log T with gradient `g`, clipped to [log minT, log maxT]. */
  update(g: number, minT: number, maxT: number): void {
    if (Number.isFinite(g) && g !== 0) {
      this.t++;
      this.v = this.beta2 * this.v + (1 - this.beta2) * g * g;
      const vHat = this.v / (1 - Math.pow(this.beta2, this.t));
      this.logT += (this.rate * g) / (Math.sqrt(vHat) + 1e-12);
    }
    this.logT = Math.min(Math.log(maxT), Math.max(Math.log(minT), this.logT));
  }

  /** Adds the current log T to the average (call during the last part of the warm-up). */
  accumulate(): void {
    this.sum += this.logT;
    this.count++;
  }

  /** The averaged trajectory length (the current one when nothing was accumulated). */
  averaged(): number {
    return Math.exp(this.count ? this.sum / this.count : this.logT);
  }
}

/** The van der Corput sequence in base 2 (the jitter of ChEES' trajectory lengths is a shifted one). */
export function vanDerCorput(n: number): number {
  let x = 0;
  let f = 0.5;
  for (let k = n; k > 0; k >>= 1, f /= 2) if (k & 1) x += f;
  return x;
}
