// ImageOnly, FullyObserved and OneHotPartialView on Minigrid envs.
import { describe, expect, it } from "vitest";
import {
  FullyObserved,
  ImageOnly,
  type MiniGridEnv,
  type MiniGridObservation,
  type MiniGridObservationSpace,
  ONE_HOT_CHANNELS,
  OneHotPartialView,
  registerGridworlds,
  TMazeEnv,
} from "../../../envs/gridworld";
import { Box, checkEnv, type Env, make, SyncVectorEnv } from "../../../src/core";

registerGridworlds();

const made = (id: string) => make<MiniGridObservation, number>(id);

describe("ImageOnly", () => {
  it("returns just the image, in the image's Box space", () => {
    const inner = made("MiniGrid-DoorKey-6x6-v0");
    const env = new ImageOnly(inner);
    expect(env.observationSpace).toBeInstanceOf(Box);
    expect(env.observationSpace.shape).toEqual([7, 7, 3]);
    const obs = env.reset({ seed: 4 }).observation;
    expect(obs).toBeInstanceOf(Uint8Array);
    expect(obs).toEqual((inner.unwrapped as MiniGridEnv).encodeView());
    expect(
      checkEnv(() => new ImageOnly(made("MiniGrid-MemoryS7-v0")), { steps: 40 }).passed.length,
    ).toBeGreaterThan(3);
  });

  it("is what a vector env steps", () => {
    const vec = new SyncVectorEnv(
      [0, 1, 2].map(() => () => new ImageOnly(made("MiniGrid-Empty-5x5-v0")) as Env<Uint8Array, number>),
    );
    const { observations } = vec.reset({ seed: 0 }) as unknown as { observations: Uint8Array };
    expect(observations.length).toBe(3 * 147);
    vec.close();
  });

  it("refuses an env without an image", () => {
    expect(() => new ImageOnly(new TMazeEnv() as never)).toThrow(/ImageOnly/);
  });
});

describe("FullyObserved", () => {
  it("encodes the whole grid [y][x][c] with the agent as (10, 0, direction)", () => {
    const env = new FullyObserved(made("MiniGrid-Empty-6x6-v0"));
    expect((env.observationSpace as MiniGridObservationSpace).spaces.image.shape).toEqual([6, 6, 3]);
    const first = env.reset().observation;
    const cell = (img: Uint8Array, x: number, y: number) =>
      Array.from(img.subarray(3 * (y * 6 + x), 3 * (y * 6 + x) + 3));
    expect(cell(first.image, 1, 1)).toEqual([10, 0, 0]);
    expect(cell(first.image, 4, 4)).toEqual([8, 1, 0]);
    expect(cell(first.image, 0, 3)).toEqual([2, 5, 0]);
    expect(first.direction).toBe(0);
    const next = env.step(1).observation; // turn right: direction 1
    expect(cell(next.image, 1, 1)).toEqual([10, 0, 1]);
    const moved = env.step(2).observation; // forward: (1, 2)
    expect(cell(moved.image, 1, 1)).toEqual([1, 0, 0]);
    expect(cell(moved.image, 1, 2)).toEqual([10, 0, 1]);
    expect(
      checkEnv(() => new FullyObserved(made("MiniGrid-FourRooms-v0")), { steps: 40 }).passed.length,
    ).toBeGreaterThan(3);
  });
});

describe("OneHotPartialView", () => {
  it("one-hot encodes object, colour and state of every view cell as float32", () => {
    const inner = made("MiniGrid-DoorKey-8x8-v0");
    const env = new OneHotPartialView(inner);
    expect(env.observationSpace.shape).toEqual([7, 7, ONE_HOT_CHANNELS]);
    expect(ONE_HOT_CHANNELS).toBe(20);
    const obs = env.reset({ seed: 2 }).observation;
    expect(obs).toBeInstanceOf(Float32Array);
    const image = (inner.unwrapped as MiniGridEnv).encodeView();
    for (let c = 0; c < 49; c++) {
      const hot = obs.subarray(c * 20, c * 20 + 20);
      expect(hot.reduce((a, b) => a + b, 0)).toBe(3);
      expect(hot[image[3 * c]]).toBe(1);
      expect(hot[11 + image[3 * c + 1]]).toBe(1);
      expect(hot[17 + image[3 * c + 2]]).toBe(1);
    }
    // the agent's own cell (empty-handed): object "empty", colour red (0), state 0
    const agent = obs.subarray((6 * 7 + 3) * 20, (6 * 7 + 4) * 20);
    expect(Array.from(agent).flatMap((v, i) => (v === 1 ? [i] : []))).toEqual([1, 11, 17]);
    expect(() => new OneHotPartialView(new FullyObserved(made("MiniGrid-Empty-5x5-v0")))).toThrow(/partial/);
    expect(
      checkEnv(() => new OneHotPartialView(made("MiniGrid-MemoryS7-v0")), { steps: 40 }).passed.length,
    ).toBeGreaterThan(3);
  });
});
