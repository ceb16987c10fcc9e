import type { Rgb } from './raster.ts';

/**
 * Line and bar colours for the series of a plot, in order: the Okabe–Ito palette, which
 * stays distinguishable for the common colour-vision deficiencies. Yellow is left out, as
 * it vanishes on white. The first series (the normal set, by the evaluation's convention)
 * is blue and the second vermilion; past seven, colours repeat.
 */
const PALETTE: readonly Rgb[] = [
  [0, 114, 178],
  [213, 94, 0],
  [0, 158, 115],
  [204, 121, 167],
  [230, 159, 0],
  [86, 180, 233],
  [0, 0, 0],
];

export function seriesColour(index: number): Rgb {
  return PALETTE[index % PALETTE.length];
}
