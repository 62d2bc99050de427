// How to plug your own env into the workbench: write it, register it, check it, roll it out.
//   npx pomdp check RememberBit-v0 --require experiments/custom_env.ts
//   npx pomdp rollout RememberBit-v0 --require experiments/custom_env.ts
import {
  Box,
  checkStateObject,
  Discrete,
  Env,
  type Frame,
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

  // Optional: a picture (pomdp render, pomdp record): the cue's cell (blue 0, orange 1; the agent sees it
  // only at the start), one cell per step after it, the current step's lit, the answer cell last.
  override render(): Frame {
    const cells = this.delay + 2;
    const size = 16;
    const data = new Uint8Array(cells * size * size * 3);
    const colour = (c: number): number[] => {
      if (c === 0) return this.cue === 0 ? [60, 110, 220] : [240, 150, 40];
      if (c === this.t) return [255, 255, 255];
      return c === cells - 1 ? [90, 90, 90] : [40, 40, 40];
    };
    for (let y = 1; y < size - 1; y++)
      for (let x = 0; x < cells * size; x++) {
        if (x % size === 0 || x % size === size - 1) continue; // a dark gap between cells
        data.set(colour(Math.floor(x / size)), (y * cells * size + x) * 3);
      }
    return { width: cells * size, height: size, channels: 3, data };
  }
}

register("RememberBit-v0", (kw) => new RememberBitEnv(kw.delay), {
  kwargs: { delay: 5 },
  maxEpisodeSteps: 100,
  successAbove: 0, // an episode succeeds when it repeats the bit (+1; a wrong answer pays −1)
});
