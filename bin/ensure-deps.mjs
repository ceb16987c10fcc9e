#!/usr/bin/env node
// Setup step of `npm test` and `npm run demo` on a fresh checkout: runs `npm ci` when
// node_modules is missing or was installed from another package-lock.json, and does
// nothing otherwise (so repeated runs stay fast). Then makes sure the native convolution
// kernels are built (installing OpenBLAS with apt-get first when running as root without it),
// and compiles the TypeScript to build/js/ when a source changed since the last build.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lockHash = createHash('sha256').update(readFileSync(join(root, 'package-lock.json'))).digest('hex');
const stamp = join(root, 'node_modules', '.aelab-installed-from');

if (!(existsSync(stamp) && readFileSync(stamp, 'utf8') === lockHash)) installNodeModules();
installOpenblasIfRoot();
spawnSync(process.execPath, [join(root, 'bin/build-native-kernels.mjs')], { stdio: 'inherit' });
const compiled = spawnSync(process.execPath, [join(root, 'bin/build-js.mjs'), '--if-stale'], { stdio: 'inherit' });
if (compiled.status !== 0) process.exit(compiled.status ?? 1);

function installNodeModules() {
  console.error('aelab: installing dependencies (npm ci)…');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('aelab: "npm ci" failed; see the messages above (the npm registry must be reachable).');
    process.exit(result.status ?? 1);
  }
  writeFileSync(stamp, lockHash);
}

// The native kernels link OpenBLAS; where apt-get can install it, it is installed once.
function installOpenblasIfRoot() {
  const headers = ['/usr/include/x86_64-linux-gnu/cblas.h', '/usr/include/x86_64-linux-gnu/openblas-pthread/cblas.h'];
  if (process.platform !== 'linux' || headers.some((path) => existsSync(path))) return;
  if (process.getuid?.() !== 0 || spawnSync('apt-get', ['--version']).status !== 0) return;
  console.error('aelab: installing OpenBLAS for the native convolution kernels (apt-get install libopenblas-dev)…');
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  if (update.status === 0) spawnSync('apt-get', ['install', '-y', '-qq', 'libopenblas-dev'], { stdio: 'inherit' });
}
