/**
 * A small canvas plotting layer for the playground: linear scales, axes with ticks,
 * scatter, lines, bands, heatmaps, histograms and covariance ellipses. Everything is
 * drawn in CSS pixels on a device-pixel-ratio-scaled canvas.
 */

export interface Domain {
  x: [number, number];
  y: [number, number];
}

const MARGIN = { left: 44, right: 12, top: 10, bottom: 30 };

/** Viridis anchors (matplotlib), interpolated linearly. */
const VIRIDIS: [number, number, number][] = [
  [68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142],
  [31, 158, 137], [53, 183, 121], [110, 206, 88], [181, 222, 43], [253, 231, 37],
];

export function viridis(t: number): [number, number, number] {
  const u = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(u));
  const f = u - i;
  const a = VIRIDIS[i]!;
  const b = VIRIDIS[i + 1]!;
  return [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2])];
}

/** "Nice" tick values covering [lo, hi]: steps of 1, 2 or 5 times a power of ten. */
export function ticks(lo: number, hi: number, count = 5): number[] {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  const raw = span / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  // The finest step that gives at most count + 1 ticks (a 0-5.2 axis gets 1, 2, 3, 4, 5, not 2, 4).
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => span / s <= count + 1) ?? 10 * p;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

export class Plot {
  readonly ctx: CanvasRenderingContext2D;
  readonly width: number;
  readonly height: number;
  domain: Domain;

  constructor(readonly canvas: HTMLCanvasElement, domain: Domain) {
    const dpr = window.devicePixelRatio || 1;
    this.width = canvas.clientWidth || canvas.width;
    this.height = canvas.clientHeight || canvas.height;
    canvas.width = Math.round(this.width * dpr);
    canvas.height = Math.round(this.height * dpr);
    const ctx = canvas.getContext('2d');
    if (ctx === null) throw new Error('playground: 2-D canvas context unavailable');
    ctx.scale(dpr, dpr);
    this.ctx = ctx;
    this.domain = domain;
  }

  get inner(): { x0: number; y0: number; w: number; h: number } {
    return { x0: MARGIN.left, y0: MARGIN.top, w: this.width - MARGIN.left - MARGIN.right, h: this.height - MARGIN.top - MARGIN.bottom };
  }

  sx(v: number): number {
    const { x0, w } = this.inner;
    const [a, b] = this.domain.x;
    return x0 + ((v - a) / (b - a)) * w;
  }

  sy(v: number): number {
    const { y0, h } = this.inner;
    const [a, b] = this.domain.y;
    return y0 + h - ((v - a) / (b - a)) * h;
  }

  clear(): void {
    this.ctx.clearRect(0, 0, this.width, this.height);
  }

  axes(xLabel = '', yLabel = ''): void {
    const { ctx } = this;
    const { x0, y0, w, h } = this.inner;
    ctx.save();
    ctx.strokeStyle = '#888';
    ctx.fillStyle = '#444';
    ctx.font = '11px system-ui, sans-serif';
    ctx.lineWidth = 1;
    ctx.strokeRect(x0 + 0.5, y0 + 0.5, w, h);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const t of ticks(...this.domain.x)) {
      const px = this.sx(t);
      ctx.beginPath();
      ctx.moveTo(px, y0 + h);
      ctx.lineTo(px, y0 + h + 4);
      ctx.stroke();
      // A label that would stick out of the canvas is kept inside it.
      const half = ctx.measureText(String(t)).width / 2;
      ctx.fillText(String(t), Math.min(this.width - half - 1, Math.max(half + 1, px)), y0 + h + 6);
    }
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const t of ticks(...this.domain.y)) {
      const py = this.sy(t);
      ctx.beginPath();
      ctx.moveTo(x0 - 4, py);
      ctx.lineTo(x0, py);
      ctx.stroke();
      ctx.fillText(String(t), x0 - 6, py);
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'bottom';
    if (xLabel) ctx.fillText(xLabel, x0 + w / 2, this.height);
    if (yLabel) {
      ctx.translate(10, y0 + h / 2);
      ctx.rotate(-Math.PI / 2);
      ctx.textBaseline = 'middle';
      ctx.fillText(yLabel, 0, 0);
    }
    ctx.restore();
  }

  points(xs: ArrayLike<number>, ys: ArrayLike<number>, color: string, r = 1.5): void {
    const { ctx } = this;
    ctx.save();
    ctx.fillStyle = color;
    this.clip();
    for (let i = 0; i < xs.length; i++) {
      ctx.beginPath();
      ctx.arc(this.sx(xs[i]!), this.sy(ys[i]!), r, 0, 2 * Math.PI);
      ctx.fill();
    }
    ctx.restore();
  }

  line(xs: ArrayLike<number>, ys: ArrayLike<number>, color: string, width = 1.5, dash: number[] = []): void {
    const { ctx } = this;
    ctx.save();
    this.clip();
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.setLineDash(dash);
    ctx.beginPath();
    let started = false;
    for (let i = 0; i < xs.length; i++) {
      const y = ys[i]!;
      if (!Number.isFinite(y)) {
        started = false;
        continue;
      }
      if (started) ctx.lineTo(this.sx(xs[i]!), this.sy(y));
      else ctx.moveTo(this.sx(xs[i]!), this.sy(y));
      started = true;
    }
    ctx.stroke();
    ctx.restore();
  }

  /** A filled band between `lo` and `hi` over sorted `xs`. */
  band(xs: ArrayLike<number>, lo: ArrayLike<number>, hi: ArrayLike<number>, color: string): void {
    const { ctx } = this;
    ctx.save();
    this.clip();
    ctx.fillStyle = color;
    ctx.beginPath();
    for (let i = 0; i < xs.length; i++) ctx.lineTo(this.sx(xs[i]!), this.sy(hi[i]!));
    for (let i = xs.length - 1; i >= 0; i--) ctx.lineTo(this.sx(xs[i]!), this.sy(lo[i]!));
    ctx.closePath();
    ctx.fill();
    ctx.restore();
  }

  /**
   * A heatmap of `values` on an `nx` × `ny` grid covering the domain, row-major with
   * row 0 at the lowest y. Values are mapped through viridis after dividing by their max.
   */
  heatmap(values: ArrayLike<number>, nx: number, ny: number): void {
    let max = 0;
    for (let i = 0; i < values.length; i++) if (values[i]! > max) max = values[i]!;
    const img = new ImageData(nx, ny);
    for (let r = 0; r < ny; r++) {
      for (let c = 0; c < nx; c++) {
        const v = values[r * nx + c]!;
        const [R, G, B] = viridis(max > 0 ? Math.sqrt(v / max) : 0);
        const o = ((ny - 1 - r) * nx + c) * 4;
        img.data[o] = R;
        img.data[o + 1] = G;
        img.data[o + 2] = B;
        img.data[o + 3] = 255;
      }
    }
    const off = document.createElement('canvas');
    off.width = nx;
    off.height = ny;
    off.getContext('2d')!.putImageData(img, 0, 0);
    const { x0, y0, w, h } = this.inner;
    this.ctx.save();
    this.ctx.imageSmoothingEnabled = true;
    this.ctx.drawImage(off, x0, y0, w, h);
    this.ctx.restore();
  }

  /** Histogram bars of `counts` over equal bins of the x domain, with a reference level. */
  histogram(counts: ArrayLike<number>, color: string, reference?: number): void {
    const [a, b] = this.domain.x;
    const width = (b - a) / counts.length;
    const { ctx } = this;
    ctx.save();
    ctx.fillStyle = color;
    for (let i = 0; i < counts.length; i++) {
      const x1 = this.sx(a + i * width);
      const x2 = this.sx(a + (i + 1) * width);
      const top = this.sy(counts[i]!);
      ctx.fillRect(x1 + 1, top, x2 - x1 - 2, this.sy(0) - top);
    }
    ctx.restore();
    if (reference !== undefined) this.line([a, b], [reference, reference], '#c33', 1, [4, 3]);
  }

  /**
   * The `k`-standard-deviation ellipse of a 2-D normal with this mean and covariance
   * (through the eigen-decomposition of the 2x2 covariance).
   */
  ellipse(mean: [number, number], cov: [number, number, number], k: number, color: string, dash: number[] = []): void {
    const [a, b, c] = cov; // [[a, b], [b, c]]
    const tr = (a + c) / 2;
    const disc = Math.sqrt(Math.max(0, ((a - c) / 2) ** 2 + b * b));
    const l1 = tr + disc;
    const l2 = Math.max(0, tr - disc);
    const theta = Math.abs(b) < 1e-12 ? (a >= c ? 0 : Math.PI / 2) : Math.atan2(l1 - a, b);
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i <= 96; i++) {
      const t = (2 * Math.PI * i) / 96;
      const u = k * Math.sqrt(l1) * Math.cos(t);
      const v = k * Math.sqrt(l2) * Math.sin(t);
      xs.push(mean[0] + u * Math.cos(theta) - v * Math.sin(theta));
      ys.push(mean[1] + u * Math.sin(theta) + v * Math.cos(theta));
    }
    this.line(xs, ys, color, 2, dash);
  }

  legend(items: [string, string][]): void {
    const { ctx } = this;
    const { x0, y0 } = this.inner;
    ctx.save();
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    const w = Math.max(...items.map(([label]) => ctx.measureText(label).width)) + 30;
    ctx.fillStyle = 'rgba(255,255,255,0.85)';
    ctx.fillRect(x0 + 4, y0 + 3, w, items.length * 15 + 6);
    items.forEach(([label, color], i) => {
      const y = y0 + 10 + i * 15;
      ctx.fillStyle = color;
      ctx.fillRect(x0 + 8, y - 4, 10, 8);
      ctx.fillStyle = '#222';
      ctx.fillText(label, x0 + 22, y);
    });
    ctx.restore();
  }

  /** A grey line of text in the middle of the plot area (what an empty plot will show). */
  note(text: string): void {
    const { x0, y0, w, h } = this.inner;
    const { ctx } = this;
    ctx.save();
    ctx.font = '12px system-ui, sans-serif';
    ctx.fillStyle = '#888';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(text, x0 + w / 2, y0 + h / 2, w - 8);
    ctx.restore();
  }

  /** Fills the plot area (a heatmap's empty state, so light points stay visible before it is drawn). */
  background(color: string): void {
    const { x0, y0, w, h } = this.inner;
    this.ctx.save();
    this.ctx.fillStyle = color;
    this.ctx.fillRect(x0, y0, w, h);
    this.ctx.restore();
  }

  /**
   * The colour scale of `heatmap`: a viridis bar in the top-right corner of the plot area from 0 to
   * `max`, on the square-root scale the heatmap uses, with `label` above it.
   */
  colorScale(label: string, max: number): void {
    const { ctx } = this;
    const { x0, y0, w } = this.inner;
    ctx.save();
    ctx.font = '10px system-ui, sans-serif';
    const bw = Math.max(Math.min(120, w * 0.35), ctx.measureText(label).width);
    const bx = x0 + w - bw - 10;
    const by = y0 + 20;
    ctx.fillStyle = 'rgba(255,255,255,0.85)';
    ctx.fillRect(bx - 6, y0 + 3, bw + 12, 44);
    for (let i = 0; i < bw; i++) {
      const [R, G, B] = viridis(i / (bw - 1));
      ctx.fillStyle = `rgb(${R},${G},${B})`;
      ctx.fillRect(bx + i, by, 1, 10);
    }
    ctx.fillStyle = '#222';
    ctx.textBaseline = 'top';
    ctx.textAlign = 'left';
    ctx.fillText(label, bx, y0 + 6);
    ctx.fillText('0', bx, by + 13);
    ctx.textAlign = 'right';
    ctx.fillText(max.toPrecision(2), bx + bw, by + 13);
    ctx.textAlign = 'center';
    ctx.fillText((max / 4).toPrecision(2), bx + bw / 2, by + 13);
    ctx.restore();
  }

  private clip(): void {
    const { x0, y0, w, h } = this.inner;
    this.ctx.beginPath();
    this.ctx.rect(x0, y0, w, h);
    this.ctx.clip();
  }
}
