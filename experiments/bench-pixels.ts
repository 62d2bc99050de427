// PPO from pixels, side by side with its PyTorch peer: env steps per second of `pomdp train` on
// CartPole-Pixels-v1 with the shipped preset (ppo-cnn-cartpole-pixels: the dqn2013 torso shared by
// actor and critic, 48 × 48 grey, FrameStack 4, 4 envs × 128 steps, 4 epochs × 4 minibatches), and of
// ../shared/peers/ppo_cnn_cartpole_pixels.py on the same layers, resolution, stack, towers and PPO
// settings (--net dqn2013 --res 48 --stack 4; its picture is Gymnasium's, which costs the same: the
// network sets the pace). The two alternate, `--rounds` times each, so that both see the same load;
// prints one JSON line with every figure, the medians and their ratio (a benchmark script, never a
// timed test). The peer is skipped, and said so, when ../shared/peers is not beside the clone.
//   npx ts-node experiments/bench-pixels.ts [--steps 10240] [--threads 1] [--rounds 2]

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { median } from "../src/stats";

const ROOT = path.join(__dirname, "..");
const PEER = path.join(ROOT, "..", "shared", "peers", "run");

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError(`expected an integer ≥ 1, got ${value}`);
  return n;
}

const opts = new Command("bench-pixels")
  .option("--steps <n>", "env steps of each run", positiveInt, 10_240)
  .option("--threads <n>", "threads of each side (POMDP_WASM_THREADS; torch.set_num_threads)", positiveInt, 1)
  .option("--rounds <n>", "runs of each side, alternating", positiveInt, 2)
  .parse()
  .opts<{ steps: number; threads: number; rounds: number }>();

/** One `pomdp train` run: its SPS and where the seconds went. */
function ours(): { sps: number; secondsIn: Record<string, number> } {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-pixels-")), "run");
  const args = ["src/bin.js", "train", "--env", "CartPole-Pixels-v1", "--agent", "ppo", "--net", "cnn"];
  args.push("--steps", String(opts.steps), "--seed", "1", "--out", out, "-q");
  const r = spawnSync(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, POMDP_WASM_THREADS: String(opts.threads) },
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`pomdp train failed: ${r.stderr}`);
  const summary = JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8"));
  fs.rmSync(path.dirname(out), { recursive: true, force: true });
  return { sps: summary.sps, secondsIn: summary.secondsIn };
}

/** One run of the peer: its SPS and where the seconds went. */
function peer(): { sps: number; secondsIn: unknown } {
  const args = ["ppo_cnn_cartpole_pixels.py", "--steps", String(opts.steps), "--net", "dqn2013"];
  args.push("--res", "48", "--stack", "4", "--threads", String(opts.threads), "--seed", "1");
  const r = spawnSync(PEER, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`peer failed: ${r.stderr}`);
  const last = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
  return { sps: last.sps, secondsIn: last.secondsIn };
}

const hasPeer = fs.existsSync(PEER);
const runs: { ours: ReturnType<typeof ours>[]; peer: ReturnType<typeof peer>[] } = { ours: [], peer: [] };
for (let k = 0; k < opts.rounds; k++) {
  runs.ours.push(ours());
  if (hasPeer) runs.peer.push(peer());
}
const oursSps = median(runs.ours.map((r) => r.sps));
const peerSps = hasPeer ? median(runs.peer.map((r) => r.sps)) : null;
console.log(
  JSON.stringify({
    bench: "ppo-cnn-cartpole-pixels",
    net: "dqn2013 (16 8×8/4, 32 4×4/2, dense 256), one torso shared by actor and critic; 48×48×4",
    machine: `${os.cpus()[0]?.model} × ${os.cpus().length}`,
    loadAverageAtEnd: os.loadavg()[0],
    steps: opts.steps,
    threads: opts.threads,
    ours: runs.ours,
    peer: hasPeer ? runs.peer : `not run: ${PEER} is not there (the peers sit beside a developer's clone)`,
    oursSps,
    peerSps,
    ratio: peerSps === null ? null : Math.round((oursSps / peerSps) * 100) / 100,
  }),
);
