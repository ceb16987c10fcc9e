import { readFile } from 'node:fs/promises';
import { decodeGrayscaleImage } from './decode-grayscale-image.ts';
import type { GrayscaleImage } from './grayscale-image.ts';
import type { ImageBatch } from './image-dataset.ts';
import { DEFAULT_RESIZE, resizeImage, type ResizeMethod } from './resize-image.ts';
import { type DatasetFileOptions, SizedImageDataset } from './sized-image-dataset.ts';
import { assertSplitFilesExist, readSplitCsv, type SplitCsvRow } from './split-csv.ts';

export interface CsvImageDatasetOptions extends DatasetFileOptions {
  /** Split CSVs (see split-csv.ts), concatenated in this order; relative to dataRoot unless absolute. */
  csvs: readonly string[];
  /**
   * CSVs of pixel masks, one per entry of `csvs` and row for row with it (the official
   * `label_dir`); default none, and batches then carry no masks.
   */
  maskCsvs?: readonly string[];
}

/**
 * Images listed in split CSVs (PNG, JPEG or DICOM, see decode-grayscale-image.ts), read
 * from disk on each load and resized by the chosen method: by default bilinear with
 * half-pixel sampling and no antialias (the official training path), or the official
 * downstream path (uint8 truncation + Pillow's antialiased bilinear). Masks are resized
 * the same way and then thresholded at 0.5, so they stay 0/1.
 */
export class CsvImageDataset extends SizedImageDataset {
  private constructor(
    source: string,
    size: readonly [number, number],
    private readonly rows: readonly SplitCsvRow[],
    private readonly maskRows: readonly SplitCsvRow[] | null,
    private readonly resize: ResizeMethod,
  ) {
    super(source, rows.length, size);
  }

  /** Reads the CSVs and checks that every listed file exists, so bad data fails before training. */
  static async open(options: CsvImageDatasetOptions): Promise<CsvImageDataset> {
    const { csvs, maskCsvs, dataRoot, size, resize = DEFAULT_RESIZE } = options;
    SizedImageDataset.checkTargetSize('csv dataset', size);
    if (csvs.length === 0) throw new Error('csv dataset: no split CSV given');
    if (maskCsvs !== undefined && maskCsvs.length !== csvs.length) {
      throw new Error(
        `csv dataset: ${maskCsvs.length} mask CSV(s) for ${csvs.length} image CSV(s); give one mask CSV per image CSV, in the same order`,
      );
    }
    const splits = await Promise.all(csvs.map((csv) => readSplitCsv(csv, dataRoot)));
    const maskSplits = maskCsvs === undefined ? null : await Promise.all(maskCsvs.map((csv) => readSplitCsv(csv, dataRoot)));
    maskSplits?.forEach((masks, k) => {
      if (masks.rows.length !== splits[k].rows.length) {
        throw new Error(
          `mask CSV ${masks.csv} has ${masks.rows.length} data rows but image CSV ${splits[k].csv} has ${splits[k].rows.length}; they must match row for row`,
        );
      }
    });
    for (const split of [...splits, ...(maskSplits ?? [])]) await assertSplitFilesExist(split);
    return new CsvImageDataset(
      splits.map((s) => s.csv).join(', '),
      size,
      splits.flatMap((s) => s.rows),
      maskSplits === null ? null : maskSplits.flatMap((s) => s.rows),
      resize,
    );
  }

  async load(indices: readonly number[]): Promise<ImageBatch> {
    const pixels = this.height * this.width;
    const images = new Float32Array(indices.length * pixels);
    const masks = this.maskRows === null ? undefined : new Float32Array(indices.length * pixels);
    this.checkIndices(indices);
    await Promise.all(
      indices.map(async (i, position) => {
        images.set(await this.readResized(this.rows[i]), position * pixels);
        if (masks !== undefined && this.maskRows !== null) {
          const mask = await this.readResized(this.maskRows[i]);
          for (let p = 0; p < pixels; p++) mask[p] = mask[p] >= 0.5 ? 1 : 0;
          masks.set(mask, position * pixels);
        }
      }),
    );
    return {
      images,
      masks,
      names: indices.map((i) => this.rows[i].path),
      count: indices.length,
      height: this.height,
      width: this.width,
    };
  }

  private async readResized(row: SplitCsvRow): Promise<Float32Array> {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(row.file);
    } catch (error) {
      throw new Error(`split CSV ${row.csv}: data row ${row.row} (line ${row.line}): cannot read ${row.path}: ${(error as Error).message}`);
    }
    let image: GrayscaleImage;
    try {
      image = decodeGrayscaleImage(bytes, row.file);
    } catch (error) {
      throw new Error(`split CSV ${row.csv}: data row ${row.row} (line ${row.line}): ${(error as Error).message}`);
    }
    return resizeImage(image.data, [image.height, image.width], [this.height, this.width], this.resize);
  }
}
