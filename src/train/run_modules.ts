// The modules a run's `--require` loaded (your own env files), recorded in its config.json as `require`,
// so that every command that reads the run (`pomdp eval`, `record`, `train --resume`, an experiment's
// evaluation) loads them again without being told.
import * as fs from "node:fs";
import { listEnvs } from "../core/registry";
import { requireModule } from "./require_module";

/** One `--require` of a run: the argument as given, and the file it resolved to. */
export interface RequiredModule {
  module: string;
  path: string;
}

/** The `require` field of a run's config.json: present only when the run loaded modules. */
export function requireField(modules: RequiredModule[]): { require?: RequiredModule[] } {
  return modules.length > 0 ? { require: modules } : {};
}

/**
 * Loads the modules recorded in a run's config.json (`configFile`, read as `run`) when its env
 * `envId` is not registered yet (a `--require` given again registers it first, and then they are not
 * loaded). A recorded module that no longer exists is an error naming its recorded path.
 */
export function loadRunModules(configFile: string, run: { envId: string; require?: unknown }): void {
  if (run.require === undefined || listEnvs().some((s) => s.id === run.envId)) return;
  const recorded = run.require;
  const ok =
    Array.isArray(recorded) &&
    recorded.every(
      (r) =>
        r !== null && typeof r === "object" && typeof r.module === "string" && typeof r.path === "string",
    );
  if (!ok) throw new Error(`${configFile} is corrupt: require must be a list of { module, path }`);
  for (const { module, path } of recorded as RequiredModule[]) {
    if (!fs.existsSync(path)) {
      throw new Error(
        `the run's env ${run.envId} comes from ${path} (--require ${module}, recorded in ${configFile}), which no longer exists; pass --require <its file> to load it`,
      );
    }
  }
  for (const { module, path } of recorded as RequiredModule[]) requireModule(module, path);
}
