// Tiny envs for the agent tests: each answers one question in seconds.
import * as fs from "node:fs";
import * as path from "node:path";
import { Box, Discrete, Env, type ResetArgs, register } from "../../src/core";

/** One step: action 1 pays 1, action 0 pays 0. PPO and A2C must learn to pull arm 1. */
export class TwoArmedBanditEnv extends Env<Float32Array, number> {
  readonly observationSpace = new Box(0, 1, [1], "float32");
  readonly actionSpace = new Discrete(2);
  reset(args?: ResetArgs) {
    this.seedRng(args?.seed);
    return { observation: Float32Array.of(1), info: {} };
  }
  step(action: number) {
    return {
      observation: Float32Array.of(1),
      reward: action === 1 ? 1 : 0,
      terminated: true,
      truncated: false,
      info: {},
    };
  }
}

/**
 * A countdown of `length` steps: observation [steps left / length, 1]; reward 1 per step. It ends by
 * termination, or (with `truncate`) by truncation, at the last step.
 */
export class CountdownEnv extends Env<Float32Array, number> {
  readonly observationSpace = new Box(0, 1, [2], "float32");
  readonly actionSpace = new Discrete(2);
  private left = 0;
  constructor(
    readonly length: number,
    readonly truncate = false,
  ) {
    super();
  }
  reset(args?: ResetArgs) {
    this.seedRng(args?.seed);
    this.left = this.length;
    return { observation: Float32Array.of(this.left / this.length, 1), info: {} };
  }
  step(_action: number) {
    this.left -= 1;
    const over = this.left === 0;
    return {
      observation: Float32Array.of(this.left / this.length, 1),
      reward: 1,
      terminated: over && !this.truncate,
      truncated: over && this.truncate,
      info: {},
    };
  }
}

/** Registers the test envs once (ids TestBandit-v0, TestCountdown-v0). */
export function registerTestEnvs(): void {
  register("TestBandit-v0", () => new TwoArmedBanditEnv(), { override: true, maxEpisodeSteps: 10 });
  register("TestCountdown-v0", (kw) => new CountdownEnv(kw.length, kw.truncate), {
    override: true,
    kwargs: { length: 3, truncate: false },
  });
}

/** A run's metrics.jsonl lines without the machine's figures (sps, rssMb), as JSON strings. */
export function metricLines(dir: string): string[] {
  return fs
    .readFileSync(path.join(dir, "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => {
      const { sps: _sps, rssMb: _rss, ...rest } = JSON.parse(line);
      return JSON.stringify(rest);
    });
}
