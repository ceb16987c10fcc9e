import { decode } from 'fast-png';

/** A `#rrggbb` colour painted with `opacity` over white, as the charts fill their bars. */
export function tinted(hex: string, opacity: number): [number, number, number] {
  const channel = (offset: number) => Number.parseInt(hex.slice(offset, offset + 2), 16);
  return [channel(1), channel(3), channel(5)].map((value) => Math.round(value * opacity + 255 * (1 - opacity))) as [number, number, number];
}

/** How many pixels of a PNG lie within `tolerance` of `colour` in every channel. */
export function pixelsNear(png: Uint8Array, colour: readonly [number, number, number], tolerance = 8): number {
  const image = decode(png);
  let count = 0;
  for (let i = 0; i < image.width * image.height; i += 1) {
    const at = i * image.channels;
    if ([0, 1, 2].every((c) => Math.abs(image.data[at + c] - colour[c]) <= tolerance)) count += 1;
  }
  return count;
}
