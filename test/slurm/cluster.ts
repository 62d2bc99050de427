// The Slurm tests' cluster: test/slurm/cluster.sh started in a fresh folder and stopped by the pids it
// wrote; and why it cannot start here (not root, or Slurm not installed), for the tests to skip.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const SCRIPT = path.join(__dirname, "cluster.sh");

/** The daemons' pid files, relative to the cluster's folder (the last two with accounting only). */
const PID_FILES = ["slurmctld.pid", "slurmd.pid", "munge/munged.pid", "slurmdbd.pid", "mysql/mariadbd.pid"];

/**
 * Why a single-node cluster (with accounting: slurmdbd and MariaDB too) cannot be started on this
 * machine, or undefined when it can.
 */
export function clusterUnavailable(accounting = false): string | undefined {
  if (process.platform !== "linux") return "Slurm's daemons run on Linux only";
  if (process.getuid?.() !== 0) return "the cluster's daemons must start as root (CI runs as root)";
  const tools = ["munged", "slurmctld", "slurmd", "sbatch", "squeue", "scontrol", "scancel"];
  for (const tool of accounting ? [...tools, "slurmdbd", "mariadbd", "mariadb-install-db"] : tools) {
    if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) {
      const packages = accounting ? "slurm-wlm munge slurmdbd mariadb-server" : "slurm-wlm munge";
      return `${tool} is not installed (apt-get install ${packages}; .ci/run does)`;
    }
  }
  return undefined;
}

/** A running single-node cluster. */
export interface TestCluster {
  /** Its folder (config, state, logs, pid files). */
  dir: string;
  /** Its slurm.conf, for SLURM_CONF. */
  conf: string;
  /** The daemons' pids (slurmctld, slurmd, munged; slurmdbd and mariadbd with accounting). */
  pids: number[];
}

/**
 * Starts a cluster (with accounting: slurmdbd and MariaDB too) in a new folder on ports of its own;
 * throws with the script's output if it fails.
 */
export function startCluster(accounting = false): TestCluster {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pomdp-slurm-"));
  // Ports of its own, so that a cluster left by another test run does not answer instead.
  const port = 17000 + 8 * (process.pid % 1000) + (accounting ? 4 : 0);
  const r = spawnSync(SCRIPT, accounting ? ["start", dir, "--accounting"] : ["start", dir], {
    encoding: "utf8",
    env: { ...process.env, POMDP_SLURM_PORT: String(port) },
  });
  if (r.status !== 0) throw new Error(`cluster.sh start failed (exit ${r.status}): ${r.stderr}${r.stdout}`);
  const pids = PID_FILES.filter((f) => fs.existsSync(path.join(dir, f))).map((f) =>
    Number(fs.readFileSync(path.join(dir, f), "utf8").trim()),
  );
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
