// Runs the conformance suite (conformance.ts) on the distributions of the second round (conformance_specs_round2.ts).
import { runConformance } from './conformance.js';
import { round2Specs } from './conformance_specs_round2.js';

for (const spec of round2Specs) runConformance(spec);
