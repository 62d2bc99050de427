import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.join(__dirname, "../..");

function pomdp(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(ROOT, "src/bin.js"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("pomdp experiment", () => {
  it("names an unknown experiment and lists the known ones; refuses --workers 0", () => {
    const r = pomdp("experiment", "mlp-vs-gru");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      'pomdp: no experiment "mlp-vs-gru": not a file, nor experiments/mlp-vs-gru.ts; experiments: ',
    );
    expect(r.stderr).toMatch(/experiments: .*\bmlp-vs-lstm\b.*\bpixels-autoencoder\b/);
    const w = pomdp("experiment", "mlp-vs-lstm", "--workers", "0");
    expect(w.code).not.toBe(0);
    expect(w.stderr).toContain('expected an integer ≥ 1, got "0"');
  }, 60_000);
});
