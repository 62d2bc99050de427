// Does the PPO family reach issue 8's targets with the shipped presets over seeds 1–5?
//   npx ts-node experiments/ppo-family.ts [--only name,name] [--seeds 1,2,3,4,5] [--workers 2]
// Each (case, seed) is one `pomdp train` run in experiments/results/ppo-family/runs/; finished runs are
// kept and skipped on a re-run. The table (markdown) and the figures (JSON) go to
// experiments/results/ppo-family.{md,json}.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { evaluateAgent } from "../agents/evaluate";
import { loadAgent } from "../agents/index";
import { initBackend } from "../src/nn";
import { LocalProcessExecutor } from "../src/train/experiment";
import "./custom_env"; // RememberBit-v0

const ROOT = path.join(__dirname, "..");

interface Case {
  name: string;
  /** What the case checks. */
  question: string;
  args: string[];
  steps: number;
  /** Report the success rate: an episode succeeded when its return is above this (TMaze: +4 at the goal, −0.1 per bump or wrong arm; RememberBit: ±1). */
  successAbove?: number;
}

const CASES: Case[] = [
  {
    name: "ppo-cartpole",
    question: "PPO (MLP), CartPole-v1: solved within 250k in ≥ 4/5",
    args: ["--env", "CartPole-v1"],
    steps: 250_000,
  },
  {
    name: "a2c-cartpole",
    question: "A2C (MLP), CartPole-v1, RL Zoo's 500k steps",
    args: ["--env", "CartPole-v1", "--agent", "a2c"],
    steps: 500_000,
  },
  {
    name: "ppo-lstm-novel",
    question: "recurrent PPO (LSTM 64), CartPole-NoVel-v1: solved within 300k in ≥ 4/5",
    args: ["--env", "CartPole-NoVel-v1", "--lstm", "64"],
    steps: 300_000,
  },
  {
    name: "ppo-lstm-novel-100k",
    question: "recurrent PPO (LSTM 64), CartPole-NoVel-v1, RL Zoo's budget of 100k steps, then evaluated",
    args: ["--env", "CartPole-NoVel-v1", "--lstm", "64"],
    steps: 100_000,
  },
  {
    name: "ppo-mlp-novel",
    question: "PPO (MLP, no memory), CartPole-NoVel-v1: stays < 150",
    args: ["--env", "CartPole-NoVel-v1"],
    steps: 300_000,
  },
  {
    name: "ppo-framestack-novel",
    question: "PPO (MLP + FrameStack 4), CartPole-NoVel-v1",
    args: ["--env", "CartPole-NoVel-v1", "--frame-stack", "4"],
    steps: 300_000,
  },
  {
    name: "ppo-lstm-tmaze",
    question: "recurrent PPO, TMaze-v0: success ≥ 95 %",
    args: ["--env", "TMaze-v0", "--lstm", "32"],
    steps: 200_000,
    successAbove: 0,
  },
  {
    name: "ppo-mlp-tmaze",
    question: "PPO (MLP), TMaze-v0: near 50 %",
    args: ["--env", "TMaze-v0"],
    steps: 200_000,
    successAbove: 0,
  },
  {
    name: "ppo-lstm-rememberbit",
    question: "recurrent PPO, RememberBit-v0 (--require): success ≥ 95 %",
    args: [
      "--env",
      "RememberBit-v0",
      "--require",
      path.join(ROOT, "experiments/custom_env.ts"),
      "--lstm",
      "32",
    ],
    steps: 100_000,
    successAbove: 0,
  },
  {
    name: "ppo-mlp-rememberbit",
    question: "PPO (MLP), RememberBit-v0: near 50 %",
    args: ["--env", "RememberBit-v0", "--require", path.join(ROOT, "experiments/custom_env.ts")],
    steps: 100_000,
    successAbove: 0,
  },
];

const OUT = path.join(ROOT, "experiments/results/ppo-family");

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const only = flag("--only")?.split(",");
const seeds = (flag("--seeds") ?? "1,2,3,4,5").split(",").map(Number);
const workers = Number(flag("--workers") ?? Math.max(1, os.availableParallelism()));

interface Job {
  c: Case;
  seed: number;
  dir: string;
}

/** Trains one (case, seed) unless it has finished; an unfinished run starts again. */
async function runJob(job: Job, executor: LocalProcessExecutor): Promise<void> {
  if (fs.existsSync(path.join(job.dir, "summary.json"))) return;
  fs.rmSync(job.dir, { recursive: true, force: true });
  const args = ["train", ...job.c.args, "--steps", String(job.c.steps), "--seed", String(job.seed)];
  await executor.run([...args, "--out", job.dir, "-q"], path.basename(job.dir));
  console.error(`done ${path.basename(job.dir)}`);
}

interface Figures {
  case: string;
  seed: number;
  steps: number;
  sps: number;
  finalReturnMean20: number;
  /** First step at which the mean of the last 20 episode returns reached 475 (null: never). */
  solvedAt: number | null;
  /** Mean of the last 20 episodes finished by 100k steps. */
  returnMean20At100k: number | null;
  /** Fraction of the last 100 training episodes that succeeded. */
  successRate?: number;
  /** The final agent on 100 held-out episodes (sampled actions): mean return and success rate. */
  evalReturnMean: number;
  evalSuccessRate?: number;
}

function figures(job: Job): Figures {
  const agent = loadAgent(job.dir);
  const evaluation = evaluateAgent(agent, { episodes: 100, seed: 1000 + job.seed, greedy: false });
  agent.net.dispose();
  const lines = fs
    .readFileSync(path.join(job.dir, "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  const episodes = lines.filter((l) => l.type === "episode");
  const summary = JSON.parse(fs.readFileSync(path.join(job.dir, "summary.json"), "utf8"));
  let solvedAt: number | null = null;
  const window: number[] = [];
  let at100k: number | null = null;
  for (const e of episodes) {
    window.push(e.return);
    if (window.length > 20) window.shift();
    const mean = window.reduce((a, b) => a + b, 0) / window.length;
    if (solvedAt === null && window.length === 20 && mean >= 475) solvedAt = e.step;
    if (e.step <= 100_000) at100k = mean;
  }
  const out: Figures = {
    case: job.c.name,
    seed: job.seed,
    steps: summary.steps,
    sps: summary.sps,
    finalReturnMean20: summary.finalReturnMean20,
    solvedAt,
    returnMean20At100k: at100k,
    evalReturnMean: evaluation.returnMean,
  };
  if (job.c.successAbove !== undefined) {
    const last = episodes.slice(-100);
    out.successRate = last.filter((e) => e.return > job.c.successAbove!).length / last.length;
    out.evalSuccessRate =
      evaluation.returns.filter((r) => r > job.c.successAbove!).length / evaluation.returns.length;
  }
  return out;
}

async function main(): Promise<void> {
  await initBackend();
  const cases = CASES.filter((c) => !only || only.includes(c.name));
  const jobs: Job[] = cases.flatMap((c) =>
    seeds.map((seed) => ({ c, seed, dir: path.join(OUT, "runs", `${c.name}-s${seed}`) })),
  );
  fs.mkdirSync(path.join(OUT, "runs"), { recursive: true });
  const executor = new LocalProcessExecutor(workers);
  const failures: string[] = [];
  await Promise.all(jobs.map((job) => runJob(job, executor).catch((e) => failures.push(e.message))));
  // A clone has only each run's config.json and summary.json (metrics and weights stay local):
  // its figures come from the committed ppo-family.json.
  const all = jobs.filter((j) => fs.existsSync(path.join(j.dir, "metrics.jsonl"))).map(figures);
  const file = path.join(ROOT, "experiments/results/ppo-family.json");
  const previous: Figures[] = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")).runs : [];
  const merged = [
    ...previous.filter((p) => !all.some((a) => a.case === p.case && a.seed === p.seed)),
    ...all,
  ];
  merged.sort(
    (a, b) =>
      CASES.findIndex((c) => c.name === a.case) - CASES.findIndex((c) => c.name === b.case) ||
      a.seed - b.seed,
  );
  const machine = `${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.cpus().length} cores, Node ${process.version}`;
  fs.writeFileSync(
    file,
    `${JSON.stringify({ machine, date: new Date().toISOString().slice(0, 10), runs: merged }, null, 1)}\n`,
  );
  const rows = CASES.filter((c) => merged.some((m) => m.case === c.name)).map((c) => {
    const runs = merged.filter((m) => m.case === c.name);
    const fmt = (x: number | null | undefined) =>
      x === null || x === undefined ? "–" : String(Math.round(x));
    const solved = runs
      .map((r) => (r.solvedAt === null ? "–" : `${Math.round(r.solvedAt / 1000)}k`))
      .join(", ");
    const finals = runs.map((r) => fmt(r.finalReturnMean20)).join(", ");
    const success = runs.some((r) => r.evalSuccessRate !== undefined)
      ? runs.map((r) => `${Math.round(100 * (r.evalSuccessRate ?? 0))}%`).join(", ")
      : "";
    const at100k = runs.map((r) => fmt(r.returnMean20At100k)).join(", ");
    const evals = runs.map((r) => fmt(r.evalReturnMean)).join(", ");
    const sps = Math.round(runs.reduce((a, r) => a + r.sps, 0) / runs.length);
    return `| ${c.question} | ${runs.map((r) => r.seed).join(",")} | ${solved} | ${at100k} | ${finals} | ${evals} | ${success} | ${sps} |`;
  });
  const table = [
    `PPO family, shipped presets; ${machine}; ${new Date().toISOString().slice(0, 10)}.`,
    "Solved = mean of the last 20 training episodes ≥ 475 (step shown); at 100k / final = that mean at 100k steps / at the end;",
    "eval = the final agent on 100 held-out episodes (sampled actions); success = share of those episodes that reached the goal.",
    "",
    "| case | seeds | solved at | return (20) at 100k | final return (20) | eval return | eval success | SPS |",
    "|---|---|---|---|---|---|---|---|",
    ...rows,
  ].join("\n");
  fs.writeFileSync(path.join(ROOT, "experiments/results/ppo-family.md"), `${table}\n`);
  console.log(table);
  if (failures.length > 0) {
    console.error(`failed runs:\n${failures.join("\n")}`);
    process.exitCode = 1;
  }
}

main();
