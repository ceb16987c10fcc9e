import type { DataLoaderConfig } from '../config/experiment-config.ts';
import { CsvImageDataset } from './csv-image-dataset.ts';
import { DatasetArgsError } from './dataset-args-error.ts';
import { IdxImageDataset } from './idx-image-dataset.ts';
import type { ImageDataset } from './image-dataset.ts';
import { PhantomDataset } from './phantom-dataset.ts';
import { PHANTOM_PATHOLOGIES, type PhantomPathology } from './phantoms.ts';
import { DEFAULT_RESIZE, RESIZE_METHODS, type ResizeMethod } from './resize-image.ts';

export type DatasetSplit = 'train' | 'val' | 'test';

export interface OpenDatasetOptions {
  /**
   * Directory that split CSVs and the image paths inside them are relative to;
   * default `process.env.AELAB_DATA_ROOT`, else the current directory.
   */
  dataRoot?: string;
}

/** Defaults of the `phantoms` loader's args. */
export const PHANTOM_LOADER_DEFAULTS = {
  train_count: 256,
  val_count: 32,
  test_count: 32,
  seed: 7,
} as const;

/**
 * Official DataLoader args that change nothing here: we have one reader, and the resize
 * path an official `dataset_module` implies is chosen with `resize` instead.
 */
const IGNORED_ARGS = ['num_workers', 'dataset_module'];

/**
 * Loader args:
 * - `phantoms`: `train_count` (256), `val_count` (32), `test_count` (32), `seed` (7);
 *   `pathology` (null): `opacity`, `nodule` or `effusion` makes the test split that
 *   pathology's test set (labels 1, with masks), of `pathology_count` images (default
 *   test_count); `count` overrides the size of the split being opened (a downstream
 *   dataset's size). Images are rendered at `targetSize`.
 * - `csv`: the split's CSVs from `dataDir` (see split-csv.ts); `label_dir` (none): mask
 *   CSVs row for row with them, either `{train, val, test: [csv…]}` like `data_dir` or a
 *   list for the split being opened. Every listed file must exist, checked here.
 * - `csv` and `idx`: `resize` (`bilinear`): `bilinear` is the official training path
 *   (float bilinear, no antialias), `antialias` the official downstream path (uint8
 *   truncation, Pillow's antialiased bilinear; also what the official MNIST loader did);
 *   see resize-image.ts.
 * - `idx` (IDX files of the MNIST family, see idx-image-dataset.ts; `data_dir` unused):
 *   `images`: the images IDX file (`.gz` or not), or `{train, val, test: file}` for a
 *   file per split; relative to the data root. `labels` (none): the labels IDX file, in
 *   the same form. `classes` (all): the label values to keep, e.g. `[0]` for a one-class
 *   training set, or `{train, val, test: [class…] | null}` per split (null or a missing
 *   entry: all). A downstream dataset entry sets its own `classes` (e.g. Normal `[0]`,
 *   Anomalous `[1, …, 9]`) since its args override the loader's.
 */
/** Checks a loader's args for one split and returns what opens it; opening reads files. */
type PrepareDataset = (loader: DataLoaderConfig, split: DatasetSplit) => (dataRoot: string) => Promise<ImageDataset>;

export const DATASET_LOADERS: Readonly<Record<string, PrepareDataset>> = {
  phantoms: (loader, split) => {
    const args = checkArgs(loader, ['train_count', 'val_count', 'test_count', 'pathology_count', 'count', 'seed', 'pathology']);
    const pathology = args.pathology ?? null;
    if (pathology !== null && !(PHANTOM_PATHOLOGIES as readonly unknown[]).includes(pathology)) {
      throw new DatasetArgsError(
        'pathology',
        `phantoms loader: args.pathology must be null or one of ${PHANTOM_PATHOLOGIES.join(', ')}, got ${JSON.stringify(pathology)}`,
      );
    }
    if (pathology !== null && split !== 'test') {
      throw new DatasetArgsError('pathology', `phantoms loader: args.pathology (${String(pathology)}) gives a test set; it cannot be opened as split '${split}'`);
    }
    const testCount = countArg(args, 'test_count', PHANTOM_LOADER_DEFAULTS.test_count);
    const splitCount =
      pathology !== null
        ? countArg(args, 'pathology_count', testCount)
        : countArg(args, `${split}_count`, PHANTOM_LOADER_DEFAULTS[`${split}_count`]);
    const seed = args.seed ?? PHANTOM_LOADER_DEFAULTS.seed;
    if (typeof seed !== 'number' || !Number.isInteger(seed)) {
      throw new DatasetArgsError('seed', `phantoms loader: args.seed must be an integer, got ${JSON.stringify(seed)}`);
    }
    const options = { seed, split: (pathology as PhantomPathology | null) ?? split, count: countArg(args, 'count', splitCount), size: loader.targetSize };
    return async () => new PhantomDataset(options);
  },
  csv: (loader, split) => {
    const args = checkArgs(loader, ['label_dir', 'resize']);
    const csvs = loader.dataDir[split];
    if (csvs.length === 0) throw new DatasetArgsError(`data_dir.${split}`, `csv loader: data_dir.${split} lists no CSV`);
    const options = { csvs, maskCsvs: maskCsvs(args.label_dir, split), size: loader.targetSize, resize: resizeArg(args, 'csv') };
    return (dataRoot) => CsvImageDataset.open({ ...options, dataRoot });
  },
  idx: (loader, split) => {
    const args = checkArgs(loader, ['images', 'labels', 'classes', 'resize']);
    const listed = loader.dataDir[split];
    if (listed.length > 0) {
      throw new DatasetArgsError(
        `data_dir.${split}`,
        `idx loader: data_dir.${split} lists ${listed.join(', ')}, but idx reads no CSV; give the IDX files as args.images and args.labels`,
      );
    }
    const images = idxFileArg(args.images, 'images', split);
    if (images === undefined) {
      throw new DatasetArgsError(
        'images',
        `idx loader: args.images is missing; give the images IDX file, or {train, val, test: file} (no entry for split '${split}')`,
      );
    }
    const options = {
      images,
      labels: idxFileArg(args.labels, 'labels', split),
      classes: classesArg(args.classes, split),
      size: loader.targetSize,
      resize: resizeArg(args, 'idx'),
    };
    return (dataRoot) => IdxImageDataset.open({ ...options, dataRoot });
  },
};

/**
 * Checks the args of one split without reading any file; throws a DatasetArgsError
 * naming the arg, or an Error for an unknown loader or split.
 */
export function checkDatasetArgs(loader: DataLoaderConfig, split: DatasetSplit): void {
  prepareDataset(loader, split);
}

/** Opens one split of the dataset a config's data loader describes. */
export async function openDataset(
  loader: DataLoaderConfig,
  split: DatasetSplit,
  options: OpenDatasetOptions = {},
): Promise<ImageDataset> {
  const open = prepareDataset(loader, split);
  return open(options.dataRoot ?? process.env.AELAB_DATA_ROOT ?? process.cwd());
}

function prepareDataset(loader: DataLoaderConfig, split: DatasetSplit): (dataRoot: string) => Promise<ImageDataset> {
  const prepare = Object.hasOwn(DATASET_LOADERS, loader.name) ? DATASET_LOADERS[loader.name] : undefined;
  if (prepare === undefined) {
    throw new Error(`unknown dataset loader '${loader.name}'; known: ${Object.keys(DATASET_LOADERS).join(', ')}`);
  }
  if (!['train', 'val', 'test'].includes(split)) throw new Error(`unknown split '${split}'; expected train, val or test`);
  return prepare(loader, split);
}

function checkArgs(loader: DataLoaderConfig, known: readonly string[]): Record<string, unknown> {
  for (const key of Object.keys(loader.args)) {
    if (!known.includes(key) && !IGNORED_ARGS.includes(key)) {
      throw new DatasetArgsError(
        key,
        `${loader.name} loader: unknown args.${key}; known: ${known.join(', ')} (ignored: ${IGNORED_ARGS.join(', ')})`,
      );
    }
  }
  return loader.args;
}

function countArg(args: Record<string, unknown>, key: string, fallback: number): number {
  const value = args[key] ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new DatasetArgsError(key, `phantoms loader: args.${key} must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function maskCsvs(labelDir: unknown, split: DatasetSplit): string[] | undefined {
  if (labelDir === undefined || labelDir === null) return undefined;
  const list = Array.isArray(labelDir) || typeof labelDir !== 'object' ? labelDir : (labelDir as Record<string, unknown>)[split];
  if (list === undefined || list === null) return undefined;
  if (!Array.isArray(list) || !list.every((entry) => typeof entry === 'string')) {
    throw new DatasetArgsError(
      'label_dir',
      `csv loader: args.label_dir must be a list of mask CSVs or {train, val, test: [csv…]}, got ${JSON.stringify(labelDir)}`,
    );
  }
  return list;
}

function resizeArg(args: Record<string, unknown>, loaderName: string): ResizeMethod {
  const value = args.resize ?? DEFAULT_RESIZE;
  if (!(RESIZE_METHODS as readonly unknown[]).includes(value)) {
    throw new DatasetArgsError('resize', `${loaderName} loader: args.resize must be one of ${RESIZE_METHODS.join(', ')}, got ${JSON.stringify(args.resize)}`);
  }
  return value as ResizeMethod;
}

/** The split's entry of a per-split arg written either as one value or as `{train, val, test}`. */
function perSplit(value: unknown, split: DatasetSplit): unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[split] : value;
}

function idxFileArg(value: unknown, key: string, split: DatasetSplit): string | undefined {
  const file = perSplit(value, split);
  if (file === undefined || file === null) return undefined;
  if (typeof file !== 'string' || file === '') {
    throw new DatasetArgsError(key, `idx loader: args.${key} must be an IDX file path or {train, val, test: path}, got ${JSON.stringify(value)}`);
  }
  return file;
}

function classesArg(value: unknown, split: DatasetSplit): number[] | undefined {
  const classes = perSplit(value, split);
  if (classes === undefined || classes === null) return undefined;
  if (!Array.isArray(classes) || classes.length === 0 || !classes.every((c) => Number.isInteger(c) && c >= 0 && c <= 255)) {
    throw new DatasetArgsError(
      'classes',
      `idx loader: args.classes must be a non-empty list of label values (integers 0–255) or {train, val, test: [class…]}, got ${JSON.stringify(value)}`,
    );
  }
  return classes as number[];
}
