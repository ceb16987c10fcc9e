/**
 * A data loader arg that cannot be used. `arg` is its key under `data_loader.params.args`
 * (`pathology`, `data_dir.train`, …), so that a config check can point at its line.
 */
export class DatasetArgsError extends Error {
  override readonly name = 'DatasetArgsError';

  constructor(
    readonly arg: string,
    message: string,
  ) {
    super(message);
  }
}
