import { systemErrorCode } from '../errors/system-error-code.ts';

/**
 * Storage refused a write (read-only, full, no permission): the message names the path
 * and the system's reason, and `code` keeps the errno name (EROFS, ENOSPC, EACCES…) so
 * that metrics and retries can tell a storage fault from a bug.
 */
export class StorageWriteError extends Error {
  readonly code: string;

  constructor(readonly path: string, cause: unknown) {
    const code = systemErrorCode(cause) ?? 'EIO';
    super(`storage refused a write to ${path}: ${code} (${describeCode(code)})`, { cause });
    this.name = 'StorageWriteError';
    this.code = code;
  }
}

function describeCode(code: string): string {
  switch (code) {
    case 'EROFS':
      return 'the filesystem is read-only';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EDQUOT':
      return 'disk quota exceeded';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return 'the write failed';
  }
}
