/**
 * Panel 2, recipes 001 and 000 in two dimensions: a network with a
 * `tfpl.MultivariateNormalTriL` head learns a mean vector and a full covariance that
 * depend on the input t. The slider moves t: the predicted mean and 1- and 2-sd
 * covariance ellipses follow it, next to the true ones, with samples drawn from the
 * predicted distribution and KL(true ‖ predicted) from `tfd.klDivergence`.
 */
import * as tf from '@tensorflow/tfjs';
import * as tfp from 'tfjs-probability';
import { Plot } from './draw.js';
import { covOfTril, covarianceData, trueLaw } from './data.js';
import { $, LossCurve, setStatus } from './ui.js';

const tfd = tfp.distributions;
const tfpl = tfp.layers;

export class CovariancePanel {
  private readonly plot: Plot;
  private readonly loss: LossCurve;
  private readonly data = covarianceData(3000);
  private model: tf.LayersModel;
  private running = false;
  private epoch = 0;
  private seq = 0;

  constructor(private readonly root: HTMLElement) {
    this.plot = new Plot($(root, 'canvas.scatter') as HTMLCanvasElement, { x: [-2.6, 2.6], y: [-2.2, 2.2] });
    this.loss = new LossCurve($(root, 'canvas.loss') as HTMLCanvasElement);
    this.model = this.build();
    $(root, 'button.train').addEventListener('click', () => void this.toggle());
    const slider = $(root, 'input.t') as HTMLInputElement;
    slider.addEventListener('input', () => {
      $(root, 'output.t').textContent = Number(slider.value).toFixed(2);
      void this.update();
    });
    this.plot.axes('y1', 'y2');
    // The first prediction in a task of its own, after the panel is drawn.
    setTimeout(() => void this.update(), 0);
  }

  private get t(): number {
    return Number(($(this.root, 'input.t') as HTMLInputElement).value);
  }

  private build(): tf.LayersModel {
    const head = new tfpl.MultivariateNormalTriL({ eventSize: 2 });
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [1], units: 64, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 11 }) }),
        tf.layers.dense({ units: 64, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 12 }) }),
        tf.layers.dense({ units: tfpl.MultivariateNormalTriL.paramsSize(2), kernelInitializer: tf.initializers.glorotUniform({ seed: 13 }) }),
        head,
      ],
    });
    model.compile({ optimizer: tf.train.adam(1e-2), loss: tfp.losses.negativeLogLikelihood(head) });
    return model;
  }

  async toggle(): Promise<void> {
    if (this.running) {
      this.running = false;
      return;
    }
    this.running = true;
    $(this.root, 'button.train').textContent = 'Pause';
    const x = tf.tensor2d(this.data.t, [this.data.t.length, 1]);
    const y = tf.tensor2d(this.data.y, [this.data.t.length, 2]);
    try {
      while (this.running && this.epoch < 150) {
        const h = await this.model.fit(x, y, { epochs: 1, batchSize: 128, shuffle: true, yieldEvery: 'batch', verbose: 0 });
        this.epoch++;
        const l = Number(h.history['loss']![0]);
        this.loss.push(l);
        this.root.dataset['epochs'] = String(this.epoch);
        setStatus(this.root, `epoch ${this.epoch}/150: training NLL ${l.toFixed(3)}`);
        if (this.epoch % 3 === 0) await this.update();
      }
    } finally {
      tf.dispose([x, y]);
      this.running = false;
      $(this.root, 'button.train').textContent = this.epoch < 150 ? 'Train' : 'Trained';
      await this.update();
    }
  }

  /** Predicts at the slider's t and redraws (stale results of an older t are dropped). */
  async update(): Promise<void> {
    const seq = ++this.seq;
    const t = this.t;
    const law = trueLaw(t);
    const xt = tf.tensor2d([[t]]);
    const d = tfp.predictDistribution(this.model, xt);
    const truth = new tfd.MultivariateNormalTriL({ loc: law.mean, scaleTril: [[law.tril[0], 0], [law.tril[1], law.tril[2]]] });
    const [mean, cov, samples, kl] = tf.tidy(() => [d.mean(), d.covariance(), d.sample([300], { seed: 5 }), tfd.klDivergence(truth, d)]);
    const [m, c, s, k] = await Promise.all([mean!.data(), cov!.data(), samples!.data(), kl!.data()]);
    tf.dispose([xt, mean!, cov!, samples!, kl!]);
    d.dispose();
    truth.dispose();
    if (seq !== this.seq) return;
    const p = this.plot;
    p.clear();
    const { t: ts, y } = this.data;
    const near: number[] = [];
    for (let i = 0; i < ts.length; i++) if (Math.abs(ts[i]! - t) < 0.08) near.push(i);
    p.points(near.map((i) => y[2 * i]!), near.map((i) => y[2 * i + 1]!), 'rgba(120,120,120,0.55)', 1.6);
    p.points(Array.from(s.filter((_, i) => i % 2 === 0)), Array.from(s.filter((_, i) => i % 2 === 1)), 'rgba(255,127,14,0.55)', 1.6);
    const trueCov = covOfTril(law.tril);
    for (const kk of [1, 2]) {
      p.ellipse(law.mean, trueCov, kk, '#222', [5, 4]);
      p.ellipse([m[0]!, m[1]!], [c[0]!, c[1]!, c[3]!], kk, '#d62728');
    }
    p.axes('y1', 'y2');
    p.legend([['true law: 1 and 2 sd (dashed)', '#222'], ['predicted: 1 and 2 sd', '#d62728'], ['300 samples from the prediction', '#ff7f0e'], ['data with |t′ − t| < 0.08', '#999']]);
    this.root.dataset['kl'] = k[0]!.toFixed(4);
    this.root.dataset['sampleSum'] = Array.from(s).reduce((a, b) => a + b, 0).toFixed(4);
    $(this.root, '.readout').textContent =
      `t = ${t.toFixed(2)}: predicted mean (${m[0]!.toFixed(2)}, ${m[1]!.toFixed(2)}), true (${law.mean[0].toFixed(2)}, ${law.mean[1].toFixed(2)}); ` +
      `KL(true ‖ predicted) = ${k[0]!.toFixed(3)} nats`;
  }
}
