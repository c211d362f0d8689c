// Runs the conformance suite (conformance.ts) on every built-in distribution (conformance_specs.ts).
import { runConformance } from './conformance.js';
import { specs } from './conformance_specs.js';

for (const spec of specs) runConformance(spec);
