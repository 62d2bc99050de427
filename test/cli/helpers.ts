// What the spawned-CLI tests share: `pomdp <args>` run as a user runs it, from the repository root.
import { spawnSync } from "node:child_process";
import * as path from "node:path";

/** The repository root (the working folder of the spawned commands). */
export const ROOT = path.join(__dirname, "../..");

/** Runs `pomdp <args>` (src/bin.js) to the end; its exit code and output. */
export function pomdp(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  return node(path.join(ROOT, "src/bin.js"), ...args);
}

/** Runs `npx ts-node <file> <args>` to the end, as a user runs a script; its exit code and output. */
export function tsNode(
  file: string,
  ...args: string[]
): { code: number | null; stdout: string; stderr: string } {
  return node(path.join(ROOT, "node_modules/ts-node/dist/bin.js"), file, ...args);
}

function node(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, args, {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, POMDP_LOG_LEVEL: "warn" },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
