// Recurrent speed beside PyTorch, in one run on one machine (a benchmark script, never a timed test):
//   1. `pomdp bench nn`'s memory-core rows (LSTM, GRU, RNN of 64 over [16, 32, 4], one Adam step)
//      against experiments/peers/torch_recurrent.py (nn.LSTM / nn.GRU / nn.RNN, same shapes);
//   2. recurrent PPO with the CleanRL-LSTM settings on CartPole-v1 (4 envs × 128 steps, 2 minibatches
//      of whole envs, 4 epochs, Linear 64 + tanh → LSTM 128 shared by actor and critic) against
//      ../shared/peers/ppo_lstm_cartpole.py, same steps and seed.
// Prints one JSON line: our figures, the peer's, their ratios (time ratio torch/ours for steps, SPS
// ratio ours/peer for PPO; > 1 means we are faster), and which torch ran.
//   npx ts-node experiments/bench-recurrent.ts [--steps 102400] [--threads N] [--peers ../shared/peers]
// --threads sets POMDP_WASM_THREADS for our runs (default: the backend's own choice); the peer scripts
// use 2 torch threads (ppo_lstm_cartpole.py's setting; torch_recurrent.py is given the same).

import * as os from "node:os";
import * as path from "node:path";
import {
  CLEANRL_LSTM_PPO_ARGS,
  flag,
  jsonOf,
  peersRun,
  ROOT,
  round,
  runHeader,
  trainSummary,
} from "./bench_peers";

const steps = Number(flag("--steps", "102400"));
if (!Number.isInteger(steps) || steps < 512) throw new Error("--steps: expected an integer ≥ 512");
const threads = flag("--threads", "");
const { peers, run: peerRun } = peersRun();
const env = { ...process.env, POMDP_LOG_LEVEL: "warn", ...(threads ? { POMDP_WASM_THREADS: threads } : {}) };
const figures: Record<string, unknown> = runHeader(peerRun);

// 1. Training steps of the cores.
const ours = jsonOf(
  process.execPath,
  [path.join(ROOT, "src/bin.js"), "bench", "nn", "--backend", "wasm"],
  env,
);
// The peers' run script takes a path relative to its own folder.
const torch = jsonOf(
  peerRun,
  [path.relative(peers, path.join(ROOT, "experiments/peers/torch_recurrent.py")), "2"],
  env,
);
figures.wasmThreads = ours.wasmThreads;
for (const row of ["lstmTrainMs", "gruTrainMs", "rnnTrainMs"]) {
  figures[row] = ours[row];
  figures[`${row}Torch`] = torch[row];
  figures[`${row}Ratio`] = round(Number(torch[row]) / Number(ours[row]));
}

// 2. Recurrent PPO, ours then the peer's.
const summary = trainSummary([...CLEANRL_LSTM_PPO_ARGS, "--steps", String(steps), "--seed", "1"], env);
const peer = jsonOf(peerRun, ["ppo_lstm_cartpole.py", String(steps), "1"], env);
figures.recurrentPpoSps = summary.sps;
figures.recurrentPpoBreakdown = summary.secondsIn;
figures.recurrentPpoPeerSps = peer.sps;
figures.recurrentPpoRatio = round(Number(summary.sps) / Number(peer.sps));
figures.loadAverageAtEnd = os.loadavg()[0];
console.log(JSON.stringify(figures));
