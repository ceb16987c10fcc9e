// Summary of a bench/gpu-check.sh results file: images/s on webgpu next to the official
// PyTorch code for each model and batch, with their ratio (the goal for MorphAEus at 128²
// is at least 0.25), the adapter, GPU memory and the golden forward agreement.
// Plain JavaScript: it runs on the bare Node binary the check brings along.
import { readFileSync } from 'node:fs';

const file = process.argv[2];
const records = readFileSync(file, 'utf8').split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
const adapter = records.find((r) => r.kind === 'adapter');
console.log(`adapter: ${adapter ? adapter.device_string : 'none reported'}`);
console.log('model      size batch  webgpu img/s  pytorch img/s  ratio  GPU memory used (MiB)');
for (const run of records.filter((r) => r.kind === 'train')) {
  const torch = records.find((r) => r.kind === 'pytorch' && r.model === run.model && r.batch === run.batch && r.size === run.size);
  const ratio = torch ? (run.images_per_s / torch.images_per_s).toFixed(2) : 'n/a';
  const row = [run.model.padEnd(10), String(run.size).padStart(4), String(run.batch).padStart(5), String(run.images_per_s).padStart(13),
    String(torch?.images_per_s ?? 'n/a').padStart(14), ratio.padStart(6), `  ${run.gpu_memory_mib ?? 'n/a'}`];
  console.log(row.join(' '));
}
for (const golden of records.filter((r) => r.kind === 'golden')) {
  const within = golden.max_abs_diff_webgpu_vs_cpu <= golden.tolerance ? 'within' : 'OUTSIDE';
  console.log(`golden ${golden.model}: max |webgpu - cpu| ${golden.max_abs_diff_webgpu_vs_cpu.toExponential(2)} over ${golden.outputs.join(', ')} (${within} the parity tolerance ${golden.tolerance})`);
}
