/**
 * Training-step accelerators for small dense networks such as the mixture density
 * network of recipe 002, where a step is ~170 tiny kernel launches and launch overhead,
 * not arithmetic, dominates on the cpu and wasm backends:
 *
 * - `FastAdam`: the Adam optimizer (same update, same hyper-parameters and defaults as
 *   `tf.train.adam`) whose per-variable update is ONE kernel (`TfpAdamUpdate`, cpu and
 *   wasm: a plain loop over the variable, gradient and moment buffers) instead of ~15
 *   elementwise ops. Results are written to fresh buffers and assigned, so clones of a
 *   weight taken earlier (e.g. best-weight snapshots) are never mutated. Usable anywhere
 *   a `tf.Optimizer` is: `model.compile({optimizer: new FastAdam(1e-3)})`, `minimize`.
 * - `enableFastWasmMatMul()`: on the wasm backend a matMul with a transpose flag is ~10x
 *   slower than an explicit transpose followed by a plain matMul, and autograd's matMul
 *   gradient (hence every Dense layer's backward pass in `model.fit`) uses the flags. This
 *   opt-in call re-registers wasm's BatchMatMul kernel to transpose explicitly first. Same
 *   results (up to float32 summation order), wasm only, idempotent; `disableFastWasmMatMul()`
 *   restores the original kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { type Mem, memFor, sizeOf, wasmHeapOffset } from './backend_memory.js';
import { simdFor } from './wasm_simd.js';
import { wasmGemm } from './wasm_gemm.js';

type NamedTensor = { name: string; tensor: tf.Tensor };

export const ADAM_UPDATE = 'TfpAdamUpdate';

interface AdamAttrs {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** 1 - beta1^t and 1 - beta2^t (bias corrections) for this step. */
  c1: number;
  c2: number;
}

function adamLoop(
  x: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array,
  xo: Float32Array, mo: Float32Array, vo: Float32Array, a: AdamAttrs,
): void {
  const { lr, beta1, beta2, epsilon, c1, c2 } = a;
  const b1c = 1 - beta1;
  const b2c = 1 - beta2;
  const k = -lr / c1;
  const r2 = 1 / c2;
  for (let i = 0; i < x.length; i++) {
    const gi = g[i]!;
    const mi = beta1 * m[i]! + b1c * gi;
    const vi = beta2 * v[i]! + b2c * gi * gi;
    mo[i] = mi;
    vo[i] = vi;
    xo[i] = x[i]! + (k * mi) / (Math.sqrt(vi * r2) + epsilon);
  }
}

/** The outputs `[x0', m0', v0', x1', ...]` of a multi-variable Adam kernel (inputs `x0, g0, m0, v0, x1, ...`). */
function adamOutputs(mem: Mem, ins: Record<string, tf.TensorInfo>, count: number): tf.TensorInfo[] {
  const outs: tf.TensorInfo[] = [];
  for (let j = 0; j < count; j++) {
    const shape = ins[`x${j}`]!.shape;
    outs.push(mem.alloc(shape, false), mem.alloc(shape, false), mem.alloc(shape, false));
  }
  return outs;
}

/**
 * Both Adam kernels' update on the wasm heap with simd.wat `adam_tf` (float32 rounding after
 * every operation, tfjs' order), for every variable, with bias corrections `oma1 = 1 − β₁ᵗ`,
 * `oma2 = 1 − β₂ᵗ`; false (nothing done) where the SIMD kernels do not run.
 */
function adamSimd(
  backend: unknown, ins: Record<string, tf.TensorInfo>, outs: tf.TensorInfo[], count: number,
  a: { lr: number; beta1: number; beta2: number; epsilon: number }, oma1: number, oma2: number,
): boolean {
  const simd = simdFor(backend);
  if (simd === null) return false;
  const at = (t: tf.TensorInfo) => wasmHeapOffset(backend, t);
  for (let j = 0; j < count; j++) {
    const x = ins[`x${j}`]!;
    simd.adam_tf(
      at(x), at(ins[`g${j}`]!), at(ins[`m${j}`]!), at(ins[`v${j}`]!), at(outs[3 * j]!), at(outs[3 * j + 1]!), at(outs[3 * j + 2]!),
      sizeOf(x.shape), a.beta1, a.beta2, 1 - a.beta1, 1 - a.beta2, oma1, oma2, a.epsilon, -a.lr,
    );
  }
  return true;
}

let registered = false;
function registerAdam(): void {
  if (registered) return;
  registered = true;
  for (const backendName of ['cpu', 'wasm']) {
    if (tf.getKernel(ADAM_UPDATE, backendName)) continue;
    tf.registerKernel({
      kernelName: ADAM_UPDATE,
      backendName,
      // Inputs x0, g0, m0, v0, x1, ... (attr count); outputs [x0', m0', v0', x1', ...].
      kernelFunc: ({ inputs, backend, attrs }) => {
        const ins = inputs as Record<string, tf.TensorInfo>;
        const a = attrs as unknown as AdamAttrs & { count: number };
        const mem = memFor(backend);
        const outs = adamOutputs(mem, ins, a.count);
        // f32x4 (simd.wat adam_tf): float32 rounding after each operation instead of one rounding of a float64 result.
        if (!adamSimd(backend, ins, outs, a.count, a, a.c1, a.c2)) {
          for (let j = 0; j < a.count; j++) {
            // Views after all allocations (a wasm heap growth detaches earlier views).
            adamLoop(
              mem.view(ins[`x${j}`]!), mem.view(ins[`g${j}`]!), mem.view(ins[`m${j}`]!), mem.view(ins[`v${j}`]!),
              mem.view(outs[3 * j]!), mem.view(outs[3 * j + 1]!), mem.view(outs[3 * j + 2]!), a,
            );
          }
        }
        return outs;
      },
    });
  }
}

// ------------------------------------------------------------------ tf.train.adam, one kernel per variable

export const ADAM_UPDATE_TF = 'TfpAdamUpdateTf';

interface AdamTfAttrs {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

const f32 = Math.fround;

/**
 * tf.train.adam's update with tfjs' own float32 rounding after every elementwise op
 * (`AdamOptimizer.applyGradients`: mul, add, square, div, sqrt, each rounded to float32),
 * so the result is bit-identical to the composed ops on cpu (which rounds each op's
 * double result to float32) and on wasm (float32 arithmetic, correctly rounded: for
 * + - * / and sqrt of float32 operands, rounding the double result gives the same value).
 * On wasm with SIMD the same operations run as f32x4 instructions (simd.wat `adam_tf`,
 * ~4x faster, the same bits). `acc1`, `acc2` are the optimizer's β₁ᵗ and β₂ᵗ variables.
 */
function adamLoopTf(
  x: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, acc1: number, acc2: number,
  xo: Float32Array, mo: Float32Array, vo: Float32Array, a: AdamTfAttrs,
): void {
  const b1 = f32(a.beta1), b2 = f32(a.beta2);
  const c1 = f32(1 - a.beta1), c2 = f32(1 - a.beta2);
  const oma1 = f32(1 - acc1), oma2 = f32(1 - acc2);
  const eps = f32(a.epsilon), nlr = f32(-a.lr);
  for (let i = 0; i < x.length; i++) {
    const gi = g[i]!;
    const mi = f32(f32(m[i]! * b1) + f32(gi * c1));
    const vi = f32(f32(v[i]! * b2) + f32(f32(gi * gi) * c2));
    mo[i] = mi;
    vo[i] = vi;
    const den = f32(f32(Math.sqrt(f32(vi / oma2))) + eps);
    xo[i] = f32(f32(f32(f32(mi / oma1) / den) * nlr) + x[i]!);
  }
}

let tfAdamRegistered = false;
/**
 * One kernel for the whole step: inputs `x0, g0, m0, v0, x1, ...` (attr `count`) and the β powers
 * `acc1`, `acc2`; outputs `[x0', m0', v0', x1', ..., acc1·β₁, acc2·β₂]` (the powers rounded to
 * float32 as tfjs' `mul` does).
 */
function registerAdamTf(): void {
  if (tfAdamRegistered) return;
  tfAdamRegistered = true;
  for (const backendName of ['cpu', 'wasm']) {
    if (tf.getKernel(ADAM_UPDATE_TF, backendName)) continue;
    tf.registerKernel({
      kernelName: ADAM_UPDATE_TF,
      backendName,
      kernelFunc: ({ inputs, backend, attrs }) => {
        const ins = inputs as Record<string, tf.TensorInfo>;
        const a = attrs as unknown as AdamTfAttrs & { count: number };
        const mem = memFor(backend);
        const outs = adamOutputs(mem, ins, a.count);
        const accOut = [mem.alloc([], false), mem.alloc([], false)];
        // Views only after the last allocation (a wasm heap growth detaches earlier views).
        const acc1 = mem.view(ins['acc1']!)[0]!;
        const acc2 = mem.view(ins['acc2']!)[0]!;
        if (!adamSimd(backend, ins, outs, a.count, a, 1 - acc1, 1 - acc2)) {
          for (let j = 0; j < a.count; j++) {
            adamLoopTf(
              mem.view(ins[`x${j}`]!), mem.view(ins[`g${j}`]!), mem.view(ins[`m${j}`]!), mem.view(ins[`v${j}`]!), acc1, acc2,
              mem.view(outs[3 * j]!), mem.view(outs[3 * j + 1]!), mem.view(outs[3 * j + 2]!), a,
            );
          }
        }
        mem.view(accOut[0]!)[0] = acc1 * f32(a.beta1);
        mem.view(accOut[1]!)[0] = acc2 * f32(a.beta2);
        return [...outs, ...accOut];
      },
    });
  }
}

interface AdamInternals {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  accumulatedSecondMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  incrementIterations(): void;
}

type ApplyGradients = (this: tf.AdamOptimizer, g: tf.NamedTensorMap | NamedTensor[]) => void;
let originalAdamApply: ApplyGradients | null = null;
/** Called at each fused step (defaults.ts installs its late wasm parts from here). */
let onFusedAdamStep: (() => void) | null = null;

/**
 * `tf.AdamOptimizer.prototype.applyGradients` with one `TfpAdamUpdateTf` kernel for all variables
 * on cpu and wasm (instead of ~13 elementwise launches per variable), bit-identical to tfjs'
 * composed update and with the same optimizer state (`/m`, `/v` slots, β powers), so `getWeights`,
 * `setWeights`, serialization and learning-rate changes behave as before. Any other
 * backend or a non-float32 variable runs tfjs' own method.
 */
function fusedAdamApply(this: tf.AdamOptimizer, variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
  onFusedAdamStep?.();
  const self = this as unknown as AdamInternals;
  const list = Array.isArray(variableGradients);
  const names = list ? (variableGradients as NamedTensor[]).map((v) => v.name) : Object.keys(variableGradients);
  const gradOf = (name: string, i: number): tf.Tensor | null | undefined =>
    list ? (variableGradients as NamedTensor[])[i]?.tensor : (variableGradients as tf.NamedTensorMap)[name];
  const vars = tf.engine().registeredVariables;
  const ok =
    tf.getKernel(ADAM_UPDATE_TF, tf.getBackend()) !== undefined &&
    self.accBeta1.dtype === 'float32' &&
    names.every((name, i) => {
      const g = gradOf(name, i);
      return vars[name]?.dtype === 'float32' && (g == null || g.dtype === 'float32');
    });
  if (!ok) {
    originalAdamApply!.call(this, variableGradients);
    return;
  }
  tf.tidy(() => {
    const inputs: Record<string, tf.Tensor> = { acc1: self.accBeta1, acc2: self.accBeta2 };
    const targets: tf.Variable[] = [];
    names.forEach((name, i) => {
      const value = vars[name]!;
      // The same slots, names and creation order as AdamOptimizer.applyGradients.
      self.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      self.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      const g = gradOf(name, i);
      if (g == null) return;
      const j = targets.length / 3;
      const m = self.accumulatedFirstMoment[i]!.variable;
      const v = self.accumulatedSecondMoment[i]!.variable;
      Object.assign(inputs, { [`x${j}`]: value, [`g${j}`]: g, [`m${j}`]: m, [`v${j}`]: v });
      targets.push(value, m, v);
    });
    const attrs = { lr: self.learningRate, beta1: self.beta1, beta2: self.beta2, epsilon: self.epsilon, count: targets.length / 3 };
    const outs = tf.engine().runKernel(ADAM_UPDATE_TF, inputs, attrs) as tf.Tensor[];
    targets.forEach((t, k) => t.assign(outs[k]!));
    self.accBeta1.assign(outs[targets.length]!);
    self.accBeta2.assign(outs[targets.length + 1]!);
  });
  self.incrementIterations();
}

/**
 * Makes `tf.train.adam` (every `tf.AdamOptimizer`) update each variable with one fused
 * kernel on cpu and wasm; same values as tfjs' composed update (bit for bit). Idempotent.
 */
export function enableFusedTfAdam(onStep?: () => void): void {
  if (onStep) onFusedAdamStep = onStep;
  if (originalAdamApply) return;
  registerAdamTf();
  const proto = tf.AdamOptimizer.prototype as unknown as { applyGradients: ApplyGradients };
  originalAdamApply = proto.applyGradients;
  proto.applyGradients = fusedAdamApply;
}

/** Restores tfjs' own `AdamOptimizer.prototype.applyGradients`. */
export function disableFusedTfAdam(): void {
  if (!originalAdamApply) return;
  (tf.AdamOptimizer.prototype as unknown as { applyGradients: ApplyGradients }).applyGradients = originalAdamApply;
  originalAdamApply = null;
}

/** True while `tf.train.adam` uses the fused update. */
export function fusedTfAdamEnabled(): boolean {
  return originalAdamApply !== null;
}

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
    registerAdam();
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

// ------------------------------------------------------------------ wasm matMul with transpose flags

let originalMatMul: tf.KernelConfig | null = null;

/**
 * Opt-in: on the wasm backend, run matMul with transpose flags as explicit transposes
 * followed by a plain matMul (~10x faster for the 128x128 shapes of a Dense backward pass).
 * Affects every matMul on wasm in this process; returns true when installed.
 */
export function enableFastWasmMatMul(): boolean {
  if (originalMatMul) return true;
  const orig = tf.getKernel('BatchMatMul', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!orig || !transpose) return false;
  originalMatMul = orig;
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({
    kernelName: 'BatchMatMul',
    backendName: 'wasm',
    ...(orig.setupFunc ? { setupFunc: orig.setupFunc } : {}),
    ...(orig.disposeFunc ? { disposeFunc: orig.disposeFunc } : {}),
    kernelFunc: (args) => {
      const { inputs, backend, attrs } = args;
      const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
      // The SIMD product where it applies (small enough B, batch 1, unthreaded build; see wasm_gemm.ts).
      const viaSimd = wasmGemm(backend, (inputs as { a: tf.TensorInfo }).a, (inputs as { b: tf.TensorInfo }).b, transposeA, transposeB);
      if (viaSimd) return viaSimd;
      if (!transposeA && !transposeB) return orig.kernelFunc(args);
      const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const swap = (t: tf.TensorInfo): tf.TensorInfo => {
        const r = t.shape.length;
        const perm = [...Array(r).keys()];
        [perm[r - 2], perm[r - 1]] = [perm[r - 1]!, perm[r - 2]!];
        return transpose.kernelFunc({ inputs: { x: t }, backend, attrs: { perm } }) as tf.TensorInfo;
      };
      const at = transposeA ? swap(a) : a;
      const bt = transposeB ? swap(b) : b;
      try {
        return orig.kernelFunc({ inputs: { a: at, b: bt }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
      } finally {
        const be = backend as unknown as { disposeData(id: object): void };
        if (at !== a) be.disposeData(at.dataId);
        if (bt !== b) be.disposeData(bt.dataId);
      }
    },
  });
  return true;
}

/** True while `enableFastWasmMatMul()` is in effect. */
export function fastWasmMatMulEnabled(): boolean {
  return originalMatMul !== null;
}

/** Restores tfjs' own wasm BatchMatMul kernel. */
export function disableFastWasmMatMul(): void {
  if (!originalMatMul) return;
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel(originalMatMul);
  originalMatMul = null;
}
