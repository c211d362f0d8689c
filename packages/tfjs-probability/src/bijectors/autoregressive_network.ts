/**
 * TFP's `tfb.AutoregressiveNetwork`: a masked autoencoder for distribution
 * estimation (MADE, Germain et al. 2015) as a tfjs layer, the
 * `shiftAndLogScaleFn` of a MaskedAutoregressiveFlow.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, fmtShape } from '../errors.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

/** Activations the network accepts by name (serializable). */
const ACTIVATIONS: Record<string, (x: tf.Tensor) => tf.Tensor> = {
  linear: (x) => x,
  relu: (x) => tf.relu(x),
  tanh: (x) => tf.tanh(x),
  sigmoid: (x) => tf.sigmoid(x),
  elu: (x) => tf.elu(x),
  selu: (x) => tf.selu(x),
  softplus: (x) => tf.softplus(x),
  swish: (x) => tf.mul(x, tf.sigmoid(x)),
};

type Initializer = ReturnType<typeof tf.initializers.zeros>;
const INITIALIZERS: Record<string, (seed?: number) => Initializer> = {
  glorotUniform: (seed) => tf.initializers.glorotUniform(seed === undefined ? {} : { seed }),
  glorotNormal: (seed) => tf.initializers.glorotNormal(seed === undefined ? {} : { seed }),
  heNormal: (seed) => tf.initializers.heNormal(seed === undefined ? {} : { seed }),
  heUniform: (seed) => tf.initializers.heUniform(seed === undefined ? {} : { seed }),
  zeros: () => tf.initializers.zeros(),
};

export interface AutoregressiveNetworkArgs extends LayerArgs {
  /** Number of outputs per event coordinate (2 for a shift and a log scale). */
  params: number;
  /** Event shape `[D]` of the input (rank 1), or D. Inferred from the input when omitted. */
  eventShape?: number | number[];
  /** Units of the masked hidden layers. Default `[]` (a masked linear map). */
  hiddenUnits?: number[];
  /** 'left-to-right' (default), 'right-to-left', or the 1-based order of the inputs (a permutation of 1..D). */
  inputOrder?: 'left-to-right' | 'right-to-left' | number[];
  /** How hidden units get their degrees; only TFP's default 'equal' is available. */
  hiddenDegrees?: 'equal';
  /** Activation of the hidden layers by name: 'relu', 'tanh', 'sigmoid', 'elu', 'selu', 'softplus', 'swish', 'linear'. Default 'linear' (as TFP: None). */
  activation?: string;
  /** Whether layers have biases. Default true. */
  useBias?: boolean;
  /** Kernel initializer by name ('glorotUniform' (default), 'glorotNormal', 'heNormal', 'heUniform', 'zeros'). */
  kernelInitializer?: string;
  /** Initializer of the output layer's kernel. Default: `kernelInitializer`. 'zeros' starts a flow at the identity. */
  outputKernelInitializer?: string;
  /** Integer seed of the kernel initializers (layer l uses seed + l): reproducible initial weights. */
  seed?: number;
}

/**
 * A masked autoregressive network (MADE): output `[..., D, params]` where the
 * outputs at coordinate `i` depend only on the inputs before `i` in `inputOrder`.
 *
 * Mathematical details: input degrees are the positions in `inputOrder`
 * (1..D); hidden units get TFP's 'equal' degrees
 * `max(min degree, ceil(k (D - 1) / (units + 1)))`, `k = 1..units`; a hidden
 * connection is kept when `deg(in) <= deg(out)` and an output connection when
 * `deg(in) < deg(out)`, so output `i` is a function of `x_{<i}` only (and the
 * first output is a constant: its bias). Each dense kernel is multiplied by its
 * 0/1 mask on every call, so masked weights never get a gradient. The
 * weights are ordinary layer weights: they train with `model.fit` (inside
 * `tfpl.AutoregressiveTransform`) or any optimizer, and save with the model.
 *
 * Parameters: input `[..., D]`; output `[..., D, params]`.
 *
 * @example
 * ```ts
 * const made = new tfb.AutoregressiveNetwork({ params: 2, eventShape: [2], hiddenUnits: [16, 16], activation: 'relu' });
 * const maf = new tfb.MaskedAutoregressiveFlow({ shiftAndLogScaleFn: made });
 * const flow = new tfd.TransformedDistribution({
 *   distribution: new tfd.MultivariateNormalDiag({ loc: [0, 0] }), bijector: maf });
 * ```
 */
export class AutoregressiveNetwork extends tf.layers.Layer {
  static className = 'AutoregressiveNetwork';
  readonly params: number;
  readonly hiddenUnits: number[];
  readonly inputOrderArg: 'left-to-right' | 'right-to-left' | number[];
  readonly activation: string;
  readonly useBias: boolean;
  readonly kernelInitializer: string;
  readonly outputKernelInitializer: string;
  readonly seed: number | undefined;
  private event: number | undefined;
  private kernels: tf.LayerVariable[] = [];
  private biases: tf.LayerVariable[] = [];
  private masks: tf.Tensor[] = [];

  constructor(args: AutoregressiveNetworkArgs) {
    super(args);
    const cls = 'AutoregressiveNetwork';
    if (!Number.isInteger(args?.params) || args.params <= 0) {
      throw new InvalidArgumentError(`${cls}: params must be a positive integer (2 for shift and log scale); got ${String(args?.params)}`);
    }
    this.params = args.params;
    const ev = args.eventShape;
    if (ev !== undefined) {
      const s = typeof ev === 'number' ? [ev] : ev;
      if (!Array.isArray(s) || s.length !== 1 || !Number.isInteger(s[0]) || s[0]! <= 0) {
        throw new InvalidArgumentError(`${cls}: eventShape must be [D] with a positive integer D (rank-1 events only, as TFP); got ${JSON.stringify(ev)}`);
      }
      this.event = s[0]!;
    }
    const hu = args.hiddenUnits ?? [];
    if (!Array.isArray(hu) || !hu.every((u) => Number.isInteger(u) && u > 0)) {
      throw new InvalidArgumentError(`${cls}: hiddenUnits must be an array of positive integers; got ${JSON.stringify(hu)}`);
    }
    this.hiddenUnits = [...hu];
    const order = args.inputOrder ?? 'left-to-right';
    if (order !== 'left-to-right' && order !== 'right-to-left' && !Array.isArray(order)) {
      throw new InvalidArgumentError(`${cls}: inputOrder must be 'left-to-right', 'right-to-left' or a permutation of 1..D; got ${JSON.stringify(order)}`);
    }
    this.inputOrderArg = Array.isArray(order) ? [...order] : order;
    if (args.hiddenDegrees !== undefined && args.hiddenDegrees !== 'equal') {
      throw new InvalidArgumentError(`${cls}: hiddenDegrees must be 'equal' (TFP's default; 'random' is not available); got ${JSON.stringify(args.hiddenDegrees)}`);
    }
    this.activation = args.activation ?? 'linear';
    if (!(this.activation in ACTIVATIONS)) {
      throw new InvalidArgumentError(`${cls}: activation must be one of ${Object.keys(ACTIVATIONS).join(', ')}; got ${JSON.stringify(args.activation)}`);
    }
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = args.kernelInitializer ?? 'glorotUniform';
    this.outputKernelInitializer = args.outputKernelInitializer ?? this.kernelInitializer;
    if (args.seed !== undefined && !Number.isInteger(args.seed)) {
      throw new InvalidArgumentError(`${cls}: seed must be an integer; got ${String(args.seed)}`);
    }
    this.seed = args.seed;
    for (const [k, v] of [['kernelInitializer', this.kernelInitializer], ['outputKernelInitializer', this.outputKernelInitializer]] as const) {
      if (!(v in INITIALIZERS)) {
        throw new InvalidArgumentError(`${cls}: ${k} must be one of ${Object.keys(INITIALIZERS).join(', ')}; got ${JSON.stringify(v)}`);
      }
    }
    if (Array.isArray(this.inputOrderArg) && this.event !== undefined) this.checkOrder(this.event);
  }

  /** Event size D (known once built or when `eventShape` was given). */
  get eventSize(): number {
    if (this.event === undefined) throw new InvalidArgumentError('AutoregressiveNetwork: eventShape is not known before the layer is built; pass {eventShape}');
    return this.event;
  }

  /** Whether the event size is known (given as `eventShape`, or once built). */
  get hasEventShape(): boolean {
    return this.event !== undefined;
  }

  /** Event shape `[D]`. */
  get eventShape(): number[] {
    return [this.eventSize];
  }

  private checkOrder(d: number): void {
    const o = this.inputOrderArg;
    if (Array.isArray(o) && (o.length !== d || [...o].sort((a, b) => a - b).some((v, i) => v !== i + 1))) {
      throw new InvalidArgumentError(`AutoregressiveNetwork: inputOrder must be a permutation of 1..${d}; got ${JSON.stringify(o)}`);
    }
  }

  /** The degrees of the input units and of each hidden layer (TFP's `_create_degrees` with 'equal'). */
  degrees(): number[][] {
    const d = this.eventSize;
    const o = this.inputOrderArg;
    const input = o === 'left-to-right' ? range(1, d + 1) : o === 'right-to-left' ? range(1, d + 1).reverse() : [...o];
    const out = [input];
    for (const units of this.hiddenUnits) {
      const prev = out[out.length - 1]!;
      const minDeg = Math.min(Math.min(...prev), d - 1);
      out.push(range(1, units + 1).map((k) => Math.max(minDeg, Math.ceil((k * (d - 1)) / (units + 1)))));
    }
    return out;
  }

  /** The 0/1 masks `[in, out]` of each dense layer (the output one tiled over `params`), as nested arrays. */
  maskArrays(): number[][][] {
    const deg = this.degrees();
    const masks: number[][][] = [];
    for (let l = 1; l < deg.length; l++) {
      masks.push(deg[l - 1]!.map((di) => deg[l]!.map((dj) => (di <= dj ? 1 : 0))));
    }
    const last = deg[deg.length - 1]!;
    const input = deg[0]!;
    // Output unit d·params + p belongs to coordinate d.
    masks.push(last.map((di) => input.flatMap((dj) => new Array<number>(this.params).fill(di < dj ? 1 : 0))));
    return masks;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const last = s[s.length - 1];
    if (this.event === undefined) {
      if (typeof last !== 'number') throw new InvalidArgumentError('AutoregressiveNetwork: the input needs a known last dimension (or pass {eventShape})');
      this.event = last;
    } else if (last !== this.event) {
      throw new InvalidArgumentError(`AutoregressiveNetwork: input must be [..., ${this.event}] (eventShape [${this.event}]); got ${JSON.stringify(s)}`);
    }
    this.checkOrder(this.event);
    const masks = this.maskArrays();
    const sizes = [this.event, ...this.hiddenUnits, this.event * this.params];
    this.masks.forEach((m) => m.dispose());
    this.masks = masks.map((m) => tf.keep(tf.tensor2d(m, [m.length, m[0]!.length], 'float32')));
    this.kernels = [];
    this.biases = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      const isOut = l + 2 === sizes.length;
      const init = INITIALIZERS[isOut ? this.outputKernelInitializer : this.kernelInitializer]!(this.seed === undefined ? undefined : this.seed + l);
      this.kernels.push(this.addWeight(`kernel_${l}`, [sizes[l]!, sizes[l + 1]!], 'float32', init));
      if (this.useBias) this.biases.push(this.addWeight(`bias_${l}`, [sizes[l + 1]!], 'float32', tf.initializers.zeros()));
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [...s.slice(0, -1), this.event ?? s[s.length - 1]!, this.params] as tf.Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const d = this.eventSize;
      if (x.shape[x.rank - 1] !== d) {
        throw new InvalidArgumentError(`AutoregressiveNetwork: input must be [..., ${d}]; got ${fmtShape(x.shape)}`);
      }
      const lead = x.shape.slice(0, -1);
      let h = tf.reshape(x, [-1, d]);
      const act = ACTIVATIONS[this.activation]!;
      for (let l = 0; l < this.kernels.length; l++) {
        const w = tf.mul(this.kernels[l]!.read(), this.masks[l]!);
        h = tf.matMul(h, w);
        if (this.useBias) h = tf.add(h, this.biases[l]!.read());
        if (l + 1 < this.kernels.length) h = act(h);
      }
      return tf.reshape(h, [...lead, d, this.params]);
    });
  }

  /** Releases the constant 0/1 masks (rebuilt by the next build). */
  disposeMasks(): void {
    this.masks.forEach((m) => m.dispose());
    this.masks = [];
  }

  /**
   * Releases the weights and masks. Unlike a plain tfjs layer, a network that was only
   * called eagerly (as a flow's function, never applied to a symbolic tensor) can be disposed too.
   */
  override dispose(): ReturnType<tf.layers.Layer['dispose']> {
    this.disposeMasks();
    if (this._refCount === null) {
      const ws = this.weights;
      ws.forEach((w) => w.dispose());
      this._refCount = 0;
      return { refCountAfterDispose: 0, numDisposedVariables: ws.length };
    }
    return super.dispose();
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      params: this.params,
      eventShape: this.event === undefined ? null : [this.event],
      hiddenUnits: this.hiddenUnits,
      inputOrder: this.inputOrderArg as string | number[],
      hiddenDegrees: 'equal',
      activation: this.activation,
      useBias: this.useBias,
      kernelInitializer: this.kernelInitializer,
      outputKernelInitializer: this.outputKernelInitializer,
      seed: this.seed ?? null,
    };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    const c = { ...config } as Record<string, unknown>;
    if (c['eventShape'] === null) delete c['eventShape'];
    if (c['seed'] === null) delete c['seed'];
    return new cls(c);
  }
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a }, (_, i) => a + i);
}

