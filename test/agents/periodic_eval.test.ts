// Periodic evaluation (config evalEvery, SB3's EvalCallback): eval lines at each multiple of evalEvery,
// the training itself unchanged by them, the best agent kept in best/ and loadable, and a resumed run
// that evaluates as an uninterrupted one.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { DqnConfigSchema, trainDqn } from "../../agents/dqn";
import { evaluateAgent } from "../../agents/evaluate";
import { loadAgent } from "../../agents/index";
import { PpoConfigSchema, trainPpo } from "../../agents/ppo";
import { TrainingInterrupted } from "../../agents/training_loop";
import { deriveSeed } from "../../src/core/rng";
import { initBackend } from "../../src/nn";
import { validateConfig } from "../../src/train/config";
import { RunFolder } from "../../src/train/run_folder";
import { silentLogger } from "../nn/helpers";
import { registerTestEnvs } from "./helpers";

beforeAll(async () => {
  await initBackend("wasm", silentLogger);
  registerTestEnvs();
});

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "periodic-eval-"));

type Line = Record<string, unknown> & { type: string; step: number };

/** metrics.jsonl's lines without the machine-dependent fields. */
function lines(dir: string): Line[] {
  return fs
    .readFileSync(path.join(dir, "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => {
      const { sps: _s, rssMb: _r, seconds: _t, ...rest } = JSON.parse(l);
      return rest as Line;
    });
}

const ppoFields = {
  totalSteps: 1280,
  numEnvs: 4,
  numSteps: 16,
  numMinibatches: 2,
  updateEpochs: 2,
  net: { hidden: [8] },
  normalizeObservation: true,
};

/** Trains PPO on TMaze-v0 (seed 3) into a new run folder with a config.json loadAgent can read. */
function trainRun(fields: Record<string, unknown>, ctx: Record<string, unknown> = {}): string {
  const config = validateConfig(PpoConfigSchema, { ...ppoFields, ...fields }, "ppo");
  const dir = path.join(tmp(), "run");
  const run = RunFolder.create(dir, { agent: "ppo", envId: "TMaze-v0", envKwargs: {}, seed: 3, config });
  try {
    trainPpo(config, { envId: "TMaze-v0", seed: 3, run, ...ctx }).net.dispose();
  } finally {
    run.close();
  }
  return dir;
}

describe("periodic evaluation", () => {
  it("writes an eval line at the first update reaching each multiple of evalEvery and at the end, and leaves the training as it was", () => {
    const plain = trainRun({});
    const evaluated = trainRun({ evalEvery: 300, evalEpisodes: 4 });
    const withEval = lines(evaluated);
    // 64 steps per update (20 of them): 300 → the update ending at 320, 600 → 640, 900 → 960, 1200 → 1216;
    // then the final agent at 1280.
    const evals = withEval.filter((l) => l.type === "eval");
    expect(evals.map((l) => l.step)).toEqual([320, 640, 960, 1216, 1280]);
    for (const e of evals) {
      expect(e).toMatchObject({ episodes: 4, greedy: false });
      expect(typeof e.returnMean).toBe("number");
      // TMaze-v0 declares success as return > 0, so its evaluations report a success rate.
      expect(e.successRate).toBeGreaterThanOrEqual(0);
      expect(e.successRate).toBeLessThanOrEqual(1);
    }
    // Evaluating draws nothing from the training's streams: every other line is the plain run's.
    expect(withEval.filter((l) => l.type !== "eval")).toEqual(lines(plain));
    expect(fs.existsSync(path.join(plain, "best"))).toBe(false);
    const summary = JSON.parse(fs.readFileSync(path.join(evaluated, "summary.json"), "utf8"));
    const best = evals.reduce((a, b) => ((b.returnMean as number) > (a.returnMean as number) ? b : a));
    expect(summary.bestEval).toEqual({ step: best.step, returnMean: best.returnMean });
  });

  it("keeps in best/ the agent of the best evaluation: evaluated again on the same episodes, it scores the same", () => {
    const dir = trainRun({ evalEvery: 128, evalEpisodes: 6 });
    const evals = lines(dir).filter((l) => l.type === "eval");
    const best = evals.reduce((a, b) => ((b.returnMean as number) > (a.returnMean as number) ? b : a));
    const agent = loadAgent(dir, undefined, "best");
    try {
      const again = evaluateAgent(agent, {
        episodes: 6,
        seed: deriveSeed(3, "eval/periodic"),
        greedy: false,
      });
      expect(again.returnMean).toBe(best.returnMean);
      expect(again.successRate).toBe(best.successRate);
    } finally {
      agent.net.dispose();
    }
  });

  it("a run without periodic evaluation has no best agent, and says so", () => {
    const dir = trainRun({});
    expect(() => loadAgent(dir, undefined, "best")).toThrow(
      `${dir} has no best agent (best/): it is kept only by runs trained with periodic evaluation (--eval-every)`,
    );
  });

  it("a run stopped and resumed evaluates as one straight through, best agent included", () => {
    const fields = { evalEvery: 200, evalEpisodes: 3 };
    const straight = trainRun(fields);
    const config = validateConfig(PpoConfigSchema, { ...ppoFields, ...fields }, "ppo");
    const dir = path.join(tmp(), "stopped");
    const meta = { agent: "ppo", envId: "TMaze-v0", envKwargs: {}, seed: 3, config };
    const first = RunFolder.create(dir, meta);
    let updates = 0;
    expect(() =>
      trainPpo(config, {
        envId: "TMaze-v0",
        seed: 3,
        run: first,
        checkpointEvery: 4,
        onUpdate: () => updates++,
        shouldStop: () => updates >= 9,
      }),
    ).toThrow(TrainingInterrupted);
    first.close();
    const again = RunFolder.reopen(dir);
    trainPpo(config, { envId: "TMaze-v0", seed: 3, run: again, resume: true }).net.dispose();
    again.close();
    expect(lines(dir)).toEqual(lines(straight));
    const summary = (d: string) => JSON.parse(fs.readFileSync(path.join(d, "summary.json"), "utf8")).bestEval;
    expect(summary(dir)).toEqual(summary(straight));
    const weights = (d: string) => fs.readFileSync(path.join(d, "best", "weights.bin"));
    expect(weights(dir).equals(weights(straight))).toBe(true);
  });

  it("DQN evaluates ε-greedily with its final ε (greedy: ε 0) and its training ε is untouched", () => {
    const fields = {
      totalSteps: 600,
      learningStarts: 100,
      bufferSize: 500,
      batchSize: 16,
      logEvery: 100,
      trainFrequency: 4,
      targetNetworkFrequency: 50,
    };
    const run = (extra: Record<string, unknown>) => {
      const config = validateConfig(DqnConfigSchema, { ...fields, ...extra }, "dqn");
      const dir = path.join(tmp(), "dqn");
      const folder = RunFolder.create(dir, {});
      trainDqn(config, { envId: "TestBandit-v0", seed: 2, run: folder }).net.dispose();
      folder.close();
      return lines(dir);
    };
    const plain = run({});
    const sampled = run({ evalEvery: 200, evalEpisodes: 50 });
    const greedy = run({ evalEvery: 200, evalEpisodes: 50, evalGreedy: true });
    expect(sampled.filter((l) => l.type !== "eval")).toEqual(plain);
    expect(greedy.filter((l) => l.type !== "eval")).toEqual(plain);
    const evals = (ls: Line[]) => ls.filter((l) => l.type === "eval");
    expect(evals(sampled).map((l) => l.step)).toEqual([200, 400, 600]);
    expect(evals(greedy).every((l) => l.greedy === true)).toBe(true);
    // The bandit's episodes are one step; greedy evaluations are deterministic and sampled ones differ
    // from them only by ε = endE (0.05) of random arms: both see the same learnt Q-values.
    const last = (ls: Line[]) => evals(ls).at(-1)!.returnMean as number;
    expect(Math.abs(last(sampled) - last(greedy))).toBeLessThanOrEqual(0.2);
  });
});
