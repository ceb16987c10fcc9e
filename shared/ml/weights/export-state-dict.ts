import type { AutoencoderModel } from '../autoencoder-model.ts';
import { tfToTorch } from '../layers/torch-layout.ts';
import type { SafetensorsTensor } from './safetensors.ts';
import { stateDictEntries } from './state-dict-entries.ts';

/**
 * The model's parameters and buffers as a PyTorch state_dict, in state_dict order and
 * PyTorch layouts: float32 variables as F32, integer buffers (BatchNorm's
 * `num_batches_tracked`) as I64, PyTorch's dtype for them. `writeSafetensors` of the
 * result loads with `torch`/`safetensors` `load_state_dict(strict=True)`.
 */
export function exportStateDict(model: AutoencoderModel): Map<string, SafetensorsTensor> {
  const out = new Map<string, SafetensorsTensor>();
  for (const { name, variable, layout } of stateDictEntries(model)) {
    const shape = [...layout.torchShape];
    if (variable.dtype === 'int32') {
      const values = tfToTorch(layout.kind, layout.torchShape, variable.dataSync() as Int32Array);
      out.set(name, { dtype: 'I64', shape, data: BigInt64Array.from(values, (v) => BigInt(v)) });
    } else {
      out.set(name, { dtype: 'F32', shape, data: tfToTorch(layout.kind, layout.torchShape, variable.dataSync() as Float32Array) });
    }
  }
  return out;
}
