// DQN with the preset dqn-cartpole (CleanRL dqn.py's settings) on CartPole-v1, seeds 1–5: when each
// seed is solved (the mean of the last 20 training episodes first ≥ 475), its rolling return at every
// 100k steps, and the final agent on 100 held-out episodes (seed 1000 + S), ε-greedy (ε 0.05) and
// greedy. Prints one JSON line and the README's table rows.
//   npx ts-node experiments/dqn-cartpole-seeds.ts [--seeds 5] [--workers 2] [--steps 500000] [--out DIR]
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { flag, ROOT } from "./bench_peers";

const seeds = Number(flag("--seeds", "5"));
const workers = Number(flag("--workers", "2"));
const steps = Number(flag("--steps", "500000"));
const out = path.resolve(flag("--out", fs.mkdtempSync(path.join(os.tmpdir(), "dqn-seeds-"))));
const env = { ...process.env, POMDP_LOG_LEVEL: "warn", POMDP_WASM_THREADS: "1" };

function pomdp(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, "src/bin.js"), ...args], { cwd: ROOT, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("exit", (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`pomdp ${args.join(" ")}: ${stderr}`)),
    );
  });
}

interface SeedResult {
  seed: number;
  sps: number;
  solvedAt: number | null;
  returnAt: Record<string, number>;
  evalEpsilon: number;
  evalGreedy: number;
}

async function runSeed(seed: number): Promise<SeedResult> {
  const dir = path.join(out, `s${seed}`);
  if (!fs.existsSync(path.join(dir, "summary.json"))) {
    fs.rmSync(dir, { recursive: true, force: true });
    await pomdp([
      "train",
      "--env",
      "CartPole-v1",
      "--agent",
      "dqn",
      "--steps",
      String(steps),
      "--seed",
      String(seed),
      "--out",
      dir,
      "-q",
    ]);
  }
  const summary = JSON.parse(fs.readFileSync(path.join(dir, "summary.json"), "utf8"));
  const episodes = fs
    .readFileSync(path.join(dir, "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l))
    .filter((l) => l.type === "episode");
  const meanOfLast20 = (end: number) => {
    const window = episodes.slice(Math.max(0, end - 19), end + 1);
    return window.reduce((sum, e) => sum + e.return, 0) / window.length;
  };
  let solvedAt: number | null = null;
  for (let i = 19; i < episodes.length && solvedAt === null; i++)
    if (meanOfLast20(i) >= 475) solvedAt = episodes[i].step;
  // The rolling mean at every 100k steps: of the last 20 episodes that had ended by then.
  const returnAt: Record<string, number> = {};
  for (let at = 100_000; at <= steps; at += 100_000) {
    let last = -1;
    while (last + 1 < episodes.length && episodes[last + 1].step <= at) last++;
    if (last >= 0) returnAt[`${at / 1000}k`] = Math.round(meanOfLast20(last));
  }
  const evaluate = async (greedy: boolean) => {
    const file = path.join(dir, greedy ? "eval-greedy.json" : "eval.json");
    if (!fs.existsSync(file)) {
      await pomdp([
        "eval",
        dir,
        "--episodes",
        "100",
        "--seed",
        String(1000 + seed),
        "--out",
        file,
        ...(greedy ? ["--greedy"] : []),
      ]);
    }
    return JSON.parse(fs.readFileSync(file, "utf8")).returnMean as number;
  };
  return {
    seed,
    sps: summary.sps,
    solvedAt,
    returnAt,
    evalEpsilon: await evaluate(false),
    evalGreedy: await evaluate(true),
  };
}

(async () => {
  const queue = Array.from({ length: seeds }, (_, i) => i + 1);
  const results: SeedResult[] = [];
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (let seed = queue.shift(); seed !== undefined; seed = queue.shift())
        results.push(await runSeed(seed));
    }),
  );
  results.sort((a, b) => a.seed - b.seed);
  console.log(
    JSON.stringify({
      date: new Date().toISOString(),
      machine: `${os.cpus()[0]?.model} × ${os.cpus().length}`,
      steps,
      out,
      results,
    }),
  );
  for (const r of results) {
    const solved = r.solvedAt === null ? "—" : `${Math.round(r.solvedAt / 1000)}k`;
    console.log(
      `| ${r.seed} | ${solved} | ${Object.values(r.returnAt).join(" / ")} | ${r.evalEpsilon} | ${r.evalGreedy} |`,
    );
  }
})();
