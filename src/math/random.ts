/**
 * Random number sources used by samplers. All take an optional integer seed;
 * the same seed gives the same numbers. Kept in one place so a faster
 * generator can replace the tfjs ops without touching the distributions.
 */
import * as tf from '@tensorflow/tfjs';

/** Standard normal draws of `shape`. */
export function randomNormal(shape: number[], seed?: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, 'float32', seed);
}

/** Uniform draws on the open interval (0, 1) of `shape` (never exactly 0, so logs are finite). */
export function randomUniform(shape: number[], seed?: number): tf.Tensor {
  const tiny = 2 ** -24;
  return tf.randomUniform(shape, tiny, 1, 'float32', seed);
}
