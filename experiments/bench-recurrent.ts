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

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..");

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at < 0 ? fallback : process.argv[at + 1];
}

const steps = Number(flag("--steps", "102400"));
if (!Number.isInteger(steps) || steps < 512) throw new Error("--steps: expected an integer ≥ 512");
const threads = flag("--threads", "");
const peers = path.resolve(flag("--peers", path.join(ROOT, "..", "shared", "peers")));
if (!fs.existsSync(path.join(peers, "run"))) throw new Error(`--peers: no run script in ${peers}`);
const env = { ...process.env, POMDP_LOG_LEVEL: "warn", ...(threads ? { POMDP_WASM_THREADS: threads } : {}) };

/** Runs a command; its stdout's last JSON line. */
function jsonOf(command: string, args: string[], extraEnv: NodeJS.ProcessEnv = env): Record<string, unknown> {
  const r = spawnSync(command, args, { cwd: ROOT, encoding: "utf8", env: extraEnv, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} failed: ${r.stderr.slice(-2000)}`);
  const line = r.stdout
    .trim()
    .split("\n")
    .reverse()
    .find((l) => l.startsWith("{"));
  if (line === undefined) throw new Error(`${command} ${args.join(" ")} printed no JSON line`);
  return JSON.parse(line);
}

const round = (x: number, digits = 2) => Number(x.toFixed(digits));
const peerRun = path.join(peers, "run");
const figures: Record<string, unknown> = {
  date: new Date().toISOString(),
  machine: `${os.cpus()[0]?.model ?? "unknown"} × ${os.cpus().length}`,
  loadAverageAtStart: os.loadavg()[0],
  node: process.version,
  peerTorch: String(spawnSync(peerRun, ["--version"], { encoding: "utf8" }).stdout).trim(),
};

// 1. Training steps of the cores.
const ours = jsonOf(process.execPath, [path.join(ROOT, "src/bin.js"), "bench", "nn", "--backend", "wasm"]);
// The peers' run script takes a path relative to its own folder.
const torch = jsonOf(peerRun, [
  path.relative(peers, path.join(ROOT, "experiments/peers/torch_recurrent.py")),
  "2",
]);
figures.wasmThreads = ours.wasmThreads;
for (const row of ["lstmTrainMs", "gruTrainMs", "rnnTrainMs"]) {
  figures[row] = ours[row];
  figures[`${row}Torch`] = torch[row];
  figures[`${row}Ratio`] = round(Number(torch[row]) / Number(ours[row]));
}

// 2. Recurrent PPO, ours then the peer's.
const out = fs.mkdtempSync(path.join(os.tmpdir(), "bench-recurrent-"));
const trainArgs = [
  path.join(ROOT, "src/bin.js"),
  "train",
  "--env",
  "CartPole-v1",
  "--lstm",
  "128",
  "--set",
  "net.hidden=[64]",
  "--set",
  "net.sharedEncoder=true",
  "--set",
  "numMinibatches=2",
  "--steps",
  String(steps),
  "--seed",
  "1",
  "--out",
  path.join(out, "run"),
  "-q",
];
const run = spawnSync(process.execPath, trainArgs, { cwd: ROOT, encoding: "utf8", env });
if (run.status !== 0) throw new Error(`recurrent PPO failed: ${run.stderr}`);
const summary = JSON.parse(fs.readFileSync(path.join(out, "run", "summary.json"), "utf8"));
fs.rmSync(out, { recursive: true, force: true });
const peer = jsonOf(peerRun, ["ppo_lstm_cartpole.py", String(steps), "1"]);
figures.recurrentPpoSps = summary.sps;
figures.recurrentPpoBreakdown = summary.secondsIn;
figures.recurrentPpoPeerSps = peer.sps;
figures.recurrentPpoRatio = round(Number(summary.sps) / Number(peer.sps));
figures.loadAverageAtEnd = os.loadavg()[0];
console.log(JSON.stringify(figures));
