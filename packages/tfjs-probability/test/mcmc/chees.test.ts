import { describe, expect, it } from 'vitest';
import { cheesGradient, vanDerCorput } from '../../src/mcmc/chees.js';
import { Xoshiro128, nextNormal } from '../../src/math/random.js';

describe('ChEES criterion', () => {
  it('its gradient in log T matches finite differences along exact harmonic-oscillator trajectories', () => {
    // q(t) = q0 cos t + p0 sin t, p(t) = -q0 sin t + p0 cos t solves the dynamics of a standard
    // normal target with a unit metric exactly; a diagonal metric rescales q by sqrt(invMass).
    const c = 64;
    const d = 3;
    const invMass = Float64Array.from([1, 4, 0.25]);
    const rng = new Xoshiro128(7);
    // Chains in antithetic pairs keep the ensemble mean at 0 for every t: the criterion estimates
    // the mean, which the gradient treats as fixed (as the true mean is).
    const z0 = new Float64Array(c * d);
    const w0 = new Float64Array(c * d);
    for (let i = 0; i < (c * d) / 2; i++) {
      const ch = Math.floor(i / d);
      const j = i % d;
      z0[2 * ch * d + j] = 1.5 * nextNormal(rng);
      w0[2 * ch * d + j] = nextNormal(rng);
      z0[(2 * ch + 1) * d + j] = -z0[2 * ch * d + j]!;
      w0[(2 * ch + 1) * d + j] = -w0[2 * ch * d + j]!;
    }
    const accept = Float64Array.from({ length: c }, (_, i) => 0.2 + 0.8 * ((Math.floor(i / 2) * 37) % 11) / 10);
    const at = (t: number): { q0: Float64Array; q1: Float64Array; p1: Float64Array } => {
      const s = Float64Array.from(invMass, Math.sqrt);
      const q0 = z0.map((v, i) => v * s[i % d]!);
      const q1 = z0.map((v, i) => (v * Math.cos(t) + w0[i]! * Math.sin(t)) * s[i % d]!);
      // p = M v: velocity sqrt(invMass) * (-z0 sin t + w0 cos t), momentum that over invMass.
      const p1 = z0.map((v, i) => (-v * Math.sin(t) + w0[i]! * Math.cos(t)) / s[i % d]!);
      return { q0, q1, p1 };
    };
    for (const t of [0.3, 0.9, 1.7]) {
      const { q0, q1, p1 } = at(t);
      const g = cheesGradient(q0, q1, p1, accept, invMass, c, d, t);
      const h = 1e-5;
      const v = (u: number): number => {
        const a = at(u);
        return cheesGradient(a.q0, a.q1, a.p1, accept, invMass, c, d, u).value;
      };
      const fd = (t * (v(t + h) - v(t - h))) / (2 * h);
      expect(g.gradLogT).toBeCloseTo(fd, 5);
      expect(g.value).toBeGreaterThan(0);
    }
  });

  it('ignores chains with zero acceptance and returns 0 when none is usable', () => {
    const q = Float64Array.from([0, 1, 2, 3]);
    const r = cheesGradient(q, q, q, new Float64Array(4), new Float64Array(1).fill(1), 4, 1, 1);
    expect(r).toEqual({ value: 0, gradLogT: 0 });
  });

  it('the van der Corput sequence fills (0, 1) in base-2 order', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(vanDerCorput)).toEqual([0.5, 0.25, 0.75, 0.125, 0.625, 0.375, 0.875]);
  });
});
