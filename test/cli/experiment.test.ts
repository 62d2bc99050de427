import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { pomdp, ROOT, tsNode } from "./helpers";

describe("pomdp experiment", () => {
  it("names an unknown experiment and lists the known ones; refuses --workers 0", () => {
    const r = pomdp("experiment", "mlp-vs-gru");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      'pomdp: no experiment "mlp-vs-gru": not a file, nor experiments/mlp-vs-gru.ts; experiments: ',
    );
    expect(r.stderr).toMatch(/experiments: .*\bmlp-vs-lstm\b.*\bpixels-autoencoder\b/);
    const file = pomdp("experiment", "mine/nothere.ts");
    expect(file.code).not.toBe(0);
    expect(file.stderr).toContain(
      'pomdp: no experiment "mine/nothere.ts": not a file, nor experiments/mine/nothere.ts; experiments: ',
    );
    const w = pomdp("experiment", "mlp-vs-lstm", "--workers", "0");
    expect(w.code).not.toBe(0);
    expect(w.stderr).toContain('expected an integer ≥ 1, got "0"');
  }, 60_000);
});

describe("pomdp experiment with a run that fails", () => {
  it("fails a run whose env cannot be made before it trains; exits 1 naming each failed run and why; evaluates a user env's run with the module it recorded", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "exp-failing-"));
    try {
      const out = path.join(dir, "results");
      const r = pomdp(
        "experiment",
        "test/cli/fixtures/failing_experiment.ts",
        "--workers",
        "1",
        "--out",
        out,
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        "1 of 3 runs failed:\n" +
          '  mlp--NoSuchEnv-v0--s1: before training, its env cannot be made: No env registered with id "NoSuchEnv-v0". (`pomdp envs` lists them all)\n',
      );
      // It failed before its training started: no run folder.
      expect(fs.existsSync(path.join(out, "runs", "mlp--NoSuchEnv-v0--s1"))).toBe(false);
      const scores = JSON.parse(fs.readFileSync(path.join(out, "scores.json"), "utf8"));
      expect(scores.map((s: { run: string; status: string }) => `${s.run} ${s.status}`)).toEqual([
        "runs/mlp--CartPole-v1--s1 done",
        "runs/mlp--NoSuchEnv-v0--s1 failed",
        "runs/mlp--RememberBit-v0--s1 done",
      ]);
      // The user env's run, read again by the commands that read runs, without --require: each loads
      // the module the run recorded (its resume is tested in run_modules.test.ts).
      const run = path.join(out, "runs", "mlp--RememberBit-v0--s1");
      const evaluated = pomdp("eval", run, "--episodes", "3");
      expect(evaluated.stderr).toBe("");
      expect(evaluated.code).toBe(0);
      expect(JSON.parse(evaluated.stdout)).toMatchObject({ episodes: 3, envId: "RememberBit-v0" });
      const gif = path.join(dir, "episode.gif");
      const recorded = pomdp("record", run, "--out", gif);
      expect(recorded.code).toBe(0);
      expect(fs.readFileSync(gif).subarray(0, 6).toString()).toBe("GIF89a");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

const TINY_SCRIPT = path.join(ROOT, "test/cli/fixtures/tiny_experiment.ts");

describe("an experiment file run as a script (npx ts-node experiments/<name>.ts)", () => {
  it("runs its grid and report like pomdp experiment, and checks its flags the same way", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "exp-script-"));
    try {
      const file = TINY_SCRIPT;
      const out = path.join(dir, "results");
      const bad = tsNode(file, "--workers", "0", "--out", out);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('expected an integer ≥ 1, got "0"');
      expect(fs.existsSync(out)).toBe(false);

      const r = tsNode(file, "--workers", "1", "--out", out);
      expect(r.stderr).not.toContain("failed");
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(path.join(out, "report.html"));
      const scores = JSON.parse(fs.readFileSync(path.join(out, "scores.json"), "utf8"));
      expect(scores.map((s: { run: string; status: string }) => `${s.run} ${s.status}`)).toEqual([
        "runs/mlp--CartPole-v1--s1 done",
      ]);
      const experiment = JSON.parse(fs.readFileSync(path.join(out, "experiment.json"), "utf8"));
      expect(experiment.command).toBe(
        `npx ts-node test/cli/fixtures/tiny_experiment.ts --workers 1 --out ${out}`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
