/**
 * Panel 3: distributional regression on a CSV file in the page. Pick a bundled file or
 * drop your own, choose input and target columns and a head (normal, mixture of
 * normals, full covariance), train, and read the held-out NLL, the 90% interval
 * coverage, the intervals against the first input and the PIT histogram.
 */
import * as tf from '@tensorflow/tfjs';
import { parse } from 'csv-parse/browser/esm/sync';
import * as tfp from 'tfjs-probability';
import spiralCsv from '../../packages/tfjs-prob-cli/data/spiral.csv?raw';
import recipe001Csv from '../../packages/tfjs-prob-cli/data/recipe001.csv?raw';
import { Plot } from './draw.js';
import { rng } from './data.js';
import { $, LossCurve, quantileSorted, setStatus } from './ui.js';

const tfpl = tfp.layers;

const BUNDLED: Record<string, string> = { 'spiral.csv': spiralCsv, 'recipe001.csv': recipe001Csv };
const DRAWS = 200;
/** At most this many bytes are read from a dropped file (the page holds it in memory). */
const MAX_BYTES = 20 * 1024 * 1024;

interface Table {
  name: string;
  columns: string[];
  rows: number[][];
  /** Text columns left out, and date columns read as days since 1970-01-01. */
  ignored: string[];
  dates: string[];
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Parses CSV text with a header row. A column of numbers is used as it is; a column of ISO
 * dates (2012-01-31, optionally with a time) becomes days since 1970-01-01; a column with no
 * number at all (text labels) is left out, and the note says so. A column that mixes numbers
 * with other cells, and an empty cell in a used column, are errors naming the row and column.
 */
export function parseTable(name: string, text: string): Table {
  const records = parse(text, { skip_empty_lines: true, trim: true }) as string[][];
  if (records.length < 2) throw new Error(`${name}: needs a header row and at least one data row`);
  const header = records[0]!;
  const body = records.slice(1);
  body.forEach((r, i) => {
    if (r.length !== header.length) throw new Error(`${name}: row ${i + 2} has ${r.length} cells, the header has ${header.length}`);
  });
  const kinds = header.map((_, j) => {
    const cells = body.map((r) => r[j]!).filter((c) => c !== '');
    if (cells.length > 0 && cells.every((c) => DATE.test(c) && Number.isFinite(Date.parse(c)))) return 'date';
    return cells.some((c) => NUMBER.test(c)) ? 'number' : 'text';
  });
  const used = header.map((_, j) => j).filter((j) => kinds[j] !== 'text');
  const ignored = header.filter((_, j) => kinds[j] === 'text');
  if (used.length < 2) throw new Error(`${name}: needs at least two numeric columns; found ${used.length}${ignored.length ? ` (text columns left out: ${ignored.join(', ')})` : ''}`);
  const rows = body.map((r, i) =>
    used.map((j) => {
      const cell = r[j]!;
      const v = kinds[j] === 'date' ? Date.parse(cell) / 86_400_000 : NUMBER.test(cell) ? Number(cell) : NaN;
      if (cell === '' || !Number.isFinite(v)) throw new Error(`${name}: row ${i + 2}, column '${header[j]}': '${cell}' is not a finite number`);
      return v;
    }),
  );
  return { name, columns: used.map((j) => header[j]!), rows, ignored, dates: used.filter((j) => kinds[j] === 'date').map((j) => header[j]!) };
}

function standardize(rows: number[][], cols: number[]): { data: Float32Array; mean: number[]; sd: number[] } {
  const mean = cols.map((c) => rows.reduce((a, r) => a + r[c]!, 0) / rows.length);
  const sd = cols.map((c, k) => Math.sqrt(rows.reduce((a, r) => a + (r[c]! - mean[k]!) ** 2, 0) / Math.max(1, rows.length - 1)) || 1);
  const data = new Float32Array(rows.length * cols.length);
  rows.forEach((r, i) => cols.forEach((c, k) => (data[i * cols.length + k] = (r[c]! - mean[k]!) / sd[k]!)));
  return { data, mean, sd };
}

export class CsvPanel {
  private table: Table | null = null;
  private readonly loss: LossCurve;
  private readonly intervals: Plot;
  private readonly pit: Plot;
  private busy = false;
  /** Resolves once the bundled file shown at first is parsed. */
  private loaded: Promise<void>;

  constructor(private readonly root: HTMLElement) {
    this.loss = new LossCurve($(root, 'canvas.loss') as HTMLCanvasElement);
    this.intervals = new Plot($(root, 'canvas.intervals') as HTMLCanvasElement, { x: [0, 1], y: [0, 1] });
    this.pit = new Plot($(root, 'canvas.pit') as HTMLCanvasElement, { x: [0, 1], y: [0, 1] });
    const bundled = $(root, 'select.bundled') as HTMLSelectElement;
    bundled.addEventListener('change', () => this.load(bundled.value, BUNDLED[bundled.value]!));
    const file = $(root, 'input.file') as HTMLInputElement;
    file.addEventListener('change', () => void this.loadFile(file.files?.[0]));
    root.addEventListener('dragover', (e) => e.preventDefault());
    root.addEventListener('drop', (e) => {
      e.preventDefault();
      void this.loadFile(e.dataTransfer?.files[0]);
    });
    $(root, 'button.train').addEventListener('click', () => void this.train());
    setStatus(root, `reading ${bundled.value}…`);
    this.emptyPlots();
    // The bundled file is parsed in a task of its own, after the panel is drawn.
    this.loaded = new Promise((resolve) => setTimeout(() => resolve(this.load(bundled.value, BUNDLED[bundled.value]!)), 0));
  }

  private async loadFile(f: File | undefined): Promise<void> {
    if (!f) return;
    if (f.size > MAX_BYTES) return this.error(`${f.name}: ${f.size} bytes is more than the page reads (${MAX_BYTES})`);
    this.load(f.name, await f.text());
  }

  /** Shows the error and clears the results of an earlier file or run, so none is read as this one's. */
  private error(msg: string): void {
    setStatus(this.root, msg);
    this.root.dataset['error'] = msg;
    delete this.root.dataset['heldOutNll'];
    delete this.root.dataset['coverage90'];
    $(this.root, '.readout').textContent = '';
    this.loss.reset();
    this.emptyPlots();
  }

  /** The interval and PIT plots before (or without) a result: axes and labels only. */
  private emptyPlots(): void {
    this.intervals.domain = { x: [0, 1], y: [0, 1] };
    this.intervals.clear();
    this.intervals.axes('first input', 'first target');
    this.intervals.note('after training: median and 90% interval per held-out row');
    this.pit.domain = { x: [0, 1], y: [0, 1] };
    this.pit.clear();
    this.pit.axes('PIT (flat = calibrated)', 'rows');
    this.pit.note('after training: PIT histogram');
  }

  load(name: string, text: string): void {
    try {
      this.table = parseTable(name, text);
    } catch (e) {
      this.table = null;
      return this.error((e as Error).message);
    }
    delete this.root.dataset['error'];
    const { columns, rows } = this.table;
    const box = (cls: string, checked: (c: string, i: number) => boolean) =>
      columns.map((c, i) => `<label><input type="checkbox" class="${cls}" value="${i}"${checked(c, i) ? ' checked' : ''}> ${c}</label>`).join(' ');
    const last = columns.length - 1;
    const isY = (c: string, i: number) => (/^y/i.test(c) ? true : i === last && !columns.some((cc) => /^y/i.test(cc)));
    $(this.root, '.inputs').innerHTML = 'inputs: ' + box('in', (c, i) => !isY(c, i));
    $(this.root, '.targets').innerHTML = 'targets: ' + box('out', isY);
    const notes = [
      ...(this.table.ignored.length ? [`text columns left out: ${this.table.ignored.join(', ')}`] : []),
      ...(this.table.dates.length ? [`read as days since 1970-01-01: ${this.table.dates.join(', ')}`] : []),
    ];
    setStatus(this.root, `${name}: ${rows.length} rows, ${columns.length} numeric columns${notes.length ? ` (${notes.join('; ')})` : ''}`);
    $(this.root, '.readout').textContent = '';
    this.emptyPlots();
  }

  private checked(cls: string): number[] {
    return Array.from(this.root.querySelectorAll<HTMLInputElement>(`input.${cls}:checked`)).map((e) => Number(e.value));
  }

  async train(): Promise<void> {
    await this.loaded;
    if (this.busy || this.table === null) return;
    const { name, rows, columns } = this.table;
    const ins = this.checked('in');
    const outs = this.checked('out');
    const headKind = ($(this.root, 'select.head') as HTMLSelectElement).value;
    const epochs = Math.max(1, Math.min(2000, Number(($(this.root, 'input.epochs') as HTMLInputElement).value) || 100));
    if (ins.length === 0 || outs.length === 0) return this.error('choose at least one input and one target column');
    if (ins.some((i) => outs.includes(i))) return this.error('a column cannot be both an input and a target');
    if (headKind === 'mvn' && outs.length < 2) return this.error('a full covariance needs at least two target columns');
    this.busy = true;
    this.root.dataset['state'] = 'training';
    // The page's backend, the fastest it has (tfp.ready: wasm where WebGL is a software rasterizer).
    const backend = tf.getBackend();
    this.root.dataset['backend'] = backend;
    const t0 = performance.now();
    this.loss.reset();
    // A seeded 80/20 split (all rows train and test when the file is tiny).
    const u = rng(3);
    const order = rows.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(u() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const nTest = rows.length >= 20 ? Math.round(rows.length * 0.2) : 0;
    const test = (nTest ? order.slice(0, nTest) : order).map((i) => rows[i]!);
    const train = (nTest ? order.slice(nTest) : order).map((i) => rows[i]!);
    const sx = standardize(train, ins);
    const sy = standardize(train, outs);
    const scale = (rs: number[][], cols: number[], s: { mean: number[]; sd: number[] }) =>
      Float32Array.from(rs.flatMap((r) => cols.map((c, k) => (r[c]! - s.mean[k]!) / s.sd[k]!)));
    const d = outs.length;
    const head =
      headKind === 'mixture'
        ? new tfpl.MixtureNormal({ numComponents: 5, eventShape: [d] })
        : headKind === 'mvn'
          ? new tfpl.MultivariateNormalTriL({ eventSize: d })
          : new tfpl.IndependentNormal({ eventShape: [d] });
    const paramsSize =
      headKind === 'mixture' ? tfpl.MixtureNormal.paramsSize(5, [d]) : headKind === 'mvn' ? tfpl.MultivariateNormalTriL.paramsSize(d) : tfpl.IndependentNormal.paramsSize([d]);
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [ins.length], units: 64, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 21 }) }),
        tf.layers.dense({ units: 64, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 22 }) }),
        tf.layers.dense({ units: paramsSize, kernelInitializer: tf.initializers.glorotUniform({ seed: 23 }) }),
        head,
      ],
    });
    model.compile({ optimizer: tf.train.adam(3e-3), loss: tfp.losses.negativeLogLikelihood(head) });
    const x = tf.tensor2d(sx.data, [train.length, ins.length]);
    const y = tf.tensor2d(sy.data, [train.length, d]);
    const xt = tf.tensor2d(scale(test, ins, sx), [test.length, ins.length]);
    const yt = tf.tensor2d(scale(test, outs, sy), [test.length, d]);
    try {
      await model.fit(x, y, {
        epochs,
        batchSize: Math.min(64, train.length),
        shuffle: true,
        yieldEvery: 'batch',
        verbose: 0,
        callbacks: {
          onEpochEnd: async (epoch, logs) => {
            this.loss.push(Number(logs?.['loss']));
            const perEpoch = (performance.now() - t0) / (epoch + 1);
            setStatus(this.root, `${name}: epoch ${epoch + 1}/${epochs}, training NLL ${Number(logs?.['loss']).toFixed(3)} (standardized targets; ${perEpoch.toFixed(0)} ms/epoch on ${backend})`);
          },
        },
      });
      await this.report(model, xt, yt, test, ins, outs, sy, columns);
    } catch (e) {
      this.error(`training failed: ${(e as Error).message}`);
    } finally {
      tf.dispose([x, y, xt, yt]);
      model.dispose();
      this.busy = false;
      this.root.dataset['state'] = 'done';
    }
  }

  /** Held-out NLL (original units), 90% coverage, the interval plot and the PIT histogram of the first target. */
  private async report(
    model: tf.LayersModel, xt: tf.Tensor2D, yt: tf.Tensor2D, test: number[][], ins: number[], outs: number[],
    sy: { mean: number[]; sd: number[] }, columns: string[],
  ): Promise<void> {
    const dist = tfp.predictDistribution(model, xt);
    const [nllT, drawsT] = tf.tidy(() => [tf.neg(tf.mean(dist.logProb(yt))), dist.sample([DRAWS], { seed: 9 })]);
    const [nllStd, draws] = await Promise.all([nllT!.data(), drawsT!.data()]);
    tf.dispose([nllT!, drawsT!]);
    dist.dispose();
    const n = test.length;
    const d = outs.length;
    // NLL in the targets' own units: the standardization's Jacobian adds Σ log sd.
    const nll = nllStd[0]! + sy.sd.reduce((a, s) => a + Math.log(s), 0);
    const lo = new Float64Array(n);
    const hi = new Float64Array(n);
    const mid = new Float64Array(n);
    const pit = new Array<number>(10).fill(0);
    let covered = 0;
    for (let i = 0; i < n; i++) {
      const s = new Float64Array(DRAWS);
      for (let k = 0; k < DRAWS; k++) s[k] = draws[(k * n + i) * d]! * sy.sd[0]! + sy.mean[0]!;
      s.sort();
      lo[i] = quantileSorted(s, 0.05);
      hi[i] = quantileSorted(s, 0.95);
      mid[i] = quantileSorted(s, 0.5);
      const obs = test[i]![outs[0]!]!;
      if (obs >= lo[i]! && obs <= hi[i]!) covered++;
      let below = 0;
      for (const v of s) if (v <= obs) below++;
      pit[Math.min(9, Math.floor((below / DRAWS) * 10))]!++;
    }
    const xs = test.map((r) => r[ins[0]!]!);
    const ys = test.map((r) => r[outs[0]!]!);
    const all = [...ys, ...lo, ...hi];
    const [xmin, xmax] = [Math.min(...xs), Math.max(...xs)];
    const [ymin, ymax] = [Math.min(...all), Math.max(...all)];
    const px = (xmax - xmin) * 0.05 || 1;
    const py = (ymax - ymin) * 0.05 || 1;
    const p = this.intervals;
    p.domain = { x: [xmin - px, xmax + px], y: [ymin - py, ymax + py] };
    p.clear();
    for (let i = 0; i < n; i++) p.line([xs[i]!, xs[i]!], [lo[i]!, hi[i]!], 'rgba(31,119,180,0.35)', 2);
    p.points(xs, Array.from(mid), '#1f77b4', 1.8);
    p.points(xs, ys, '#d62728', 1.8);
    p.axes(columns[ins[0]!]!, columns[outs[0]!]!);
    p.legend([['observed', '#d62728'], ['predicted median', '#1f77b4'], ['90% interval', 'rgba(31,119,180,0.5)']]);
    const q = this.pit;
    q.domain = { x: [0, 1], y: [0, Math.max(...pit, n / 10) * 1.15] };
    q.clear();
    q.histogram(pit, '#2ca02c', n / 10);
    q.axes('PIT (from 200 draws per row)', 'rows');
    const coverage = covered / n;
    this.root.dataset['heldOutNll'] = nll.toFixed(4);
    this.root.dataset['coverage90'] = coverage.toFixed(4);
    $(this.root, '.readout').textContent =
      `${n} held-out rows: NLL ${nll.toFixed(3)} nats per row (joint over ${d} target${d > 1 ? 's' : ''}, original units); ` +
      `90% interval of ${columns[outs[0]!]} covers ${(100 * coverage).toFixed(1)}%. ` +
      'NLL: the negative log density the model gave the held-out targets, averaged over rows; lower is better, and it only compares ' +
      'models on the same data and units. PIT: the predicted CDF at each observed value; a calibrated model gives a flat histogram, ' +
      'a U shape means its intervals are too narrow, a hump in the middle too wide.';
  }
}
