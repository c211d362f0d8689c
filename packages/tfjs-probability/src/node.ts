/**
 * tfjs-probability's Node entry (the package's `node` export condition): the whole public
 * API of the browser-clean main entry, plus the Node platform: tfjs-node and the wasm
 * backend are found in node_modules by `tfp.ready()`, and `tfp.io` reads and writes model
 * directories (a tfjs IO router for plain paths, registered on import).
 */
import './node/register.js';

export * from './index.js';
