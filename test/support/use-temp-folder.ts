import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';

/**
 * A fresh temporary folder named `<prefix>…`, removed afterwards: one for the enclosing
 * describe block (`'all'`), or a new one for each of its tests (`'each'`).
 */
export function useTempFolder(prefix: string, lifetime: 'all' | 'each' = 'all'): () => string {
  let folder: string | undefined;
  const [before, after] = lifetime === 'all' ? [beforeAll, afterAll] : [beforeEach, afterEach];
  before(async () => {
    folder = await mkdtemp(join(tmpdir(), prefix));
  });
  after(async () => {
    if (folder !== undefined) await rm(folder, { recursive: true, force: true });
  });
  return () => {
    if (folder === undefined) throw new Error('useTempFolder: the folder is made before the tests');
    return folder;
  };
}
