/**
 * The bridge from a joint distribution with observed values to the sampler: the model is pinned
 * at the observed values, the free parts are sampled on the unconstrained scale of the pinned
 * model's event-space bijector (which may make a part's support depend on earlier parts), the
 * density is `unconstrainedLogProb` (one run of the model, Jacobian included), and the draws are
 * mapped back by the bijector's `forward` at the end.
 */
import * as tf from '@tensorflow/tfjs';
import type { JointDistribution } from '../distributions/joint_distribution.js';
import type { TensorLike } from '../util.js';

export interface JointTarget {
  /** Free parts by name with their unconstrained event shapes (no bijectors: the density is already unconstrained). */
  parts: Record<string, { shape: number[] }>;
  logProbFn: (parts: Record<string, tf.Tensor>) => tf.Tensor;
  /** Constrained draws by name from unconstrained ones (`[numDraws, numChains, ...uShape]` each). */
  constrain: (u: Record<string, tf.Tensor>) => Record<string, tf.Tensor>;
  dispose: () => void;
}

export function jointDistributionTarget(
  jd: JointDistribution,
  observed: Record<string, TensorLike> | TensorLike[],
  owner: string,
): JointTarget {
  if (!jd || typeof (jd as { pin?: unknown }).pin !== 'function') {
    throw new Error(`${owner}: jointDistribution must be a tfd.JointDistributionSequential, Named or Coroutine`);
  }
  const pinned = jd.pin(observed);
  try {
    const bij = pinned.defaultEventSpaceBijector();
    const free = pinned.unpinnedNames();
    const shapesStruct = bij.unconstrainedEventShapeParts();
    const shapes = jd.fromStructure<number[]>(free, shapesStruct, owner);
    const struct = (m: Map<string, tf.Tensor>): tf.Tensor[] | Record<string, tf.Tensor> => jd.toStructure(free, m);
    const byName = (values: unknown): Map<string, tf.Tensor> => jd.fromStructure<tf.Tensor>(free, values, owner);
    return {
      parts: Object.fromEntries(free.map((n) => [n, { shape: shapes.get(n)! }])),
      logProbFn: (p) => bij.unconstrainedLogProb(struct(new Map(free.map((n) => [n, p[n]!])))),
      constrain: (u) =>
        tf.tidy(() => {
          // The bijector sees [numDraws * numChains] as one batch dimension.
          const lead = u[free[0]!]!.shape.slice(0, 2);
          const flat = new Map(free.map((n) => [n, tf.reshape(u[n]!, [-1, ...shapes.get(n)!])]));
          const y = byName(bij.forward(struct(flat)));
          return Object.fromEntries(free.map((n) => {
            const t = y.get(n)!;
            return [n, tf.reshape(t, [...lead, ...t.shape.slice(1)])];
          }));
        }),
      dispose: () => {
        bij.dispose();
        pinned.dispose();
      },
    };
  } catch (e) {
    pinned.dispose();
    throw e;
  }
}
