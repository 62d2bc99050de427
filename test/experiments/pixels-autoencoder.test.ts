// The pixels-autoencoder experiment is defined, not run in the tests: every run it plans must be a
// `pomdp train` command that resolves (flags, presets, config, env with its --require), so that a
// typo does not wait for hours of other runs to show; the runs from a pretrained encoder need the
// folders the script pretrains first.
import { beforeAll, describe, expect, it } from "vitest";
import experiment, { pretrainArgs, pretrainedDir } from "../../experiments/pixels-autoencoder";
import { RGB_DOORKEY } from "../../experiments/rgb_gridworld"; // registers the env its --require loads
import { resolveTraining } from "../../src/cli/train";
import { resolveSpec } from "../../src/train/experiment";
import { parseTrainFlags } from "./parse_train_flags";

beforeAll(() => {
  process.env.POMDP_LOG_LEVEL ??= "warn";
});

describe("experiments/pixels-autoencoder", () => {
  for (const quick of [false, true]) {
    it(`every planned run resolves (${quick ? "quick" : "full"} version); pretrained ones need their folder`, async () => {
      const spec = resolveSpec(experiment, { quick });
      expect(spec.agents.map((a) => a.id)).toEqual(["cnn", "cnn-aux", "ae-frozen", "ae-finetune"]);
      for (const env of spec.envs) {
        for (const agent of spec.agents) {
          // The env's --require is loaded above (vitest's import); the CLI's require of it was tried by hand.
          const envArgs = env.args ?? [];
          if (env.id === RGB_DOORKEY)
            expect(envArgs).toEqual(["--require", expect.stringMatching(/rgb_gridworld\.ts$/)]);
          const args = [...agent.args, ...(env.agentArgs?.[agent.id] ?? []), "--env", env.id];
          const flags = await parseTrainFlags([...args, "--seed", "1", "--steps", String(spec.steps)]);
          const resolving = resolveTraining(flags);
          if (agent.id.startsWith("ae-")) {
            await expect(resolving).rejects.toThrow(
              `--encoder-from "${pretrainedDir(env.id, quick)}": no such folder`,
            );
          } else {
            const { config } = await resolving;
            expect(config.net).toMatchObject({ encoder: "cnn", hidden: [64], sharedEncoder: true });
          }
        }
        expect(pretrainArgs(env, quick)).toContain(pretrainedDir(env.id, quick));
      }
    }, 30_000);
  }
});
