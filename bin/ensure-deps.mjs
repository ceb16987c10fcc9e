#!/usr/bin/env node
// Setup step of `npm test` and `npm run demo` on a fresh checkout: runs `npm ci` when
// node_modules is missing or was installed from another package-lock.json, and does
// nothing otherwise (so repeated runs stay fast). Then makes sure the native convolution
// kernels are built (installing OpenBLAS and oneDNN with apt-get first when running as root without them),
// and compiles the TypeScript to build/js/ when a source changed since the last build.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lockHash = createHash('sha256').update(readFileSync(join(root, 'package-lock.json'))).digest('hex');
const stamp = join(root, 'node_modules', '.aelab-installed-from');

// The native kernels link OpenBLAS, and oneDNN for their convolutions where it is installed;
// where apt-get can install them, they are installed once.
const NATIVE_LIBRARIES = [
  { name: 'OpenBLAS', apt: 'libopenblas-dev', headers: ['/usr/include/x86_64-linux-gnu/cblas.h', '/usr/include/x86_64-linux-gnu/openblas-pthread/cblas.h'] },
  { name: 'oneDNN', apt: 'libdnnl-dev', headers: ['/usr/include/dnnl.hpp'] },
];

if (!(existsSync(stamp) && readFileSync(stamp, 'utf8') === lockHash)) installNodeModules();
installNativeLibrariesIfRoot();
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

function installNativeLibrariesIfRoot() {
  const missing = NATIVE_LIBRARIES.filter((library) => !library.headers.some((path) => existsSync(path)));
  if (process.platform !== 'linux' || missing.length === 0) return;
  if (process.getuid?.() !== 0 || spawnSync('apt-get', ['--version']).status !== 0) return;
  const packages = missing.map((library) => library.apt);
  console.error(`aelab: installing ${missing.map((library) => library.name).join(' and ')} for the native kernels (apt-get install ${packages.join(' ')})…`);
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  if (update.status === 0) spawnSync('apt-get', ['install', '-y', '-qq', ...packages], { stdio: 'inherit' });
}
