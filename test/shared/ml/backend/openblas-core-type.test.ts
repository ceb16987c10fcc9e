import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { chooseOpenblasCoreType, cpuFlags, openblasCoreTypeFor } from '../../../../shared/ml/backend/openblas-core-type.ts';

const AVX512 = new Set(['sse4_2', 'avx2', 'fma', 'avx512f', 'avx512cd', 'avx512bw', 'avx512dq', 'avx512vl']);

describe('OpenBLAS core type', () => {
  test('a CPU with the AVX-512 sets of the SkylakeX kernels gets them', () => {
    expect(openblasCoreTypeFor(AVX512, undefined)).toBe('SkylakeX');
    expect(openblasCoreTypeFor(AVX512, '')).toBe('SkylakeX');
  });

  test('a CPU missing one of them keeps OpenBLAS own choice', () => {
    const withoutVl = new Set([...AVX512].filter((flag) => flag !== 'avx512vl'));
    expect(openblasCoreTypeFor(withoutVl, undefined)).toBeUndefined();
    expect(openblasCoreTypeFor(new Set(['avx2', 'fma']), undefined)).toBeUndefined();
  });

  test('a core type the user set is left alone', () => {
    expect(openblasCoreTypeFor(AVX512, 'Haswell')).toBeUndefined();
    const env: NodeJS.ProcessEnv = { OPENBLAS_CORETYPE: 'Haswell' };
    chooseOpenblasCoreType(env);
    expect(env.OPENBLAS_CORETYPE).toBe('Haswell');
  });

  test('reads the flags line of a cpuinfo file, and none where there is no file', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cpuinfo-'));
    const file = path.join(dir, 'cpuinfo');
    writeFileSync(file, 'processor\t: 0\nmodel name\t: Some CPU\nflags\t\t: fpu avx2 avx512f\nbugs\t\t: none\n');
    expect([...cpuFlags(file)]).toEqual(['fpu', 'avx2', 'avx512f']);
    expect(cpuFlags(path.join(dir, 'missing')).size).toBe(0);
  });
});
