// `pomdp envs` and `pomdp check <id>` (their flags are in commands.ts).
import { checkEnv, listEnvs, make } from "../index";
import { formatTable } from "./table";

/** `pomdp envs`: the registered ids with their spaces. */
export function envsAction(opts: { json?: boolean }): void {
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
}

/** `pomdp check <id>`: runs the env checker on a registered env. */
export function checkAction(id: string): void {
  const report = checkEnv(() => make(id));
  console.log(`${report.env}: all checks passed`);
  for (const line of report.passed) console.log(`  ✓ ${line}`);
  for (const line of report.warnings) console.log(`  ! ${line}`);
}

function ownStepLimit(env: { unwrapped: unknown }): number | undefined {
  const limit = (env.unwrapped as { maxSteps?: unknown }).maxSteps;
  return typeof limit === "number" ? limit : undefined;
}
