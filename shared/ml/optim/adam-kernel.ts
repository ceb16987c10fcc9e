import * as tf from '@tensorflow/tfjs-core';
import { backendBuffers, type InPlaceBackend } from '../backend/backend-buffers.ts';
import { type NativeAddon, nativeAddonStatus } from '../backend/native-addon.ts';

/**
 * One Adam update of one parameter (adam.ts) as a single kernel, `AelabAdamStep`: inputs
 * param, grad, expAvg, expAvgSq and, with AMSGrad, maxExpAvgSq; outputs their new values in
 * that order (grad excepted). The generic update is about twelve element-wise ops, each
 * allocating a tensor of the parameter's size; this is one pass.
 *
 * Every intermediate is rounded to float32 in the generic ops' order, with the scalars
 * rounded to float32 as the generic ops' scalar tensors are, so the result equals theirs bit
 * for bit on cpu and wasm (both round each op's exact result once; for the products, sums,
 * quotient and square root of float32 values, computing in float64 and rounding to float32
 * gives that same value).
 *
 * Two passes compute it: our native addon's (native/adam-kernels.cc, float32 operations in the
 * same order, on the addon's threads), and a JavaScript loop where the addon is not built.
 */
export const ADAM_STEP = 'AelabAdamStep';

export interface AdamStepAttrs {
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
  amsgrad: boolean;
  /** lr / (1 − beta1^t). */
  stepSize: number;
  /** √(1 − beta2^t). */
  biasCorrection2Sqrt: number;
}

interface AdamArrays {
  param: Float32Array;
  grad: Float32Array;
  expAvg: Float32Array;
  expAvgSq: Float32Array;
  maxExpAvgSq: Float32Array | undefined;
}

/** Which pass computes the step: the native addon's or the JavaScript loop. */
export type AdamPass = 'native' | 'javascript';

interface AdamAddon extends NativeAddon {
  adamStep(
    constants: Float32Array, param: Float32Array, grad: Float32Array, expAvg: Float32Array, expAvgSq: Float32Array, maxExpAvgSq: Float32Array | null,
    nextParam: Float32Array, nextExpAvg: Float32Array, nextExpAvgSq: Float32Array, nextMaxExpAvgSq: Float32Array | null,
  ): void;
}

const installed = new Set<InPlaceBackend>();

/** The native pass where the addon is built, else the JavaScript one. */
export function preferredAdamPass(): AdamPass {
  return nativeAddonStatus().available ? 'native' : 'javascript';
}

/** Registers the kernel on `backendName`, computed by `pass`. Idempotent: a second call keeps the first pass. */
export function installAdamKernel(backendName: InPlaceBackend, pass: AdamPass = preferredAdamPass()): void {
  if (installed.has(backendName)) return;
  const step = pass === 'native' ? nativeAdamPass : adamPass;
  tf.registerKernel({
    kernelName: ADAM_STEP,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const named = inputs as Record<string, tf.TensorInfo | undefined>;
      const buffers = backendBuffers(backendName, backend);
      const slotNames = named.maxExpAvgSq === undefined ? ['param', 'expAvg', 'expAvgSq'] : ['param', 'expAvg', 'expAvgSq', 'maxExpAvgSq'];
      const outputs = slotNames.map((name) => buffers.output(named[name]!.shape));
      const values = (name: string) => (named[name] === undefined ? undefined : buffers.values(named[name]!));
      const current: AdamArrays = { param: values('param')!, grad: values('grad')!, expAvg: values('expAvg')!, expAvgSq: values('expAvgSq')!, maxExpAvgSq: values('maxExpAvgSq') };
      const [param, expAvg, expAvgSq, maxExpAvgSq] = outputs.map((info) => buffers.values(info));
      step(current, { param, grad: current.grad, expAvg, expAvgSq, maxExpAvgSq }, attrs as unknown as AdamStepAttrs);
      return outputs;
    },
  });
  installed.add(backendName);
}

/** Removes the kernel from `backendName` (Adam then runs on generic ops). */
export function uninstallAdamKernel(backendName: InPlaceBackend): void {
  if (!installed.delete(backendName)) return;
  tf.unregisterKernel(ADAM_STEP, backendName);
}

/** Whether the active backend has the kernel. */
export function adamKernelAvailable(): boolean {
  return tf.getKernel(ADAM_STEP, tf.getBackend()) !== undefined;
}

function nativeAdamPass(current: AdamArrays, next: AdamArrays, attrs: AdamStepAttrs): void {
  const status = nativeAddonStatus();
  if (!status.available) throw new Error(`the native Adam step needs the native addon: ${status.reason}`);
  const k = adamConstants(attrs);
  const constants = Float32Array.of(k.beta1, k.oneMinusBeta1, k.beta2, k.oneMinusBeta2, k.epsilon, k.weightDecay, k.stepSize, k.correction);
  (status.addon as AdamAddon).adamStep(
    constants, current.param, current.grad, current.expAvg, current.expAvgSq, current.maxExpAvgSq ?? null,
    next.param, next.expAvg, next.expAvgSq, next.maxExpAvgSq ?? null,
  );
}

function adamPass(current: AdamArrays, next: AdamArrays, attrs: AdamStepAttrs): void {
  const constants = adamConstants(attrs);
  if (attrs.weightDecay === 0 && current.maxExpAvgSq === undefined) plainAdamPass(current, next, constants);
  else fullAdamPass(current, next, constants);
}

/** The scalars rounded to float32, as the generic ops' scalar tensors hold them. */
function adamConstants(attrs: AdamStepAttrs): AdamConstants {
  const f = Math.fround;
  return {
    beta1: f(attrs.beta1),
    oneMinusBeta1: f(1 - attrs.beta1),
    beta2: f(attrs.beta2),
    oneMinusBeta2: f(1 - attrs.beta2),
    epsilon: f(attrs.epsilon),
    weightDecay: f(attrs.weightDecay),
    stepSize: f(attrs.stepSize),
    correction: f(attrs.biasCorrection2Sqrt),
  };
}

type AdamConstants = Record<'beta1' | 'oneMinusBeta1' | 'beta2' | 'oneMinusBeta2' | 'epsilon' | 'weightDecay' | 'stepSize' | 'correction', number>;

/** Without weight decay and AMSGrad (the common case): a loop V8 optimises on its first call. */
function plainAdamPass(current: AdamArrays, next: AdamArrays, k: AdamConstants): void {
  const f = Math.fround;
  const { beta1, oneMinusBeta1, beta2, oneMinusBeta2, epsilon, stepSize, correction } = k;
  const [param, grad, expAvg, expAvgSq] = [current.param, current.grad, current.expAvg, current.expAvgSq];
  const [nextParam, nextExpAvg, nextExpAvgSq] = [next.param, next.expAvg, next.expAvgSq];
  for (let i = 0; i < param.length; i++) {
    const g = grad[i];
    const m = f(f(expAvg[i] * beta1) + f(g * oneMinusBeta1));
    const v = f(f(expAvgSq[i] * beta2) + f(f(g * g) * oneMinusBeta2));
    nextExpAvg[i] = m;
    nextExpAvgSq[i] = v;
    const denominator = f(f(f(Math.sqrt(v)) / correction) + epsilon);
    nextParam[i] = f(param[i] - f(f(m / denominator) * stepSize));
  }
}

function fullAdamPass(current: AdamArrays, next: AdamArrays, k: AdamConstants): void {
  const f = Math.fround;
  const { beta1, oneMinusBeta1, beta2, oneMinusBeta2, epsilon, weightDecay, stepSize, correction } = k;
  const [param, grad, expAvg, expAvgSq, maxExpAvgSq] = [current.param, current.grad, current.expAvg, current.expAvgSq, current.maxExpAvgSq];
  const [nextParam, nextExpAvg, nextExpAvgSq, nextMax] = [next.param, next.expAvg, next.expAvgSq, next.maxExpAvgSq];
  for (let i = 0; i < param.length; i++) {
    const g = weightDecay === 0 ? grad[i] : f(grad[i] + f(param[i] * weightDecay));
    const m = f(f(expAvg[i] * beta1) + f(g * oneMinusBeta1));
    const v = f(f(expAvgSq[i] * beta2) + f(f(g * g) * oneMinusBeta2));
    nextExpAvg[i] = m;
    nextExpAvgSq[i] = v;
    let second = v;
    if (maxExpAvgSq !== undefined && nextMax !== undefined) {
      second = Math.max(maxExpAvgSq[i], v);
      nextMax[i] = second;
    }
    const denominator = f(f(f(Math.sqrt(second)) / correction) + epsilon);
    nextParam[i] = f(param[i] - f(f(m / denominator) * stepSize));
  }
}
