/**
 * `FastAdam`: the Adam optimizer (same update, same hyper-parameters and defaults as
 * `tf.train.adam`) whose update is ONE kernel for all variables (`TfpAdamUpdate`, cpu and
 * wasm: a plain loop over the variable, gradient and moment buffers) instead of ~15
 * elementwise ops per variable. Results are written to fresh buffers and assigned, so clones
 * of a weight taken earlier (e.g. best-weight snapshots) are never mutated. Usable anywhere a
 * `tf.Optimizer` is: `model.compile({optimizer: new FastAdam(1e-3)})`, `minimize`. The
 * library's own class: it needs no change to tfjs and no `tfp.ready()`.
 */
import * as tf from '@tensorflow/tfjs';
import type { AdamAttrs } from '../kernels/AdamUpdate.js';
import { ADAM_UPDATE } from '../kernels/kernel_names.js';
import { registerAll } from '../kernels/register_all.js';

type NamedTensor = { name: string; tensor: tf.Tensor };

/**
 * Adam with one fused update kernel for all variables on cpu and wasm (composed ops elsewhere).
 *
 * Mathematical details (as `tf.train.adam`): `m ← β₁m + (1-β₁)g`, `v ← β₂v + (1-β₂)g²`,
 * `x ← x - lr · (m/(1-β₁ᵗ)) / (sqrt(v/(1-β₂ᵗ)) + ε)`.
 * The public `learningRate` may be changed between steps (learning-rate schedules, the
 * spiral example's ReduceLROnPlateau).
 *
 * @example
 * ```ts
 * model.compile({ optimizer: new tfpl.FastAdam(1e-3), loss: tfp.losses.negativeLogLikelihood(head) });
 * ```
 */
export class FastAdam extends tf.Optimizer {
  static get className(): string {
    return 'FastAdam';
  }
  learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  private t = 0;
  private readonly slots = new Map<string, { m: tf.Variable; v: tf.Variable }>();

  constructor(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon: number | null = null) {
    super();
    this.learningRate = learningRate;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon ?? tf.backend().epsilon();
    registerAll();
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const list: NamedTensor[] = Array.isArray(variableGradients)
      ? variableGradients
      : Object.keys(variableGradients).map((name) => ({ name, tensor: variableGradients[name]! }));
    this.t++;
    const attrs: AdamAttrs = {
      lr: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      c1: 1 - Math.pow(this.beta1, this.t),
      c2: 1 - Math.pow(this.beta2, this.t),
    };
    const fused = tf.getKernel(ADAM_UPDATE, tf.getBackend()) !== undefined;
    const inputs: Record<string, tf.Tensor> = {};
    const targets: tf.Variable[] = [];
    for (const { name, tensor: g } of list) {
      if (g == null) continue;
      const x = tf.engine().registeredVariables[name];
      if (!x) continue;
      let s = this.slots.get(name);
      if (!s) {
        s = tf.tidy(() => ({ m: tf.variable(tf.zerosLike(x), false), v: tf.variable(tf.zerosLike(x), false) }));
        this.slots.set(name, s);
      }
      const slot = s;
      if (fused && x.dtype === 'float32' && g.dtype === 'float32') {
        // Collected for one launch over all variables.
        const j = targets.length / 3;
        Object.assign(inputs, { [`x${j}`]: x, [`g${j}`]: g, [`m${j}`]: slot.m, [`v${j}`]: slot.v });
        targets.push(x, slot.m, slot.v);
        continue;
      }
      tf.tidy(() => {
        const mo = tf.add(tf.mul(slot.m, this.beta1), tf.mul(g, 1 - this.beta1));
        const vo = tf.add(tf.mul(slot.v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        const step = tf.div(tf.div(mo, attrs.c1), tf.add(tf.sqrt(tf.div(vo, attrs.c2)), this.epsilon));
        x.assign(tf.sub(x, tf.mul(step, this.learningRate)));
        slot.m.assign(mo);
        slot.v.assign(vo);
      });
    }
    if (targets.length > 0) {
      tf.tidy(() => {
        const outs = tf.engine().runKernel(ADAM_UPDATE, inputs, { ...attrs, count: targets.length / 3 } as unknown as tf.NamedAttrMap) as tf.Tensor[];
        targets.forEach((t, k) => t.assign(outs[k]!));
      });
    }
    this.incrementIterations();
  }

  override dispose(): void {
    for (const s of this.slots.values()) tf.dispose([s.m, s.v]);
    this.slots.clear();
  }

  override async getWeights(): Promise<NamedTensor[]> {
    const out: NamedTensor[] = [await this.saveIterations()];
    for (const [name, s] of this.slots) out.push({ name: `${name}/m`, tensor: s.m }, { name: `${name}/v`, tensor: s.v });
    return out;
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    this.t = this.iterations;
    for (const { name, tensor } of rest) {
      const base = name.replace(/\/(m|v)$/, '');
      const which = name.endsWith('/m') ? 'm' : 'v';
      let s = this.slots.get(base);
      if (!s) {
        s = { m: tf.variable(tf.zerosLike(tensor), false), v: tf.variable(tf.zerosLike(tensor), false) };
        this.slots.set(base, s);
      }
      s[which].assign(tensor);
    }
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    const C = cls as unknown as new (lr: number, b1: number, b2: number, eps: number) => T;
    return new C(config['learningRate'] as number, config['beta1'] as number, config['beta2'] as number, config['epsilon'] as number);
  }
}
tf.serialization.registerClass(FastAdam);
