// VecNormalizer and RunningMeanStd against statistics worked out by hand: SB3's RunningMeanStd
// (Chan et al.'s parallel update from a prior of count 1e-4, mean 0, variance 1) and SB3's
// VecNormalize (observations normalized with the statistics that include them; rewards scaled by the
// std of each env's discounted return, which restarts where an episode ended; both clipped).
import { describe, expect, it } from "vitest";
import { RunningMeanStd, VecNormalizer, type VecNormalizerArgs } from "../../src/train/normalize";

/** SB3's epsilon count: the prior behaves as a pseudo-sample of this weight, mean 0 and variance 1. */
const C0 = 1e-4;

/**
 * Mean and variance of all values `xs` pooled with the prior pseudo-sample, in one pass over the
 * data: what any sequence of parallel updates must arrive at (Chan's update is exact).
 */
function pooled(xs: readonly number[]): { mean: number; var: number } {
  const count = C0 + xs.length;
  const mean = xs.reduce((a, x) => a + x, 0) / count;
  const squares = C0 * (1 + mean * mean) + xs.reduce((a, x) => a + (x - mean) ** 2, 0);
  return { mean, var: squares / count };
}

/** A normalizer of one value per observation, neither part on unless asked. */
function normalizer(args: Partial<VecNormalizerArgs>): VecNormalizer {
  return new VecNormalizer({
    observationSize: 1,
    numEnvs: 2,
    observations: false,
    rewards: false,
    gamma: 0.99,
    ...args,
  });
}

describe("RunningMeanStd (SB3's)", () => {
  it("one batch: the parallel-variance update from the prior of count 1e-4, worked by hand", () => {
    const rms = new RunningMeanStd(2);
    expect([Array.from(rms.mean), Array.from(rms.var), rms.count]).toEqual([[0, 0], [1, 1], C0]);
    // Rows (1, 2) and (3, 6): batch means 2 and 4, batch (population) variances 1 and 4, n = 2.
    rms.update([1, 2, 3, 6], 2);
    const total = C0 + 2;
    // mean = μ + δ·n / (c + n), δ = batch mean − μ = batch mean (μ = 0).
    expect(rms.mean[0]).toBeCloseTo((2 * 2) / total, 14); // 1.99990000…
    expect(rms.mean[1]).toBeCloseTo((4 * 2) / total, 14); // 3.99980000…
    // var = (σ²·c + σ_B²·n + δ²·c·n / (c + n)) / (c + n), σ² = 1.
    expect(rms.var[0]).toBeCloseTo((1 * C0 + 1 * 2 + (2 * 2 * C0 * 2) / total) / total, 14); // 1.00019998…
    expect(rms.var[1]).toBeCloseTo((1 * C0 + 4 * 2 + (4 * 4 * C0 * 2) / total) / total, 14); // 4.00064992…
    expect(rms.var[0]).toBeCloseTo(1.0001999800015, 12);
    expect(rms.var[1]).toBeCloseTo(4.000649927505624, 12);
    expect(rms.count).toBe(C0 + 2);
  });

  it("batches of any sizes arrive at the pooled mean and variance of all their rows", () => {
    const rms = new RunningMeanStd(1);
    const batches = [[4], [1, -2, 7], [0.5, 0.5], [10, -10, 3, 3]];
    const seen: number[] = [];
    for (const batch of batches) {
      rms.update(batch, batch.length);
      seen.push(...batch);
      const expected = pooled(seen);
      expect(rms.mean[0]).toBeCloseTo(expected.mean, 12);
      expect(rms.var[0]).toBeCloseTo(expected.var, 12);
      expect(rms.count).toBeCloseTo(C0 + seen.length, 12);
    }
    // The first single row: mean 4·1/(1 + 1e-4), variance ≈ 1e-4·(1 + 16) / (1 + 1e-4) — mostly the prior's.
    const one = new RunningMeanStd(1);
    one.update([4], 1);
    expect(one.mean[0]).toBeCloseTo(4 / (1 + C0), 14);
    expect(one.var[0]).toBeCloseTo((C0 * 1 + (16 * C0) / (1 + C0)) / (1 + C0), 14);
  });
});

describe("VecNormalizer: observations", () => {
  it("normalizes with the statistics that include the batch, (o − mean) / sqrt(var + 1e-8); frozen when not training", () => {
    const norm = normalizer({ observations: true });
    const first = Array.from(norm.observations(Float32Array.of(1, 3), 2));
    // Statistics after (1, 3): mean 4/(2 + c), var ≈ 1 (batch variance 1, the prior's weight tiny).
    const s1 = pooled([1, 3]);
    expect(s1.mean).toBeCloseTo(1.9999, 4);
    expect(s1.var).toBeCloseTo(1.0002, 4);
    expect(first[0]).toBeCloseTo((1 - s1.mean) / Math.sqrt(s1.var + 1e-8), 6); // ≈ −0.9998
    expect(first[1]).toBeCloseTo((3 - s1.mean) / Math.sqrt(s1.var + 1e-8), 6); // ≈ +1.0000
    const second = Array.from(norm.observations(Float32Array.of(5, 7), 2));
    const s2 = pooled([1, 3, 5, 7]); // mean ≈ 4, var ≈ 5
    expect(s2.var).toBeCloseTo(5, 3);
    expect(second[0]).toBeCloseTo((5 - s2.mean) / Math.sqrt(s2.var + 1e-8), 6);
    expect(second[1]).toBeCloseTo((7 - s2.mean) / Math.sqrt(s2.var + 1e-8), 6);
    // A final observation (normalize) and a frozen normalizer read the statistics without adding to them.
    expect(norm.normalize([9], 1)[0]).toBeCloseTo((9 - s2.mean) / Math.sqrt(s2.var + 1e-8), 6);
    norm.training = false;
    expect(norm.observations(Float32Array.of(20, 20), 2)[0]).toBeCloseTo(
      (20 - s2.mean) / Math.sqrt(s2.var + 1e-8), // ≈ 7.2, inside the clip
      5,
    );
    const saved = norm.getState().observation!;
    expect(saved.count).toBeCloseTo(C0 + 4, 12);
    expect(saved.mean[0]).toBeCloseTo(s2.mean, 12);
    expect(saved.var[0]).toBeCloseTo(s2.var, 12);
  });

  it("clips normalized values to ±clip (SB3: 10)", () => {
    const norm = normalizer({ observationSize: 2, numEnvs: 1, observations: true });
    norm.observations([0, 0], 1);
    norm.observations([0, 0], 1);
    // mean ≈ 0, var ≈ 1e-4/2: 1 is ≈ 141 stds away, −1 as far the other way.
    norm.training = false;
    expect(Array.from(norm.observations([1, -1], 1))).toEqual([10, -10]);
    const tight = normalizer({ observations: true, clip: 0.5 });
    // (−1, 1): mean ≈ 0, var ≈ 1, so ≈ ∓1, clipped to ∓0.5.
    expect(Array.from(tight.observations([-1, 1], 2))).toEqual([-0.5, 0.5]);
  });
});

describe("VecNormalizer: rewards", () => {
  it("scales by the std of the discounted return, restarting it where an episode ended", () => {
    const norm = normalizer({ rewards: true, gamma: 0.5 });
    // Step 1: returns (1, 2); env 1's episode ends here, so its return restarts at 0.
    const r1 = Array.from(norm.rewards([1, 2], [0, 1]));
    const v1 = pooled([1, 2]).var; // ≈ 0.25: rewards are scaled ×≈2
    expect(v1).toBeCloseTo(0.25015, 5);
    expect(r1[0]).toBeCloseTo(1 / Math.sqrt(v1 + 1e-8), 5); // ≈ 1.9994
    expect(r1[1]).toBeCloseTo(2 / Math.sqrt(v1 + 1e-8), 5); // ≈ 3.9988
    expect(r1[0]).toBeCloseTo(1.9994, 4);
    // Step 2, rewards (1, 1): returns 0.5·1 + 1 = 1.5 and 0.5·0 + 1 = 1 (env 1 restarted; else 2).
    const r2 = Array.from(norm.rewards([1, 1], [0, 0]));
    const v2 = pooled([1, 2, 1.5, 1]).var; // ≈ 0.172
    expect(v2).toBeCloseTo(0.17194, 5);
    expect(r2[0]).toBeCloseTo(1 / Math.sqrt(v2 + 1e-8), 5); // ≈ 2.4116
    expect(r2[1]).toBeCloseTo(r2[0], 6);
    expect(norm.getState().returns).toEqual([1.5, 1]);
    // Rewards are scaled, not centred: a zero reward stays zero and a negative one stays negative.
    const r3 = Array.from(norm.rewards([0, -1], [1, 1]));
    const v3 = pooled([1, 2, 1.5, 1, 0.75, -0.5]).var;
    expect(r3[0]).toBe(0);
    expect(r3[1]).toBeCloseTo(-1 / Math.sqrt(v3 + 1e-8), 5);
    // Both episodes ended: both returns restart.
    expect(norm.getState().returns).toEqual([0, 0]);
    expect(norm.getState().reward?.count).toBeCloseTo(C0 + 6, 12);
  });

  it("clips scaled rewards to ±clip and, not training, neither accumulates returns nor updates the statistics", () => {
    const norm = normalizer({ numEnvs: 1, rewards: true, gamma: 0.9, clip: 3 });
    // Returns 1 then 0.9 + 1 = 1.9: var of (1, 1.9) ≈ 0.2025, std ≈ 0.45; 5 / 0.45 ≈ 11 → 3.
    norm.rewards([1], [0]);
    expect(Array.from(norm.rewards([1], [0]))[0]).toBeCloseTo(1 / Math.sqrt(pooled([1, 1.9]).var + 1e-8), 5);
    const frozen = norm.getState();
    norm.training = false;
    expect(Array.from(norm.rewards([5], [0]))).toEqual([3]);
    expect(Array.from(norm.rewards([-5], [0]))).toEqual([-3]);
    expect(norm.getState()).toEqual(frozen);
    // Off: the rewards as they are.
    const off = normalizer({});
    expect(Array.from(off.rewards([40, -3], [0, 1]))).toEqual([40, -3]);
  });
});
