// The pixel experiments are defined, not run in the tests: every run they plan must be a `pomdp train`
// command that resolves, with the shipped preset the report names, so that a typo does not wait for
// hours of other runs to show.
import { beforeAll, describe, expect, it } from "vitest";
import pixelsCartpole from "../../experiments/pixels-cartpole";
import pixelsMemory from "../../experiments/pixels-memory";
import { resolveTraining } from "../../src/cli/train";
import { planJobs, resolveSpec } from "../../src/train/experiment";
import { parseTrainFlags } from "./parse_train_flags";

beforeAll(() => {
  process.env.POMDP_LOG_LEVEL ??= "warn";
});

/** What each agent's runs must resolve to: its preset, frame stack and LSTM. */
const EXPECTED: Record<string, Record<string, { preset: string; frameStack: number; lstm: number }>> = {
  "pixels-cartpole": {
    framestack: { preset: "ppo-cnn-cartpole-pixels", frameStack: 4, lstm: 0 },
    single: { preset: "ppo-cnn-cartpole-pixels", frameStack: 1, lstm: 0 },
    lstm: { preset: "ppo-cnn-lstm-cartpole-pixels", frameStack: 0, lstm: 128 },
  },
  "pixels-memory": {
    framestack: { preset: "ppo-cnn-pixel-tmaze", frameStack: 4, lstm: 0 },
    lstm: { preset: "ppo-cnn-lstm-pixel-tmaze", frameStack: 0, lstm: 128 },
  },
};

describe("the pixel experiments", () => {
  for (const experiment of [pixelsCartpole, pixelsMemory]) {
    for (const quick of [false, true]) {
      it(`${experiment.name}${quick ? " --quick" : ""}: every planned run resolves to its agent's preset`, async () => {
        const spec = resolveSpec(experiment, { quick });
        const jobs = planJobs(spec, "/r");
        for (const job of jobs) {
          const args = [
            ...job.agent.args,
            ...(job.env.agentArgs?.[job.agent.id] ?? []),
            ...(job.env.args ?? []),
          ];
          const flags = await parseTrainFlags([...args, "--env", job.env.id, "--seed", String(job.seed)]);
          const { preset, config } = await resolveTraining(flags);
          const want = EXPECTED[experiment.name][job.agent.id];
          expect(preset?.name, `${job.agent.id} s${job.seed}`).toBe(want.preset);
          expect(config.frameStack).toBe(want.frameStack);
          expect((config.net as { lstm: number }).lstm).toBe(want.lstm);
          expect((config.net as { encoder: string; sharedEncoder: boolean }).sharedEncoder).toBe(true);
        }
        if (experiment.name === "pixels-cartpole" && !quick) {
          // The frame stack's 5 seeds carry the target; the others run fewer.
          const seeds = (id: string) => jobs.filter((j) => j.agent.id === id).length;
          expect([seeds("framestack"), seeds("single"), seeds("lstm")]).toEqual([5, 3, 2]);
        }
      }, 30_000);
    }
  }
});
