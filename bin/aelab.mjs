#!/usr/bin/env node
// `npx aelab`: the CLI runs the compiled build when there is one (`npm run build`, as the API
// and workers do in the images and `npm run demo`), rebuilt first if a source changed since;
// from a checkout that was never built it runs the TypeScript through tsx, with no build step.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'build/js/apps/cli/main.js');
const run = (args) => spawnSync(process.execPath, args, { stdio: 'inherit' }).status ?? 1;

if (existsSync(join(root, 'build/js/.built')) && run([join(root, 'bin/build-js.mjs'), '--if-stale']) === 0 && existsSync(compiled)) {
  process.exit(run([compiled, ...process.argv.slice(2)]));
}
const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
process.exit(run([tsxCli, join(root, 'apps/cli/main.ts'), ...process.argv.slice(2)]));
