#!/usr/bin/env node
// `npm run build`: compiles apps/ and shared/ to JavaScript under build/js/, one .js per
// .ts with the same layout, so that the API, workers, their children and the CLI start
// without a TypeScript loader (production images, `npm run demo`). `--if-stale` builds
// only when a source is newer than the last build (bin/ensure-deps.mjs uses it).
import { build } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build/js');
const stamp = join(out, '.built');
// apps/web is bundled for the browser by the API itself (apps/api/web-ui.ts) and is only linked.
const sources = [...typescriptFiles(join(root, 'apps'), [join(root, 'apps/web')]), ...typescriptFiles(join(root, 'shared'), [])];

if (process.argv.includes('--if-stale') && !isStale()) process.exit(0);
rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: sources,
  outdir: out,
  outbase: root,
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  plugins: [keepRelativeImports()],
});
// Node cannot load tfjs-core's gradient sources (ES modules with extensionless imports);
// bundled once here, shared/ml/backend/register-gradients.ts loads them from next to itself.
await build({
  entryPoints: [join(root, 'node_modules/@tensorflow/tfjs-core/dist/register_all_gradients.js')],
  outfile: join(out, 'shared/ml/backend/tfjs-gradients.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
});
// Files the code finds next to itself by relative path (configs, package.json, the web UI's
// sources, the native kernels in build/native) are reached from build/js/ through links.
link('package.json', '../../package.json');
link('configs', '../../configs');
link('build', '..');
link('apps/web', '../../../apps/web');
writeFileSync(stamp, `${new Date().toISOString()}\n`);
console.error(`aelab: compiled ${sources.length} TypeScript files to ${relative(root, out)}/`);

/** Every import of another source file stays an import, of its compiled `.js` twin: one output file per source. */
function keepRelativeImports() {
  return {
    name: 'keep-relative-imports',
    setup(plugin) {
      plugin.onResolve({ filter: /^\.\.?\// }, (args) => (args.kind === 'entry-point' ? undefined : { path: args.path.replace(/\.ts$/, '.js'), external: true }));
    },
  };
}

function typescriptFiles(folder, skip) {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (skip.includes(path)) return [];
    if (entry.isDirectory()) return typescriptFiles(path, skip);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

function isStale() {
  if (!existsSync(stamp)) return true;
  const builtAt = statSync(stamp).mtimeMs;
  return [...sources, join(root, 'package-lock.json')].some((path) => statSync(path).mtimeMs > builtAt);
}

function link(name, target) {
  const path = join(out, name);
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(target, path);
}
