/** A checkpoint version that cannot be used; `file` is the store key of the offending file. */
export class CheckpointCorruptError extends Error {
  override readonly name = 'CheckpointCorruptError';

  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`checkpoint file ${file} is unusable: ${reason}`);
  }
}
