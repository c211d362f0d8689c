/**
 * From constraints to bijectors (torch's `biject_to`, TFP's
 * `default_constraining_bijector_fn` and `experimental_default_event_space_bijector`):
 * for each set a parameter or a value may be constrained to, the bijector that maps
 * unconstrained real numbers onto it. A distribution's `defaultEventSpaceBijector()` is
 * the bijector of its declared event space (by default its support); the bijector of a
 * parameter declared with a constraint (`parameterProperties`) is `constrainingBijector`.
 */
import { Bijector } from '../bijectors/bijector.js';
import { Chain } from '../bijectors/chain.js';
import { Exp } from '../bijectors/exp.js';
import { FillScaleTriL } from '../bijectors/fill_scale_tril.js';
import { Identity } from '../bijectors/identity.js';
import { Shift } from '../bijectors/shift.js';
import { Sigmoid } from '../bijectors/sigmoid.js';
import { SoftmaxCentered } from '../bijectors/softmax_centered.js';
import { Softplus } from '../bijectors/softplus.js';
import { NotImplementedError } from '../errors.js';
import {
  extendedReal,
  logits,
  lowerCholesky,
  nonNegative,
  nonNegativeLine,
  positive,
  positiveVector,
  real,
  realLine,
  simplex,
  unitInterval,
  type Constraint,
} from './constraints.js';
import type { Distribution } from './distribution.js';

/** How a distribution's event space is reached from unconstrained reals: a bijector made for one instance. */
export type EventSpace = (d: Distribution) => Bijector;

const registry = new Map<Constraint, () => Bijector>();

/** Registers the bijector that maps the unconstrained reals onto `constraint` (torch's `biject_to.register`). */
export function registerConstrainingBijector(constraint: Constraint, make: () => Bijector): void {
  registry.set(constraint, make);
}

/** A new bijector from unconstrained reals onto `constraint`, or undefined when none is registered (discrete sets). */
export function constrainingBijector(constraint: Constraint): Bijector | undefined {
  return registry.get(constraint)?.();
}

for (const c of [real, realLine, extendedReal, logits]) registerConstrainingBijector(c, () => new Identity());
for (const c of [positive, nonNegative, nonNegativeLine, positiveVector]) registerConstrainingBijector(c, () => new Softplus());
registerConstrainingBijector(unitInterval, () => new Sigmoid());
registerConstrainingBijector(simplex, () => new SoftmaxCentered());
registerConstrainingBijector(lowerCholesky, () => new FillScaleTriL());

/** The event space `(low, high)` between two parameters of the distribution (Uniform, TruncatedNormal). */
export function intervalBetween(lowParam: string, highParam: string): EventSpace {
  return (d) => new Sigmoid({ low: d.parameters[lowParam]!, high: d.parameters[highParam]! });
}

/** A fixed interval `(low, high)` (VonMises' `(-π, π)`). */
export function fixedInterval(low: number, high: number): EventSpace {
  return () => new Sigmoid({ low, high });
}

/** `x ≥ loc` through `loc + softplus(u)` (TFP's event space of the half distributions). */
export const aboveLoc: EventSpace = (d) => new Chain({ bijectors: [new Shift({ shift: d.parameters['loc']! }), new Softplus()] });

/** `(0, ∞)` through `exp` (TFP's choice for LogNormal, whose density lives on the log scale). */
export const positiveByExp: EventSpace = () => new Exp();

/** The bijector of `d`'s support, or a NotImplementedError naming the class and the support (discrete sets). */
export function supportBijector(d: Distribution): Bijector {
  const b = d.support ? constrainingBijector(d.support) : undefined;
  if (b === undefined) {
    throw new NotImplementedError(
      `${d.className} does not implement defaultEventSpaceBijector: its support (${d.support?.description ?? 'undeclared'}) ` +
        `is not the image of the real numbers under a bijector (a discrete set has none)`,
    );
  }
  return b;
}
