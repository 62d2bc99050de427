// The Slurm tests' cluster: test/slurm/cluster.sh started in a fresh folder and stopped by the pids it
// wrote; and why it cannot start here (not root, or Slurm not installed), for the tests to skip.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const SCRIPT = path.join(__dirname, "cluster.sh");

/** The daemons' pid files, relative to the cluster's folder. */
const PID_FILES = ["slurmctld.pid", "slurmd.pid", "munge/munged.pid"];

/** Why a single-node cluster cannot be started on this machine, or undefined when it can. */
export function clusterUnavailable(): string | undefined {
  if (process.platform !== "linux") return "Slurm's daemons run on Linux only";
  if (process.getuid?.() !== 0) return "the cluster's daemons must start as root (CI runs as root)";
  for (const tool of ["munged", "slurmctld", "slurmd", "sbatch", "squeue", "scontrol", "scancel"]) {
    if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0)
      return `${tool} is not installed (apt-get install slurm-wlm munge; .ci/run does)`;
  }
  return undefined;
}

/** A running single-node cluster. */
export interface TestCluster {
  /** Its folder (config, state, logs, pid files). */
  dir: string;
  /** Its slurm.conf, for SLURM_CONF. */
  conf: string;
  /** The daemons' pids (slurmctld, slurmd, munged). */
  pids: number[];
}

/** Starts a cluster in a new folder on ports of its own; throws with the script's output if it fails. */
export function startCluster(): TestCluster {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pomdp-slurm-"));
  // Ports of its own, so that a cluster left by another test run does not answer instead.
  const port = 17000 + 2 * (process.pid % 1000);
  const r = spawnSync(SCRIPT, ["start", dir], {
    encoding: "utf8",
    env: { ...process.env, POMDP_SLURM_PORT: String(port) },
  });
  if (r.status !== 0) throw new Error(`cluster.sh start failed (exit ${r.status}): ${r.stderr}${r.stdout}`);
  const pids = PID_FILES.map((f) => Number(fs.readFileSync(path.join(dir, f), "utf8").trim()));
  return { dir, conf: path.join(dir, "slurm.conf"), pids };
}

/**
 * Stops the cluster (its jobs cancelled, its daemons by pid) and removes its folder; returns the pids
 * still alive (none).
 */
export function stopCluster(cluster: TestCluster): number[] {
  spawnSync(SCRIPT, ["stop", cluster.dir], { encoding: "utf8" });
  fs.rmSync(cluster.dir, { recursive: true, force: true });
  return cluster.pids.filter((pid) => {
    try {
      // A zombie has ended: only its exit status waits to be read.
      return fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] !== "Z";
    } catch {
      return false;
    }
  });
}
