// experiments/custom-env.ts, the example of experiments/README.md, is defined, not run in the tests:
// every run it plans must be a `pomdp train` command that resolves, with the env's --require. The
// README documents every field of defineExperiment's spec and shows the file as it is.
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import experiment from "../../experiments/custom-env";
import "../../experiments/custom_env"; // registers RememberBit-v0, which the runs' --require loads
import { resolveTraining } from "../../src/cli/train";
import { resolveSpec } from "../../src/train/experiment";
import { parseTrainFlags } from "./parse_train_flags";

const ROOT = path.join(__dirname, "../..");

/** The field names of an exported interface of src/train/experiment.ts. */
function fieldsOf(name: string): string[] {
  const source = fs.readFileSync(path.join(ROOT, "src/train/experiment.ts"), "utf8");
  const start = source.indexOf(`export interface ${name} {`);
  const body = source.slice(start, source.indexOf("\n}", start));
  return [...body.matchAll(/^ {2}(\w+)\??:/gm)].map((m) => m[1]);
}

beforeAll(() => {
  process.env.POMDP_LOG_LEVEL ??= "warn";
});

describe("experiments/custom-env", () => {
  for (const quick of [false, true]) {
    it(`every planned run resolves, with the env's --require (${quick ? "quick" : "full"} version)`, async () => {
      const spec = resolveSpec(experiment, { quick });
      expect(spec.agents.map((a) => a.id)).toEqual(["mlp", "lstm"]);
      for (const env of spec.envs) {
        const envArgs = env.args ?? [];
        expect(envArgs.slice(0, 2)).toEqual(["--require", path.join(ROOT, "experiments/custom_env.ts")]);
        expect(fs.existsSync(envArgs[1])).toBe(true);
        for (const agent of spec.agents) {
          // The --require is loaded above (vitest's import); `pomdp experiment` running it was tried by hand.
          const args = [
            ...agent.args,
            ...(env.agentArgs?.[agent.id] ?? []),
            "--env",
            env.id,
            ...envArgs.slice(2),
          ];
          const { config } = await resolveTraining(
            await parseTrainFlags([...args, "--seed", "1", "--steps", String(spec.steps)]),
          );
          expect(config).toMatchObject({
            totalSteps: spec.steps,
            net: { lstm: agent.id === "lstm" ? 32 : 0 },
          });
        }
      }
    }, 30_000);
  }
});

describe("experiments/README.md", () => {
  const readme = fs.readFileSync(path.join(ROOT, "experiments/README.md"), "utf8");

  it("documents every field of defineExperiment's spec, its agents and its envs", () => {
    const fields = ["ExperimentSpec", "ExperimentAgent", "ExperimentEnv"].flatMap(fieldsOf);
    expect(fields).toContain("solvedWindow"); // the parsing found the interfaces
    // A table row per field: "| `field` | …" (biome pads the cells).
    const undocumented = fields.filter((f) => !new RegExp(`^\\| \`${f}\` +\\|`, "m").test(readme));
    expect(undocumented).toEqual([]);
  });

  it("shows experiments/custom-env.ts as it is", () => {
    const file = fs.readFileSync(path.join(ROOT, "experiments/custom-env.ts"), "utf8");
    expect(readme).toContain(file.slice(file.indexOf("import * as path")).trim());
  });
});
