/** The errno name a Node system error carries (`ENOENT`, `EROFS`, `ECONNREFUSED`…), or undefined for any other value. */
export function systemErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = (error as { code: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** Missing, or a file where a folder was expected (`runs/README` read as a run folder). */
export function isMissingFileError(error: unknown): boolean {
  const code = systemErrorCode(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}
