/**
 * Figures: predictions with central intervals against one input column, and
 * the PIT histogram. A vega-lite spec is compiled (vega-lite), rendered to SVG
 * headlessly (vega View with renderer 'none'), and rasterized to PNG (resvg).
 */
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface PlotSeries {
  column: string;
  /** Per row: input value, mean, interval bounds, and the observed target when known. */
  x: ArrayLike<number>;
  mean: ArrayLike<number>;
  lo50: ArrayLike<number>;
  hi50: ArrayLike<number>;
  lo90: ArrayLike<number>;
  hi90: ArrayLike<number>;
  observed?: ArrayLike<number>;
}

export interface PlotInput {
  title: string;
  xColumn: string;
  series: PlotSeries[];
  /** PIT values over all cells (omitted when the data has no targets). */
  pit?: ArrayLike<number>;
  /** Subsample the point cloud to at most this many points (a cleaner figure, a smaller file). */
  maxPoints?: number;
  /**
   * 'band' (one input: intervals as bands over the sorted input) or 'bars'
   * (several inputs: the prediction for a row also depends on the other
   * columns, so each row gets its own interval bar and mean tick).
   */
  mode?: 'band' | 'bars';
}

/** Builds the vega-lite spec (exported for tests and for users who want the JSON). */
export function buildSpec(input: PlotInput): TopLevelSpec {
  const maxPoints = input.maxPoints ?? 3000;
  const panels: object[] = input.series.map((s) => {
    const n = s.x.length;
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => s.x[a]! - s.x[b]!);
    const band = order.map((i) => ({
      x: s.x[i],
      mean: s.mean[i],
      lo50: s.lo50[i],
      hi50: s.hi50[i],
      lo90: s.lo90[i],
      hi90: s.hi90[i],
    }));
    const step = Math.max(1, Math.ceil(n / maxPoints));
    const layers: object[] = input.mode === 'bars' ? barLayers(band.filter((_, k) => k % step === 0), input.xColumn, s.column) : [
      {
        data: { values: band },
        mark: { type: 'area', opacity: 0.25, color: '#4c78a8' },
        encoding: {
          x: { field: 'x', type: 'quantitative', title: input.xColumn },
          y: { field: 'lo90', type: 'quantitative', title: s.column },
          y2: { field: 'hi90' },
        },
      },
      {
        data: { values: band },
        mark: { type: 'area', opacity: 0.35, color: '#4c78a8' },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'lo50', type: 'quantitative' }, y2: { field: 'hi50' } },
      },
      {
        data: { values: band },
        mark: { type: 'line', color: '#1f3b63', strokeWidth: 2 },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'mean', type: 'quantitative' } },
      },
    ];
    if (s.observed) {
      const pts: { x: number; y: number }[] = [];
      for (let i = 0; i < n; i += step) pts.push({ x: s.x[i]!, y: s.observed[i]! });
      layers.push({
        data: { values: pts },
        mark: { type: 'circle', size: n < 200 ? 40 : 8, opacity: n < 200 ? 0.8 : 0.35, color: '#e45756' },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
      });
    }
    return {
      title: `${s.column} vs ${input.xColumn}: mean, 50% and 90% central intervals${input.mode === 'bars' ? ' per row' : ''}${s.observed ? ', observed (red)' : ''}`,
      width: 560,
      height: 260,
      layer: layers,
    };
  });
  if (input.pit && input.pit.length > 0) {
    const bins = 10;
    const counts = new Array<number>(bins).fill(0);
    for (const u of Array.from(input.pit)) counts[Math.min(bins - 1, Math.max(0, Math.floor(u * bins)))]!++;
    const expected = input.pit.length / bins;
    panels.push({
      title: 'PIT histogram (flat = calibrated; dashed = uniform)',
      width: 560,
      height: 160,
      layer: [
        {
          data: { values: counts.map((c, i) => ({ lo: i / bins, hi: (i + 1) / bins, count: c })) },
          mark: { type: 'rect', color: '#72b7b2', stroke: 'white' },
          encoding: {
            x: { field: 'lo', type: 'quantitative', title: 'PIT value', scale: { domain: [0, 1] } },
            x2: { field: 'hi' },
            y: { field: 'count', type: 'quantitative', title: 'count' },
            y2: { datum: 0 },
          },
        },
        {
          data: { values: [{ e: expected }] },
          mark: { type: 'rule', strokeDash: [6, 4], color: 'black' },
          encoding: { y: { field: 'e', type: 'quantitative', title: 'count' } },
        },
      ],
    });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: input.title,
    background: 'white',
    padding: 10,
    vconcat: panels,
  } as TopLevelSpec;
}

function barLayers(rows: object[], xColumn: string, yColumn: string): object[] {
  const x = { field: 'x', type: 'quantitative', title: xColumn };
  return [
    {
      data: { values: rows },
      mark: { type: 'rule', opacity: 0.3, color: '#4c78a8' },
      encoding: { x, y: { field: 'lo90', type: 'quantitative', title: yColumn }, y2: { field: 'hi90' } },
    },
    {
      data: { values: rows },
      mark: { type: 'rule', opacity: 0.6, strokeWidth: 2, color: '#4c78a8' },
      encoding: { x, y: { field: 'lo50', type: 'quantitative' }, y2: { field: 'hi50' } },
    },
    {
      data: { values: rows },
      mark: { type: 'tick', orient: 'horizontal', color: '#1f3b63', size: 6 },
      encoding: { x, y: { field: 'mean', type: 'quantitative' } },
    },
  ];
}

/** Renders a vega-lite spec to an SVG string (headless). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const vg = compile(spec).spec;
  const view = new vega.View(vega.parse(vg), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterizes an SVG string to PNG bytes. */
export function svgToPng(svg: string): Uint8Array {
  const r = new Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: 1.5 }, font: { loadSystemFonts: true } });
  return r.render().asPng();
}
