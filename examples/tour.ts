/**
 * A short tour: a few distributions, their samples and log-densities.
 * Run: npx tsx examples/tour.ts   (part of `npm run demo`)
 */
import * as tf from '@tensorflow/tfjs';
import * as tfp from 'tfjs-probability';

const tfd = tfp.distributions;

async function main(): Promise<void> {
  const backend = await tfp.ready();
  console.log(`tfjs-probability tour (backend: ${backend})\n`);

  const normal = new tfd.Normal({ loc: [0, 10], scale: [1, 0.5] });
  const x = normal.sample([3], { seed: 42 });
  console.log(`${normal}`);
  console.log('  sample([3], {seed: 42}) =', JSON.stringify(await x.array()));
  const lp = normal.logProb(x);
  console.log('  logProb(sample)        =', JSON.stringify(await lp.array()));
  const standard = new tfd.Normal({ loc: 0, scale: 1 });
  const kl = tfd.klDivergence(normal, standard);
  console.log('  KL(normal || N(0,1))   =', JSON.stringify(await kl.array()));
  tf.dispose([x, lp, kl]);
  normal.dispose();
  standard.dispose();
  console.log(`\nlive tensors at the end: ${tf.memory().numTensors}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
