import { encode } from 'fast-png';

/** An sRGB colour, each channel an integer in [0, 255]. */
export type Rgb = readonly [number, number, number];

export const WHITE: Rgb = [255, 255, 255];
export const BLACK: Rgb = [0, 0, 0];

/**
 * An 8-bit RGB picture in memory, row-major, (x, y) with x the column and y the row from
 * the top-left corner. Drawing outside the picture is silently clipped, so callers can draw
 * warped or overflowing shapes without bounds checks of their own.
 */
export class Raster {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;

  constructor(width: number, height: number, background: Rgb = WHITE) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new Error(`Raster: width and height must be positive integers, got ${width}×${height}`);
    }
    this.width = width;
    this.height = height;
    this.data = new Uint8Array(width * height * 3);
    this.fillRect(0, 0, width, height, background);
  }

  contains(x: number, y: number): boolean {
    return x >= 0 && y >= 0 && x < this.width && y < this.height;
  }

  get(x: number, y: number): Rgb {
    const i = (y * this.width + x) * 3;
    return [this.data[i], this.data[i + 1], this.data[i + 2]];
  }

  set(x: number, y: number, colour: Rgb): void {
    if (!this.contains(x, y)) return;
    const i = (y * this.width + x) * 3;
    this.data[i] = colour[0];
    this.data[i + 1] = colour[1];
    this.data[i + 2] = colour[2];
  }

  /** Paints `colour` over the pixel with opacity `alpha` in [0, 1]. */
  blend(x: number, y: number, colour: Rgb, alpha: number): void {
    if (!this.contains(x, y)) return;
    const i = (y * this.width + x) * 3;
    for (let c = 0; c < 3; c += 1) this.data[i + c] = Math.round(this.data[i + c] * (1 - alpha) + colour[c] * alpha);
  }

  fillRect(x: number, y: number, width: number, height: number, colour: Rgb, alpha = 1): void {
    const x0 = Math.max(0, Math.round(x));
    const y0 = Math.max(0, Math.round(y));
    const x1 = Math.min(this.width, Math.round(x + width));
    const y1 = Math.min(this.height, Math.round(y + height));
    for (let py = y0; py < y1; py += 1) {
      for (let px = x0; px < x1; px += 1) {
        if (alpha >= 1) this.set(px, py, colour);
        else this.blend(px, py, colour, alpha);
      }
    }
  }

  /** A one-pixel outline just inside the rectangle. */
  strokeRect(x: number, y: number, width: number, height: number, colour: Rgb): void {
    this.fillRect(x, y, width, 1, colour);
    this.fillRect(x, y + height - 1, width, 1, colour);
    this.fillRect(x, y, 1, height, colour);
    this.fillRect(x + width - 1, y, 1, height, colour);
  }

  /** Copies all of `source` with its top-left corner at (x, y), clipped to this raster. */
  blit(source: Raster, x: number, y: number): void {
    for (let sy = 0; sy < source.height; sy += 1) {
      for (let sx = 0; sx < source.width; sx += 1) this.set(x + sx, y + sy, source.get(sx, sy));
    }
  }

  /** The picture as a PNG file: RGB, 8 bits per channel, no alpha. */
  toPng(): Uint8Array {
    return encode({ width: this.width, height: this.height, data: this.data, channels: 3, depth: 8 });
  }
}
