import { spawnSync } from 'node:child_process';

/**
 * Mounts a tmpfs of `kib` KiB on `folder`, a disk that fills up at once. Root only (mount);
 * returns the undo, or null where this machine cannot mount.
 */
export function mountTinyDisk(folder: string, kib: number): (() => Promise<void>) | null {
  if (process.getuid?.() !== 0) return null;
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k`, 'aelab-tiny-disk', folder]).status !== 0) return null;
  return async () => {
    spawnSync('umount', [folder]);
  };
}
