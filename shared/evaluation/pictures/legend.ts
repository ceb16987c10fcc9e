import { drawText, textHeight, textWidth } from './bitmap-font.ts';
import { BLACK, WHITE, type Raster, type Rgb } from './raster.ts';

export interface LegendEntry {
  label: string;
  colour: Rgb;
}

/** Options of {@link Legend}. */
export interface LegendOptions {
  /** Font scale. */
  scale: number;
  /** `'box'` for filled areas (bars), `'line'` for curves. */
  swatch: 'box' | 'line';
  /** Entries stacked in a framed box, or side by side in rows no wider than `maxWidth`. */
  layout: 'column' | 'row';
  /** Widest a row may get, in pixels; only for `layout: 'row'`. Default unlimited. */
  maxWidth?: number;
}

const PADDING = 6;
const SWATCH_GAP = 6;
const ENTRY_GAP = 18;

/** A key to the colours of a plot; measure it with `width`/`height`, then draw it. */
export class Legend {
  readonly width: number;
  readonly height: number;
  private readonly entries: readonly LegendEntry[];
  private readonly options: LegendOptions;
  /** Top-left corner of every entry, relative to the legend's own top-left corner. */
  private readonly places: { x: number; y: number }[] = [];

  constructor(entries: readonly LegendEntry[], options: LegendOptions) {
    this.entries = entries;
    this.options = options;
    const line = textHeight(options.scale);
    const entryWidth = (entry: LegendEntry) => this.swatchWidth() + SWATCH_GAP + textWidth(entry.label, options.scale);
    if (options.layout === 'column') {
      entries.forEach((_, i) => this.places.push({ x: PADDING, y: PADDING + i * (line + PADDING) }));
      this.width = 2 * PADDING + Math.max(0, ...entries.map(entryWidth));
      this.height = PADDING + entries.length * (line + PADDING);
      return;
    }
    const limit = options.maxWidth ?? Infinity;
    let x = 0;
    let y = 0;
    let widest = 0;
    for (const entry of entries) {
      const w = entryWidth(entry);
      if (x > 0 && x + w > limit) {
        x = 0;
        y += line + PADDING;
      }
      this.places.push({ x, y });
      widest = Math.max(widest, x + w);
      x += w + ENTRY_GAP;
    }
    this.width = widest;
    this.height = entries.length === 0 ? 0 : y + line;
  }

  draw(raster: Raster, left: number, top: number): void {
    const { scale, layout, swatch } = this.options;
    if (layout === 'column' && this.entries.length > 0) {
      raster.fillRect(left, top, this.width, this.height, WHITE, 0.9);
      raster.strokeRect(left, top, this.width, this.height, [160, 160, 160]);
    }
    this.entries.forEach((entry, i) => {
      const x = left + this.places[i].x;
      const y = top + this.places[i].y;
      const inked = 7 * scale;
      if (swatch === 'box') raster.fillRect(x, y, inked, inked, entry.colour);
      else raster.fillRect(x, y + Math.floor(inked / 2) - scale, this.swatchWidth(), 2 * scale, entry.colour);
      drawText(raster, entry.label, x + this.swatchWidth() + SWATCH_GAP, y, { colour: BLACK, scale });
    });
  }

  private swatchWidth(): number {
    return this.options.swatch === 'box' ? 7 * this.options.scale : 10 * this.options.scale;
  }
}
