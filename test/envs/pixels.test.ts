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

  it("observes a 64×64×1 uint8 frame: white sky, black cart at its centre, the track line", () => {
    const env = make<Uint8Array, number>("CartPole-Pixels-v1");
    expect((env.observationSpace as unknown as { shape: number[] }).shape).toEqual([64, 64, 1]);
    const obs = env.reset({ options: { state: [0, 0, 0, 0] } }).observation;
    expect(obs).toBeInstanceOf(Uint8Array);
    expect(obs.length).toBe(64 * 64);
    expect(obs[2 * 64 + 2]).toBe(255); // sky
    // The cart's centre is at (300, 300) of the 600 × 400 picture: (32, 48) at 64 × 64; slightly below the axle.
    expect(obs[49 * 64 + 32]).toBe(0);
    // The track spans the whole width.
    expect(darkColumns(obs, 64, 48).length).toBe(64);
    // The pole (tan: luma 161) stands straight up above the cart.
    expect(obs[40 * 64 + 32]).toBe(161);
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
    const env = new CartPolePixelsEnv();
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
    const env = make<Uint8Array, number>("CartPole-Pixels-v1", { width: 96, height: 48, grayscale: false });
    const obs = env.reset({ options: { state: [0, 0, 0, 0] } }).observation;
    expect(obs.length).toBe(48 * 96 * 3);
    const at = (y: number, x: number) => Array.from(obs.subarray((y * 96 + x) * 3, (y * 96 + x) * 3 + 3));
    expect(at(1, 1)).toEqual([255, 255, 255]);
    expect(at(37, 48)).toEqual([0, 0, 0]); // cart, centre (48, 36) of the 48-row picture
    expect(at(28, 48)).toEqual([202, 152, 101]); // pole
    expect(() => make("CartPole-Pixels-v1", { width: 0 })).toThrow(/width must be an integer ≥ 1/);
    expect(() => make("CartPole-Pixels-v1", { grayscale: "yes" })).toThrow(/grayscale must be true or false/);
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
