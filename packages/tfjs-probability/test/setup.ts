// Runs before every test file: starts the backend under test (wasm by default,
// TFP_TEST_BACKEND=cpu for the pure-JS backend) on stock tfjs: nothing of tfjs is replaced
// (`accelerate: false`). TFP_ACCELERATE=1 runs the same files with tfjs' own Dense layer, Adam
// optimizer and wasm kernels accelerated, as `tfp.ready()` does by default (.ci/run's second pass).
import { beforeAll } from 'vitest';
import '../src/node.js';
import { ready } from '../src/backend.js';

beforeAll(async () => {
  await ready({ backend: process.env['TFP_TEST_BACKEND'] ?? 'wasm', accelerate: process.env['TFP_ACCELERATE'] === '1' });
});
