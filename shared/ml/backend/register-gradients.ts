import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';

const GRADIENTS_MODULE = '@tensorflow/tfjs-core/dist/register_all_gradients';

/**
 * Makes sure TF.js gradients are registered. `@tensorflow/tfjs-core`'s CommonJS build
 * (the one Node loads) registers no gradients; they live only in its ES-module sources,
 * whose extensionless imports Node's ESM loader rejects. Vitest loads them by `import`;
 * tsx loads them through `require`. Either way they register into the one global
 * gradient registry every tfjs-core copy shares. Idempotent.
 */
export async function ensureGradientsRegistered(): Promise<void> {
  if (tf.getGradient(tf.Conv2D)) return;
  try {
    const specifier: string = GRADIENTS_MODULE;
    await import(specifier);
  } catch (importError) {
    try {
      createRequire(import.meta.url)(`${GRADIENTS_MODULE}.js`);
    } catch (requireError) {
      // Compiled (`npm run build`): the build bundles the gradient sources next to this file.
      if (await importCompiledGradients()) return;
      throw new Error(
        `cannot register TF.js gradients from ${GRADIENTS_MODULE} ` +
          `(import: ${(importError as Error).message}; require: ${(requireError as Error).message}); ` +
          'run under tsx or vitest',
      );
    }
  }
  if (!tf.getGradient(tf.Conv2D)) throw new Error(`loading ${GRADIENTS_MODULE} registered no gradients`);
}

async function importCompiledGradients(): Promise<boolean> {
  if (!import.meta.url.endsWith('.js')) return false;
  await import(new URL('./tfjs-gradients.js', import.meta.url).href);
  return Boolean(tf.getGradient(tf.Conv2D));
}
