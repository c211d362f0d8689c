// Runs before every test file: starts the backend under test (wasm by default,
// TFP_TEST_BACKEND=cpu to run the suite on the pure-JS backend).
import { beforeAll } from 'vitest';
import '../src/node.js';
import { ready } from '../src/backend.js';

beforeAll(async () => {
  await ready({ backend: process.env['TFP_TEST_BACKEND'] ?? 'wasm' });
});
