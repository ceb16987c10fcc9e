#!/usr/bin/env node
// Setup step of `npm test`: the web UI's browser tests drive Debian's chromium. Installs it
// with apt-get when it is missing and we are root; otherwise says how, and the tests that
// need it fail naming the path.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const path = process.env.AELAB_CHROMIUM ?? '/usr/bin/chromium';
if (existsSync(path)) process.exit(0);

const canInstall = process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
if (!canInstall) {
  console.error(`aelab: no chromium at ${path}; the browser tests need it: sudo apt-get install -y chromium (or set AELAB_CHROMIUM)`);
  process.exit(0);
}
console.error('aelab: installing chromium for the browser tests (apt-get)…');
const result = spawnSync('sh', ['-c', 'apt-get update -qq && apt-get install -y -qq chromium >/dev/null'], { stdio: 'inherit' });
if (result.status !== 0) console.error('aelab: installing chromium failed; the browser tests will fail until it is installed.');
