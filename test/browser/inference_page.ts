// Page for test/site_inference.test.ts: the playground's inference panel alone, on wasm, sampling eight
// schools with a short run; reports what the panel shows (diagnostics table, plotted pixels).
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import * as tfp from 'tfjs-probability';
import { InferencePanel } from '../../site/src/inference_panel.js';
import { reportFromPage } from './page_report.js';

reportFromPage(async () => {
  const backend = await tfp.ready({ wasm, wasmPaths: '/wasm/', backend: 'wasm' });
  const panel = new InferencePanel(document.body);
  const set = (cls: string, v: string): void => {
    (panel.root.querySelector(`input.${cls}`) as HTMLInputElement).value = v;
  };
  const q = new URLSearchParams(location.search);
  set('warmup', q.get('warmup') ?? '150');
  set('draws', q.get('draws') ?? '150');
  const t0 = performance.now();
  await panel.run();
  const inked = Array.from(panel.root.querySelectorAll('canvas')).map((c) => {
    const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < px.length; i += 4) if (px[i + 3]! > 0 && (px[i]! < 200 || px[i + 1]! < 200 || px[i + 2]! < 200)) n++;
    return { cls: c.className, inked: n };
  });
  const rows = Array.from(panel.root.querySelectorAll('table.diagnostics tbody tr')).map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent ?? ''));
  const d = panel.root.dataset;
  return {
    backend, seconds: (performance.now() - t0) / 1000, done: d['done'] ?? null, status: panel.root.querySelector('.status')?.textContent ?? '',
    draws: Number(d['draws']), minEss: Number(d['minEss']), maxRhat: Number(d['maxRhat']), meanMu: Number(d['meanMu']), rows, inked,
  };
});
