import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { encode } from 'fast-png';
import { phantomName, phantomSubjectIndex, type PhantomSplit } from './phantom-dataset.ts';
import { PHANTOM_PATHOLOGIES, renderPhantom, type PhantomPathology } from './phantoms.ts';

export interface WritePhantomDatasetOptions {
  /** Folder to write into; created when missing. */
  outDir: string;
  /** [height, width] of the images. */
  size: readonly [number, number];
  trainCount: number;
  valCount: number;
  testCount: number;
  /** Images in each pathology test set. */
  pathologyCount: number;
  /** Seed of the phantom population (the `seed` arg of the phantoms loader). */
  seed: number;
  /** Pathologies to write test sets for; default all (opacity, nodule, effusion). */
  pathologies?: readonly PhantomPathology[];
  /**
   * Directory the paths written inside the CSVs are relative to (the data root the CSVs
   * will be read with); default outDir.
   */
  pathBase?: string;
  /** Called after each image (with its mask) is written; default none. */
  onProgress?: (done: number, total: number) => void;
}

export interface WrittenPhantomDataset {
  outDir: string;
  /** Set name (`normal_train`, …, `opacity_test`, …) → its CSV, relative to outDir. */
  csvs: Record<string, string>;
  /** Pathology test set name (`opacity_test`, …) → its mask CSV, relative to outDir. */
  maskCsvs: Record<string, string>;
  /** Images written (masks not counted). */
  imageCount: number;
  /** Mask images written. */
  maskCount: number;
}

/**
 * Writes phantoms as a dataset in the official split-CSV format, readable by the `csv`
 * loader with data root = pathBase:
 *
 * ```
 * outDir/normal_train.csv, normal_val.csv, normal_test.csv      header `filename`, CRLF
 * outDir/<pathology>_test.csv                                   one per pathology
 * outDir/<pathology>_test_masks.csv                             masks, row for row (label_dir)
 * outDir/images/<split>/phantom-<split>-000012.png              8-bit grayscale
 * outDir/masks/<pathology>/phantom-<pathology>-000012.png       8-bit, 255 inside the pathology
 * outDir/phantoms.json                                          the generator's parameters
 * ```
 *
 * Healthy test images have no mask files (their masks are empty). Subjects and names
 * are those of the phantoms loader with the same seed, so the written images equal the
 * generated ones up to 8-bit rounding. The CSVs are written last, each atomically, so an
 * interrupted run leaves no CSV that lists a missing image.
 */
export async function writePhantomDataset(options: WritePhantomDatasetOptions): Promise<WrittenPhantomDataset> {
  const { size, seed, onProgress } = options;
  const outDir = resolve(options.outDir);
  const pathBase = resolve(options.pathBase ?? outDir);
  const pathologies = options.pathologies ?? PHANTOM_PATHOLOGIES;
  const [height, width] = size;
  checkOptions(options, pathologies);

  const sets: { name: string; split: PhantomSplit; count: number }[] = [
    { name: 'normal_train', split: 'train', count: options.trainCount },
    { name: 'normal_val', split: 'val', count: options.valCount },
    { name: 'normal_test', split: 'test', count: options.testCount },
    ...pathologies.map((p) => ({ name: `${p}_test`, split: p, count: options.pathologyCount })),
  ];
  const total = sets.reduce((sum, set) => sum + set.count, 0);
  const csvPath = (file: string): string => {
    const path = relative(pathBase, file).split(sep).join('/');
    return path.startsWith('../') ? file : `./${path}`;
  };

  let done = 0;
  let maskCount = 0;
  const csvRows: Record<string, string[]> = {};
  for (const set of sets) {
    const pathology = set.split === 'train' || set.split === 'val' || set.split === 'test' ? null : set.split;
    const imageDir = join(outDir, 'images', set.split);
    const maskDir = join(outDir, 'masks', set.split);
    await mkdir(imageDir, { recursive: true });
    if (pathology !== null) await mkdir(maskDir, { recursive: true });
    const images: string[] = [];
    const masks: string[] = [];
    for (let i = 0; i < set.count; i++) {
      const phantom = renderPhantom({ seed, index: phantomSubjectIndex(set.split, i), size: [height, width], pathology });
      const file = `${phantomName(set.split, i)}.png`;
      const writes = [writeFile(join(imageDir, file), encodeGray(phantom.image, height, width))];
      images.push(csvPath(join(imageDir, file)));
      if (pathology !== null) {
        writes.push(writeFile(join(maskDir, file), encodeGray(phantom.mask, height, width)));
        masks.push(csvPath(join(maskDir, file)));
        maskCount++;
      }
      await Promise.all(writes);
      done++;
      onProgress?.(done, total);
    }
    csvRows[set.name] = images;
    if (pathology !== null) csvRows[`${set.name}_masks`] = masks;
  }

  const csvs: Record<string, string> = {};
  const maskCsvs: Record<string, string> = {};
  for (const [name, rows] of Object.entries(csvRows)) {
    const file = `${name}.csv`;
    await writeAtomically(join(outDir, file), ['filename', ...rows].join('\r\n') + '\r\n');
    if (name.endsWith('_masks')) maskCsvs[name.slice(0, -'_masks'.length)] = file;
    else csvs[name] = file;
  }
  const manifest = {
    generator: 'aelab phantoms',
    seed,
    size: [height, width],
    counts: Object.fromEntries(sets.map((set) => [set.name, set.count])),
    csvs,
    maskCsvs,
  };
  await writeAtomically(join(outDir, 'phantoms.json'), JSON.stringify(manifest, null, 2) + '\n');
  return { outDir, csvs, maskCsvs, imageCount: total, maskCount };
}

function checkOptions(options: WritePhantomDatasetOptions, pathologies: readonly string[]): void {
  const [height, width] = options.size;
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) {
    throw new Error(`writePhantomDataset: size must be two positive integers [height, width], got [${options.size.join(', ')}]`);
  }
  for (const key of ['trainCount', 'valCount', 'testCount', 'pathologyCount'] as const) {
    const value = options[key];
    if (!Number.isInteger(value) || value < 0) {
      throw new Error(`writePhantomDataset: ${key} must be a non-negative integer, got ${value}`);
    }
  }
  for (const pathology of pathologies) {
    if (!(PHANTOM_PATHOLOGIES as readonly string[]).includes(pathology)) {
      throw new Error(`writePhantomDataset: unknown pathology '${pathology}'; known: ${PHANTOM_PATHOLOGIES.join(', ')}`);
    }
  }
}

function encodeGray(values: Float32Array, height: number, width: number): Uint8Array {
  const data = new Uint8Array(values.length);
  for (let p = 0; p < values.length; p++) data[p] = Math.round(Math.min(1, Math.max(0, values[p])) * 255);
  return encode({ width, height, data, depth: 8, channels: 1 });
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, file);
}
