// The TD arithmetic DQN's two gradient steps share (the TF.js graph's in dqn.ts, the small-kernel
// heap's in td_fused.ts): the value of the next observation and the loss with its gradient on Q.
import { argmaxRow } from "../src/nn";

/** What one gradient step reports. */
export interface TdStats {
  tdLoss: number;
  /** Mean Q(o, a) of the minibatch's transitions (CleanRL's losses/q_values). */
  qMean: number;
}

/**
 * The value of the next observation in row `offset` of `q` (A target Q-values, then with `double` A
 * online ones): max_a Q_target, or Double DQN's Q_target(argmax_a Q_online).
 */
export function bestValue(q: Float32Array, offset: number, A: number, double: boolean): number {
  return q[offset + argmaxRow(q, double ? offset + A : offset, A)];
}

/**
 * The TD loss of Q-values [N, A] (row-major `values`): mean over rows (weighted by `mask` when given)
 * of (Q(o, a) − y)² or Huber(Q(o, a) − y) with δ = 1, for the actions taken and the targets y. Writes
 * its gradient with respect to the Q-values into `dq` [N, A] (zero off the actions taken) and the loss
 * and mean Q(o, a) into `stats`.
 */
export function tdLossValues(
  values: Float32Array,
  N: number,
  A: number,
  actions: Int32Array,
  targets: Float32Array,
  mask: Float32Array | undefined,
  kind: "mse" | "huber",
  dq: Float32Array,
  stats: TdStats,
): void {
  dq.fill(0, 0, N * A);
  let weight = 0;
  for (let i = 0; i < N; i++) weight += mask ? mask[i] : 1;
  const scale = weight > 0 ? 1 / weight : 0;
  let loss = 0;
  let qSum = 0;
  for (let i = 0; i < N; i++) {
    const m = mask ? mask[i] : 1;
    if (m === 0) continue;
    const index = i * A + actions[i];
    const error = values[index] - targets[i];
    const absError = Math.abs(error);
    if (kind === "mse") {
      loss += m * error * error;
      dq[index] = 2 * m * error * scale;
    } else {
      loss += m * (absError <= 1 ? 0.5 * error * error : absError - 0.5);
      dq[index] = m * Math.max(-1, Math.min(1, error)) * scale;
    }
    qSum += m * values[index];
  }
  stats.tdLoss = loss * scale;
  stats.qMean = qSum * scale;
}
