import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CaseMessage, CaseOutcome, ThroughputCase } from './throughput-case.ts';

const CASE_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'run-throughput-case.ts');

export interface CaseRun {
  backend: string | null;
  device: string | null;
  notes: string[];
  outcome: CaseOutcome;
}

/**
 * Runs one training case in its own process (bench/run-throughput-case.ts), printing its
 * progress to stderr under `label`; never rejects. `env` is the child's environment
 * (default this process's).
 */
export function runThroughputCase(spec: ThroughputCase, label: string, env: NodeJS.ProcessEnv = process.env): Promise<CaseRun> {
  return new Promise((resolve) => {
    const run: Omit<CaseRun, 'outcome'> & { outcome: CaseOutcome | null } = { backend: null, device: null, notes: [], outcome: null };
    const child = fork(CASE_SCRIPT, [JSON.stringify(spec)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env });
    let firstStepTimer: NodeJS.Timeout | undefined;
    child.on('message', (message: CaseMessage) => {
      switch (message.kind) {
        case 'backend':
          Object.assign(run, { backend: message.name, device: message.device, notes: message.notes });
          process.stderr.write(`${label}: ${message.name}, ${message.device}\n`);
          return;
        case 'stepping':
          firstStepTimer = setTimeout(() => {
            run.outcome = { status: 'skipped', reason: `one step took over ${spec.maxSeconds} s (stopped)` };
            child.kill('SIGKILL');
          }, spec.maxSeconds * 1000);
          return;
        case 'step':
          clearTimeout(firstStepTimer);
          process.stderr.write(`${label}: ${message.phase} step ${message.index + 1}: ${message.seconds.toFixed(2)} s\n`);
          return;
        case 'outcome':
          run.outcome = message.outcome;
          return;
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(firstStepTimer);
      const outcome = run.outcome ?? { status: 'failed', reason: `the case process exited with ${signal ?? `code ${code}`} before reporting` };
      resolve({ ...run, outcome });
    });
  });
}
