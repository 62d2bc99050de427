// Small networks beside PyTorch, in one run on one machine (a benchmark script, never a timed test):
//   1. `pomdp bench nn`'s MLP training step (4-64-64-2 tanh, batch 256, mse, Adam), fused on the
//      small-kernel heap and as a TF.js graph, against ../shared/peers/torch_steps.py's;
//   2. DQN with the preset dqn-cartpole (CleanRL dqn.py's defaults), CartPole-v1, against
//      ../shared/peers/dqn_cartpole.py, same steps and seed, `--rounds` times alternating (ours first);
//   3. PPO (MLP) on CartPole-v1 against ../shared/peers/ppo_cartpole.py, same steps and seed;
//   4. A2C with the preset a2c-cartpole (RL Zoo's settings) against experiments/peers/a2c_cartpole.py.
// Prints one JSON line: our figures, the peers', the ratios (torch time / ours for the step, our SPS /
// the peer's for the agents: > 1 means we are faster) and which torch ran.
//   npx ts-node experiments/bench-small-nets.ts [--dqn-steps 500000] [--ppo-steps 100000] [--rounds 2]
//     [--threads 1] [--peers ../shared/peers]

import * as os from "node:os";
import * as path from "node:path";
import { flag, jsonOf, peersRun, ROOT, round, runHeader, trainSummary } from "./bench_peers";

const count = (name: string, fallback: string, least: number) => {
  const n = Number(flag(name, fallback));
  if (!Number.isInteger(n) || n < least) throw new Error(`${name}: expected an integer ≥ ${least}`);
  return n;
};
const dqnSteps = count("--dqn-steps", "500000", 20_000);
const ppoSteps = count("--ppo-steps", "100000", 2048);
const rounds = count("--rounds", "2", 1);
const threads = flag("--threads", "1");
const { peers, run: peerRun } = peersRun();
const env = { ...process.env, POMDP_LOG_LEVEL: "warn", POMDP_WASM_THREADS: threads };
const figures: Record<string, unknown> = runHeader(peerRun);
figures.wasmThreads = Number(threads);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// 1. The MLP training step.
const ours = jsonOf(
  process.execPath,
  [path.join(ROOT, "src/bin.js"), "bench", "nn", "--backend", "wasm"],
  env,
);
const torch = jsonOf(peerRun, ["torch_steps.py"], env);
figures.mlpTrainMs = ours.mlpTrainMs;
figures.mlpGraphTrainMs = ours.mlpGraphTrainMs;
figures.mlpTrainMsTorch = torch.mlpTrainMs;
figures.mlpTrainRatio = round(Number(torch.mlpTrainMs) / Number(ours.mlpTrainMs));

// 2. DQN, alternating.
const dqnOurs: number[] = [];
const dqnPeer: number[] = [];
for (let r = 0; r < rounds; r++) {
  const summary = trainSummary(
    ["--env", "CartPole-v1", "--agent", "dqn", "--steps", String(dqnSteps), "--seed", "1"],
    env,
  );
  dqnOurs.push(Number(summary.sps));
  if (r === 0) {
    figures.dqnBreakdown = summary.secondsIn;
    figures.dqnFinalReturnMean20 = summary.finalReturnMean20;
  }
  dqnPeer.push(Number(jsonOf(peerRun, ["dqn_cartpole.py", String(dqnSteps), "1"], env).sps));
}
figures.dqnSps = dqnOurs;
figures.dqnPeerSps = dqnPeer;
figures.dqnRatio = round(median(dqnOurs) / median(dqnPeer));

// 3. PPO (MLP).
const ppo = trainSummary(["--env", "CartPole-v1", "--steps", String(ppoSteps), "--seed", "1"], env);
const ppoPeer = jsonOf(peerRun, ["ppo_cartpole.py", String(ppoSteps), "1"], env);
figures.ppoSps = ppo.sps;
figures.ppoPeerSps = ppoPeer.sps;
figures.ppoRatio = round(Number(ppo.sps) / Number(ppoPeer.sps));

// 4. A2C (the peer is ours: the peers' run script takes a path relative to its own folder).
const a2c = trainSummary(
  ["--env", "CartPole-v1", "--agent", "a2c", "--steps", String(ppoSteps), "--seed", "1"],
  env,
);
const a2cPeer = jsonOf(
  peerRun,
  [path.relative(peers, path.join(ROOT, "experiments/peers/a2c_cartpole.py")), String(ppoSteps), "1"],
  env,
);
figures.a2cSps = a2c.sps;
figures.a2cBreakdown = a2c.secondsIn;
figures.a2cPeerSps = a2cPeer.sps;
figures.a2cRatio = round(Number(a2c.sps) / Number(a2cPeer.sps));
figures.loadAverageAtEnd = os.loadavg()[0];
console.log(JSON.stringify(figures));
