import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode } from 'fast-png';

/**
 * Writes `count` 8-bit grayscale PNGs of `size`×`size` (a diagonal ramp plus a bright
 * square that moves with the index) and returns their paths.
 */
export function writeTestImages(directory: string, count: number, size: number): string[] {
  return Array.from({ length: count }, (_, k) => {
    const data = new Uint8Array(size * size);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const inSquare = Math.abs(y - size / 2) < size / 6 && Math.abs(x - (k * 7) % size) < size / 6;
        data[y * size + x] = inSquare ? 230 : Math.round(((x + y) / (2 * size)) * 160);
      }
    }
    const file = join(directory, `image-${k}.png`);
    writeFileSync(file, encode({ width: size, height: size, data, depth: 8, channels: 1 }));
    return file;
  });
}
