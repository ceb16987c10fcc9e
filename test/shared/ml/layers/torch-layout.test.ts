import { expect, test } from 'vitest';
import { tfShapeOf, tfToTorch, torchToTf, type TorchLayoutKind } from '../../../../shared/ml/layers/torch-layout.ts';

const iota = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => i);

test('conv2d (O, I, kh, kw) → (kh, kw, I, O): element [o][i][a][b] lands at [a][b][i][o]', () => {
  const torchShape = [4, 3, 2, 5];
  const tfValues = torchToTf('conv2d', torchShape, iota(120));
  expect(tfShapeOf('conv2d', torchShape)).toEqual([2, 5, 3, 4]);
  const [o, i, a, b] = [3, 1, 1, 2];
  expect(tfValues[((a * 5 + b) * 3 + i) * 4 + o]).toBe(((o * 3 + i) * 2 + a) * 5 + b);
});

test('conv_transpose2d (I, O, kh, kw) → (kh, kw, O, I) and linear (out, in) → (in, out)', () => {
  expect(tfShapeOf('conv_transpose2d', [6, 2, 3, 3])).toEqual([3, 3, 2, 6]);
  const t = torchToTf('conv_transpose2d', [6, 2, 3, 3], iota(108));
  const [i, o, a, b] = [5, 1, 2, 0];
  expect(t[((a * 3 + b) * 2 + o) * 6 + i]).toBe(((i * 2 + o) * 3 + a) * 3 + b);
  expect(Array.from(torchToTf('linear', [2, 3], iota(6)))).toEqual([0, 3, 1, 4, 2, 5]);
});

test('tfToTorch inverts torchToTf for every kind', () => {
  const cases: Array<[TorchLayoutKind, number[]]> = [
    ['conv2d', [3, 4, 5, 2]],
    ['conv_transpose2d', [2, 3, 1, 4]],
    ['linear', [7, 5]],
    ['same', [9]],
  ];
  for (const [kind, shape] of cases) {
    const n = shape.reduce((x, y) => x * y, 1);
    expect(Array.from(tfToTorch(kind, shape, torchToTf(kind, shape, iota(n))))).toEqual(Array.from(iota(n)));
  }
});
