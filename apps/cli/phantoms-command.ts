import cliProgress from 'cli-progress';
import { writePhantomDataset } from '../../shared/data/write-phantom-dataset.ts';

export interface PhantomsCommandOptions {
  out: string;
  size: number;
  train: number;
  val: number;
  test: number;
  pathology: number;
  seed: number;
}

/** `aelab data phantoms`: PNGs, masks and split CSVs that the csv loader reads like real data. */
export async function writePhantomsCommand(options: PhantomsCommandOptions): Promise<void> {
  const bar = new cliProgress.SingleBar({ format: '  phantoms {bar} {value}/{total} files | ETA {eta_formatted}', hideCursor: true }, cliProgress.Presets.shades_classic);
  let started = false;
  const written = await writePhantomDataset({
    outDir: options.out,
    size: [options.size, options.size],
    trainCount: options.train,
    valCount: options.val,
    testCount: options.test,
    pathologyCount: options.pathology,
    seed: options.seed,
    onProgress: (done, total) => {
      if (!started) {
        bar.start(total, done);
        started = true;
      } else bar.update(done);
    },
  });
  if (started) bar.stop();
  process.stdout.write(`${written.imageCount} images and ${written.maskCount} masks in ${written.outDir}\n`);
  for (const [split, csv] of Object.entries(written.csvs)) process.stdout.write(`  ${split}: ${csv}\n`);
}
