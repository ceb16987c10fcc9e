/**
 * Models whose every training kernel the wasm backend has (with our filter-gradient
 * kernel installed), as established by test/shared/ml/backend/wasm-training.test.ts,
 * which trains each registered model one step on wasm and on cpu and compares.
 * `AELAB_BACKEND=auto` picks wasm for these when no native backend loads.
 */
export const WASM_TRAINABLE_MODELS: ReadonlySet<string> = new Set(['conv_autoencoder', 'morphaeus']);
