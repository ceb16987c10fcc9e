/**
 * Series colours in order: the Okabe–Ito palette, distinguishable with the common
 * colour-vision deficiencies (yellow left out: it vanishes on white). By the evaluation's
 * convention the first series is the normal set (blue), the second the first pathology.
 */
export const SERIES_COLOURS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#000000'];

export function seriesColour(index: number): string {
  return SERIES_COLOURS[index % SERIES_COLOURS.length];
}

/** Axis lines, grid and axis names, the same in the browser and in the PNG files. */
export const AXIS_STYLE = { axisLine: { lineStyle: { color: '#8a8f98' } }, splitLine: { lineStyle: { color: '#eceef1' } }, nameTextStyle: { color: '#5b6170' } };

/** A font the server-side renderer finds on Debian (and most Linux) and browsers have too. */
export const CHART_FONT = 'DejaVu Sans, Liberation Sans, Arial, sans-serif';
