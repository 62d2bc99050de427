import { Command } from "commander";
import { checkEnv, listEnvs, make } from "../index";
import { withRequire } from "./options";
import { formatTable } from "./table";

/** `pomdp envs`: the registered ids with their spaces. */
export function envsCommand(): Command {
  return withRequire(new Command("envs"))
    .description("list the registered environments with their observation and action spaces")
    .option("--json", "print one JSON object per env instead of a table")
    .action((opts: { json?: boolean }) => {
      const rows = listEnvs().map((spec) => {
        const env = make(spec.id);
        const row = {
          id: spec.id,
          observationSpace: String(env.observationSpace),
          actionSpace: String(env.actionSpace),
          // Gridworlds end their episodes themselves at maxSteps, as Minigrid's do.
          maxEpisodeSteps: spec.maxEpisodeSteps ?? ownStepLimit(env) ?? null,
          description: spec.description ?? "",
        };
        env.close();
        return row;
      });
      if (opts.json) {
        for (const row of rows) console.log(JSON.stringify(row));
        return;
      }
      console.log(
        formatTable(
          ["id", "observation space", "action space", "max steps", "description"],
          rows.map((r) => [
            r.id,
            r.observationSpace,
            r.actionSpace,
            r.maxEpisodeSteps === null ? "-" : String(r.maxEpisodeSteps),
            r.description,
          ]),
        ),
      );
    });
}

/** `pomdp check <id>`: runs the env checker on a registered env. */
export function checkCommand(): Command {
  return withRequire(new Command("check"))
    .description(
      "check that a registered env keeps the env contract (spaces, types, seeding, errors, render)",
    )
    .argument("<id>", "registered env id (see `pomdp envs`)")
    .action((id: string) => {
      const report = checkEnv(() => make(id));
      console.log(`${report.env}: all checks passed`);
      for (const line of report.passed) console.log(`  ✓ ${line}`);
      for (const line of report.warnings) console.log(`  ! ${line}`);
    });
}

function ownStepLimit(env: { unwrapped: unknown }): number | undefined {
  const limit = (env.unwrapped as { maxSteps?: unknown }).maxSteps;
  return typeof limit === "number" ? limit : undefined;
}
