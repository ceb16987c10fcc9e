import { spawnSync } from 'node:child_process';
import { chmod, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Makes a folder refuse writes, as a read-only NFS export or a remounted disk would:
 * a read-only bind mount when running as root (root ignores file modes), else its mode
 * without write bits. Returns the undo, or null when this machine cannot do either
 * (root without the right to mount), checked by a probe write.
 */
export async function makeReadOnly(folder: string): Promise<(() => Promise<void>) | null> {
  let undo: () => Promise<void>;
  if (process.getuid?.() === 0) {
    const bound = spawnSync('mount', ['--bind', folder, folder]).status === 0;
    if (!bound) return null;
    if (spawnSync('mount', ['-o', 'remount,bind,ro', folder]).status !== 0) {
      spawnSync('umount', [folder]);
      return null;
    }
    undo = async () => {
      spawnSync('umount', [folder]);
    };
  } else {
    await chmod(folder, 0o555);
    undo = () => chmod(folder, 0o755);
  }
  const probe = join(folder, '.write-probe');
  const refused = await writeFile(probe, 'x').then(
    () => false,
    () => true,
  );
  if (!refused) {
    await rm(probe, { force: true });
    await undo();
    return null;
  }
  return undo;
}
