// The two pictures of CartPole-Pixels-v1 side by side, for the README: the agent's default 48 × 48
// bold picture and Gymnasium's picture at 64 × 64 (the old default), each at three pole angles
// (0°, 3°, 6°: the first half of the ±12° that ends an episode), scaled 4× without smoothing.
//   npx ts-node experiments/cartpole-pictures.ts [out.png]   (default experiments/results/pixels-cartpole/pictures.png)
import * as path from "node:path";
import { CartPolePixelsEnv } from "../envs/cartpole_pixels";
import { writePng } from "../src/report/png";

const SCALE = 4;
const GAP = 8;
const ANGLES = [0, 3, 6];
const styles = [
  new CartPolePixelsEnv({ width: 48, height: 48, style: "bold" }),
  new CartPolePixelsEnv({ width: 64, height: 64, style: "gymnasium" }),
];
const side = 64 * SCALE;
const width = ANGLES.length * (side + GAP) - GAP;
const height = styles.length * (side + GAP) - GAP;
const data = new Uint8Array(width * height).fill(96);
styles.forEach((env, row) => {
  const [h, w] = env.observationSpace.shape;
  ANGLES.forEach((degrees, col) => {
    const frame = env.reset({ options: { state: [0.3, 0, (degrees * Math.PI) / 180, 0] } }).observation;
    const top = row * (side + GAP) + (side - h * SCALE) / 2;
    const left = col * (side + GAP) + (side - w * SCALE) / 2;
    for (let y = 0; y < h * SCALE; y++)
      for (let x = 0; x < w * SCALE; x++)
        data[(top + y) * width + left + x] = frame[Math.floor(y / SCALE) * w + Math.floor(x / SCALE)];
  });
});
const out = process.argv[2] ?? path.join(__dirname, "results", "pixels-cartpole", "pictures.png");
writePng(out, { width, height, channels: 1, data });
console.log(out);
