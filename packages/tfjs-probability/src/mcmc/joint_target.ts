/**
 * The bridge from a joint distribution with observed values to the sampler's
 * named parts: the free parts (those not observed) with their event shapes
 * and event-space bijectors, and a log density over them.
 */
import * as tf from '@tensorflow/tfjs';
import type { Bijector } from '../bijectors/bijector.js';

/** What the samplers need of a joint distribution (tfd.JointDistributionNamed/Sequential/Coroutine provide it). */
export interface JointDistributionLike {
  /** One draw: an object of named tensors (or a list for a sequential model). */
  sample(sampleShape?: number | number[], seed?: number): Record<string, tf.Tensor> | tf.Tensor[];
  /** Log density of a value of the same structure; batch dims broadcast. */
  logProb(value: Record<string, tf.Tensor> | tf.Tensor[]): tf.Tensor;
  /** Per-part bijectors from R^n onto each part's support (an object or list like the values). */
  defaultEventSpaceBijector?(): unknown;
}

export interface JointTarget {
  parts: Record<string, { shape: number[]; bijector?: Bijector }>;
  logProbFn: (parts: Record<string, tf.Tensor>) => tf.Tensor;
  dispose: () => void;
}

function partBijectors(jd: JointDistributionLike): Record<string, Bijector> {
  const b = jd.defaultEventSpaceBijector?.() as unknown;
  if (!b || typeof b !== 'object') return {};
  const inner = (b as { bijectors?: unknown }).bijectors ?? b;
  if (Array.isArray(inner)) return Object.fromEntries(inner.map((x, i) => [String(i), x as Bijector]));
  return { ...(inner as Record<string, Bijector>) };
}

/** Free parts and log density of `jd` with `observed` values pinned. */
export function jointDistributionTarget(
  jd: JointDistributionLike,
  observed: Record<string, tf.Tensor | number | number[]>,
  owner: string,
): JointTarget {
  const draw = jd.sample(undefined, 0);
  const isList = Array.isArray(draw);
  const entries: Array<[string, tf.Tensor]> = isList ? draw.map((t, i) => [String(i), t]) : Object.entries(draw);
  const names = entries.map(([n]) => n);
  for (const k of Object.keys(observed)) {
    if (!names.includes(k)) throw new Error(`${owner}: observed names ${k}, which is not a part of the joint distribution (parts: ${names.join(', ')})`);
  }
  const bij = partBijectors(jd);
  const obs: Record<string, tf.Tensor> = Object.fromEntries(Object.entries(observed).map(([k, v]) => [k, v instanceof tf.Tensor ? v : tf.tensor(v)]));
  const owned = Object.entries(observed).filter(([, v]) => !(v instanceof tf.Tensor)).map(([k]) => obs[k]!);
  const parts: JointTarget['parts'] = {};
  for (const [n, t] of entries) {
    if (n in obs) continue;
    parts[n] = { shape: t.shape, ...(bij[n] ? { bijector: bij[n] } : {}) };
  }
  tf.dispose(entries.map(([, t]) => t));
  if (Object.keys(parts).length === 0) throw new Error(`${owner}: every part of the joint distribution is observed; nothing to sample`);
  const logProbFn = (free: Record<string, tf.Tensor>): tf.Tensor => {
    const all = names.map((n) => (n in obs ? obs[n]! : free[n]!));
    return jd.logProb(isList ? all : Object.fromEntries(names.map((n, i) => [n, all[i]!])));
  };
  return { parts, logProbFn, dispose: () => tf.dispose(owned) };
}
