import { writeFileSync } from 'node:fs';
import { SeededRandom } from '../../../../../shared/random/seeded-random.ts';
import { writeSafetensors, type SafetensorsTensor } from '../../../../../shared/ml/weights/safetensors.ts';

/**
 * The convolutions of torchvision's `vgg19().features` up to conv4_1, written out from
 * torchvision's layer list (cfg "E": 64, 64, M, 128, 128, M, 256 ×4, M, 512 …) rather than
 * taken from the code under test: [index in `features`, in channels, out channels].
 */
export const TORCHVISION_VGG19_CONVS: ReadonlyArray<readonly [number, number, number]> = [
  [0, 3, 64],
  [2, 64, 64],
  [5, 64, 128],
  [7, 128, 128],
  [10, 128, 256],
  [12, 256, 256],
  [14, 256, 256],
  [16, 256, 256],
  [19, 256, 512],
];

/**
 * A VGG19 features state_dict in PyTorch layout, as the README's Python writes it.
 * `fill(name, size)` gives each tensor's values; default: seeded U(±1/√fan_in), PyTorch's init.
 */
export function vgg19StateDict(
  seed: number,
  fill?: (name: string, size: number) => Float32Array,
): Map<string, SafetensorsTensor> {
  const random = new SeededRandom(seed);
  const tensors = new Map<string, SafetensorsTensor>();
  for (const [index, inChannels, outChannels] of TORCHVISION_VGG19_CONVS) {
    const bound = 1 / Math.sqrt(inChannels * 9);
    const values = (name: string, size: number): Float32Array =>
      fill?.(name, size) ?? Float32Array.from({ length: size }, () => random.uniform(-bound, bound));
    const weightName = `features.${index}.weight`;
    const biasName = `features.${index}.bias`;
    tensors.set(weightName, { dtype: 'F32', shape: [outChannels, inChannels, 3, 3], data: values(weightName, outChannels * inChannels * 9) });
    tensors.set(biasName, { dtype: 'F32', shape: [outChannels], data: values(biasName, outChannels) });
  }
  return tensors;
}

/** Writes a state_dict as a safetensors file. */
export function writeStateDictFile(path: string, tensors: ReadonlyMap<string, SafetensorsTensor>): string {
  writeFileSync(path, writeSafetensors(tensors));
  return path;
}
