// Agent speed: env steps per second of `pomdp train` runs, one JSON line (a benchmark script, never a
// timed test). Compare with the Python peers (../shared/peers) run on the same machine.
//   npx ts-node experiments/bench-agents.ts [--steps-scale 1]

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

import { CLEANRL_LSTM_PPO_ARGS } from "./bench_peers";

const ROOT = path.join(__dirname, "..");
const scaleAt = process.argv.indexOf("--steps-scale");
const scale = scaleAt < 0 ? 1 : Number(process.argv[scaleAt + 1]);
if (!(scale > 0)) throw new Error("--steps-scale: expected a positive number");

const RUNS: { name: string; args: string[]; steps: number; peer?: string }[] = [
  {
    name: "ppoCartPoleSps",
    args: ["--env", "CartPole-v1"],
    steps: 100_000,
    peer: "CleanRL-style PyTorch PPO, same settings: 4,900–5,100 SPS (../shared/peers/README.md)",
  },
  {
    // CleanRL-style recurrent PPO settings of the peer ppo_lstm_cartpole.py: 4 envs × 128 steps,
    // 2 minibatches of whole envs, 4 epochs, Linear(64)+tanh encoder → LSTM(128), shared by both heads.
    name: "recurrentPpoCartPoleSps",
    args: CLEANRL_LSTM_PPO_ARGS,
    steps: 51_200,
    peer: "CleanRL-style PyTorch LSTM PPO, same settings: 1,900–2,100 SPS",
  },
  {
    name: "recurrentPpoNoVelPresetSps",
    args: ["--env", "CartPole-NoVel-v1", "--lstm", "64"],
    steps: 51_200,
    peer: "RL Zoo settings in the PyTorch peer: 724 SPS",
  },
  {
    // The preset dqn-cartpole (CleanRL's dqn.py defaults), the whole run: ε-greedy only for the first
    // 10k steps, then a gradient step every 10 env steps.
    name: "dqnCartPoleSps",
    args: ["--env", "CartPole-v1", "--agent", "dqn"],
    steps: 500_000,
    peer: "CleanRL dqn.py in PyTorch, same settings, one env: 3,389 SPS (../shared/peers/README.md)",
  },
  {
    // DRQN with the same settings and an LSTM of 64 after the 120-84 encoder: 32 sequences of 8 steps.
    name: "drqnCartPoleSps",
    args: ["--env", "CartPole-v1", "--agent", "drqn"],
    steps: 50_000,
  },
];

const figures: Record<string, unknown> = {
  date: new Date().toISOString(),
  machine: `${os.cpus()[0]?.model ?? "unknown"} × ${os.cpus().length}`,
  node: process.version,
};
for (const run of RUNS) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "bench-agent-"));
  const dir = path.join(out, "run");
  const steps = Math.round(run.steps * scale);
  const r = spawnSync(
    process.execPath,
    [path.join(ROOT, "src/bin.js"), "train", ...run.args, "--steps", String(steps), "--out", dir, "-q"],
    {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, POMDP_LOG_LEVEL: "warn" },
    },
  );
  if (r.status !== 0) throw new Error(`${run.name} failed: ${r.stderr}`);
  const summary = JSON.parse(fs.readFileSync(path.join(dir, "summary.json"), "utf8"));
  figures[run.name] = summary.sps;
  figures[`${run.name}Breakdown`] = summary.secondsIn;
  if (run.peer) figures[`${run.name}Peer`] = run.peer;
  fs.rmSync(out, { recursive: true, force: true });
}
console.log(JSON.stringify(figures));
