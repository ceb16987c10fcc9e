/**
 * Models whose every training kernel the wasm backend has (with our filter-gradient
 * kernel installed), as established by test/shared/ml/backend/wasm-training.test.ts,
 * which trains each configs/smoke/ config's model two steps on wasm and on cpu and
 * compares the losses. `AELAB_BACKEND=auto` picks wasm for these when no native backend loads.
 */
export const WASM_TRAINABLE_MODELS: ReadonlySet<string> = new Set([
  'aae',
  'beta_vae',
  'conv_autoencoder',
  'dense_conv_autoencoder',
  'morphaeus',
  'soft_intro_vae',
  'synthetic_objective',
  'vae',
]);

/**
 * Models that train on wasm but are kept off it, with the reason: `auto` gives them the
 * pure-JS backend.
 */
export const WASM_EXCLUDED_MODELS: ReadonlyMap<string, string> = new Map([
  ['dae_unet', 'its 128×128 forward on wasm lies up to 4.2e-3 from the official output (1.8e-5 on the pure-JS backend)'],
]);
