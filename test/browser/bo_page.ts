// The Bayesian-optimization panel of the playground on its own page (for test/site_bo.test.ts):
// starts the wasm backend, mounts the panel and exposes it as window.__bo.
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import * as tfp from 'tfjs-probability';
import { BoPanel } from '../../site/src/bo_panel.js';

const w = window as { __bo?: BoPanel; __tfpError?: string };
tfp
  .ready({ backend: 'wasm', wasm, wasmPaths: '/wasm/' })
  .then(() => {
    w.__bo = new BoPanel(document.getElementById('root')!);
  })
  .catch((e: unknown) => {
    w.__tfpError = String(e);
  });
