#!/usr/bin/env node
// Setup step of `npm test` and `npm run demo` on a fresh checkout: runs `npm ci` when
// node_modules is missing or was installed from another package-lock.json, and does
// nothing otherwise (so repeated runs stay fast).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lockHash = createHash('sha256').update(readFileSync(join(root, 'package-lock.json'))).digest('hex');
const stamp = join(root, 'node_modules', '.aelab-installed-from');

if (existsSync(stamp) && readFileSync(stamp, 'utf8') === lockHash) process.exit(0);

console.error('aelab: installing dependencies (npm ci)…');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  console.error('aelab: "npm ci" failed; see the messages above (the npm registry must be reachable).');
  process.exit(result.status ?? 1);
}
writeFileSync(stamp, lockHash);
