/** An sRGB colour, each channel an integer in [0, 255]. */
export type Rgb = readonly [number, number, number];

/**
 * matplotlib's "inferno" colour map (perceptually uniform, monotone in lightness, readable
 * in greyscale and by colour-blind viewers) at 16 evenly spaced anchors t = k/15, i.e.
 * entries 0, 17, …, 255 of its 256-entry table, rounded to 8 bits. Black is 0, pale yellow
 * is 1; colours in between are linear in RGB between neighbouring anchors.
 */
export const INFERNO_ANCHORS: readonly Rgb[] = [
  [0, 0, 4],
  [12, 8, 38],
  [36, 12, 79],
  [66, 10, 104],
  [93, 18, 110],
  [120, 28, 109],
  [147, 38, 103],
  [174, 48, 92],
  [199, 62, 76],
  [221, 81, 58],
  [237, 105, 37],
  [248, 133, 15],
  [252, 165, 10],
  [250, 198, 45],
  [242, 230, 97],
  [252, 255, 164],
];

/** The inferno colour at `t`, clamped to [0, 1]. */
export function inferno(t: number): Rgb {
  const position = Math.min(1, Math.max(0, t)) * (INFERNO_ANCHORS.length - 1);
  const below = Math.min(INFERNO_ANCHORS.length - 2, Math.floor(position));
  const fraction = position - below;
  const a = INFERNO_ANCHORS[below];
  const b = INFERNO_ANCHORS[below + 1];
  const mix = (c: number) => Math.round(a[c] + (b[c] - a[c]) * fraction);
  return [mix(0), mix(1), mix(2)];
}
