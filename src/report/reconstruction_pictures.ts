// The reconstruction pictures of an experiment's runs with a decoder (net.aux "ae"): for each agent
// and env, the lowest seed's last `reconstructions-<step>.png`, copied into the report's plots/ as
// `reconstructions-<agent>--<env>.png`. Committed results keep only each run's config, summary, eval and
// episodes, so a report rebuilt from them finds the copies already in plots/ and keeps showing them.
import * as fs from "node:fs";
import * as path from "node:path";
import type { ExperimentResults } from "./results";

/** One agent's reconstruction picture on one env. */
export interface ReconstructionPicture {
  agentLabel: string;
  envLabel: string;
  /** File name in plots/ (without the folder). */
  name: string;
  /** Seed and env step of the picture, when it came from a run folder in this pass. */
  seed?: number;
  step?: number;
  /** The run folder's picture to copy (absent: the copy in plots/ is already there). */
  source?: string;
}

const RUN_PICTURE = /^reconstructions-(\d+)\.png$/;

/** The pictures of `results` (read from `folder`), and where the report's plots go (`plotsDir`). */
export function findReconstructionPictures(
  results: ExperimentResults,
  folder: string,
  plotsDir: string,
): ReconstructionPicture[] {
  const e = results.experiment;
  const pictures: ReconstructionPicture[] = [];
  for (const agent of e.agents) {
    for (const env of e.envs) {
      const name = `reconstructions-${agent.id}--${env.id.replace(/[^\w.-]/g, "_")}.png`;
      const labels = { agentLabel: agent.label ?? agent.id, envLabel: env.label ?? env.id, name };
      const runs = results.runs
        .filter((r) => r.agent === agent.id && r.env === env.key)
        .sort((a, b) => a.seed - b.seed);
      let found: ReconstructionPicture | undefined;
      for (const run of runs) {
        const dir = path.join(folder, run.dir);
        const steps = (fs.existsSync(dir) ? fs.readdirSync(dir) : [])
          .map((f) => RUN_PICTURE.exec(f))
          .filter((m): m is RegExpExecArray => m !== null)
          .map((m) => Number(m[1]));
        if (steps.length === 0) continue;
        const step = Math.max(...steps);
        found = { ...labels, seed: run.seed, step, source: path.join(dir, `reconstructions-${step}.png`) };
        break;
      }
      if (!found && fs.existsSync(path.join(plotsDir, name))) found = labels;
      if (found) pictures.push(found);
    }
  }
  return pictures;
}

/** The report's words under each picture. */
export function reconstructionCaption(p: ReconstructionPicture): string {
  const when = p.step !== undefined ? ` (seed ${p.seed}, env step ${p.step.toLocaleString("en")})` : "";
  return `${p.agentLabel} on ${p.envLabel}${when}`;
}

/** The section's introduction. */
export const RECONSTRUCTIONS_INTRO =
  "What each decoder keeps: 8 observations of a late rollout (top row; of stacked frames, the newest) over their reconstructions (bottom row), from the lowest seed's last picture.";
