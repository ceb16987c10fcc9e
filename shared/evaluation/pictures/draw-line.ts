import type { Raster, Rgb } from './raster.ts';

/** Options of {@link drawLine}. */
export interface LineStyle {
  /** Line width in pixels, drawn as a square pen centred on the line. Default 1. */
  thickness?: number;
  /**
   * On/off run lengths in pixels along the major axis, e.g. `[6, 4]` for dashes.
   * Default: solid.
   */
  dash?: readonly [number, number];
}

/**
 * Bresenham's line from (x0, y0) to (x1, y1), both ends included; coordinates are rounded
 * to the nearest pixel centre. Pixels outside the raster are clipped.
 */
export function drawLine(raster: Raster, x0: number, y0: number, x1: number, y1: number, colour: Rgb, style: LineStyle = {}): void {
  const thickness = style.thickness ?? 1;
  const before = Math.floor((thickness - 1) / 2);
  let x = Math.round(x0);
  let y = Math.round(y0);
  const xEnd = Math.round(x1);
  const yEnd = Math.round(y1);
  const dx = Math.abs(xEnd - x);
  const dy = -Math.abs(yEnd - y);
  const sx = x < xEnd ? 1 : -1;
  const sy = y < yEnd ? 1 : -1;
  let error = dx + dy;
  for (let step = 0; ; step += 1) {
    const on = style.dash === undefined || step % (style.dash[0] + style.dash[1]) < style.dash[0];
    if (on) {
      if (thickness === 1) raster.set(x, y, colour);
      else raster.fillRect(x - before, y - before, thickness, thickness, colour);
    }
    if (x === xEnd && y === yEnd) return;
    const doubled = 2 * error;
    if (doubled >= dy) {
      error += dy;
      x += sx;
    }
    if (doubled <= dx) {
      error += dx;
      y += sy;
    }
  }
}
