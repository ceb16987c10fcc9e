import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, appendFile, lstat, mkdir, open, readdir, readFile, readlink, realpath, rename, rm, symlink, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { isMissingFileError, systemErrorCode } from '../errors/system-error-code.ts';
import { ArtifactKeyError, ArtifactNotFoundError, type ArtifactStore } from './artifact-store.ts';
import { StorageWriteError } from './storage-write-error.ts';

/**
 * An ArtifactStore on a directory, local or NFS-mounted. Atomic writes use a
 * temporary sibling and rename(2); aliases (`checkpoints/latest`) are relative
 * symlinks replaced by rename, which is atomic on POSIX filesystems including NFS.
 */
export class LocalArtifactStore implements ArtifactStore {
  readonly location: string;

  constructor(rootDirectory: string) {
    this.location = resolve(rootDirectory);
  }

  private pathOf(key: string): string {
    if (key.length === 0) return this.location;
    if (isAbsolute(key) || key.startsWith('/')) throw new ArtifactKeyError(key, 'absolute paths are not allowed');
    const parts = key.split('/');
    if (parts.some((part) => part === '..' || part === '.' || part.includes('\\') || part.includes('\0'))) {
      throw new ArtifactKeyError(key, 'path segments ".", ".." and backslashes are not allowed');
    }
    return join(this.location, ...parts.filter((part) => part.length > 0));
  }

  private temporarySibling(path: string): string {
    return join(dirname(path), `.tmp-${randomBytes(6).toString('hex')}-${pathTail(path)}`);
  }

  async write(key: string, data: Uint8Array | string): Promise<void> {
    const path = this.pathOf(key);
    await refusedWritesNamed(path, () => this.writeAtomically(path, data));
  }

  private async writeAtomically(path: string, data: Uint8Array | string): Promise<void> {
    await ensureFolder(dirname(path));
    const temporary = this.temporarySibling(path);
    try {
      const handle = await open(temporary, 'w');
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, path);
    } catch (error) {
      // A full disk stays full if the half-written temporary is left behind.
      await rm(temporary, { force: true });
      throw error;
    }
  }

  async appendLine(key: string, line: string): Promise<void> {
    const path = this.pathOf(key);
    await refusedWritesNamed(path, async () => {
      await ensureFolder(dirname(path));
      // One write(2) with O_APPEND per line: concurrent appenders never interleave.
      await appendFile(path, line.endsWith('\n') ? line : `${line}\n`);
    });
  }

  async read(key: string): Promise<Buffer> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      if (isMissingFileError(error)) throw new ArtifactNotFoundError(key);
      throw error;
    }
  }

  async readText(key: string): Promise<string> {
    return (await this.read(key)).toString('utf8');
  }

  async exists(key: string): Promise<boolean> {
    try {
      await access(this.pathOf(key), constants.F_OK);
      return true;
    } catch {
      return false;
    }
  }

  async list(prefix: string): Promise<string[]> {
    try {
      const entries = await readdir(this.pathOf(prefix));
      return entries.filter((name) => !name.startsWith('.tmp-')).sort();
    } catch (error) {
      if (isMissingFileError(error)) return [];
      throw error;
    }
  }

  async remove(key: string): Promise<void> {
    await rm(this.pathOf(key), { recursive: true, force: true });
  }

  async pointTo(alias: string, target: string): Promise<void> {
    const aliasPath = this.pathOf(alias);
    const targetPath = this.pathOf(target);
    await refusedWritesNamed(aliasPath, async () => {
      await ensureFolder(dirname(aliasPath));
      const temporary = this.temporarySibling(aliasPath);
      await symlink(relative(dirname(aliasPath), targetPath), temporary);
      try {
        await rename(temporary, aliasPath);
      } catch (error) {
        await unlink(temporary).catch(() => undefined);
        throw error;
      }
    });
  }

  async resolveAlias(alias: string): Promise<string | null> {
    const aliasPath = this.pathOf(alias);
    try {
      const stats = await lstat(aliasPath);
      if (!stats.isSymbolicLink()) return alias;
      const targetPath = resolve(dirname(aliasPath), await readlink(aliasPath));
      const key = relative(this.location, targetPath);
      if (key.startsWith('..') || isAbsolute(key)) return null;
      return key.split(sep).join('/');
    } catch (error) {
      if (isMissingFileError(error)) return null;
      throw error;
    }
  }

  async safeLocalPath(key: string): Promise<string | null> {
    let path: string;
    try {
      path = this.pathOf(key);
    } catch {
      return null;
    }
    try {
      const real = await realpath(path);
      const root = await realpath(this.location);
      return real === root || real.startsWith(root + sep) ? real : null;
    } catch {
      return null;
    }
  }

  async checkWritable(): Promise<void> {
    await mkdir(this.location, { recursive: true });
    await access(this.location, constants.W_OK);
  }
}

async function refusedWritesNamed(path: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    throw new StorageWriteError(path, error);
  }
}

/**
 * `mkdir -p`, except that a refusal reports its real reason: a recursive mkdir on a
 * read-only filesystem answers ENOENT, so on ENOENT the folders are made one by one.
 */
async function ensureFolder(folder: string): Promise<void> {
  try {
    await mkdir(folder, { recursive: true });
  } catch (error) {
    if (systemErrorCode(error) !== 'ENOENT' || dirname(folder) === folder) throw error;
    await ensureFolder(dirname(folder));
    await mkdir(folder).catch((inner: unknown) => {
      if (systemErrorCode(inner) !== 'EEXIST') throw inner;
    });
  }
}

function pathTail(path: string): string {
  const index = path.lastIndexOf(sep);
  return index === -1 ? path : path.slice(index + 1);
}

