import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { SafetensorsTensor } from '../../../../shared/ml/weights/safetensors.ts';

/**
 * Reads the forward-parity golden files (reference/golden/README.md): a manifest per
 * model, raw little-endian float32 `.bin` files in NCHW, and weights regenerated from
 * the manifest's formulas.
 */

export interface GoldenTensorEntry {
  t: number;
  name: string;
  torch_shape: number[];
  numel: number;
  dtype: 'float32' | 'int64';
  is_parameter: boolean;
  module_type: string;
  kind: 'formula' | 'keep';
  rule_id?: 'sin' | 'sin_squared' | 'hash_uniform' | 'constant';
  phase: number | null;
  seed: number | null;
  scale: number;
  offset: number;
  check?: { sum: number; first: number[]; last: number };
}

export interface GoldenOutput {
  name: string;
  file: string;
  shape: number[];
  layout: string;
  float64_max_abs_diff: number;
}

export interface GoldenManifest {
  model: string;
  module_name: string;
  class_name: string;
  model_params: Record<string, unknown>;
  param_count: number;
  buffer_count: number;
  weights: { index_multiplier: number; tensors: GoldenTensorEntry[] };
  input: { file: string; shape: number[] };
  outputs: GoldenOutput[];
  tolerance: { max_abs_error: number };
}

export interface GoldenModelDir {
  dir: string;
  manifest: GoldenManifest;
}

const REPO_ROOT = path.resolve(import.meta.dirname, '../../../..');

/** AELAB_GOLDEN_DIR, else the shared reference next to the checkout, else the copy in test/fixtures. */
export function goldenRoot(): string {
  const candidates = [
    process.env.AELAB_GOLDEN_DIR,
    path.join(REPO_ROOT, '..', 'shared', 'reference', 'golden'),
    path.join(REPO_ROOT, 'test', 'fixtures', 'golden'),
  ];
  for (const candidate of candidates) {
    if (candidate && existsSync(candidate)) return candidate;
  }
  throw new Error(`no golden files found; tried ${candidates.filter(Boolean).join(', ')}`);
}

/** Every model folder under the golden root whose manifest's class is in `classes`. */
export function goldenModelDirs(root: string): GoldenModelDir[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(root, entry.name, 'manifest.json')))
    .map((entry) => {
      const dir = path.join(root, entry.name);
      return { dir, manifest: JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as GoldenManifest };
    })
    .sort((a, b) => a.dir.localeCompare(b.dir));
}

/** A raw little-endian float32 file. */
export function readFloat32Bin(file: string): Float32Array {
  const bytes = readFileSync(file);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Float32Array.from({ length: bytes.length / 4 }, (_, i) => view.getFloat32(i * 4, true));
}

/** The README's 32-bit integer hash H. */
export function goldenHash(value: number): number {
  let x = value >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

/** One state_dict entry's values by its rule, in PyTorch layout, rounded to its dtype. */
export function goldenEntryValues(entry: GoldenTensorEntry, indexMultiplier: number): Float32Array | BigInt64Array {
  const n = entry.torch_shape.reduce((a, b) => a * b, 1);
  if (entry.dtype === 'int64') {
    if (entry.rule_id !== 'constant') throw new Error(`${entry.name}: int64 entries must use the constant rule`);
    return new BigInt64Array(n).fill(BigInt(entry.offset));
  }
  const { scale, offset } = entry;
  const phase = entry.phase ?? 0;
  const seed = entry.seed ?? 0;
  const values = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    switch (entry.rule_id) {
      case 'sin':
        values[j] = offset + scale * Math.sin(phase + indexMultiplier * j);
        break;
      case 'sin_squared':
        values[j] = offset + scale * Math.sin(phase + indexMultiplier * j) ** 2;
        break;
      case 'hash_uniform': {
        const u = (goldenHash((goldenHash(j) + seed) % 4294967296) + 0.5) / 2 ** 31 - 1;
        values[j] = offset + scale * u;
        break;
      }
      case 'constant':
        values[j] = offset;
        break;
      default:
        throw new Error(`${entry.name}: unknown rule ${String(entry.rule_id)}`);
    }
  }
  return values;
}

/** Differences between generated values and the entry's `check` (empty when they agree). */
export function checkGoldenEntry(entry: GoldenTensorEntry, values: Float32Array | BigInt64Array): string[] {
  if (!entry.check) return [];
  const numbers = Array.from(values as ArrayLike<number | bigint>, Number);
  const problems: string[] = [];
  const sum = numbers.reduce((a, b) => a + b, 0);
  const magnitude = numbers.reduce((a, b) => a + Math.abs(b), 0);
  if (Math.abs(sum - entry.check.sum) > 1e-9 * Math.max(1, magnitude)) problems.push(`sum ${sum} vs ${entry.check.sum}`);
  const ulpClose = (a: number, b: number): boolean => Math.abs(a - b) <= 2 ** -23 * Math.max(Math.abs(b), 2 ** -126);
  entry.check.first.forEach((expected, i) => {
    if (!ulpClose(numbers[i], expected)) problems.push(`value ${i}: ${numbers[i]} vs ${expected}`);
  });
  if (!ulpClose(numbers[numbers.length - 1], entry.check.last)) {
    problems.push(`last value ${numbers[numbers.length - 1]} vs ${entry.check.last}`);
  }
  return problems.map((problem) => `${entry.name}: ${problem}`);
}

/**
 * A `keep` entry's value as the README defines it: the only ones are MorphAEus's
 * SpatialTransformer identity grids, (1, 2, H, W) with grid[0, 0, i, j] = i and
 * grid[0, 1, i, j] = j.
 */
export function goldenKeepValue(entry: GoldenTensorEntry): SafetensorsTensor {
  const [n, c, h, w] = entry.torch_shape;
  if (entry.torch_shape.length !== 4 || n !== 1 || c !== 2 || !entry.name.endsWith('.grid')) {
    throw new Error(`${entry.name}: kind keep is only defined for identity grids of shape (1, 2, H, W)`);
  }
  const data = new Float32Array(2 * h * w);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      data[i * w + j] = i;
      data[h * w + i * w + j] = j;
    }
  }
  return { dtype: 'F32', shape: [...entry.torch_shape], data };
}

/**
 * The manifest's whole state_dict, PyTorch layouts, as safetensors tensors. `keep`
 * entries take `keep(entry)`, by default the README's identity grid. Throws when a
 * generated entry disagrees with its `check`.
 */
export function goldenStateDict(
  manifest: GoldenManifest,
  keep: (entry: GoldenTensorEntry) => SafetensorsTensor = goldenKeepValue,
): Map<string, SafetensorsTensor> {
  const out = new Map<string, SafetensorsTensor>();
  const problems: string[] = [];
  for (const entry of manifest.weights.tensors) {
    if (entry.kind === 'keep') {
      out.set(entry.name, keep(entry));
      continue;
    }
    const values = goldenEntryValues(entry, manifest.weights.index_multiplier);
    problems.push(...checkGoldenEntry(entry, values));
    out.set(entry.name, { dtype: entry.dtype === 'int64' ? 'I64' : 'F32', shape: [...entry.torch_shape], data: values });
  }
  if (problems.length > 0) throw new Error(`golden weights of ${manifest.model} disagree with their checks:\n${problems.join('\n')}`);
  return out;
}

/** NCHW values → NHWC values. */
export function nchwToNhwc(values: Float32Array, [n, c, h, w]: number[]): Float32Array {
  return convertLayout(values, [n, c, h, w], 'nhwc');
}

/** NHWC values → NCHW values. */
export function nhwcToNchw(values: Float32Array, [n, h, w, c]: number[]): Float32Array {
  return convertLayout(values, [n, c, h, w], 'nchw');
}

/** Copies the values of an [n, c, h, w] tensor from the other layout into `to`. */
function convertLayout(values: Float32Array, [n, c, h, w]: number[], to: 'nchw' | 'nhwc'): Float32Array {
  const out = new Float32Array(values.length);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const nchw = ((b * c + ch) * h + y) * w + x;
          const nhwc = ((b * h + y) * w + x) * c + ch;
          if (to === 'nhwc') out[nhwc] = values[nchw];
          else out[nchw] = values[nhwc];
        }
  return out;
}
