// experiments/which-memory.ts is defined, not run in the tests (its quick version was run by hand):
// every run it plans, full and quick, must be a `pomdp train` command that resolves to the memory core
// and width its agent names, with the preset the file's header says, and the entry's kwargs.
import { beforeAll, describe, expect, it } from "vitest";
import experiment from "../../experiments/which-memory";
import { resolveTraining } from "../../src/cli/train";
import { envKey, envKwargsArgs, planJobs, resolveSpec } from "../../src/train/experiment";
import { parseTrainFlags } from "./parse_train_flags";

beforeAll(() => {
  process.env.POMDP_LOG_LEVEL ??= "warn";
});

/** The core each agent asks for. */
const CORES: Record<string, string> = {
  mlp: "none",
  framestack: "none",
  rnn: "rnn",
  gru: "gru",
  lstm: "lstm",
};

/** The preset each run resolves to, by env id and whether its agent has a memory core. */
function expectedPreset(envId: string, recurrent: boolean): string | undefined {
  if (envId === "RepeatPrevious-v0") return "ppo-lstm-tmaze"; // named in the entry's args
  if (envId === "MiniGrid-MemoryS7-v0") return "ppo-minigrid-memory-s7";
  if (!recurrent) return undefined;
  return envId === "TMaze-v0" ? "ppo-lstm-tmaze" : "ppo-lstm-cartpole-novel";
}

describe("experiments/which-memory", () => {
  for (const quick of [false, true]) {
    it(`every planned run resolves to its agent's core and width, its env's preset and kwargs (${quick ? "quick" : "full"} version)`, async () => {
      const spec = resolveSpec(experiment, { quick });
      const jobs = planJobs(spec, "/r").filter((j) => j.seed === 1);
      for (const job of jobs) {
        const args = [
          ...job.agent.args,
          ...(job.env.agentArgs?.[job.agent.id] ?? []),
          ...(job.env.args ?? []),
          ...envKwargsArgs(job.env),
        ];
        const flags = await parseTrainFlags([...args, "--env", job.env.id, "--seed", "1"]);
        const { preset, config } = await resolveTraining(flags);
        const what = `${job.agent.id} on ${envKey(job.env)}`;
        const net = config.net as { memory?: string; memorySize?: number; lstm: number };
        const core = CORES[job.agent.id];
        expect(preset?.name, what).toBe(expectedPreset(job.env.id, core !== "none"));
        if (core === "none") expect(net.lstm === 0 && (net.memory ?? "none") === "none", what).toBe(true);
        else {
          expect(net.memory ?? "lstm", what).toBe(core);
          expect(net.memorySize ?? net.lstm, what).toBe(job.env.id === "MiniGrid-MemoryS7-v0" ? 128 : 64);
        }
        expect(config.frameStack ?? 0, what).toBe(job.agent.id === "framestack" ? 4 : 0);
        expect(flags.envKwargs ?? {}, what).toEqual(job.env.kwargs ?? {});
      }
      if (!quick) {
        const keys = spec.envs.map(envKey);
        expect(keys).toEqual([
          "TMaze-5",
          "TMaze-10",
          "TMaze-20",
          "TMaze-50",
          "TMaze-100",
          "RepeatPrevious-k1",
          "RepeatPrevious-k4",
          "RepeatPrevious-k16",
          "CartPole-NoVel-v1",
          "MiniGrid-MemoryS7-v0",
        ]);
        // 5 seeds everywhere but Minigrid Memory S7 (3: its runs are the longest).
        const all = planJobs(spec, "/r");
        expect(all.filter((j) => j.env.id === "MiniGrid-MemoryS7-v0")).toHaveLength(5 * 3);
        expect(all).toHaveLength(5 * 9 * 5 + 5 * 3);
      } else {
        expect(spec.envs.map(envKey)).toEqual(["TMaze-5", "TMaze-20"]);
        expect(spec.agents.map((a) => a.id)).toEqual(["mlp", "lstm"]);
        expect(planJobs(spec, "/r")).toHaveLength(8);
      }
    }, 60_000);
  }
});
