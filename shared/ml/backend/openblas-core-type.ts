import { existsSync, readFileSync } from 'node:fs';

/**
 * The OpenBLAS kernel set to ask for (`OPENBLAS_CORETYPE`) before the native convolution addon
 * loads OpenBLAS. Debian's OpenBLAS 0.3.21 does not know AMD Zen 4 and runs its AVX2 (Haswell)
 * kernels there, although the CPU has AVX-512: its SkylakeX sgemm is about 1.4× faster on the
 * baseline AE's convolutions (bench/results/conv-layers-*.md). Only the instruction sets the
 * SkylakeX kernels use are checked, so a CPU without them keeps OpenBLAS's own choice (they
 * would stop on an illegal instruction), and so does a value the user set.
 */
export const AVX512_OPENBLAS_CORE = 'SkylakeX';
const SKYLAKEX_FLAGS = ['avx512f', 'avx512cd', 'avx512bw', 'avx512dq', 'avx512vl'];

/** The core type to set, or undefined to leave OpenBLAS's own detection alone. */
export function openblasCoreTypeFor(cpuFlags: ReadonlySet<string>, requested: string | undefined): string | undefined {
  if (requested !== undefined && requested.trim() !== '') return undefined;
  return SKYLAKEX_FLAGS.every((flag) => cpuFlags.has(flag)) ? AVX512_OPENBLAS_CORE : undefined;
}

/** The instruction-set flags of the first CPU in /proc/cpuinfo (empty where there is none). */
export function cpuFlags(cpuinfoPath = '/proc/cpuinfo'): Set<string> {
  if (!existsSync(cpuinfoPath)) return new Set();
  const line = readFileSync(cpuinfoPath, 'utf8').split('\n').find((text) => text.startsWith('flags'));
  return new Set(line?.split(':')[1]?.trim().split(/\s+/) ?? []);
}

/**
 * Sets OPENBLAS_CORETYPE in this process when `openblasCoreTypeFor` says so. OpenBLAS reads it
 * once, when it is loaded, so this must run before the addon is required.
 */
export function chooseOpenblasCoreType(env: NodeJS.ProcessEnv = process.env): void {
  const coreType = openblasCoreTypeFor(cpuFlags(), env.OPENBLAS_CORETYPE);
  if (coreType !== undefined) env.OPENBLAS_CORETYPE = coreType;
}
