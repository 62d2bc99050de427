import * as fs from "node:fs";
// The pixels-autoencoder experiment is defined, not run in the tests: every run it plans must be a
// `pomdp train` command that resolves (flags, presets, config, env with its --require), so that a
// typo does not wait for hours of other runs to show; the runs from a pretrained encoder need the
// folders the script pretrains first.
import { beforeAll, describe, expect, it } from "vitest";
import experiment, { pretrainArgs, pretrainedDir } from "../../experiments/pixels-autoencoder";
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
      expect(spec.agents.map((a) => a.id)).toEqual([
        "none",
        "aux",
        "aux-detached",
        "ae-frozen",
        "ae-finetune",
      ]);
      expect(spec.envs.map((e) => e.id)).toEqual(["CartPole-Pixels-v1"]);
      for (const env of spec.envs) {
        for (const agent of spec.agents) {
          const args = [...agent.args, ...(env.agentArgs?.[agent.id] ?? []), "--env", env.id];
          const flags = await parseTrainFlags([...args, "--seed", "1", "--steps", String(spec.steps)]);
          const resolving = resolveTraining(flags);
          // Once the experiment has pretrained its autoencoder (a gitignored folder), those runs resolve.
          if (agent.id.startsWith("ae-") && !fs.existsSync(pretrainedDir(env.id, quick))) {
            await expect(resolving).rejects.toThrow(
              `--encoder-from "${pretrainedDir(env.id, quick)}": no such folder`,
            );
          } else {
            const { config } = await resolving;
            // One shared dqn2013 torso ending in LayerNorm + tanh, for every agent; the frame stack of the preset.
            expect(config.net).toMatchObject({
              encoder: "cnn",
              hidden: [256],
              sharedEncoder: true,
              latentNorm: true,
            });
            expect(config.frameStack).toBe(4);
            const net = config.net as { aux?: string; auxDetach?: boolean };
            expect(net.aux ?? "none").toBe(agent.id.startsWith("aux") ? "ae" : "none");
            expect(net.auxDetach ?? false).toBe(agent.id === "aux-detached");
          }
        }
        expect(pretrainArgs(env, quick)).toEqual(
          expect.arrayContaining(["--frame-stack", "4", "--latent", "256", pretrainedDir(env.id, quick)]),
        );
      }
    }, 30_000);
  }
});
