import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './bench-configs.ts';

const CASE_SCRIPT = path.join(REPO_ROOT, 'bench/pytorch-case.py');
/** Tried in order when --python is not given: a pyenv `python3` on PATH often lacks the Debian torch. */
const PYTHON_CANDIDATES = ['python3', '/usr/bin/python3', 'python'];

/** The first interpreter (`requested`, else the candidates) that imports torch; throws naming all that were tried. */
export function findTorchPython(requested: string | undefined): string {
  const candidates = requested === undefined ? PYTHON_CANDIDATES : [requested];
  const tried: string[] = [];
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
    if (probe.status === 0) return python;
    tried.push(`${python}: ${probe.error?.message ?? probe.stderr.trim().split('\n').at(-1) ?? `exit ${probe.status}`}`);
  }
  throw new Error(
    `no python with torch (${tried.join('; ')}); on Debian: apt-get install -y python3-torch python3-torchvision, or pass --python <interpreter>`,
  );
}

/**
 * Runs bench/pytorch-case.py with `args` and returns its JSON result (the last stdout
 * line); rejects with the end of its stderr when it fails or outlasts `timeoutSeconds`.
 */
export function runPytorchCase<Result>(python: string, args: string[], timeoutSeconds: number): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [CASE_SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutSeconds * 1000, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const last = stdout.trim().split('\n').at(-1) ?? '';
      if (code === 0 && last.startsWith('{')) return resolve(JSON.parse(last) as Result);
      const why = signal === 'SIGKILL' ? `stopped after ${timeoutSeconds} s` : `exit ${code ?? signal}`;
      reject(new Error(`pytorch-case.py ${args[0]} (${why}): ${stderr.trim().split('\n').slice(-3).join(' / ')}`));
    });
  });
}
