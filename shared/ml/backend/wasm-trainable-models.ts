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
  'dae_unet',
  'dense_conv_autoencoder',
  'morphaeus',
  'soft_intro_vae',
  'synthetic_objective',
  'vae',
]);

/**
 * Models that train on wasm but are kept off it, with the reason: `auto` gives them the
 * pure-JS backend. None at present (the DAE was, until GroupNorm took its means one axis
 * at a time: wasm's float32 sums had moved its output 4e-3 from PyTorch's).
 */
export const WASM_EXCLUDED_MODELS: ReadonlyMap<string, string> = new Map();
