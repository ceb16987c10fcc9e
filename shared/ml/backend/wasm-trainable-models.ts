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
  'synthetic_objective',
  'vae',
]);

/**
 * Models that train on wasm but are kept off it, with the reason: `auto` gives them the
 * pure-JS backend (with the native convolutions and fused kernels), whose memory is not capped.
 */
export const WASM_EXCLUDED_MODELS: ReadonlyMap<string, string> = new Map([
  ['dae_unet', 'training at 128×128, batch 8 fills the 4 GiB wasm heap (bench:train)'],
  ['soft_intro_vae', 'training at 128×128, batch 8 fills the 4 GiB wasm heap (bench:train)'],
]);
