import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { cpuFlags, openblasCoreTypeFor } from '../../../../shared/ml/backend/openblas-core-type.ts';
import { describeNativeConvKernels } from './native-conv-kernel-suite.ts';

const MODULE_PATH = fileURLToPath(new URL('../../../../shared/ml/backend/native-conv-kernels.ts', import.meta.url));

// bin/build-native-kernels.mjs builds oneDNN in where libdnnl-dev is installed.
describeNativeConvKernels(existsSync('/usr/include/dnnl.hpp') ? /^oneDNN / : /^OpenBLAS /);

describe('OpenBLAS in the native addon', () => {
  test('with no OPENBLAS_CORETYPE set, OpenBLAS runs the kernels chosen for this CPU, and a set one is kept', () => {
    const script = `import { nativeConvAddonStatus } from ${JSON.stringify(MODULE_PATH)}; const s = nativeConvAddonStatus(); console.log(s.available ? s.blasCore : s.reason);`;
    const blasCoreWith = (coreType: string | undefined) => {
      const env = { ...process.env, OPENBLAS_CORETYPE: coreType };
      if (coreType === undefined) delete env.OPENBLAS_CORETYPE;
      return execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env, encoding: 'utf8' }).trim();
    };
    const chosen = openblasCoreTypeFor(cpuFlags(), undefined);
    const unset = blasCoreWith(undefined);
    if (chosen !== undefined) expect(unset).toBe(chosen);
    expect(blasCoreWith('Haswell')).toBe('Haswell');
  });

});
