/**
 * A seeded pseudo-random generator (xoshiro128**, 128 bits of state in four uint32
 * words). Every random choice of a run (weight init, shuffling, sampling) draws from one
 * of these, so a run is reproducible from its seed, and a checkpoint that stores
 * `state()` resumes the exact same stream via `SeededRandom.fromState`.
 */
export class SeededRandom {
  private readonly s: Uint32Array;

  /** `seed` is any finite number; it is folded to 32 bits and expanded with splitmix32. */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`SeededRandom: seed must be a finite number, got ${seed}`);
    this.s = expandSeed(foldToUint32(seed));
  }

  /** Restores a generator from `state()`; the next draws equal those of the original. */
  static fromState(state: readonly number[]): SeededRandom {
    const valid =
      state.length === 4 && state.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff) && state.some((w) => w !== 0);
    if (!valid) {
      throw new Error(
        `SeededRandom.fromState: expected four uint32 words, not all zero, got ${JSON.stringify(state)}`,
      );
    }
    const random = new SeededRandom(0);
    random.s.set(state);
    return random;
  }

  /** The four uint32 state words, for checkpoints. */
  state(): number[] {
    return Array.from(this.s);
  }

  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1), 32 bits of resolution. */
  nextFloat(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.nextFloat();
  }

  /** Integer uniform in [0, n), without modulo bias. */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 4294967296) {
      throw new Error(`SeededRandom.nextInt: n must be an integer in [1, 2^32], got ${n}`);
    }
    const limit = 4294967296 - (4294967296 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /**
   * Standard normal (Box–Muller). Each call draws exactly two uniforms and keeps no
   * spare value, so `state()` alone describes the stream.
   */
  normal(mean = 0, std = 1): number {
    const u1 = 1 - this.nextFloat();
    const u2 = this.nextFloat();
    return mean + std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Fisher–Yates shuffle in place; returns the same array. */
  shuffle<T>(array: T[]): T[] {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }

  /**
   * An independent stream derived from this generator's current state and `label`,
   * without advancing this generator: the same label at the same point always gives
   * the same stream, so adding a consumer does not shift the draws of the others.
   */
  fork(label: string): SeededRandom {
    let h = 0x811c9dc5;
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
    const words: number[] = Array.from(this.s, (w, i) => mix32((w ^ mix32((h + Math.imul(0x9e3779b9, i + 1)) >>> 0)) >>> 0));
    if (!words.some((w) => w !== 0)) words[0] = 1;
    return SeededRandom.fromState(words);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

function foldToUint32(seed: number): number {
  const integer = Math.trunc(seed);
  const low = integer >>> 0;
  const high = Math.floor(integer / 4294967296) >>> 0;
  return (low ^ Math.imul(high, 0x9e3779b1)) >>> 0;
}

/** The splitmix32 output function: a bijective 32-bit mixer. */
function mix32(x: number): number {
  let z = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

function expandSeed(seed: number): Uint32Array {
  const s = new Uint32Array(4);
  let x = seed;
  for (let i = 0; i < 4; i++) {
    x = (x + 0x9e3779b9) >>> 0;
    s[i] = mix32(x);
  }
  if (s.every((w) => w === 0)) s[0] = 1;
  return s;
}
