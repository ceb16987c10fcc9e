import * as tf from '@tensorflow/tfjs-core';

/**
 * Backpropagation that frees memory as it goes. TF.js's engine keeps every tensor a tape node
 * saved for its gradient, and every intermediate gradient, until the whole backward pass ends,
 * so a training step peaks at all the forward pass's saved activations plus a gradient of about
 * the same size for each: roughly twice what the step needs. The engine walks the tape from the
 * last node to the first and evaluates each node's gradient before it calls the next node's;
 * so when a node's gradient is called, the node walked before it is finished, and its saved
 * tensors (clones made for that node alone) and the gradients flowing into it (read by that
 * node alone) can be disposed. A gradient handed through unchanged to an input (a function
 * returning its dy), the caller's own dy and tensors of a tape being recorded (higher-order
 * gradients) are never released early. Values are untouched: only when memory is freed changes.
 */

interface TapeNode {
  saved?: tf.Tensor[];
  gradient?: (dys: Array<tf.Tensor | null>) => Record<string, () => tf.Tensor>;
}

/** The engine internals this hooks into (tfjs-core 4.x): the tape recorder and the gradient entry point. */
interface EngineInternals {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  addTapeNode(...args: unknown[]): void;
  gradients(f: () => tf.Tensor, xs: tf.Tensor[], dy?: tf.Tensor | null, allowNoGradients?: boolean): unknown;
}

/** The finished node whose tensors wait for release, and what must outlive it. */
class ReleaseQueue {
  private pending: tf.Tensor[] = [];
  private readonly kept = new WeakSet<tf.Tensor>();

  /** Tensors that stay alive to the end of the pass whatever happens (handed-through gradients, the caller's dy). */
  keep(tensor: tf.Tensor | null | undefined): void {
    if (tensor instanceof tf.Tensor) this.kept.add(tensor);
  }

  /** Disposes the deferred tensors of the node walked last, except kept ones and those in `stillNeeded`. */
  releaseExcept(stillNeeded: ReadonlyArray<tf.Tensor | null>): void {
    for (const tensor of this.pending) {
      if (!this.kept.has(tensor) && !stillNeeded.includes(tensor)) tensor.dispose();
    }
    this.pending = [];
  }

  /** The tensors of the node being walked, released when the next node's gradient is called. */
  defer(tensors: tf.Tensor[]): void {
    this.pending = tensors;
  }

  /** Forgets the queue: the engine's own clean-up at the end of the pass disposes what is left. */
  clear(): void {
    this.pending = [];
  }
}

const INSTALLED = Symbol.for('aelab.releasingBackprop');

/** Installs the releasing backpropagation on the global TF.js engine. Idempotent. */
export function installReleasingBackprop(): void {
  const engine = tf.engine() as unknown as EngineInternals & { [INSTALLED]?: true };
  if (engine[INSTALLED]) return;
  engine[INSTALLED] = true;
  const releases = new ReleaseQueue();
  let passes = 0;

  const gradients = engine.gradients.bind(engine);
  engine.gradients = (f, xs, dy, allowNoGradients) => {
    passes++;
    releases.clear();
    releases.keep(dy);
    try {
      return gradients(f, xs, dy, allowNoGradients);
    } finally {
      releases.clear();
      passes--;
    }
  };

  const addTapeNode = engine.addTapeNode.bind(engine);
  engine.addTapeNode = (...args: unknown[]) => {
    addTapeNode(...args);
    const tape = engine.state.activeTape;
    const node = tape?.[tape.length - 1];
    if (node?.gradient !== undefined) node.gradient = releasingGradient(node, node.gradient);
  };

  function releasingGradient(node: TapeNode, gradient: NonNullable<TapeNode['gradient']>): NonNullable<TapeNode['gradient']> {
    return (dys) => {
      // Inside a pass whose own operations are being recorded (a gradient of a gradient), every tensor may be read again.
      if (passes === 0 || engine.state.gradientDepth > 0) return gradient(dys);
      releases.releaseExcept(dys);
      const inputGradients = gradient(dys);
      const incoming = dys.filter((dy): dy is tf.Tensor => dy !== null);
      releases.defer([...(node.saved ?? []), ...incoming]);
      const watched: Record<string, () => tf.Tensor> = {};
      for (const [name, compute] of Object.entries(inputGradients)) {
        watched[name] = () => {
          const dx = compute();
          if (incoming.includes(dx)) releases.keep(dx);
          return dx;
        };
      }
      return watched;
    };
  }
}
