/**
 * Panel 1, recipe 002: a mixture density network (Dense 128 relu, Dense 128 relu,
 * `tfpl.MixtureDensity` with 20 components) trained live on the noisy spiral. The
 * predicted density p(y | x) is drawn as a heatmap, samples on top; the temperature
 * sliders resample from the last predicted distributions without retraining.
 */
import * as tf from '@tensorflow/tfjs';
import * as tfp from 'tfjs-probability';
import { Plot, viridis } from './draw.js';
import { noisySpiral } from './data.js';
import { $, LossCurve, nextTask, setStatus } from './ui.js';

/** The heatmap's colour for zero density. */
const VIRIDIS_ZERO = `rgb(${viridis(0).join(',')})`;

const tfpl = tfp.layers;
/** What a MixtureDensity head predicts (sample takes the two temperatures). */
type Dist = InstanceType<typeof tfp.distributions.MixtureSameFamily>;

const NX = 96;
const NY = 80;
const K = 20;

export class SpiralPanel {
  private readonly density: Plot;
  private readonly loss: LossCurve;
  private model: tf.LayersModel | null = null;
  private x!: tf.Tensor2D;
  private y!: tf.Tensor2D;
  private xTrain!: Float32Array;
  private yTrain!: Float32Array;
  private xTest!: Float32Array;
  private yTest!: Float32Array;
  private heat: Float32Array | null = null;
  /** Predicted distributions at the held-out inputs: resampled when a slider moves. */
  private testDist: Dist | null = null;
  private samples: Float32Array | null = null;
  private running = false;
  private epoch = 0;
  private drawSeed = 1;

  constructor(private readonly root: HTMLElement) {
    this.density = new Plot($(root, 'canvas.density') as HTMLCanvasElement, { x: [0, 5], y: [0, 5] });
    this.loss = new LossCurve($(root, 'canvas.loss') as HTMLCanvasElement);
    $(root, 'button.train').addEventListener('click', () => void this.toggle());
    $(root, 'button.reset').addEventListener('click', () => void this.reset());
    for (const id of ['temperature', 'scaleTemperature']) {
      const input = $(root, `input.${id}`) as HTMLInputElement;
      input.addEventListener('input', () => {
        $(root, `output.${id}`).textContent = Number(input.value).toFixed(2);
        void this.resample();
      });
    }
    this.reset();
  }

  private get temperature(): number {
    return Number(($(this.root, 'input.temperature') as HTMLInputElement).value);
  }

  private get scaleTemperature(): number {
    return Number(($(this.root, 'input.scaleTemperature') as HTMLInputElement).value);
  }

  private get numPoints(): number {
    return Number(($(this.root, 'select.points') as HTMLSelectElement).value);
  }

  reset(): void {
    this.running = false;
    this.model?.dispose();
    this.testDist?.dispose();
    this.testDist = null;
    if (this.x) tf.dispose([this.x, this.y]);
    const train = noisySpiral(this.numPoints, 1);
    const test = noisySpiral(1000, 2);
    this.x = tf.tensor2d(train.x, [train.x.length, 1]);
    this.y = tf.tensor2d(train.y, [train.y.length, 1]);
    [this.xTrain, this.yTrain, this.xTest, this.yTest] = [train.x, train.y, test.x, test.y];
    const head = new tfpl.MixtureDensity({ eventSize: 1, numComponents: K, seed: 4 });
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [1], units: 128, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
        tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
        head,
      ],
    });
    model.compile({ optimizer: tf.train.adam(3e-3), loss: tfp.losses.negativeLogLikelihood(head) });
    this.model = model;
    this.epoch = 0;
    this.heat = null;
    this.samples = null;
    this.loss.reset();
    this.root.dataset['epochs'] = '0';
    this.draw();
    $(this.root, 'button.train').textContent = 'Train';
  }

  async toggle(): Promise<void> {
    if (this.running) {
      this.running = false;
      return;
    }
    this.running = true;
    $(this.root, 'button.train').textContent = 'Pause';
    const model = this.model!;
    while (this.running && model === this.model) {
      const t0 = performance.now();
      const h = await model.fit(this.x, this.y, { epochs: 1, batchSize: 128, shuffle: true, yieldEvery: 'batch', verbose: 0 });
      if (model !== this.model) return;
      this.epoch++;
      const l = Number(h.history['loss']![0]);
      this.loss.push(l);
      this.root.dataset['epochs'] = String(this.epoch);
      this.root.dataset['lossFirst'] = String(this.loss.first);
      this.root.dataset['lossLast'] = String(this.loss.last);
      setStatus(this.root, `epoch ${this.epoch}: training NLL ${l.toFixed(3)} (${(performance.now() - t0).toFixed(0)} ms/epoch on ${tf.getBackend()})`);
      if (this.epoch % 4 === 1) await this.refresh();
    }
    if (model === this.model) {
      await this.refresh();
      $(this.root, 'button.train').textContent = 'Train';
    }
  }

  /**
   * Recomputes the density grid and the held-out predicted distributions from the model, in
   * three tasks (grid, held-out predictions, samples and drawing) so the page stays responsive.
   */
  async refresh(): Promise<void> {
    const model = this.model;
    if (model === null) return;
    await nextTask();
    if (model !== this.model) return;
    const xs = tf.tidy(() => tf.reshape(tf.linspace(0, 5, NX), [NX, 1]));
    const grid = tfp.predictDistribution(model, xs);
    const probs = tf.tidy(() => tf.exp(grid.logProb(tf.reshape(tf.linspace(0, 5, NY), [NY, 1, 1]))));
    this.heat = (await probs.data()) as Float32Array;
    tf.dispose([xs, probs]);
    grid.dispose();
    await nextTask();
    if (model !== this.model) return;
    const xt = tf.tensor2d(this.xTest, [this.xTest.length, 1]);
    this.testDist?.dispose();
    this.testDist = tfp.predictDistribution(model, xt) as Dist;
    xt.dispose();
    const nll = tf.tidy(() => tf.neg(tf.mean(this.testDist!.logProb(tf.tensor2d(this.yTest, [this.yTest.length, 1])))));
    const heldOut = (await nll.data())[0]!;
    nll.dispose();
    this.root.dataset['heldOutNll'] = heldOut.toFixed(4);
    $(this.root, '.heldout').textContent = `held-out NLL ${heldOut.toFixed(3)} (recipe 002: -0.18 after 300 epochs on 10,000 points)`;
    await nextTask();
    if (model !== this.model) return;
    await this.resample();
  }

  /** Draws one sample per held-out input at the sliders' temperatures. */
  async resample(): Promise<void> {
    if (this.testDist === null) return this.draw();
    const s = this.testDist.sample([], { seed: this.drawSeed, temperature: this.temperature, scaleTemperature: this.scaleTemperature });
    this.samples = (await s.data()) as Float32Array;
    s.dispose();
    let sum = 0;
    for (const v of this.samples) sum += v;
    this.root.dataset['sampleSum'] = sum.toFixed(4);
    this.draw();
  }

  draw(): void {
    const p = this.density;
    p.clear();
    // Before the first density is computed the area is the heatmap's zero colour, not white,
    // so the (white) training points show from the start.
    if (this.heat) p.heatmap(this.heat, NX, NY);
    else p.background(VIRIDIS_ZERO);
    p.points(this.xTrain, this.yTrain, 'rgba(255,255,255,0.25)', 1);
    if (this.samples) p.points(this.xTest, this.samples, '#ff7f0e', 1.6);
    p.axes('x', 'y');
    p.legend([['training points', '#bbb'], ['MDN samples', '#ff7f0e'], ['p(y | x)', '#35b779']]);
    if (this.heat) {
      let max = 0;
      for (const v of this.heat) if (v > max) max = v;
      p.colorScale('p(y | x), √ scale', max);
    }
    this.root.dataset['drawn'] = String(Number(this.root.dataset['drawn'] ?? 0) + 1);
  }
}
