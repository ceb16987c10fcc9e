/**
 * `aelab predict` against the official PyTorch model on the same weights and images.
 * bench/anomaly-score-case.py builds the official model of a config with random weights
 * (the released MorphAEus weights are not public), writes them as safetensors with a few
 * PNGs, and prints the official scores; this script imports the weights with
 * `aelab import-weights`, scores the PNGs with `aelab predict` on each backend asked for,
 * and writes the differences to bench/results/anomaly-score-<date>.md.
 *
 *   npx tsx bench/anomaly-score-vs-pytorch.ts [--official /tmp/official] [--backends cpu,wasm] [--python /usr/bin/python3]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { importWeightsCommand } from '../apps/cli/import-weights-command.ts';
import { predictCommand } from '../apps/cli/predict-command.ts';
import { REPO_ROOT } from './bench-configs.ts';
import { findTorchPython } from './official-python.ts';
import { writeSweepResults } from './sweep-results-file.ts';

interface OfficialScores {
  files: string[];
  /** np.mean of the float32 residual, as the official DownstreamEvaluator. */
  official: number[];
  /** The same residual's mean summed in float64. */
  float64: number[];
  torch: string;
}

const CONFIGS: Record<string, string> = { 'cxr/morphaeus.yaml': 'configs/experiments/cxr/morphaeus.yaml' };

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      official: { type: 'string', default: '/tmp/official' },
      config: { type: 'string', default: 'cxr/morphaeus.yaml' },
      backends: { type: 'string', default: 'cpu,wasm' },
      python: { type: 'string' },
    },
  });
  const ours = CONFIGS[values.config];
  if (ours === undefined) throw new Error(`--config: one of ${Object.keys(CONFIGS).join(', ')}`);
  const python = findTorchPython(values.python);
  const work = mkdtempSync(path.join(tmpdir(), 'aelab-score-'));
  try {
    const official = runOfficial(python, values.official, values.config, work);
    const checkpoint = await importWeightsCommand({ from: path.join(work, 'weights.safetensors'), out: path.join(work, 'checkpoint'), config: path.join(REPO_ROOT, ours) });
    const rows: string[] = [];
    for (const backend of values.backends.split(',')) {
      process.env.AELAB_BACKEND = backend;
      const predicted = await predictCommand({ checkpoint, images: official.files, out: path.join(work, `predict-${backend}`) });
      predicted.scores.forEach(({ score }, i) => {
        const cells = [backend, path.basename(official.files[i]), official.official[i].toPrecision(9), score.toPrecision(9)];
        rows.push(`| ${cells.join(' | ')} | ${Math.abs(score - official.official[i]).toExponential(1)} | ${Math.abs(score - official.float64[i]).toExponential(1)} |`);
      });
    }
    const report = [
      `# aelab predict vs the official ${values.config} (random weights), ${new Date().toISOString().slice(0, 10)}`,
      '',
      `\`npx tsx bench/anomaly-score-vs-pytorch.ts --config ${values.config} --backends ${values.backends}\`; torch ${official.torch}; load average ${loadavg().map((n) => n.toFixed(2)).join(' ')}.`,
      '',
      '| Backend | Image | Official score (np.mean, float32) | predict | \\|Δ\\| official | \\|Δ\\| float64 mean |',
      '|---|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n');
    const file = writeSweepResults('anomaly-score', report);
    process.stdout.write(`${report}\nwritten to ${file}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function runOfficial(python: string, official: string, config: string, out: string): OfficialScores {
  const script = path.join(REPO_ROOT, 'bench/anomaly-score-case.py');
  const run = spawnSync(python, [script, '--official', official, '--config', config, '--out', out], { encoding: 'utf8' });
  const last = run.stdout.trim().split('\n').at(-1) ?? '';
  if (run.status !== 0 || !last.startsWith('{')) throw new Error(`anomaly-score-case.py failed: ${run.stderr.trim().split('\n').slice(-3).join(' / ')}`);
  return JSON.parse(last) as OfficialScores;
}

await main();
