import { describe, expect, it } from "vitest";
import { CartPolePixelsEnv, registerCartPolePixels } from "../../envs/cartpole_pixels";
import { checkEnv, listEnvs, make } from "../../src";

if (!listEnvs().some((s) => s.id === "CartPole-Pixels-v1")) registerCartPolePixels();

/** Columns of black pixels on `row` of a 1-channel image: where the cart (or the track) is. */
function darkColumns(obs: Uint8Array, width: number, row: number): number[] {
  const cols: number[] = [];
  for (let x = 0; x < width; x++) if (obs[row * width + x] === 0) cols.push(x);
  return cols;
}

describe("CartPole-Pixels-v1", () => {
  it("passes the env checker", () => {
    const report = checkEnv(() => make("CartPole-Pixels-v1"), { steps: 60 });
    expect(report.passed.join("\n")).toMatch(/bit for bit/);
    expect(report.warnings).toEqual([]);
  });

  it("observes a 48×48×1 uint8 frame by default: black ground, a white pole over a grey cart, anti-aliased", () => {
    const env = make<Uint8Array, number>("CartPole-Pixels-v1");
    expect((env.observationSpace as unknown as { shape: number[] }).shape).toEqual([48, 48, 1]);
    const obs = env.reset({ options: { state: [0, 0, 0, 0] } }).observation;
    expect(obs).toBeInstanceOf(Uint8Array);
    expect(obs.length).toBe(48 * 48);
    expect(obs[2 * 48 + 2]).toBe(0); // ground
    // Coverage is counted on 4 × 4 sample points per pixel. The cart spans 270–330 of the 600-px width:
    // columns 21.6–26.4 at 48 px, so column 21 has 2 of 4 sample columns inside (grey 128 · ½ = 64).
    expect(obs[36 * 48 + 21]).toBe(64);
    // The pole (30 px wide: columns 22.8–25.2) covers 1 of 4 sample columns of column 22, over the
    // cart: 128 + (255 − 128) / 4 = 160; columns 23 and 24 are white.
    expect(obs[36 * 48 + 22]).toBe(160);
    expect(obs[36 * 48 + 23]).toBe(255);
    expect(obs[36 * 48 + 24]).toBe(255);
    // Above the cart, on black: the pole's edge columns are a quarter white (64).
    expect(Array.from(obs.subarray(20 * 48 + 21, 20 * 48 + 27))).toEqual([0, 64, 255, 255, 64, 0]);
    // The pole reaches from the cart's centre (100 px up) to 100 + 250 − 15 = 335 px: row 7.8 of 48.
    expect(obs[8 * 48 + 23]).toBe(255);
    expect(obs[5 * 48 + 23]).toBe(0);
  });

  it("draws Gymnasium's picture with style 'gymnasium': white sky, black cart, tan pole, the track", () => {
    const env = make<Uint8Array, number>("CartPole-Pixels-v1", { width: 64, height: 64, style: "gymnasium" });
    const obs = env.reset({ options: { state: [0, 0, 0, 0] } }).observation;
    expect(obs.length).toBe(64 * 64);
    expect(obs[2 * 64 + 2]).toBe(255); // sky
    // The cart's centre is at (300, 300) of the 600 × 400 picture: (32, 48) at 64 × 64; slightly below the axle.
    expect(obs[49 * 64 + 32]).toBe(0);
    // The track spans the whole width.
    expect(darkColumns(obs, 64, 48).length).toBe(64);
    // The pole (tan: luma 161) stands straight up above the cart.
    expect(obs[40 * 64 + 32]).toBe(161);
  });

  it("tells apart poles 0.3° apart at 48 × 48, where Gymnasium's picture shows the same frame", () => {
    const env = new CartPolePixelsEnv();
    const a = env.reset({ options: { state: [0, 0, 0, 0] } }).observation;
    const b = env.reset({ options: { state: [0, 0, 0.005, 0] } }).observation;
    expect(b).not.toEqual(a);
    const gym = new CartPolePixelsEnv({ width: 48, height: 48, style: "gymnasium" });
    const c = gym.reset({ options: { state: [0, 0, 0, 0] } }).observation;
    const d = gym.reset({ options: { state: [0, 0, 0.005, 0] } }).observation;
    expect(d).toEqual(c); // Gymnasium's picture, point-sampled: the same frame
  });

  it("has CartPole-v1's dynamics, reward and 500-step limit", () => {
    const pixels = make("CartPole-Pixels-v1");
    const plain = make("CartPole-v1");
    pixels.reset({ seed: 3 });
    plain.reset({ seed: 3 });
    let steps = 0;
    for (;;) {
      const action = steps % 3 === 0 ? 0 : 1;
      const a = pixels.step(action);
      const b = plain.step(action);
      steps++;
      expect([a.reward, a.terminated, a.truncated]).toEqual([b.reward, b.terminated, b.truncated]);
      if (a.terminated || a.truncated) break;
    }
    expect(make("CartPole-Pixels-v1").spec?.maxEpisodeSteps).toBe(500);
  });

  it("changes its frames as the cart moves and the pole falls", () => {
    const env = new CartPolePixelsEnv({ width: 64, height: 64, style: "gymnasium" });
    const first = env.reset({ options: { state: [0, 0, 0.05, 0] } }).observation;
    const frames: Uint8Array[] = [];
    for (let t = 0; t < 15; t++) frames.push(env.step(1).observation);
    // Successive frames are fresh arrays, and the picture differs once the pole has moved.
    expect(frames[0]).not.toBe(frames[1]);
    expect(frames[14]).not.toEqual(frames[0]);
    // Pushed right for 0.3 s (x ≈ 0.4 m ≈ 6 px at this scale), the cart's black pixels on row 49 moved right.
    const before = darkColumns(first, 64, 49);
    const after = darkColumns(frames[14], 64, 49);
    expect(before.length).toBeGreaterThan(2);
    expect(Math.min(...after)).toBeGreaterThan(Math.min(...before) + 3);
  });

  it("draws at the configured size and colour", () => {
    const env = make<Uint8Array, number>("CartPole-Pixels-v1", {
      width: 96,
      height: 48,
      grayscale: false,
      style: "gymnasium",
    });
    const obs = env.reset({ options: { state: [0, 0, 0, 0] } }).observation;
    expect(obs.length).toBe(48 * 96 * 3);
    const at = (y: number, x: number) => Array.from(obs.subarray((y * 96 + x) * 3, (y * 96 + x) * 3 + 3));
    expect(at(1, 1)).toEqual([255, 255, 255]);
    expect(at(37, 48)).toEqual([0, 0, 0]); // cart, centre (48, 36) of the 48-row picture
    expect(at(28, 48)).toEqual([202, 152, 101]); // pole
    expect(() => make("CartPole-Pixels-v1", { width: 0 })).toThrow(/width must be an integer ≥ 1/);
    expect(() => make("CartPole-Pixels-v1", { grayscale: "yes" })).toThrow(/grayscale must be true or false/);
    expect(() => make("CartPole-Pixels-v1", { style: "thin" })).toThrow(
      'CartPole-Pixels: style must be "bold" or "gymnasium", got "thin"',
    );
    const rgb = make<Uint8Array, number>("CartPole-Pixels-v1", { grayscale: false });
    const bold = rgb.reset({ options: { state: [0, 0, 0, 0] } }).observation;
    expect(Array.from(bold.subarray((10 * 48 + 23) * 3, (10 * 48 + 23) * 3 + 3))).toEqual([255, 255, 255]);
  });

  it("renders CartPole's 600 × 400 RGB picture", () => {
    const env = make("CartPole-Pixels-v1");
    env.reset({ options: { state: [0, 0, 0, 0] } });
    const frame = env.render?.();
    expect(frame?.width).toBe(600);
    expect(frame?.height).toBe(400);
    const i = (300 * 600 + 300) * 3; // the cart's centre is black
    expect(Array.from(frame?.data.subarray(i, i + 3) ?? [])).toEqual([0, 0, 0]);
  });
});
