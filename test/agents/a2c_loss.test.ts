// A2C's loss worked out by hand, as SB3's A2C defines it:
//   L = −mean(Â · log π(a|o)) − c_e · mean(H[π]) + c_v · mean((R − V(o))²)
// on the two-armed bandit, where every episode is one step: every row sees the same observation, so
// one policy p and one value V describe the whole rollout, the return is the reward (= the action),
// and the advantage is R − V. One update of a run is one optimiser step; its gradients (watched
// where the agent hands them to RMSprop) and its metrics line must be the hand-computed ones.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { A2cConfigSchema, trainA2c } from "../../agents/a2c";
import { initBackend } from "../../src/nn";
import { validateConfig } from "../../src/train/config";
import { RunFolder } from "../../src/train/run_folder";
import { silentLogger } from "../nn/helpers";
import { metricLines, registerTestEnvs } from "./helpers";
import { gather, recordSteps } from "./steps";

beforeAll(async () => {
  await initBackend("wasm", silentLogger);
  registerTestEnvs();
});

const ENT = 0.1;
const VF = 0.5;

/** One A2C update (4 envs × 2 steps) on the bandit: its one step, the actions taken, its metrics line. */
function oneUpdate(normalizeAdvantage: boolean) {
  const config = validateConfig(
    A2cConfigSchema,
    {
      totalSteps: 8,
      numEnvs: 4,
      numSteps: 2,
      entCoef: ENT,
      vfCoef: VF,
      normalizeAdvantage,
      net: { hidden: [4] },
    },
    "a2c",
  );
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "a2c-loss-")), "run");
  const run = RunFolder.create(dir, {});
  const actions: number[] = [];
  const before = tf.memory().numTensors;
  const { steps, result } = recordSteps(() =>
    // Reward = action and every episode is one step: the episode returns are the actions taken.
    trainA2c(config, { envId: "TestBandit-v0", seed: 4, run, onEpisode: (e) => actions.push(e.return) }),
  );
  run.close();
  const update = metricLines(dir)
    .map((l) => JSON.parse(l))
    .find((l) => l.type === "update");
  // The policy and value the step started from, at the bandit's one observation [1].
  const [step] = steps;
  for (const [k, v] of result.net.params()) tf.tidy(() => v.assign(tf.tensor(step.before.get(k)!, v.shape)));
  const out = tf.tidy(() => {
    const { logits, value } = result.net.forward(tf.tensor2d([1], [1, 1]));
    return tf.concat([tf.reshape(logits, [-1]), value]);
  });
  const [z0, z1, v] = out.dataSync();
  out.dispose();
  result.net.dispose();
  expect(tf.memory().numTensors).toBe(before);
  return { steps, actions, update, z: [z0, z1], v };
}

/** Bessel-corrected normalization (x − mean) / (std + 1e-8), as torch's std. */
function normalize(x: number[]): number[] {
  const m = x.reduce((a, b) => a + b, 0) / x.length;
  const s = Math.sqrt(x.reduce((a, b) => a + (b - m) ** 2, 0) / (x.length - 1));
  return x.map((a) => (a - m) / (s + 1e-8));
}

describe("A2C's loss (SB3's), by hand", () => {
  for (const normalizeAdvantage of [false, true]) {
    it(`one update's gradient and metrics equal the hand-computed loss (normalizeAdvantage ${normalizeAdvantage})`, () => {
      const { steps, actions, update, z, v } = oneUpdate(normalizeAdvantage);
      expect(steps).toHaveLength(1);
      expect(steps[0].kind).toBe("ClippedRmsprop");
      expect(actions).toHaveLength(8);
      expect(new Set(actions)).toEqual(new Set([0, 1])); // both arms pulled: every term matters
      const n = actions.length;
      // Policy p = softmax(z), entropy H, log-probabilities of the actions.
      const top = Math.max(z[0], z[1]);
      const logTotal = top + Math.log(Math.exp(z[0] - top) + Math.exp(z[1] - top));
      const logP = [z[0] - logTotal, z[1] - logTotal];
      const p = logP.map(Math.exp);
      const H = -(p[0] * logP[0] + p[1] * logP[1]);
      // Returns are the rewards (no bootstrap: every episode terminated), advantages R − V.
      const returns = actions;
      const raw = returns.map((r) => r - v);
      const adv = normalizeAdvantage ? normalize(raw) : raw;
      const policyLoss = -adv.reduce((s, a, i) => s + a * logP[actions[i]], 0) / n;
      const valueLoss = returns.reduce((s, r) => s + (r - v) ** 2, 0) / n; // mse, no ½ (SB3)
      expect(update.policyLoss).toBeCloseTo(policyLoss, 5);
      expect(update.valueLoss).toBeCloseTo(valueLoss, 5);
      expect(update.entropy).toBeCloseTo(H, 5);
      // Gradients. Actor logits: ∂L/∂z_k = −mean(Â·(1[k = a] − p_k)) + c_e·p_k·(log p_k + H);
      // the actor head's bias gets exactly that (one observation for every row).
      const dz = [0, 1].map(
        (k) =>
          -adv.reduce((s, a, i) => s + a * ((actions[i] === k ? 1 : 0) - p[k]), 0) / n +
          ENT * p[k] * (logP[k] + H),
      );
      // Value: ∂L/∂V = c_v · 2 · mean(V − R); the advantages are constants of the rollout.
      const dv = (VF * 2 * returns.reduce((s, r) => s + (v - r), 0)) / n;
      const { grads } = steps[0];
      const actorBias = gather(grads, "actorHead/dense0/bias");
      const criticBias = gather(grads, "criticHead/dense0/bias");
      expect(actorBias[0]).toBeCloseTo(dz[0], 5);
      expect(actorBias[1]).toBeCloseTo(dz[1], 5);
      expect(criticBias[0]).toBeCloseTo(dv, 5);
      // The numbers are not all vanishing: the check has teeth.
      expect(Math.abs(dz[0])).toBeGreaterThan(1e-3);
      expect(Math.abs(dv)).toBeGreaterThan(1e-2);
    }, 60_000);
  }
});
