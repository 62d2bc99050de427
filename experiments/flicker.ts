// Does recurrence help under flicker? The DRQN paper's question (Hausknecht & Stone 2015, §6.1):
// DQN on single observations, DQN on the last 4 observations and DRQN are trained on CartPole with
// flickering observations (CartPole-Flicker-v1: the whole observation is zeros with p = 0.5), then
// evaluated at flicker rates 0, 0.1, …, 0.9 — how each degrades (or improves) when observability
// changes between training and evaluation. And DRQN vs DQN on CartPole without velocities.
//   npx pomdp experiment flicker [--quick] [--seeds N]                  the training grid, scores, report
//   npx ts-node experiments/flicker.ts [--quick] [--seeds N] [--workers N]   the same, then every Flicker
//        run evaluated at each flicker rate: <out>/flicker-rates.{json,md} and <out>/plots/flicker-rates.png
import * as fs from "node:fs";
import * as path from "node:path";
import { evaluateAgent } from "../agents/evaluate";
import { loadAgent } from "../agents/index";
import {
  parseExperimentScriptArgs,
  resultsFolder,
  runExperimentWithProgress,
  writeReport,
} from "../src/cli/experiment";
import { initBackend, nnLogger } from "../src/nn";
import { renderSvg, svgToPng } from "../src/report/plots";
import { aggregateMean, intervalPurpose, stratifiedBootstrapCI } from "../src/stats";
import {
  defineExperiment,
  type ExperimentSpec,
  LocalProcessExecutor,
  type RunScore,
  resolveSpec,
} from "../src/train/experiment";

/**
 * The same settings for all three agents: CleanRL's dqn.py defaults (ε 1 → 0.05 over half the run,
 * learning from 10k steps, a gradient step every 10 steps, target copy every 500), with lr 1e-3 and a
 * 64-unit ReLU encoder. DRQN adds an LSTM of 64 and replays 32 sequences of 8 steps, each after a
 * burn-in of 4 steps from the state stored while acting (R2D2). In a 100k-step trial on Flicker,
 * DRQN with CleanRL's lr 2.5e-4 reached a rolling return of 82, with 1e-3 252.
 */
const DQN = ["--agent", "dqn", "--set", "net.hidden=[64]", "--set", "learningRate=0.001"];
const DRQN = [
  "--agent",
  "drqn",
  "--set",
  "net.hidden=[64]",
  "--set",
  "learningRate=0.001",
  "--lstm",
  "64",
  "--set",
  "batchSize=32",
  "--set",
  "sequenceLength=8",
  "--set",
  "burnIn=4",
  "--set",
  "initialState=stored",
];

const experiment = defineExperiment({
  name: "flicker",
  question:
    "Does a recurrent Q-network (DRQN) beat DQN on single or stacked observations when observations flicker or lack velocities, and how does each degrade when the flicker rate changes after training?",
  agents: [
    { id: "dqn", label: "DQN", args: DQN },
    { id: "dqn-fs4", label: "DQN + FrameStack 4", args: [...DQN, "--frame-stack", "4"] },
    { id: "drqn", label: "DRQN (LSTM 64)", args: DRQN },
  ],
  envs: [
    {
      id: "CartPole-Flicker-v1",
      label: "CartPole, flickering (p = 0.5)",
      randomScore: 22,
      maxScore: 500,
    },
    { id: "CartPole-NoVel-v1", label: "CartPole, no velocities", randomScore: 22, maxScore: 500 },
  ],
  steps: 200_000,
  seeds: 5,
  compare: [
    ["drqn", "dqn"],
    ["drqn", "dqn-fs4"],
    ["dqn-fs4", "dqn"],
  ],
  evalEpisodes: 100,
  quick: { steps: 30_000, seeds: 2, evalEpisodes: 10 },
});

export default experiment;

/** The flicker rates every Flicker run is evaluated at. */
export const FLICKER_RATES = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/** One agent's score at one flicker rate: the mean over seeds with its 95 % bootstrap CI. */
interface RatePoint {
  agent: string;
  label: string;
  flickerProb: number;
  mean: number;
  lower: number;
  upper: number;
  /** Each seed's mean evaluation return at this rate. */
  seeds: number[];
}

/**
 * Evaluates every finished Flicker run at every rate, as `pomdp eval --env-kwargs '{"flickerProb": p}'`
 * would (same seeds, same JSON), but in this process: one TF.js start instead of one per evaluation.
 * Evaluations written before are kept.
 */
async function evaluateRates(spec: ExperimentSpec, out: string, scores: RunScore[]): Promise<RatePoint[]> {
  const runs = scores.filter((s) => s.env === "CartPole-Flicker-v1" && s.status === "done");
  const file = (run: RunScore, p: number) => path.join(out, run.run, `eval-flicker-${p.toFixed(1)}.json`);
  await initBackend(undefined, nnLogger.child({}, { level: "warn" }));
  for (const run of runs) {
    const missing = FLICKER_RATES.filter((p) => !fs.existsSync(file(run, p)));
    if (missing.length === 0) continue;
    const dir = path.join(out, run.run);
    const agent = loadAgent(dir);
    try {
      for (const p of missing) {
        const envKwargs = { flickerProb: p };
        const episodes = spec.evalEpisodes ?? 100;
        const result = evaluateAgent(agent, { episodes, seed: 1000 + run.seed, greedy: false, envKwargs });
        fs.writeFileSync(file(run, p), `${JSON.stringify({ run: dir, ...result })}\n`);
      }
    } finally {
      agent.net.dispose();
    }
    console.error(`rates  ${run.run}`);
  }
  const points: RatePoint[] = [];
  for (const agent of spec.agents) {
    const own = runs.filter((r) => r.agent === agent.id);
    if (own.length === 0) continue;
    for (const p of FLICKER_RATES) {
      const seeds = own.map((r) => JSON.parse(fs.readFileSync(file(r, p), "utf8")).returnMean as number);
      const ci = stratifiedBootstrapCI(
        seeds.map((s) => [s]),
        aggregateMean,
        // Each agent and rate its own stream (flicker-rates.md committed before this drew all from one).
        { seed: 0, purpose: intervalPurpose("mean", agent.id, `flickerProb=${p}`) },
      );
      points.push({
        agent: agent.id,
        label: agent.label,
        flickerProb: p,
        mean: ci.point,
        lower: ci.lower,
        upper: ci.upper,
        seeds,
      });
    }
  }
  return points;
}

/** flicker-rates.md: one row per rate, one column per agent (mean [95 % CI] over seeds). */
function ratesTable(spec: ExperimentSpec, points: RatePoint[]): string {
  const agents = spec.agents.filter((a) => points.some((p) => p.agent === a.id));
  const seeds = points[0]?.seeds.length ?? 0;
  const lines = [
    `# ${spec.name}: trained on CartPole-Flicker-v1 (p = 0.5), evaluated at other flicker rates`,
    "",
    `Mean evaluation return over ${seeds} seeds (${spec.evalEpisodes ?? 100} held-out episodes each, the agents' own policies: ε-greedy with ε = 0.05), [95 % stratified bootstrap CI]; ${spec.steps.toLocaleString("en")} training steps per run.`,
    "",
    `| flicker p | ${agents.map((a) => a.label).join(" | ")} |`,
    `|---|${agents.map(() => "---").join("|")}|`,
  ];
  const f = (x: number) => x.toFixed(1);
  for (const p of FLICKER_RATES) {
    const cells = agents.map((a) => {
      const point = points.find((q) => q.agent === a.id && q.flickerProb === p)!;
      return `${f(point.mean)} [${f(point.lower)}, ${f(point.upper)}]`;
    });
    lines.push(`| ${p.toFixed(1)}${p === 0.5 ? " (training)" : ""} | ${cells.join(" | ")} |`);
  }
  return `${lines.join("\n")}\n`;
}

/** The plot: evaluation return against flicker rate, one line per agent with its CI band. */
function ratesPlot(points: RatePoint[], labels: string[]) {
  const color = {
    field: "label",
    type: "nominal",
    title: "Agent",
    scale: { domain: labels, scheme: "tableau10" },
  };
  const x = {
    field: "flickerProb",
    type: "quantitative",
    title: "flicker probability at evaluation (trained at 0.5)",
  };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: "Trained with flicker p = 0.5, evaluated at other rates (mean over seeds, 95 % CI)",
    width: 520,
    height: 300,
    data: { values: points },
    config: { font: "DejaVu Sans, Helvetica, Arial, sans-serif", legend: { orient: "bottom" } },
    layer: [
      {
        mark: { type: "area", opacity: 0.2 },
        encoding: {
          x,
          y: { field: "lower", type: "quantitative", title: "evaluation return" },
          y2: { field: "upper" },
          color,
        },
      },
      {
        mark: { type: "line", point: true },
        encoding: { x, y: { field: "mean", type: "quantitative" }, color },
      },
    ],
  };
}

async function main(): Promise<void> {
  const script = `npx ts-node experiments/flicker.ts`;
  const opts = parseExperimentScriptArgs(script);
  const quick = opts.quick === true;
  const spec = resolveSpec(experiment, { quick, seeds: opts.seeds });
  const out = resultsFolder(spec, opts);
  const executor = new LocalProcessExecutor(opts.workers ?? 1);
  const scores = await runExperimentWithProgress(
    spec,
    {
      out,
      executor,
      quick,
      scoreOnly: opts.scoreOnly === true,
      command: [script, ...process.argv.slice(2)].join(" "),
    },
    opts.progressEvery,
  );
  const points = await evaluateRates(spec, out, scores);
  fs.writeFileSync(path.join(out, "flicker-rates.json"), `${JSON.stringify(points, null, 1)}\n`);
  fs.writeFileSync(path.join(out, "flicker-rates.md"), ratesTable(spec, points));
  const labels = spec.agents.map((a) => a.label);
  fs.mkdirSync(path.join(out, "plots"), { recursive: true });
  const svg = await renderSvg(ratesPlot(points, labels));
  fs.writeFileSync(path.join(out, "plots", "flicker-rates.png"), svgToPng(svg));
  const html = writeReport(out);
  if (html) console.error(`report: ${html}`);
  console.log(path.join(out, "flicker-rates.md"));
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
