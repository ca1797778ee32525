/**
 * A block's output maps as one picture: a tile per channel (at most TILES_PER_LINE to a line), in
 * grey from 0 (black) to the block's largest value (white), one separator pixel between tiles.
 * The values are NHWC (a pixel's channels together), as the engine stores them. Pure: RGBA bytes.
 */

export const TILES_PER_LINE = 8;
/** separator between tiles, in map pixels */
export const TILE_GAP = 1;
const SEPARATOR = 226;

export interface Tiles {
  /** RGBA, `width × height` map pixels */
  pixels: Uint8ClampedArray;
  width: number;
  height: number;
  /** the largest value (white); 0 when the maps are blank */
  max: number;
  /** the width to show it at, in CSS pixels */
  cssWidth: number;
}

export function mapTiles(
  values: ArrayLike<number>,
  shape: readonly [number, number, number],
  scale: number,
): Tiles {
  const [h, w, c] = shape;
  const cols = Math.min(c, TILES_PER_LINE);
  const lines = Math.ceil(c / TILES_PER_LINE);
  const width = cols * w + (cols - 1) * TILE_GAP;
  const height = lines * h + (lines - 1) * TILE_GAP;
  const pixels = new Uint8ClampedArray(width * height * 4).fill(SEPARATOR);
  let max = 0;
  for (let i = 0; i < h * w * c; i++) {
    const v = values[i]!;
    if (Number.isFinite(v) && v > max) max = v;
  }
  for (let ch = 0; ch < c; ch++) {
    const x0 = (ch % TILES_PER_LINE) * (w + TILE_GAP);
    const y0 = Math.floor(ch / TILES_PER_LINE) * (h + TILE_GAP);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const v = values[(y * w + x) * c + ch]!;
        // negative values (the digit's input is not, block outputs follow a ReLU) show as black
        const grey = max > 0 && Number.isFinite(v) ? Math.round((255 * Math.max(0, v)) / max) : 0;
        const o = ((y0 + y) * width + x0 + x) * 4;
        pixels[o] = pixels[o + 1] = pixels[o + 2] = grey;
        pixels[o + 3] = 255;
      }
  }
  return { pixels, width, height, max, cssWidth: width * scale };
}
