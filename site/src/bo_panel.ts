/**
 * Bayesian optimization in the page: click the upper plot to add an observation (x, y) (or press
 * "Evaluate at max EI" to evaluate a hidden test function where the expected improvement is
 * largest). After each change the Gaussian process is refitted: Matérn-5/2 kernel, its amplitude,
 * length scale and noise by `tfp.optimizer.lbfgsMinimize` on the log marginal likelihood
 * (`tfd.GaussianProcess`), then the posterior mean ± 2 sd of the latent function on a grid
 * (`tfd.GaussianProcessRegressionModel`) and the expected improvement for minimization,
 * `EI(x) = (f* − μ(x)) Φ(z) + σ(x) φ(z)`, `z = (f* − μ(x)) / σ(x)`, below it. The panel builds its
 * own section, so the page needs no markup.
 */
import { type BoPosterior, boPosterior } from '../../examples/bo_gp.js';
import { Plot } from './draw.js';
import { $, setStatus } from './ui.js';

const LO = -2, HI = 10, GRID = 200;
const Y_RANGE: [number, number] = [-3, 3];
/** The hidden test function (several local minima; the global minimum on [-2, 10] is ≈ −1.81 at x ≈ 5.1). */
const hidden = (x: number): number => Math.sin(x) + 0.5 * Math.sin((10 / 3) * x) + 0.05 * (x - 5) ** 2 - 0.4;
const START = [0, 3.5, 8];

export class BoPanel {
  readonly root: HTMLElement;
  private readonly xs: number[] = [];
  private readonly ys: number[] = [];
  private readonly grid = Float32Array.from({ length: GRID }, (_, i) => LO + ((HI - LO) * i) / (GRID - 1));
  private readonly top: Plot;
  private readonly bottom: Plot;
  private post: BoPosterior | null = null;
  /** The posterior on the grid after the last completed fit (null while none). */
  get posterior(): BoPosterior | null {
    return this.post;
  }
  /** The grid the posterior is computed on. */
  get gridPoints(): Float32Array {
    return this.grid;
  }
  /** Bumped on every change: a slower, older refit does not overwrite a newer one. */
  private generation = 0;

  constructor(parent: HTMLElement) {
    this.root = document.createElement('section');
    this.root.id = 'bo';
    this.root.className = 'panel';
    this.root.innerHTML = `
      <h2>Bayesian optimization: a Gaussian process and expected improvement</h2>
      <p>Click the upper plot to add an observation at that point, or let expected improvement choose where to evaluate a
      hidden test function. Each change refits a Gaussian process (Matérn 5/2; amplitude, length scale and noise by
      <code>tfp.optimizer.lbfgsMinimize</code> on the log marginal likelihood) and shows its posterior mean &plusmn; 2 sd
      (<code>tfd.GaussianProcessRegressionModel</code>) and, below, the expected improvement over the lowest observation.</p>
      <p><button class="next">Evaluate at max EI</button> <button class="reset">Reset</button> <span class="status">idle</span></p>
      <div><canvas class="posterior" width="860" height="240"></canvas></div>
      <div><canvas class="ei" width="860" height="130"></canvas></div>`;
    parent.appendChild(this.root);
    this.top = new Plot($(this.root, 'canvas.posterior') as HTMLCanvasElement, { x: [LO, HI], y: Y_RANGE });
    this.bottom = new Plot($(this.root, 'canvas.ei') as HTMLCanvasElement, { x: [LO, HI], y: [0, 1] });
    this.top.canvas.addEventListener('click', (e) => this.onClick(e));
    // Where the upper plot's area lies in the canvas (CSS pixels), for scripted clicks.
    this.root.dataset['plotArea'] = JSON.stringify(this.top.inner);
    $(this.root, 'button.next').addEventListener('click', () => this.evaluateNext());
    $(this.root, 'button.reset').addEventListener('click', () => this.reset());
    this.reset();
  }

  /** Adds an observation and refits (also what a click does). */
  add(x: number, y: number): Promise<void> {
    this.xs.push(x);
    this.ys.push(y);
    return this.refit();
  }

  /** Evaluates the hidden function where the expected improvement is largest. */
  evaluateNext(): Promise<void> {
    if (this.post === null) return Promise.resolve();
    let best = 0;
    this.post.ei.forEach((v, i) => {
      if (v > this.post!.ei[best]!) best = i;
    });
    const x = this.grid[best]!;
    return this.add(x, hidden(x));
  }

  reset(): Promise<void> {
    this.xs.length = 0;
    this.ys.length = 0;
    for (const x of START) {
      this.xs.push(x);
      this.ys.push(hidden(x));
    }
    return this.refit();
  }

  private onClick(e: MouseEvent): void {
    const r = this.top.canvas.getBoundingClientRect();
    const px = e.clientX - r.left, py = e.clientY - r.top;
    const { x0, y0, w, h } = this.top.inner;
    if (px < x0 || px > x0 + w || py < y0 || py > y0 + h) return;
    const x = LO + ((px - x0) / w) * (HI - LO);
    const y = Y_RANGE[1] - ((py - y0) / h) * (Y_RANGE[1] - Y_RANGE[0]);
    void this.add(x, y);
  }

  private async refit(): Promise<void> {
    const gen = ++this.generation;
    this.root.dataset['state'] = 'fitting';
    setStatus(this.root, `fitting the GP to ${this.xs.length} observations…`);
    this.draw();
    const t0 = performance.now();
    try {
      const post = await boPosterior([...this.xs], [...this.ys], this.grid, 60);
      if (gen !== this.generation) return;
      this.post = post;
      let arg = 0;
      post.ei.forEach((v, i) => {
        if (v > post.ei[arg]!) arg = i;
      });
      const best = Math.min(...this.ys);
      this.root.dataset['observations'] = String(this.xs.length);
      this.root.dataset['eiArgmax'] = this.grid[arg]!.toFixed(3);
      this.root.dataset['best'] = best.toFixed(4);
      this.root.dataset['state'] = 'ready';
      setStatus(this.root, `${this.xs.length} observations, lowest ${best.toFixed(3)}; next by EI at x = ${this.grid[arg]!.toFixed(2)} (${Math.round(performance.now() - t0)} ms)`);
    } catch (e) {
      if (gen !== this.generation) return;
      this.post = null;
      this.root.dataset['state'] = 'error';
      setStatus(this.root, `fit failed: ${String(e)}`);
    }
    this.draw();
  }

  private draw(): void {
    const { top, bottom, post, grid } = this;
    top.clear();
    if (post) {
      const lo = post.mean.map((m, i) => m - 2 * post.sd[i]!);
      const hi = post.mean.map((m, i) => m + 2 * post.sd[i]!);
      top.band(grid, lo, hi, 'rgba(31, 119, 180, 0.2)');
      top.line(grid, post.mean, '#1f77b4', 2);
    }
    top.points(this.xs, this.ys, '#d62728', 4);
    top.axes('x (click to add an observation)', 'f(x)');
    top.legend([['posterior mean ± 2 sd', '#1f77b4'], ['observations', '#d62728']]);
    bottom.clear();
    if (post) {
      const max = Math.max(...post.ei);
      bottom.domain = { x: [LO, HI], y: [0, max > 0 ? max * 1.1 : 1] };
      bottom.line(grid, post.ei, '#2ca02c', 2);
      const arg = post.ei.indexOf(max);
      if (arg >= 0) bottom.points([grid[arg]!], [max], '#2ca02c', 4);
    }
    bottom.axes('x', 'EI');
  }
}
