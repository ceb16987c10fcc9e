/** One decoded image channel: what every decoder of shared/data returns. */
export interface GrayscaleImage {
  /** height × width values in [0, 1], row-major. */
  data: Float32Array;
  height: number;
  width: number;
}
