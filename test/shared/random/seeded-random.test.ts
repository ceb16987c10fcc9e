import { describe, expect, test } from 'vitest';
import { SeededRandom } from '../../../shared/random/seeded-random.ts';

const draws = (random: SeededRandom, n: number): number[] => Array.from({ length: n }, () => random.nextUint32());

describe('SeededRandom', () => {
  test('the same seed gives the same stream, another seed another', () => {
    expect(draws(new SeededRandom(2109), 20)).toEqual(draws(new SeededRandom(2109), 20));
    expect(draws(new SeededRandom(2109), 20)).not.toEqual(draws(new SeededRandom(2110), 20));
  });

  test('state() and fromState() resume the exact stream, normals included', () => {
    const original = new SeededRandom(7);
    draws(original, 5);
    original.normal();
    const restored = SeededRandom.fromState(original.state());
    expect([original.normal(), original.nextFloat(), original.nextUint32()]).toEqual([
      restored.normal(),
      restored.nextFloat(),
      restored.nextUint32(),
    ]);
  });

  test('fromState rejects anything but four uint32 words, not all zero', () => {
    expect(() => SeededRandom.fromState([1, 2, 3])).toThrow(/four uint32 words/);
    expect(() => SeededRandom.fromState([0, 0, 0, 0])).toThrow(/not all zero/);
    expect(() => SeededRandom.fromState([1, 2, 3, 2 ** 32])).toThrow(/four uint32 words/);
  });

  test('fork gives a stream that depends on the label and leaves the parent untouched', () => {
    const parent = new SeededRandom(3);
    const before = parent.state();
    const a = draws(parent.fork('init'), 10);
    expect(parent.state()).toEqual(before);
    expect(draws(parent.fork('init'), 10)).toEqual(a);
    expect(draws(parent.fork('shuffle'), 10)).not.toEqual(a);
    expect(draws(SeededRandom.fromState(before), 10)).not.toEqual(a);
  });

  test('nextFloat is in [0, 1) and roughly uniform; normal has mean 0 and std 1', () => {
    const random = new SeededRandom(11);
    const floats = Array.from({ length: 20000 }, () => random.nextFloat());
    expect(Math.min(...floats)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...floats)).toBeLessThan(1);
    expect(floats.reduce((a, b) => a + b, 0) / floats.length).toBeCloseTo(0.5, 1);
    const normals = Array.from({ length: 20000 }, () => random.normal());
    const mean = normals.reduce((a, b) => a + b, 0) / normals.length;
    const std = Math.sqrt(normals.reduce((a, b) => a + (b - mean) ** 2, 0) / normals.length);
    expect(mean).toBeCloseTo(0, 1);
    expect(std).toBeCloseTo(1, 1);
  });

  test('shuffle permutes in place, reproducibly', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const shuffled = new SeededRandom(5).shuffle([...items]);
    expect(shuffled).not.toEqual(items);
    expect([...shuffled].sort((a, b) => a - b)).toEqual(items);
    expect(new SeededRandom(5).shuffle([...items])).toEqual(shuffled);
  });

  test('nextInt covers [0, n) and nothing else', () => {
    const random = new SeededRandom(9);
    const seen = new Set(Array.from({ length: 500 }, () => random.nextInt(7)));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(() => random.nextInt(0)).toThrow(/n must be/);
  });
});
