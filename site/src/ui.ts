/** DOM helpers shared by the panels. */
import { Plot } from './draw.js';

/** The first element under `root` matching `selector` (a missing element is a bug in index.html). */
export function $(root: ParentNode, selector: string): HTMLElement {
  const el = root.querySelector(selector);
  if (el === null) throw new Error(`playground: no element '${selector}'`);
  return el as HTMLElement;
}

/** Resolves in a new task, so that the page can handle input and paint between two pieces of work. */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export function setStatus(root: HTMLElement, text: string): void {
  $(root, '.status').textContent = text;
}

/** A live training-loss curve (one point per epoch). */
export class LossCurve {
  private readonly values: number[] = [];
  private readonly plot: Plot;

  constructor(canvas: HTMLCanvasElement) {
    this.plot = new Plot(canvas, { x: [0, 10], y: [0, 1] });
    this.draw();
  }

  reset(): void {
    this.values.length = 0;
    this.draw();
  }

  push(v: number): void {
    if (Number.isFinite(v)) this.values.push(v);
    this.draw();
  }

  get first(): number | undefined {
    return this.values[0];
  }

  get last(): number | undefined {
    return this.values[this.values.length - 1];
  }

  private draw(): void {
    const v = this.values;
    const lo = v.length ? Math.min(...v) : 0;
    const hi = v.length ? Math.max(...v) : 1;
    const pad = (hi - lo) * 0.08 || 0.5;
    this.plot.domain = { x: [0, Math.max(10, v.length)], y: [lo - pad, hi + pad] };
    this.plot.clear();
    this.plot.line(v.map((_, i) => i + 1), v, '#1f77b4', 2);
    this.plot.axes('epoch', 'training NLL');
  }
}

/** Empirical quantile of sorted values (linear interpolation). */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const h = (sorted.length - 1) * p;
  const i = Math.floor(h);
  const f = h - i;
  const a = sorted[i]!;
  return i + 1 < sorted.length ? a + f * (sorted[i + 1]! - a) : a;
}
