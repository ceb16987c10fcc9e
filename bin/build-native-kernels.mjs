#!/usr/bin/env node
// Builds our native kernels (every .cc file of shared/ml/backend/native/, one addon whose
// entry point is addon.cc) into
// build/native/aelab-kernels.node with g++ against Node's own headers and OpenBLAS, and oneDNN
// where libdnnl-dev is installed (the convolutions then run on oneDNN). Runs after
// `npm install`/`npm ci` (postinstall) and from bin/ensure-deps.mjs; does nothing when the
// addon is newer than its sources. The kernels are optional: when they cannot be built this
// prints why, records it in build/native/aelab-kernels.unavailable (training logs it and runs
// on TF.js's own kernels) and exits 0, so an install never fails on it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sourceDir = join(root, 'shared/ml/backend/native');
const entryPoint = join(sourceDir, 'addon.cc');
const outDir = join(root, 'build/native');
const addon = join(outDir, 'aelab-kernels.node');
const unavailable = join(outDir, 'aelab-kernels.unavailable');
const nodeHeaders = resolve(process.execPath, '../../include/node');
const openblasHeaders = '/usr/include/x86_64-linux-gnu/openblas-pthread';
// oneDNN (Debian's libdnnl-dev, on OpenMP threads).
const onednnHeader = '/usr/include/dnnl.hpp';

// An image build installs node_modules before it copies the sources; it builds the addon later.
if (!existsSync(entryPoint)) process.exit(0);
const sources = readdirSync(sourceDir).sort().map((name) => join(sourceDir, name));
const units = sources.filter((file) => file.endsWith('.cc'));
// Which libraries the addon was built with: installing oneDNN later rebuilds it.
const libraries = existsSync(onednnHeader) ? 'openblas onednn' : 'openblas';
const librariesStamp = join(outDir, 'aelab-kernels.libraries');
const builtWith = existsSync(librariesStamp) ? readFileSync(librariesStamp, 'utf8') : undefined;
const fresh = existsSync(addon) && sources.every((file) => statSync(addon).mtimeMs >= statSync(file).mtimeMs);
if (fresh && builtWith === libraries) process.exit(0);

mkdirSync(outDir, { recursive: true });
const reason = missingPrerequisite() ?? compile();
if (reason === undefined) {
  rmSync(unavailable, { force: true });
  writeFileSync(librariesStamp, libraries);
  console.error(`aelab: built native kernels (${addon})`);
} else {
  writeFileSync(unavailable, `${reason}\n`);
  console.error(`aelab: native kernels not built (${reason}); training uses TF.js's own kernels`);
}

function missingPrerequisite() {
  if (process.platform !== 'linux') return `only built on Linux, not ${process.platform}`;
  if (!existsSync(join(nodeHeaders, 'node_api.h'))) return `Node's headers are not at ${nodeHeaders}`;
  if (spawnSync('g++', ['--version']).status !== 0) return 'g++ is not installed (apt-get install g++)';
  const hasCblas = existsSync(join(openblasHeaders, 'cblas.h')) || existsSync('/usr/include/x86_64-linux-gnu/cblas.h');
  if (!hasCblas) return 'OpenBLAS is not installed (apt-get install libopenblas-dev)';
  return undefined;
}

function compile() {
  // -ffp-contract=off: g++ fuses a product and a sum into one FMA by default, even with
  // -std=c++17, and kernels that must round as the generic TF.js ops do (the Adam step) need
  // every product rounded on its own.
  const onednn = libraries.includes('onednn') ? ['-DAELAB_ONEDNN', '-fopenmp'] : [];
  const args = [
    '-O3', '-march=native', '-std=c++17', '-ffp-contract=off', '-fPIC', '-shared', '-DNODE_GYP_MODULE_NAME=aelab_kernels', ...onednn,
    `-I${nodeHeaders}`, `-I${openblasHeaders}`, ...units, '-o', addon, '-lopenblas', ...(onednn.length > 0 ? ['-ldnnl'] : []), '-lpthread',
  ];
  const result = spawnSync('g++', args, { encoding: 'utf8' });
  if (result.status === 0) return undefined;
  rmSync(addon, { force: true });
  const firstError = (result.stderr || result.error?.message || '').split('\n').find((line) => line.includes('error')) ?? 'unknown error';
  return `g++ failed: ${firstError.trim()}`;
}
