import { test, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
async function run(restoreAt: number) {
    const w = tf.variable(tf.tensor1d([0.3, -0.7, 1.1, 2.5]), true, 'w' + restoreAt);
    let opt = tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
    for (let i = 0; i < 60; i++) {
      if (i === restoreAt) {
        const ws = await opt.getWeights();
        const copies = ws.map((x) => ({ name: x.name, tensor: tf.clone(x.tensor) }));
        const o2 = tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
        await o2.setWeights(copies);
        opt = o2;
      }
      opt.minimize(() => tf.sum(tf.square(tf.mul(w, tf.scalar(Math.sin(i)+1.5)))) as tf.Scalar);
    }
    return w.dataSync();
}
test('adam', async () => {
  await tf.setBackend('cpu');
  const a = await run(-1);
  for (const r of [3, 7, 25, 41]) { const b = await run(r); console.log(r, Array.from(a).map((x, i) => x - b[i])); }
});
