import * as tf from '@tensorflow/tfjs-core';
import { ADAM_STEP, type AdamStepAttrs, adamKernelAvailable } from './adam-kernel.ts';

/** Adam settings. Defaults are PyTorch's `torch.optim.Adam`, which the official code uses. */
export interface AdamOptions {
  /** Learning rate; required (`optimizer_params.lr`). Schedulers change it between epochs. */
  lr: number;
  /** Decay of the first moment; default 0.9. */
  beta1?: number;
  /** Decay of the second moment; default 0.999. */
  beta2?: number;
  /** Added to the denominator; default 1e-8 (PyTorch; TF.js's own Adam defaults to 1e-7). */
  epsilon?: number;
  /** L2 penalty added to the gradient before the moments (PyTorch `weight_decay`, not AdamW); default 0. */
  weightDecay?: number;
  /** Use the running maximum of the second moment (AMSGrad); default false. */
  amsgrad?: boolean;
}

/** The JSON part of an optimizer's state; the moment tensors travel separately (see `slots`). */
export interface AdamStateMeta {
  kind: 'adam';
  settings: Required<AdamOptions>;
  /** Steps taken per parameter; a parameter that never had a gradient is absent (PyTorch keeps no state for it). */
  steps: Record<string, number>;
}

const SLOT_NAMES = ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'] as const;
type SlotName = (typeof SLOT_NAMES)[number];

/**
 * Adam exactly as PyTorch 1.9 computes it (`torch.optim._functional.adam`), keyed by
 * the model's parameter names.
 *
 * Why not `tf.train.adam`: its state is matched to variables by position, not name, and
 * `setWeights` recomputes beta^t with `pow` where training multiplied it step by step,
 * so a restored optimizer drifts by an ulp from the one it was saved from (measured:
 * restoring at step 25 changed the next weights by 6e-8). Here the bias corrections are
 * computed in double precision from the step count, so the state is the moments plus
 * one integer per parameter and a restore continues bit for bit. It also has the
 * AMSGrad and coupled weight decay that the official DAE configuration switches on.
 */
export class Adam {
  /** The learning rate of the next step; schedulers set it between epochs. */
  learningRate: number;
  readonly settings: Readonly<Omit<Required<AdamOptions>, 'lr'>>;
  private readonly parameters: ReadonlyMap<string, tf.Variable>;
  private readonly steps = new Map<string, number>();
  private readonly slots = new Map<string, Map<SlotName, tf.Variable>>();

  constructor(parameters: ReadonlyMap<string, tf.Variable>, options: AdamOptions) {
    if (!(options.lr > 0) || !Number.isFinite(options.lr)) throw new Error(`Adam: lr must be a positive number, got ${options.lr}`);
    this.parameters = parameters;
    this.learningRate = options.lr;
    this.settings = {
      beta1: options.beta1 ?? 0.9,
      beta2: options.beta2 ?? 0.999,
      epsilon: options.epsilon ?? 1e-8,
      weightDecay: options.weightDecay ?? 0,
      amsgrad: options.amsgrad ?? false,
    };
  }

  /**
   * One step with these gradients, keyed by parameter name. A parameter without a
   * gradient is left alone and its step count does not advance, as in PyTorch
   * (`p.grad is None`). Gradients are not disposed.
   */
  applyGradients(gradients: ReadonlyMap<string, tf.Tensor>): void {
    const { beta1, beta2, epsilon, weightDecay, amsgrad } = this.settings;
    for (const [name, gradient] of gradients) {
      const parameter = this.parameters.get(name);
      if (parameter === undefined) throw new Error(`Adam: gradient for unknown parameter "${name}"`);
      const slots = this.slotsOf(name, parameter);
      const step = (this.steps.get(name) ?? 0) + 1;
      this.steps.set(name, step);
      const biasCorrection1 = 1 - beta1 ** step;
      const biasCorrection2 = 1 - beta2 ** step;
      const stepSize = this.learningRate / biasCorrection1;
      if (adamKernelAvailable()) {
        this.fusedStep(parameter, gradient, slots, { ...this.settings, stepSize, biasCorrection2Sqrt: Math.sqrt(biasCorrection2) });
        continue;
      }
      tf.tidy(() => {
        const grad = weightDecay === 0 ? gradient : tf.add(gradient, tf.mul(parameter, weightDecay));
        const expAvg = tf.add(tf.mul(slots.get('exp_avg')!, beta1), tf.mul(grad, 1 - beta1));
        const expAvgSq = tf.add(tf.mul(slots.get('exp_avg_sq')!, beta2), tf.mul(tf.mul(grad, grad), 1 - beta2));
        slots.get('exp_avg')!.assign(expAvg);
        slots.get('exp_avg_sq')!.assign(expAvgSq);
        let second = expAvgSq;
        if (amsgrad) {
          second = tf.maximum(slots.get('max_exp_avg_sq')!, expAvgSq);
          slots.get('max_exp_avg_sq')!.assign(second);
        }
        const denominator = tf.add(tf.div(tf.sqrt(second), Math.sqrt(biasCorrection2)), epsilon);
        parameter.assign(tf.sub(parameter, tf.mul(tf.div(expAvg, denominator), stepSize)));
      });
    }
  }

  /** The same update through the one-pass kernel (adam-kernel.ts), with the same values. */
  private fusedStep(parameter: tf.Variable, gradient: tf.Tensor, slots: Map<SlotName, tf.Variable>, attrs: AdamStepAttrs): void {
    tf.tidy(() => {
      const inputs: tf.NamedTensorMap = { param: parameter, grad: gradient, expAvg: slots.get('exp_avg')!, expAvgSq: slots.get('exp_avg_sq')! };
      if (attrs.amsgrad) inputs.maxExpAvgSq = slots.get('max_exp_avg_sq')!;
      const [param, expAvg, expAvgSq, maxExpAvgSq] = tf.engine().runKernel(ADAM_STEP, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
      slots.get('exp_avg')!.assign(expAvg);
      slots.get('exp_avg_sq')!.assign(expAvgSq);
      if (attrs.amsgrad) slots.get('max_exp_avg_sq')!.assign(maxExpAvgSq);
      parameter.assign(param);
    });
  }

  /** The JSON part of the state (settings, learning rate, step counts). */
  stateMeta(): AdamStateMeta {
    return {
      kind: 'adam',
      settings: { lr: this.learningRate, ...this.settings },
      steps: Object.fromEntries(this.steps),
    };
  }

  /**
   * The moment tensors, named `<parameter>/<exp_avg|exp_avg_sq|max_exp_avg_sq>` (the
   * PyTorch state keys). They are the optimizer's own variables: read, do not dispose.
   */
  stateSlots(): Map<string, tf.Tensor> {
    const named = new Map<string, tf.Tensor>();
    for (const [parameter, slots] of this.slots) {
      for (const [slot, variable] of slots) named.set(`${parameter}/${slot}`, variable);
    }
    return named;
  }

  /**
   * Replaces the whole state with a saved one. Every parameter with a step count must
   * come with its moments, of its own shape; the settings must match this optimizer's
   * (a restored run must not silently change its optimizer). The tensors are copied.
   */
  restore(meta: AdamStateMeta, slots: ReadonlyMap<string, tf.Tensor>): void {
    if (meta.kind !== 'adam') throw new Error(`optimizer state is "${String(meta.kind)}", expected "adam"`);
    for (const key of ['beta1', 'beta2', 'epsilon', 'weightDecay', 'amsgrad'] as const) {
      if (meta.settings[key] !== this.settings[key]) {
        throw new Error(`optimizer state has ${key} = ${String(meta.settings[key])}, this run uses ${String(this.settings[key])}`);
      }
    }
    const expected = new Set<string>();
    for (const [name, step] of Object.entries(meta.steps)) {
      const parameter = this.parameters.get(name);
      if (parameter === undefined) throw new Error(`optimizer state names parameter "${name}", which the model does not have`);
      if (!Number.isInteger(step) || step < 1) throw new Error(`optimizer state: step count of "${name}" is ${step}, expected a positive integer`);
      for (const slot of this.slotNames()) {
        const key = `${name}/${slot}`;
        expected.add(key);
        const tensor = slots.get(key);
        if (tensor === undefined) throw new Error(`optimizer state lacks "${key}"`);
        if (!sameShape(tensor.shape, parameter.shape)) {
          throw new Error(`optimizer state "${key}" has shape [${tensor.shape.join(', ')}], parameter is [${parameter.shape.join(', ')}]`);
        }
      }
    }
    const unexpected = [...slots.keys()].filter((key) => !expected.has(key));
    if (unexpected.length > 0) throw new Error(`optimizer state has tensors for no stepped parameter: ${unexpected.slice(0, 5).join(', ')}`);

    this.disposeSlots();
    this.steps.clear();
    for (const [name, step] of Object.entries(meta.steps)) {
      this.steps.set(name, step);
      const own = new Map<SlotName, tf.Variable>();
      for (const slot of this.slotNames()) own.set(slot, tf.variable(slots.get(`${name}/${slot}`)!, false));
      this.slots.set(name, own);
    }
    this.learningRate = meta.settings.lr;
  }

  dispose(): void {
    this.disposeSlots();
  }

  private slotNames(): readonly SlotName[] {
    return this.settings.amsgrad ? SLOT_NAMES : SLOT_NAMES.slice(0, 2);
  }

  private slotsOf(name: string, parameter: tf.Variable): Map<SlotName, tf.Variable> {
    let slots = this.slots.get(name);
    if (slots === undefined) {
      slots = new Map();
      for (const slot of this.slotNames()) slots.set(slot, tf.tidy(() => tf.variable(tf.zerosLike(parameter), false)));
      this.slots.set(name, slots);
    }
    return slots;
  }

  private disposeSlots(): void {
    for (const slots of this.slots.values()) for (const variable of slots.values()) variable.dispose();
    this.slots.clear();
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((size, index) => size === b[index]);
}
