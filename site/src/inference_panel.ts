/**
 * Bayesian inference in the page: the eight-schools model (Rubin 1981; non-centered, as in posteriordb)
 * sampled by `tfp.mcmc.windowedAdaptiveNuts` with Stan's defaults (4 chains, 1000 warm-up steps,
 * 1000 draws). While it runs: trace plots of mu and log tau per chain, posterior histograms of mu and
 * tau, and the running bulk ESS and R-hat of every parameter (`tfp.mcmc.effectiveSampleSize`,
 * `tfp.mcmc.potentialScaleReduction`). The panel builds its own section, so the page needs no markup.
 */
import * as tf from '@tensorflow/tfjs';
import * as tfp from 'tfjs-probability';
import { Plot } from './draw.js';
import { $, setStatus } from './ui.js';

const Y = [28, 8, -3, 7, -1, 1, 18, 12];
const SIGMA = [15, 10, 16, 11, 9, 11, 10, 18];
const CHAINS = 4;
const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728'];
const NAMES = ['mu', 'tau', ...Y.map((_, j) => `theta[${j + 1}]`)];

/** Log density of the non-centered model: theta = mu + tau * eta. */
function logProb({ mu, tau, eta }: Record<string, tf.Tensor>): tf.Tensor {
  return tf.tidy(() => {
    const theta = tf.add(tf.expandDims(mu!, 1), tf.mul(tf.expandDims(tau!, 1), eta!));
    const lik = tf.sum(tf.mul(-0.5, tf.square(tf.div(tf.sub(Y, theta), SIGMA))), 1);
    const priors = tf.addN([tf.sum(tf.mul(-0.5, tf.square(eta!)), 1), tf.mul(-0.5, tf.square(tf.div(mu!, 5))), tf.neg(tf.log1p(tf.square(tf.div(tau!, 5))))]);
    return tf.add(lik, priors);
  });
}

function histogram(values: number[], lo: number, hi: number, bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) {
    const i = Math.floor(((v - lo) / (hi - lo)) * bins);
    if (i >= 0 && i < bins) counts[i]!++;
  }
  return counts;
}

export class InferencePanel {
  readonly root: HTMLElement;
  private running = false;
  /** Per step: [chain][mu, log tau, theta_1..8]. */
  private readonly rows: number[][][] = [];
  private readonly trace: Plot;
  private readonly traceTau: Plot;
  private readonly histMu: Plot;
  private readonly histTau: Plot;
  /** Warm-up steps of the current run (the trace plots mark where the draws begin). */
  private warmup = 1000;

  constructor(parent: HTMLElement) {
    this.root = document.createElement('section');
    this.root.id = 'inference';
    this.root.className = 'panel';
    this.root.innerHTML = `
      <h2>Bayesian inference: eight schools sampled with NUTS</h2>
      <p>Eight schools' coaching effects <i>y<sub>j</sub></i> &plusmn; <i>&sigma;<sub>j</sub></i>, a hierarchical model
      <i>&theta;<sub>j</sub> = &mu; + &tau; &eta;<sub>j</sub></i> with <i>&eta;<sub>j</sub></i> ~ N(0, 1), &mu; ~ N(0, 5), &tau; ~ HalfCauchy(5),
      sampled in this page by <code>tfp.mcmc.windowedAdaptiveNuts</code> (4 chains, Stan's windowed warm-up, then the draws).</p>
      <p><label>warm-up steps <input class="warmup" type="number" min="20" max="5000" step="50" value="1000"></label>
      <label>draws <input class="draws" type="number" min="10" max="5000" step="50" value="1000"></label>
      <button class="run">Sample</button> <span class="status">idle</span></p>
      <div class="row">
        <canvas class="trace-mu" width="420" height="180"></canvas>
        <canvas class="trace-tau" width="420" height="180"></canvas>
      </div>
      <div class="row">
        <canvas class="hist-mu" width="420" height="180"></canvas>
        <canvas class="hist-tau" width="420" height="180"></canvas>
      </div>
      <table class="diagnostics"><thead><tr><th>parameter</th><th>mean</th><th>sd</th><th>bulk ESS</th><th>R-hat</th></tr></thead><tbody></tbody></table>`;
    parent.appendChild(this.root);
    this.trace = new Plot($(this.root, 'canvas.trace-mu') as HTMLCanvasElement, { x: [0, 2000], y: [-10, 15] });
    this.traceTau = new Plot($(this.root, 'canvas.trace-tau') as HTMLCanvasElement, { x: [0, 2000], y: [-4, 4] });
    this.histMu = new Plot($(this.root, 'canvas.hist-mu') as HTMLCanvasElement, { x: [-10, 18], y: [0, 1] });
    this.histTau = new Plot($(this.root, 'canvas.hist-tau') as HTMLCanvasElement, { x: [0, 20], y: [0, 1] });
    $(this.root, 'button.run').addEventListener('click', () => void this.run());
    this.draw();
  }

  async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.rows.length = 0;
    const button = $(this.root, 'button.run') as HTMLButtonElement;
    const count = (cls: string, lo: number, hi: number): number => {
      const v = Math.round(Number(($(this.root, `input.${cls}`) as HTMLInputElement).value));
      return Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : 1000;
    };
    this.warmup = count('warmup', 20, 5000);
    const numDraws = count('draws', 10, 5000);
    for (const plot of [this.trace, this.traceTau]) plot.domain = { x: [0, this.warmup + numDraws], y: plot.domain.y };
    delete this.root.dataset['done'];
    button.disabled = true;
    const t0 = performance.now();
    let lastDraw = 0;
    try {
      const { states, trace } = await tfp.mcmc.windowedAdaptiveNuts({
        targetLogProbFn: logProb,
        parts: { mu: { shape: [] }, tau: { shape: [], bijector: new tfp.bijectors.Exp() }, eta: { shape: [8] } },
        numAdaptationSteps: this.warmup,
        numDraws,
        seed: Math.floor(Math.random() * 1e9),
        onProgress: (p) => {
          const x = p.position; // rows of [mu, log tau, eta_1..8]
          this.rows.push(Array.from({ length: CHAINS }, (_, c) => {
            const r = x.subarray(c * 10, c * 10 + 10);
            const tau = Math.exp(r[1]!);
            return [r[0]!, r[1]!, ...Array.from(r.subarray(2), (e) => r[0]! + tau * e)];
          }));
          if (performance.now() - lastDraw > 250 || p.step === p.numSteps) {
            lastDraw = performance.now();
            setStatus(this.root, `${p.phase === 'burnin' ? 'warm-up' : 'sampling'}: step ${p.step} of ${p.numSteps}, ` +
              `${p.numEvaluations} batched gradients, ${p.numDivergences} divergences, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
            this.draw();
          }
        },
      });
      tf.dispose([...Object.values(states), ...Object.values(trace)]);
      setStatus(this.root, `done in ${((performance.now() - t0) / 1000).toFixed(1)} s (${tf.getBackend()})`);
      this.root.dataset['done'] = '1';
    } catch (e) {
      setStatus(this.root, `failed: ${String(e)}`);
      throw e;
    } finally {
      this.running = false;
      button.disabled = false;
    }
  }

  private draw(): void {
    for (const [plot, k, label] of [[this.trace, 0, 'mu'], [this.traceTau, 1, 'log tau']] as const) {
      plot.clear();
      for (let c = 0; c < CHAINS; c++) plot.line(this.rows.map((_, i) => i), this.rows.map((r) => r[c]![k]!), COLORS[c]!, 0.7);
      plot.line([this.warmup, this.warmup], [plot.domain.y[0], plot.domain.y[1]], '#888', 1, [4, 4]);
      plot.axes('iteration (warm-up | draws)', label);
    }
    const draws = this.rows.slice(this.warmup);
    const flat = (k: number): number[] => draws.flatMap((r) => r.map((c) => c[k]!));
    for (const [plot, values, lo, hi, label] of [[this.histMu, flat(0), -10, 18, 'mu'], [this.histTau, flat(1).map(Math.exp), 0, 20, 'tau']] as const) {
      const counts = histogram(values, lo, hi, 40);
      const peak = Math.max(1, ...counts);
      plot.domain = { x: [lo, hi], y: [0, peak * 1.1] };
      plot.clear();
      plot.histogram(counts, '#1f77b4');
      plot.axes(label, 'draws');
    }
    const body = $(this.root, 'table.diagnostics tbody');
    if (draws.length < 8) {
      body.innerHTML = `<tr><td colspan="5">diagnostics appear once draws arrive</td></tr>`;
      return;
    }
    // [draws, chains, 10] -> ESS and R-hat per parameter (tau on its own scale).
    const values = draws.flatMap((r) => r.flatMap((c) => [c[0]!, Math.exp(c[1]!), ...c.slice(2)]));
    const x = tf.tensor3d(values, [draws.length, CHAINS, 10]);
    const ess = tfp.mcmc.effectiveSampleSize(x);
    const rhat = tfp.mcmc.potentialScaleReduction(x);
    const m = tf.moments(x, [0, 1]);
    const [e, r, mean, v] = [ess.dataSync(), rhat.dataSync(), m.mean.dataSync(), m.variance.dataSync()];
    tf.dispose([x, ess, rhat, m.mean, m.variance]);
    this.root.dataset['draws'] = String(draws.length);
    this.root.dataset['minEss'] = String(Math.min(...e));
    this.root.dataset['maxRhat'] = String(Math.max(...r));
    this.root.dataset['meanMu'] = String(mean[0]);
    body.innerHTML = NAMES.map((name, i) =>
      `<tr><td>${name}</td><td>${mean[i]!.toFixed(2)}</td><td>${Math.sqrt(v[i]!).toFixed(2)}</td><td>${e[i]!.toFixed(0)}</td>` +
      `<td${r[i]! > 1.01 ? ' class="warn"' : ''}>${r[i]!.toFixed(3)}</td></tr>`).join('');
  }
}
