#!/usr/bin/env node
// `npm run setup:tensorflow`: installs @tensorflow/tfjs-node (the native libtensorflow
// backend, AELAB_BACKEND=tensorflow) into node_modules without touching package.json or
// package-lock.json, so `npm ci` keeps working where libtensorflow's host is unreachable.
//
// Where https://storage.googleapis.com answers, the package's own install script downloads
// libtensorflow 2.9.1 and the prebuilt binding. Elsewhere the only libtensorflow in reach
// is the one inside the npm package tfjs-node-lambda-releases (1.15.0, CPU, AVX): it is
// unpacked where tfjs-node expects its library, the one header the 4.x binding needs and
// 1.15 lacks is stubbed (bin/tensorflow/ctstring_internal.h), and the binding is compiled
// with node-gyp (needs python3, make and g++). Re-running is a no-op once the backend loads.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBrotliDecompress } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const packageDir = join(root, 'node_modules', '@tensorflow', 'tfjs-node');
const LAMBDA_PACKAGE = 'tfjs-node-lambda-releases@1.6.1';
/** The release inside LAMBDA_PACKAGE whose libtensorflow is 1.15.0 (see its matrix.json). */
const LAMBDA_RELEASE = 'nodejs12.x-tf2.7.0.br';
const DEPS_IN_RELEASE = 'node_modules/@tensorflow/tfjs-node/deps';
const OFFICIAL_HOST = 'https://storage.googleapis.com/';

const step = (message) => console.error(`setup:tensorflow: ${message}`);

function fail(message) {
  step(`failed: ${message}`);
  process.exit(1);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) fail(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
}

/** Loads the backend in a fresh process and runs one convolution gradient; returns what it printed, or null. */
function probeBackend() {
  const script = `
    const tf = require('@tensorflow/tfjs-node');
    const x = tf.ones([1, 4, 4, 1]);
    const dw = tf.grad((w) => tf.sum(tf.conv2d(x, w, 1, 'same')))(tf.ones([3, 3, 1, 1]));
    console.log(tf.getBackend() + ', filter gradient centre ' + dw.dataSync()[4]);`;
  const result = spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : null;
}

function reachable(url, timeoutMs) {
  return new Promise((done) => {
    const req = request(url, { method: 'HEAD', timeout: timeoutMs }, (res) => {
      res.resume();
      done(true);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => done(false));
    req.end();
  });
}

/** Node's headers for node-gyp, from this Node installation (no download). */
function nodeHeadersDir() {
  const prefix = resolve(dirname(process.execPath), '..');
  if (!existsSync(join(prefix, 'include', 'node', 'node_api.h'))) {
    fail(`node-gyp needs Node's headers; ${join(prefix, 'include', 'node')} has none (install Node.js with its headers)`);
  }
  return prefix;
}

function installPackage() {
  const { version } = JSON.parse(readFileSync(join(root, 'node_modules', '@tensorflow', 'tfjs-core', 'package.json'), 'utf8'));
  step(`installing @tensorflow/tfjs-node@${version} (matching tfjs-core) without its install script…`);
  run('npm', ['install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', `@tensorflow/tfjs-node@${version}`], { cwd: root });
}

function officialInstall() {
  step('libtensorflow host reachable: running the package\'s own install (downloads libtensorflow 2.9.1)…');
  run(process.execPath, ['scripts/install.js'], { cwd: packageDir });
}

/** Unpacks libtensorflow 1.15 from LAMBDA_PACKAGE into the package's deps/ folder. */
async function unpackLambdaLibtensorflow() {
  const work = mkdtempSync(join(tmpdir(), 'aelab-libtensorflow-'));
  try {
    step(`libtensorflow host unreachable: fetching ${LAMBDA_PACKAGE} from the npm registry (195 MB; cached by npm after the first time)…`);
    run('npm', ['pack', '--silent', '--pack-destination', work, LAMBDA_PACKAGE], { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] });
    const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
    if (tarball === undefined) fail(`npm pack ${LAMBDA_PACKAGE} left no tarball`);
    run('tar', ['xzf', tarball, `package/${LAMBDA_RELEASE}`], { cwd: work });
    step(`unpacking libtensorflow 1.15.0 from ${LAMBDA_RELEASE} (brotli, 370 MB unpacked)…`);
    await untarBrotli(join(work, 'package', LAMBDA_RELEASE), work, DEPS_IN_RELEASE);
    rmSync(join(packageDir, 'deps'), { recursive: true, force: true });
    renameSync(join(work, DEPS_IN_RELEASE), join(packageDir, 'deps'));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const deps = join(packageDir, 'deps');
  const header = join(deps, 'include', 'tensorflow', 'core', 'platform');
  mkdirSync(header, { recursive: true });
  copyFileSync(join(root, 'bin', 'tensorflow', 'ctstring_internal.h'), join(header, 'ctstring_internal.h'));
  // The name the package's install script checks before it would download 2.9.1.
  symlinkSync('libtensorflow.so.1.15.0', join(deps, 'lib', 'libtensorflow.so.2.9.1'));
}

function untarBrotli(file, into, member) {
  return new Promise((done, failed) => {
    const tar = spawn('tar', ['x', member], { cwd: into, stdio: ['pipe', 'inherit', 'inherit'] });
    createReadStream(file).pipe(createBrotliDecompress()).on('error', failed).pipe(tar.stdin);
    tar.on('exit', (code) => (code === 0 ? done() : failed(new Error(`tar exited with ${code} unpacking ${member}`))));
  });
}

function buildBinding() {
  step('compiling the TF.js binding against libtensorflow 1.15 (node-gyp, about a minute)…');
  const nodePreGyp = join(root, 'node_modules', '.bin', 'node-pre-gyp');
  run(nodePreGyp, ['install', '--build-from-source', '--loglevel=warn'], {
    cwd: packageDir,
    env: { ...process.env, npm_config_nodedir: nodeHeadersDir() },
  });
}

async function main() {
  const already = existsSync(packageDir) ? probeBackend() : null;
  if (already !== null) {
    step(`@tensorflow/tfjs-node already loads (${already}); nothing to do`);
    return;
  }
  installPackage();
  if (await reachable(OFFICIAL_HOST, 10_000)) {
    officialInstall();
  } else {
    await unpackLambdaLibtensorflow();
    buildBinding();
  }
  const probe = probeBackend();
  if (probe === null) fail('@tensorflow/tfjs-node was installed but does not load; see the messages above');
  step(`done: @tensorflow/tfjs-node loads (${probe}); use it with AELAB_BACKEND=tensorflow`);
}

await main();
