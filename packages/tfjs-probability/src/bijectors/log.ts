import { Exp } from './exp.js';
import { Invert } from './invert.js';
import type { BijectorOptions } from './bijector.js';

/**
 * The logarithm bijector: `y = log(x)`, mapping (0, ∞) onto ℝ (TFP's `Invert(Exp())`).
 *
 * Mathematical details: `x = exp(y)`; `log |det J| = -log x` per element
 * (min event ndims 0).
 *
 * @example
 * ```ts
 * const b = new tfb.Log();
 * b.forward([1, Math.E]);   // [0, 1]
 * ```
 */
export class Log extends Invert {
  constructor(args: BijectorOptions = {}) {
    super({ ...args, bijector: new Exp() }, 'Log');
  }
}
