import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The entry file `relative` (without extension) seen from `moduleUrl`, in the form the
 * caller itself runs as: `.ts` under tsx (development, tests), `.js` in the compiled
 * build (`npm run build`, docs/architecture.md "Build"), which needs no compiler at run time.
 */
export function entryNextTo(moduleUrl: string, relative: string): string {
  const here = fileURLToPath(moduleUrl);
  return join(dirname(here), `${relative}${extname(here)}`);
}

/** The Node options that run `entry`: TypeScript goes through the tsx loader, JavaScript runs as it is. */
export function nodeOptionsFor(entry: string): string[] {
  return entry.endsWith('.ts') ? ['--import', 'tsx'] : [];
}
