// A small synthetic results folder (2 agents × 2 envs × 3 seeds) in the format of experiments/README.md,
// with metrics.jsonl episode lines made up deterministically from agent, env, seed and step.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const AGENTS = [
  { id: "mlp", label: "PPO (MLP)", args: ["--agent", "ppo"] },
  { id: "lstm", label: "PPO (LSTM 64)", args: ["--agent", "ppo", "--lstm", "64"] },
];
export const ENVS = [
  { id: "CartPole-NoVel-v1", label: "CartPole, no velocities", randomScore: 20, maxScore: 500 },
  { id: "TMaze-v0", label: "T-maze", randomScore: 0, maxScore: 1 },
];
export const SEEDS = [1, 2, 3];
export const STEPS = 10_000;

/** The made-up return of an episode ending at `step`: learns faster with memory, seeds differ a little. */
export function madeUpReturn(agent: number, env: number, seed: number, step: number): number {
  const progress = step / STEPS;
  const ceiling = agent === 1 ? 1 : 0.55 + 0.05 * seed;
  const value = ceiling * (1 - Math.exp(-4 * progress)) + 0.01 * ((seed * 7 + step / 100) % 3);
  return env === 0 ? Math.round(20 + 480 * value) : Math.round(value * 100) / 100;
}

/** Writes the folder into a new temp dir and returns its path. */
export function makeResultsFolder(
  options: {
    failed?: boolean;
    noBaselines?: boolean;
    tmazeSeeds?: number;
    tmazeSolvedAt?: number;
    /** List the envs in experiment.json T-maze first (not in alphabetical order). */
    envsReversed?: boolean;
    /** Score the T-maze by success rate (an episode succeeds with a return above 0.5). */
    tmazeSuccess?: boolean;
    /** The experiment's seeds (default {@link SEEDS}). */
    seeds?: number[];
    /**
     * Also log what a real run logs besides episodes: PPO's update lines every 500 steps (made-up
     * losses, entropy, SPS) and an eval line every 2,000 steps.
     */
    diagnostics?: boolean;
  } = {},
): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "pomdp-report-"));
  const seeds = options.seeds ?? SEEDS;
  const experiment = {
    name: "synthetic",
    question: "Does memory help when one observation is not enough?",
    metric: "finalReturn",
    steps: STEPS,
    seeds,
    agents: AGENTS,
    envs: (options.noBaselines ? ENVS.map(({ id, label }) => ({ id, label })) : ENVS).map((env) =>
      env.id !== "TMaze-v0"
        ? env
        : {
            ...env,
            ...(options.tmazeSeeds ? { seeds: options.tmazeSeeds } : {}),
            ...(options.tmazeSolvedAt ? { solvedAt: options.tmazeSolvedAt, solvedWindow: 5 } : {}),
            ...(options.tmazeSuccess ? { metric: "successRate", successAbove: 0.5 } : {}),
          },
    ),
    compare: [["lstm", "mlp"]],
    quick: false,
    command: "pomdp experiment synthetic",
    machine: { cpu: "Test CPU", cores: 2, node: "v20.20.2", backend: "wasm" },
    startedAt: "2026-12-01T01:00:00.000Z",
    finishedAt: "2026-12-01T02:00:00.000Z",
  };
  if (options.envsReversed) experiment.envs.reverse();
  fs.writeFileSync(path.join(root, "experiment.json"), JSON.stringify(experiment, null, 2));
  const scores: Record<string, unknown>[] = [];
  seeds.forEach((seed) => {
    ENVS.forEach((env, e) => {
      AGENTS.forEach((agent, a) => {
        if (e === 1 && options.tmazeSeeds !== undefined && seed > options.tmazeSeeds) return;
        const run = `runs/${agent.id}--${env.id}--s${seed}`;
        const dir = path.join(root, run);
        fs.mkdirSync(dir, { recursive: true });
        const lines: string[] = [];
        for (let step = 100; step <= STEPS; step += 100)
          lines.push(
            JSON.stringify({ type: "episode", step, return: madeUpReturn(a, e, seed, step), length: 100 }),
          );
        if (options.diagnostics) {
          for (let step = 500; step <= STEPS; step += 500) {
            const p = step / STEPS;
            lines.push(
              JSON.stringify({
                type: "update",
                step,
                sps: 1000 * (a + 1) + 10 * seed,
                policyLoss: -0.01 * (1 - p) + 0.001 * seed,
                valueLoss: (1 - p) * (10 + seed),
                entropy: 0.69 - 0.3 * p * (a + 1),
                approxKl: 0.01 * (1 - p) + 0.001 * seed,
                learningRate: 2.5e-4 * (1 - p),
                rssMb: 150 + seed,
              }),
            );
            if (step % 2000 === 0) {
              const r = madeUpReturn(a, e, seed, step);
              lines.push(
                JSON.stringify({
                  type: "eval",
                  step,
                  episodes: 10,
                  greedy: false,
                  returnMean: r,
                  returnStd: 1,
                  lengthMean: 100,
                  seconds: 0.1,
                }),
              );
            }
          }
        } else lines.push(JSON.stringify({ type: "update", step: STEPS, loss: 0.1 }));
        fs.writeFileSync(path.join(dir, "metrics.jsonl"), `${lines.join("\n")}\n`);
        const config = {
          agent: "ppo",
          envId: env.id,
          seed,
          config: { totalSteps: STEPS, net: { lstm: a === 1 ? 64 : 0 } },
          command: `pomdp train --env ${env.id} ${agent.args.join(" ")} --seed ${seed}`,
          backend: "wasm",
        };
        fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify(config, null, 2));
        const failed = options.failed === true && a === 0 && e === 1 && seed === 3;
        const score = madeUpReturn(a, e, seed, STEPS);
        scores.push(
          failed
            ? {
                agent: agent.id,
                env: env.id,
                seed,
                status: "failed",
                error: "worker exited with code 1",
                run,
              }
            : {
                agent: agent.id,
                env: env.id,
                seed,
                status: "done",
                score,
                normalizedScore: options.noBaselines
                  ? undefined
                  : (score - env.randomScore) / (env.maxScore - env.randomScore),
                parameters: a === 1 ? 33_411 : 9_155,
                steps: STEPS,
                sps: a === 1 ? 1_000 + seed : 5_000 + seed,
                run,
              },
        );
      });
    });
  });
  fs.writeFileSync(path.join(root, "scores.json"), JSON.stringify(scores, null, 2));
  return root;
}

/**
 * The memory-length fixture's scores, [agent][entry][seed]: two agents on a T-maze at lengths 5 and 20
 * (success rates, chance 0.5), RepeatPrevious at k = 1 and 4 (returns, chance −0.5) and CartPole
 * without a memory length (returns). With 3 seeds a 95 % bootstrap interval of the mean is [min, max].
 */
export const MEMORY_SCORES: Record<string, Record<string, number[]>> = {
  mlp: {
    "tmaze-5": [0.5, 0.6, 0.55],
    "tmaze-20": [0.5, 0.45, 0.5],
    "repeat-k1": [1, 1, 0.875],
    "repeat-k4": [-0.5, -0.375, -0.625],
    "CartPole-NoVel-v1": [100, 120, 140],
  },
  gru: {
    "tmaze-5": [1, 1, 1],
    "tmaze-20": [1, 0.5, 0.9],
    "repeat-k1": [1, 1, 1],
    "repeat-k4": [0.5, 1, 0.25],
    "CartPole-NoVel-v1": [500, 480, 460],
  },
};

/** The memory-length fixture's env entries, as experiment.json lists them (keys as the runner writes). */
export const MEMORY_ENVS = [
  ...[5, 20].map((length) => ({
    id: "TMaze-v0",
    key: `tmaze-${length}`,
    label: `T-maze, length ${length}`,
    kwargs: { length },
    memoryLength: length,
    family: "T-maze",
    metric: "successRate",
    randomScore: 0.5,
    maxScore: 1,
  })),
  ...[1, 4].map((k) => ({
    id: "RepeatPrevious-v0",
    key: `repeat-k${k}`,
    label: `RepeatPrevious, k = ${k}`,
    kwargs: { k },
    memoryLength: k,
    family: "RepeatPrevious",
    randomScore: -0.5,
    maxScore: 1,
  })),
  {
    id: "CartPole-NoVel-v1",
    key: "CartPole-NoVel-v1",
    label: "CartPole, no velocities",
    randomScore: 22,
    maxScore: 500,
  },
];

/**
 * A results folder of an experiment that runs one env id at several settings (entries with `key`,
 * `kwargs`, `memoryLength` and `family`): experiment.json and scores.json only (no run folders).
 */
export function makeMemoryLengthFolder(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "pomdp-report-memory-"));
  const agents = [
    { id: "mlp", label: "PPO (MLP)", args: ["--agent", "ppo"] },
    { id: "gru", label: "PPO (GRU 64)", args: ["--agent", "ppo", "--gru", "64"] },
  ];
  const experiment = {
    name: "memory-lengths",
    question: "Does the gated core hold longer?",
    metric: "mixed",
    steps: STEPS,
    seeds: SEEDS,
    agents,
    envs: MEMORY_ENVS,
    compare: [["gru", "mlp"]],
    quick: false,
  };
  fs.writeFileSync(path.join(root, "experiment.json"), JSON.stringify(experiment, null, 2));
  const scores = agents.flatMap((agent) =>
    MEMORY_ENVS.flatMap((env) =>
      MEMORY_SCORES[agent.id][env.key].map((score, i) => ({
        agent: agent.id,
        env: env.key,
        seed: SEEDS[i],
        status: "done",
        score,
        normalizedScore: (score - env.randomScore) / (env.maxScore - env.randomScore),
        parameters: 1000,
        steps: STEPS,
        sps: 1000,
        run: `runs/${agent.id}--${env.key}--s${SEEDS[i]}`,
      })),
    ),
  );
  fs.writeFileSync(path.join(root, "scores.json"), JSON.stringify(scores, null, 2));
  return root;
}
