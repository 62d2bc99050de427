// What the side-by-side benchmark scripts share: finding the Python peers, running a command for its
// JSON line, and the machine's description at the start of a run.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const ROOT = path.join(__dirname, "..");

/** The value after `name` on the command line, or `fallback`. */
export function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at < 0 ? fallback : process.argv[at + 1];
}

/** The peers folder (`--peers`, default ../shared/peers) and its run script; throws if it has none. */
export function peersRun(): { peers: string; run: string } {
  const peers = path.resolve(flag("--peers", path.join(ROOT, "..", "shared", "peers")));
  const run = path.join(peers, "run");
  if (!fs.existsSync(run)) throw new Error(`--peers: no run script in ${peers}`);
  return { peers, run };
}

/** Runs a command; its stdout's last JSON line. */
export function jsonOf(command: string, args: string[], env: NodeJS.ProcessEnv): Record<string, unknown> {
  const r = spawnSync(command, args, { cwd: ROOT, encoding: "utf8", env, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} failed: ${r.stderr.slice(-2000)}`);
  const line = r.stdout
    .trim()
    .split("\n")
    .reverse()
    .find((l) => l.startsWith("{"));
  if (line === undefined) throw new Error(`${command} ${args.join(" ")} printed no JSON line`);
  return JSON.parse(line);
}

/** Date, machine, load, Node and the peers' torch: the head of every side-by-side figure. */
export function runHeader(peerRun: string): Record<string, unknown> {
  return {
    date: new Date().toISOString(),
    machine: `${os.cpus()[0]?.model ?? "unknown"} × ${os.cpus().length}`,
    loadAverageAtStart: os.loadavg()[0],
    node: process.version,
    peerTorch: String(spawnSync(peerRun, ["--version"], { encoding: "utf8" }).stdout).trim(),
  };
}

/** `pomdp train … --out <tmp> -q` with `args`; its summary.json (the run folder is removed). */
export function trainSummary(args: string[], env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "bench-"));
  try {
    const run = spawnSync(
      process.execPath,
      [path.join(ROOT, "src/bin.js"), "train", ...args, "--out", path.join(out, "run"), "-q"],
      { cwd: ROOT, encoding: "utf8", env },
    );
    if (run.status !== 0) throw new Error(`pomdp train ${args.join(" ")} failed: ${run.stderr.slice(-2000)}`);
    return JSON.parse(fs.readFileSync(path.join(out, "run", "summary.json"), "utf8"));
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

export const round = (x: number, digits = 2) => Number(x.toFixed(digits));

/**
 * `pomdp train` flags for the CleanRL-style recurrent PPO of ../shared/peers/ppo_lstm_cartpole.py on
 * CartPole-v1: 4 envs × 128 steps, 2 minibatches of whole envs, 4 epochs, Linear(64)+tanh encoder →
 * LSTM(128) shared by both heads.
 */
export const CLEANRL_LSTM_PPO_ARGS = [
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
];
