// Draws the project's RGB pictures (an env's render(), `pomdp record`'s panels: height × width × 3
// bytes) on a <canvas>.
import type { RgbPicture } from "./protocol";

/** Sizes `canvas` to `picture` and draws it (alpha opaque). */
export function drawRgb(canvas: HTMLCanvasElement, picture: RgbPicture): void {
  if (canvas.width !== picture.width || canvas.height !== picture.height) {
    canvas.width = picture.width;
    canvas.height = picture.height;
  }
  const context = canvas.getContext("2d");
  if (context === null) throw new Error(`page: canvas #${canvas.id} has no 2d context`);
  const rgba = new Uint8ClampedArray(picture.width * picture.height * 4);
  for (let i = 0, j = 0; i < picture.data.length; i += 3, j += 4) {
    rgba[j] = picture.data[i];
    rgba[j + 1] = picture.data[i + 1];
    rgba[j + 2] = picture.data[i + 2];
    rgba[j + 3] = 255;
  }
  context.putImageData(new ImageData(rgba, picture.width, picture.height), 0, 0);
}

/** Clears `canvas` (a new run). */
export function clearCanvas(canvas: HTMLCanvasElement): void {
  canvas.getContext("2d")?.clearRect(0, 0, canvas.width, canvas.height);
}
