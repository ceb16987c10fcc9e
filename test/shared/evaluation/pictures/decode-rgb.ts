import { decode } from 'fast-png';

/** A decoded test picture with a pixel reader; fails loudly unless it is 8-bit RGB. */
export function decodeRgb(png: Uint8Array) {
  const image = decode(png);
  const pixel = (x: number, y: number): [number, number, number] => {
    const i = (y * image.width + x) * image.channels;
    return [image.data[i], image.data[i + 1], image.data[i + 2]];
  };
  return { width: image.width, height: image.height, channels: image.channels, depth: image.depth, pixel };
}
