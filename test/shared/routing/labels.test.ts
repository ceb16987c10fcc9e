import { describe, expect, it } from 'vitest';
import { detectWorkerLabels } from '../../../apps/worker/detect-worker-labels.ts';
import { labelsFromEnv, labelsSatisfy } from '../../../shared/contracts/worker-labels.ts';
import { labelsOfBackend } from '../../../shared/ml/backend/backend-labels.ts';
import { parseRoutedQueueName, routedQueueName } from '../../../shared/routing/routed-queue-name.ts';

describe('worker labels and the queues they select', () => {
  it('labels a backend gpu only when its device is a GPU', () => {
    expect(labelsOfBackend({ name: 'tensorflow', device: 'gpu (CUDA_VISIBLE_DEVICES=1)' })).toEqual(['gpu', 'tensorflow']);
    expect(labelsOfBackend({ name: 'tensorflow', device: 'cpu (libtensorflow)' })).toEqual(['cpu', 'tensorflow']);
    expect(labelsOfBackend({ name: 'webgpu', device: 'cpu (webgpu/vulkan, software: llvmpipe)' })).toEqual(['cpu', 'webgpu']);
    expect(labelsOfBackend({ name: 'webgpu', device: 'gpu (webgpu/vulkan: nvidia H200)' })).toEqual(['gpu', 'webgpu']);
  });

  it('adds AELAB_WORKER_LABELS to the detected ones and refuses a malformed one by name', async () => {
    expect((await detectWorkerLabels({ AELAB_BACKEND: 'wasm', AELAB_WORKER_LABELS: ' gpu,80gb ,a100,gpu' })).labels).toEqual(['80gb', 'a100', 'cpu', 'gpu', 'wasm']);
    await expect(detectWorkerLabels({ AELAB_BACKEND: 'cpu', AELAB_WORKER_LABELS: 'gpu,Big GPU' })).rejects.toThrow('AELAB_WORKER_LABELS: "Big GPU" is not a label');
    expect(labelsFromEnv(undefined)).toEqual([]);
  });

  it('names one queue per requirement set, whatever the order, and a worker takes it only with every label', () => {
    expect(routedQueueName('train', [])).toBe('train');
    expect(routedQueueName('train', ['gpu', '80gb', 'gpu'])).toBe(routedQueueName('train', ['80gb', 'gpu']));
    expect(parseRoutedQueueName('evaluate@80gb+gpu')).toEqual({ kind: 'evaluate', requires: ['80gb', 'gpu'] });
    expect(parseRoutedQueueName('sweep')).toBeNull();
    expect(labelsSatisfy(['cpu', 'gpu'], ['gpu'])).toBe(true);
    expect(labelsSatisfy(['cpu', 'gpu'], ['80gb', 'gpu'])).toBe(false);
  });
});
