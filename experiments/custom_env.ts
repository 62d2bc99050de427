// How to plug your own env into the workbench: write it, register it, check it, roll it out.
//   npx pomdp check RememberBit-v0 --require experiments/custom_env.ts
//   npx pomdp rollout RememberBit-v0 --require experiments/custom_env.ts
import {
  Box,
  checkStateObject,
  Discrete,
  Env,
  type ResetArgs,
  type ResetResult,
  type RngState,
  register,
  type StepResult,
} from "../src";

/** A cue bit is shown at the first step only; after `delay` blank steps the agent must repeat it. */
export class RememberBitEnv extends Env<Float32Array, number> {
  readonly observationSpace = new Box(0, 1, [2], "float32"); // [cue, "answer now" flag]
  readonly actionSpace = new Discrete(2);
  private cue = 0;
  private t = 0;

  constructor(readonly delay = 5) {
    super();
  }

  reset(args?: ResetArgs): ResetResult<Float32Array> {
    this.seedRng(args?.seed); // all randomness comes from this.rng
    this.cue = this.rng.integer(2);
    this.t = 0;
    return { observation: Float32Array.of(this.cue, 0), info: {} };
  }

  step(action: number): StepResult<Float32Array> {
    this.t++;
    const answered = this.t > this.delay;
    const reward = answered ? (action === this.cue ? 1 : -1) : 0;
    const observation = Float32Array.of(0, this.t === this.delay ? 1 : 0);
    return { observation, reward, terminated: answered, truncated: false, info: {} };
  }

  // Optional: everything that decides the next steps, as plain JSON, so runs can be resumed.
  override getState(): unknown {
    return { cue: this.cue, t: this.t, rng: this.rngState() };
  }

  override setState(state: unknown): void {
    const s = checkStateObject(this.name, state, ["cue", "t", "rng"]); // names the env if malformed
    this.cue = s.cue as number;
    this.t = s.t as number;
    this.restoreRngState(s.rng as RngState | null);
  }
}

register("RememberBit-v0", (kw) => new RememberBitEnv(kw.delay), {
  kwargs: { delay: 5 },
  maxEpisodeSteps: 100,
});
