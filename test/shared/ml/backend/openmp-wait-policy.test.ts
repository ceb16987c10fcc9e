import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { chooseOpenmpWaitPolicy } from '../../../../shared/ml/backend/openmp-wait-policy.ts';

const ADDON_MODULE = fileURLToPath(new URL('../../../../shared/ml/backend/native-addon.ts', import.meta.url));

describe('OpenMP wait policy', () => {
  test('unset or empty, it becomes passive', () => {
    const unset: NodeJS.ProcessEnv = {};
    chooseOpenmpWaitPolicy(unset);
    expect(unset.OMP_WAIT_POLICY).toBe('passive');
    const empty: NodeJS.ProcessEnv = { OMP_WAIT_POLICY: '' };
    chooseOpenmpWaitPolicy(empty);
    expect(empty.OMP_WAIT_POLICY).toBe('passive');
  });

  test('a policy the user set is left alone', () => {
    const env: NodeJS.ProcessEnv = { OMP_WAIT_POLICY: 'active' };
    chooseOpenmpWaitPolicy(env);
    expect(env.OMP_WAIT_POLICY).toBe('active');
  });

  test('loading the addon sets it in the process, before OpenMP reads it', () => {
    const script = `import { nativeAddonStatus } from ${JSON.stringify(ADDON_MODULE)}; nativeAddonStatus(); console.log(process.env.OMP_WAIT_POLICY);`;
    const env = { ...process.env };
    delete env.OMP_WAIT_POLICY;
    const policy = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env, encoding: 'utf8' }).trim();
    expect(policy).toBe('passive');
  });
});
