import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writePhantomDataset } from '../../../shared/data/write-phantom-dataset.ts';

/**
 * A tiny dataset laid out as the CXR configs read it: phantom images under
 * `<dataRoot>/CXR/phantoms` and the split CSVs the configs name under `<dataRoot>/CXR/splits`
 * (cxr_normal_train/val/test, cxr_opa_test), their paths relative to the data root.
 */
export async function writeCxrLayoutDataset(dataRoot: string, size: number): Promise<void> {
  const phantoms = join(dataRoot, 'CXR', 'phantoms');
  const written = await writePhantomDataset({
    outDir: phantoms,
    pathBase: dataRoot,
    size: [size, size],
    trainCount: 16,
    valCount: 4,
    testCount: 6,
    pathologyCount: 4,
    pathologies: ['opacity'],
    seed: 17,
  });
  const splits = join(dataRoot, 'CXR', 'splits');
  await mkdir(splits, { recursive: true });
  const named = { cxr_normal_train: 'normal_train', cxr_normal_val: 'normal_val', cxr_normal_test: 'normal_test', cxr_opa_test: 'opacity_test' };
  for (const [cxrName, phantomSet] of Object.entries(named)) {
    await copyFile(join(phantoms, written.csvs[phantomSet]), join(splits, `${cxrName}.csv`));
  }
}
