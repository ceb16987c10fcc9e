import * as tf from '@tensorflow/tfjs-core';

/**
 * The value of `loss` and its gradients with respect to `parameters`, keyed by parameter
 * name (TF.js keys them by its internal variable names). Parameters the loss does not
 * reach get no entry, like a PyTorch parameter whose `.grad` stays None.
 */
export function parameterGradients(
  parameters: ReadonlyMap<string, tf.Variable>,
  loss: () => tf.Scalar,
): { value: tf.Scalar; grads: Map<string, tf.Tensor> } {
  const names = [...parameters.keys()];
  const variables = [...parameters.values()];
  const { value, grads } = tf.variableGrads(loss, variables);
  const byName = new Map<string, tf.Tensor>();
  variables.forEach((variable, index) => {
    const gradient = grads[variable.name];
    if (gradient != null) byName.set(names[index], gradient);
  });
  return { value, grads: byName };
}
