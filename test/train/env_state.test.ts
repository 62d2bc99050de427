// The env state protocol: after setState(getState()) on a fresh env, the next steps equal the original's.
import { describe, expect, it } from "vitest";
import { makeAgentEnv } from "../../agents/env_setup";
import { registerBuiltinEnvs } from "../../envs";
import { Box, Discrete, Env, listEnvs, make, Rng, SyncVectorEnv } from "../../src/core";
import { FrameStack, RecordEpisodeStatistics, TransformReward } from "../../src/wrappers";

registerBuiltinEnvs();

interface Step {
  observation: unknown;
  reward: number;
  terminated: boolean;
  truncated: boolean;
}

/** Steps `env` `n` times with actions from `rng`, resetting (without a seed) where an episode ends. */
function run(env: Env<unknown, number>, rng: Rng, n: number): Step[] {
  const out: Step[] = [];
  const numActions = (env.actionSpace as unknown as { n: number }).n;
  for (let t = 0; t < n; t++) {
    const r = env.step(rng.integer(numActions));
    out.push({
      observation: r.observation,
      reward: r.reward,
      terminated: r.terminated,
      truncated: r.truncated,
    });
    if (r.terminated || r.truncated)
      out.push({ observation: env.reset().observation, reward: 0, terminated: false, truncated: false });
  }
  return out;
}

function roundTrip(makeEnv: () => Env<unknown, number>, warmup = 37): void {
  const a = makeEnv();
  a.reset({ seed: 7 });
  run(a, new Rng(1), warmup);
  const state = JSON.parse(JSON.stringify(a.getState!()));
  const b = makeEnv();
  b.setState!(state);
  expect(run(b, new Rng(2), 50)).toEqual(run(a, new Rng(2), 50));
  a.close();
  b.close();
}

describe("env state round trip", () => {
  const ids = listEnvs().map((s) => s.id);
  it("covers every built-in family", () => {
    for (const prefix of [
      "CartPole-v1",
      "CartPole-NoVel",
      "CartPole-Noisy",
      "CartPole-Flicker",
      "CartPole-Pixels",
      "MiniGrid-Empty",
      "MiniGrid-FourRooms",
      "MiniGrid-DoorKey",
      "MiniGrid-Memory",
      "TMaze",
      "RepeatPrevious",
      "CountRecall",
    ]) {
      expect(
        ids.some((id) => id.startsWith(prefix)),
        prefix,
      ).toBe(true);
    }
  });
  for (const id of ids) {
    it(`${id}: the next 50 steps after setState(getState()) equal the original's`, () => {
      roundTrip(() => make(id) as Env<unknown, number>, id.includes("Pixels") ? 20 : 37);
    });
  }
  it("agent wrappers (one-hot view, previous action, frame stack) and RecordEpisodeStatistics, TransformReward", () => {
    roundTrip(() =>
      makeAgentEnv({ envId: "MiniGrid-MemoryS7-v0", encoder: "mlp", frameStack: 3, previousAction: false }),
    );
    roundTrip(() => makeAgentEnv({ envId: "TMaze-v0", encoder: "mlp", frameStack: 2, previousAction: true }));
    roundTrip(() =>
      makeAgentEnv({
        envId: "MiniGrid-DoorKey-5x5-v0",
        encoder: "cnn",
        frameStack: 2,
        previousAction: false,
      }),
    );
    roundTrip(
      () =>
        new TransformReward(
          new RecordEpisodeStatistics(
            new FrameStack(make("CartPole-Flicker-v1") as Env<Float32Array, number>, 4),
          ),
          (r) => 2 * r,
        ) as unknown as Env<unknown, number>,
    );
  });
  it("a vector env restores every sub-env", () => {
    const makeVec = () => new SyncVectorEnv([0, 1, 2].map(() => () => make("CartPole-Noisy-v1") as never));
    const a = makeVec();
    a.reset({ seed: 3 });
    for (let t = 0; t < 40; t++) a.step([t % 2, 1, 0]);
    const b = makeVec();
    b.setState!(JSON.parse(JSON.stringify(a.getState!())));
    for (let t = 0; t < 50; t++) {
      const actions = [t % 2, (t >> 1) % 2, 1];
      const ra = a.step(actions);
      const rb = b.step(actions);
      expect(Array.from(rb.observations)).toEqual(Array.from(ra.observations));
      expect(Array.from(rb.rewards)).toEqual(Array.from(ra.rewards));
      expect(Array.from(rb.terminated)).toEqual(Array.from(ra.terminated));
      expect(Array.from(rb.truncated)).toEqual(Array.from(ra.truncated));
    }
  });
  it("an env without the protocol is named; malformed states are refused", () => {
    class Plain extends Env<Float32Array, number> {
      readonly observationSpace = new Box(-1, 1, [1], "float32");
      readonly actionSpace = new Discrete(2);
      reset() {
        return { observation: new Float32Array(1), info: {} };
      }
      step() {
        return { observation: new Float32Array(1), reward: 0, terminated: false, truncated: false, info: {} };
      }
    }
    const plain = new Plain();
    const vec = new SyncVectorEnv([() => new FrameStack(plain, 2) as never]);
    expect(vec.stateBlocker()).toMatch(/Plain/);
    expect(() => vec.getState()).toThrow(/does not save its state/);
    const env = make("CartPole-v1");
    expect(() => env.setState!({ nope: 1 })).toThrow(/setState\(\) got .*expected an object with own, env/);
  });
});
