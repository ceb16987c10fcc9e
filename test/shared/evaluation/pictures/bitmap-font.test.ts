import { describe, expect, it } from 'vitest';
import { drawText, GLYPH_HEIGHT, textWidth } from '../../../../shared/evaluation/pictures/bitmap-font.ts';
import { BLACK, Raster } from '../../../../shared/evaluation/pictures/raster.ts';

function inked(text: string): string {
  const raster = new Raster(textWidth(text) || 1, GLYPH_HEIGHT);
  drawText(raster, text, 0, 0, { colour: BLACK });
  return Array.from(raster.data, (v) => (v === 0 ? '#' : '.')).join('');
}

describe('bitmap font', () => {
  it('has its own glyph for every letter, digit and the punctuation of titles and labels', () => {
    const wanted = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789|-.%:=()_/,'];
    const fallback = inked('?');
    const shapes = new Set(wanted.map(inked));
    for (const character of wanted) {
      expect(inked(character), character).not.toBe(fallback);
      expect(inked(character), character).toContain('#');
    }
    // O and 0, l, I and 1 included: each looks different from every other.
    expect(shapes.size).toBe(wanted.length);
    expect(inked(' ')).not.toContain('#');
  });

  it('draws unknown characters as "?" and scales every font pixel to a block', () => {
    expect(inked('é')).toBe(inked('?'));
    expect(textWidth('ab', 2)).toBe(2 * (2 * 6 - 1));
  });
});
