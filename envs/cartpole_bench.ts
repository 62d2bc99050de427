// Throughput of CartPole through each layer of the API: the env class alone, `make` with its
// wrappers, and a SyncVectorEnv of 16. Figures are steps per second (every sub-env step counts).
import { make, Rng, SyncVectorEnv } from "../src/core";
import { CartPoleEnv } from "./cartpole";

/** Runs `body(n)` (which performs n steps) for about `seconds`, several times; returns the best steps/s. */
export function measureStepsPerSec(body: (steps: number) => void, seconds = 0.5, repeats = 3): number {
  body(10_000); // warm up the JIT
  let best = 0;
  for (let r = 0; r < repeats; r++) {
    let steps = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < seconds * 1000) {
      body(50_000);
      steps += 50_000;
      elapsed = performance.now() - start;
    }
    best = Math.max(best, (steps * 1000) / elapsed);
  }
  return Math.round(best);
}

/** Random actions, precomputed so that drawing them is not what is measured. */
function actionTable(size: number): Uint8Array {
  const rng = new Rng(0);
  return Uint8Array.from({ length: size }, () => rng.integer(2));
}

/** The CartPole figures of `pomdp bench envs`. */
export function benchCartPole(seconds = 0.5): {
  cartpoleRawStepsPerSec: number;
  cartpoleMakeStepsPerSec: number;
  cartpoleVec16StepsPerSec: number;
} {
  const actions = actionTable(4096);

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
