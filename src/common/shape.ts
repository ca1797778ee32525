/**
 * One example's tensor shape as people read it. The engine stores a convolution's map as
 * `[h, w, c]` (NHWC: a pixel's channels contiguous), but papers and diagrams say channels ×
 * height × width, so a map is written `C×H×W` (`16×14×14`); a vector is its length (`32`).
 */
export function shapeText(shape: readonly number[]): string {
  if (shape.length === 3) {
    const [h, w, c] = shape;
    return `${c}×${h}×${w}`;
  }
  return shape.join('×');
}

/** Whether a shape is a convolution's map (`[h, w, c]`) rather than a feature vector. */
export function isMap(shape: readonly number[]): boolean {
  return shape.length === 3;
}
