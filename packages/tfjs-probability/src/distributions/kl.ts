/**
 * KL divergence registry. `klDivergence(p, q)` dispatches on the classes of
 * `p` and `q`; the registered pair closest to them in the class hierarchy
 * (smallest sum of inheritance distances) wins, as in torch.distributions.
 */
import * as tf from '@tensorflow/tfjs';
import { NotImplementedError, InvalidArgumentError, fmtShape } from '../errors.js';
import { broadcastPair, describeValue } from '../util.js';
import type { Distribution } from './distribution.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Ctor = abstract new (...args: any[]) => Distribution;
export type KLFn<P extends Distribution = Distribution, Q extends Distribution = Distribution> = (p: P, q: Q) => tf.Tensor;

const registry = new Map<Ctor, Map<Ctor, KLFn>>();

/**
 * Registers the closed form of KL(p || q) for instances of `P` and `Q`. The
 * function runs inside `tf.tidy` and returns a tensor of the broadcast batch shape.
 */
export function registerKL<P extends Distribution, Q extends Distribution>(
  pClass: abstract new (...args: never[]) => P,
  qClass: abstract new (...args: never[]) => Q,
  fn: KLFn<P, Q>,
): void {
  const p = pClass as unknown as Ctor;
  const q = qClass as unknown as Ctor;
  let inner = registry.get(p);
  if (!inner) registry.set(p, (inner = new Map()));
  inner.set(q, fn as KLFn);
}

function ancestry(obj: object): Ctor[] {
  const out: Ctor[] = [];
  let proto = Object.getPrototypeOf(obj) as { constructor: Ctor } | null;
  while (proto && (proto.constructor as unknown) !== Object) {
    out.push(proto.constructor);
    proto = Object.getPrototypeOf(proto) as { constructor: Ctor } | null;
  }
  return out;
}

/**
 * KL(p || q) = E_p[log p(X) - log q(X)], shape: the broadcast of both batch shapes.
 *
 * @example
 * ```ts
 * const kl = tfd.klDivergence(new tfd.Normal({loc: 0, scale: 1}), new tfd.Normal({loc: 1, scale: 2}));
 * ```
 */
export function klDivergence(p: Distribution, q: Distribution): tf.Tensor {
  for (const [name, d] of [['p', p], ['q', q]] as const) {
    const rec = d as unknown as { className?: unknown; isDisposed?: unknown; logProb?: unknown } | null;
    if (rec === null || typeof rec !== 'object' || typeof rec.logProb !== 'function') {
      throw new InvalidArgumentError(`klDivergence: ${name} must be a distribution; got ${describeValue(d)}`);
    }
    if (rec.isDisposed === true) {
      throw new InvalidArgumentError(`klDivergence: ${name} is a disposed ${String(rec.className)}`);
    }
  }
  const pa = ancestry(p);
  const qa = ancestry(q);
  let best: KLFn | undefined;
  let bestScore = Infinity;
  pa.forEach((pc, i) => {
    const inner = registry.get(pc);
    if (!inner) return;
    qa.forEach((qc, j) => {
      const fn = inner.get(qc);
      if (fn && i + j < bestScore) {
        best = fn;
        bestScore = i + j;
      }
    });
  });
  if (!best) {
    throw new NotImplementedError(
      `klDivergence: no KL(${p.className} || ${q.className}) is registered; add one with tfd.registerKL(${p.className}, ${q.className}, fn)`,
    );
  }
  const ev = (a: number[], b: number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
  if (!ev(p.eventShape, q.eventShape)) {
    throw new InvalidArgumentError(
      `klDivergence: event shapes differ: ${p.className} has ${fmtShape(p.eventShape)}, ${q.className} has ${fmtShape(q.eventShape)}`,
    );
  }
  const batch = broadcastPair(p.batchShape, q.batchShape);
  if (batch === null) {
    throw new InvalidArgumentError(
      `klDivergence: batch shapes ${fmtShape(p.batchShape)} (${p.className}) and ${fmtShape(q.batchShape)} (${q.className}) do not broadcast`,
    );
  }
  const fn = best;
  return tf.tidy(() => {
    const out = fn(p, q);
    return ev(out.shape, batch) ? out : tf.broadcastTo(out, batch);
  });
}
