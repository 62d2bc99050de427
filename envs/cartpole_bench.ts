// Throughput of CartPole through each layer of the API: the env class alone, `make` with its
// wrappers, and a SyncVectorEnv of 16. Figures are steps per second (every sub-env step counts).
import { make, SyncVectorEnv } from "../src/core";
import { CartPoleEnv } from "./cartpole";
import { actionTable, measureStepsPerSec } from "./measure";

/** The CartPole figures of `pomdp bench envs`. */
export function benchCartPole(seconds = 0.5): {
  cartpoleRawStepsPerSec: number;
  cartpoleMakeStepsPerSec: number;
  cartpoleVec16StepsPerSec: number;
} {
  const actions = actionTable(2);

  const raw = new CartPoleEnv();
  raw.reset({ seed: 0 });
  let t = 0;
  const cartpoleRawStepsPerSec = measureStepsPerSec((n) => {
    for (let i = 0; i < n; i++) {
      const r = raw.step(actions[t++ & 4095]);
      if (r.terminated) raw.reset();
    }
  }, seconds);

  const made = make("CartPole-v1");
  made.reset({ seed: 0 });
  const cartpoleMakeStepsPerSec = measureStepsPerSec((n) => {
    for (let i = 0; i < n; i++) {
      const r = made.step(actions[t++ & 4095]);
      if (r.terminated || r.truncated) made.reset();
    }
  }, seconds);

  const numEnvs = 16;
  const vec = new SyncVectorEnv(Array.from({ length: numEnvs }, () => () => make("CartPole-v1")));
  vec.reset({ seed: 0 });
  const batch = new Int32Array(numEnvs);
  const cartpoleVec16StepsPerSec = measureStepsPerSec((n) => {
    for (let i = 0; i < n; i += numEnvs) {
      for (let e = 0; e < numEnvs; e++) batch[e] = actions[t++ & 4095];
      vec.step(batch);
    }
  }, seconds);
  vec.close();

  return { cartpoleRawStepsPerSec, cartpoleMakeStepsPerSec, cartpoleVec16StepsPerSec };
}
