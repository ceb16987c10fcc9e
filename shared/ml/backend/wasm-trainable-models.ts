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
  'vae',
]);
