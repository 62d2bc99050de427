// The live progress of `pomdp experiment`: plain lines of each running run among the runner's own,
// read from the run folders whatever the executor; and the command's output with it.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { formatDuration, makeExperimentProgress, PlainProgress } from "../../src/cli/experiment_progress";
import { defineExperiment, type Executor, runExperiment } from "../../src/train/experiment";
import { pomdp } from "./helpers";

const spec = defineExperiment({
  name: "progress",
  question: "Does the progress show?",
  agents: [{ id: "a", label: "A", args: [] }],
  envs: [{ id: "CartPole-v1" }, { id: "TMaze-v0", metric: "successRate", steps: 400 }],
  steps: 1000,
  seeds: 1,
  compare: [],
  evalEpisodes: 2,
});

/**
 * An executor that runs nothing: `train` writes the run folder a run would, showing the progress
 * halfway (as a timer would), and `eval` writes eval.json. Standing in for a remote executor: the
 * progress only sees the run folders.
 */
class FolderExecutor implements Executor {
  readonly concurrency = 1;
  constructor(private readonly halfway: () => void) {}

  async run(args: string[]): Promise<string> {
    const out = args[args.indexOf("--out") + 1];
    if (args[0] === "train") {
      fs.mkdirSync(out, { recursive: true });
      const steps = Number(args[args.indexOf("--steps") + 1]);
      const metrics = path.join(out, "metrics.jsonl");
      this.halfway(); // before the first line: "no metrics yet"
      const lines = [
        { type: "episode", step: 100, return: 10, length: 100 },
        { type: "episode", step: 300, return: 20, length: 200 },
        { type: "update", step: steps / 2, sps: 500 },
      ];
      fs.writeFileSync(metrics, lines.map((l) => `${JSON.stringify(l)}\n`).join(""));
      this.halfway();
      fs.writeFileSync(path.join(out, "summary.json"), JSON.stringify({ steps, sps: 500, parameters: 7 }));
    } else {
      fs.writeFileSync(out, JSON.stringify({ returns: [1, 0], returnMean: 0.5 }));
    }
    return "";
  }
}

describe("PlainProgress in the runner", () => {
  it("prints a line per running run when ticked, among the done lines, and nothing of runs that ended", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "exp-progress-"));
    try {
      const lines: string[] = [];
      const progress = new PlainProgress((l) => lines.push(l), 0);
      await runExperiment(spec, {
        out,
        executor: new FolderExecutor(() => progress.tick()),
        command: "test",
        quick: false,
        log: (l) => progress.log(l),
        listener: progress,
      });
      progress.tick();
      progress.stop();
      expect(lines).toEqual([
        "run    a--CartPole-v1--s1: no metrics yet",
        "run    a--CartPole-v1--s1: 500/1,000 steps, return(2) 15.00, 500 SPS",
        "done   a--CartPole-v1--s1: score 0.5 (500 SPS)",
        "run    a--TMaze-v0--s1: no metrics yet",
        "run    a--TMaze-v0--s1: 300/400 steps, success(2) 1.00, 500 SPS",
        "done   a--TMaze-v0--s1: score 0.5 (500 SPS)",
      ]);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it("draws a bar per running run on a terminal, with the done lines above the bars", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "exp-bars-"));
    try {
      let drawn = "";
      const stream = Object.assign(
        new Writable({
          write(chunk, _encoding, done) {
            drawn += chunk;
            done();
          },
        }),
        { isTTY: true, columns: 200 },
      ) as unknown as NodeJS.WriteStream;
      // A poll interval longer than the test: the executor's ticks are the only polls.
      const progress = makeExperimentProgress({ tty: true, everySeconds: 30, stream, pollMs: 600_000 });
      await runExperiment(spec, {
        out,
        executor: new FolderExecutor(() => progress.tick()),
        command: "test",
        quick: false,
        log: (l) => progress.log(l),
        listener: progress,
      });
      progress.stop();
      // The cursor moves (ESC [ …) as line breaks: what is left is the text drawn.
      const text = drawn.replace(new RegExp(`${String.fromCharCode(27)}\\[[\\d;?]*[A-Za-z]`, "g"), "\n");
      expect(text).toContain(
        "a--CartPole-v1--s1 ========-------- 500/1,000 steps | ETA 1s | return(2) 15.00 | 500 SPS",
      );
      expect(text).toContain("0/1,000 steps | ETA – | return – | – SPS");
      const done = text.indexOf("done   a--CartPole-v1--s1: score 0.5 (500 SPS)");
      expect(done).toBeGreaterThan(-1);
      expect(text.indexOf("done   a--TMaze-v0--s1: score 0.5 (500 SPS)")).toBeGreaterThan(done);
      expect(text.trimEnd().split("\n").pop()).toMatch(/^experiment +\S+ 2\/2 runs done$/);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it("formats an ETA in seconds, minutes or hours", () => {
    expect([0.4, 42, 200, 7500].map(formatDuration)).toEqual(["0s", "42s", "3m 20s", "2h 05m"]);
  });
});

describe("pomdp experiment's progress", () => {
  it("refuses a bad --progress-every in one pomdp: line", () => {
    const r = pomdp("experiment", "test/cli/fixtures/tiny_experiment.ts", "--progress-every", "-1");
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `pomdp: option '--progress-every <seconds>' argument '-1' is invalid. expected a number ≥ 0, got "-1"\n`,
    );
  });

  it("prints the done lines, plain progress lines (not a terminal) and the report's path once", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "exp-progress-cli-"));
    try {
      const out = path.join(dir, "results");
      const r = pomdp(
        "experiment",
        "test/cli/fixtures/tiny_experiment.ts",
        "--workers",
        "1",
        "--out",
        out,
        "--progress-every",
        "0.5",
      );
      expect(r.stderr).not.toContain("failed");
      expect(r.code).toBe(0);
      const html = path.join(out, "report.html");
      expect(r.stdout).toBe(`${html}\n`);
      expect(`${r.stdout}${r.stderr}`.split(html).length - 1).toBe(1);
      expect(r.stderr).toMatch(/^done {3}mlp--CartPole-v1--s1: score [\d.]+ \(\d+ SPS\)$/m);
      // How many progress lines a seconds-long run gets depends on the machine; their form does not.
      for (const line of r.stderr.split("\n").filter((l) => l.startsWith("run ")))
        expect(line).toMatch(
          /^run {4}mlp--CartPole-v1--s1: (no metrics yet|[\d,]+\/128 steps, return(\(\d+\) [\d.-]+| –)(, [\d,]+ SPS)?)$/,
        );
      // No bar drawn: no cursor movement in a log.
      expect(r.stderr).not.toContain("\u001b[");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
