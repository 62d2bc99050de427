// A running run's progress as the experiment shows it: read from its metrics.jsonl as it grows.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatRunLine, RunProgress, type RunSnapshot } from "../../src/train/run_progress";

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "progress-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const episode = (step: number, ret: number) =>
  `${JSON.stringify({ type: "episode", step, return: ret, length: 5 })}\n`;
const update = (step: number, sps: number) =>
  `${JSON.stringify({ type: "update", step, sps, loss: 0.1, phase: "ppo" })}\n`;

describe("RunProgress", () => {
  it("follows metrics.jsonl as it grows: latest step, SPS of the last update, mean of the last 20 returns", () => {
    const run = path.join(dir, "mlp--CartPole-v1--s1");
    const progress = new RunProgress({
      name: "mlp--CartPole-v1--s1",
      dir: run,
      totalSteps: 50_000,
      metric: "finalReturn",
    });
    progress.poll(); // the run folder is not made yet
    expect(progress.snapshot()).toMatchObject({ started: false, step: 0, episodes: 0, sps: undefined });
    expect(progress.snapshot().mean).toBeNaN();
    fs.mkdirSync(run);
    const file = path.join(run, "metrics.jsonl");
    fs.writeFileSync(file, episode(10, 1) + episode(20, 3));
    progress.poll();
    expect(progress.snapshot()).toMatchObject({ started: true, step: 20, episodes: 2, mean: 2 });
    // 25 more episodes (returns 100 … 124) and an update; the last line still being written.
    let lines = "";
    for (let i = 0; i < 25; i++) lines += episode(100 + i, 100 + i);
    fs.appendFileSync(file, `${lines}${update(12_288, 2_100.4)}{"type":"episode","step":13000,`);
    progress.poll();
    // The last 20: returns 105 … 124.
    expect(progress.snapshot()).toMatchObject({ step: 12_288, episodes: 20, mean: 114.5, sps: 2_100.4 });
    expect(formatRunLine(progress.snapshot())).toBe(
      "run    mlp--CartPole-v1--s1: 12,288/50,000 steps, return(20) 114.50, 2,100 SPS",
    );
    fs.appendFileSync(file, `"return":0,"length":3}\n`);
    progress.poll();
    expect(progress.snapshot()).toMatchObject({ step: 13_000, episodes: 20, mean: 109.25 });
  });

  it("scores a success-rate env by success (return above successAbove), and starts over when the run does", () => {
    const run = path.join(dir, "lstm--TMaze-v0--s2");
    fs.mkdirSync(run);
    const file = path.join(run, "metrics.jsonl");
    fs.writeFileSync(
      file,
      episode(4, 1) + episode(8, 0.5) + episode(12, -1) + episode(16, 0.9) + update(16, 80),
    );
    const progress = new RunProgress({
      name: "lstm--TMaze-v0--s2",
      dir: run,
      totalSteps: 1000,
      metric: "successRate",
      successAbove: 0.6,
    });
    progress.poll();
    expect(progress.snapshot()).toMatchObject({ step: 16, episodes: 4, mean: 0.5, sps: 80 });
    expect(formatRunLine(progress.snapshot())).toBe(
      "run    lstm--TMaze-v0--s2: 16/1,000 steps, success(4) 0.50, 80 SPS",
    );
    // Resumed from a checkpoint: metrics.jsonl is cut back to the checkpoint's lines, then grows again.
    fs.truncateSync(file, Buffer.byteLength(episode(4, 1)));
    fs.appendFileSync(file, episode(6, 0));
    progress.poll();
    expect(progress.snapshot()).toMatchObject({ step: 6, episodes: 2, mean: 0.5, sps: undefined });
  });
});

describe("formatRunLine", () => {
  const base: RunSnapshot = {
    name: "lstm--TMaze-v0--s1",
    totalSteps: 50_000,
    metric: "finalReturn",
    started: true,
    step: 12_288,
    episodes: 20,
    mean: 0.4512,
    sps: 2_099.6,
  };
  it("says the step of the budget, the rolling score over the episodes it is of, and the speed when known", () => {
    expect(formatRunLine(base)).toBe(
      "run    lstm--TMaze-v0--s1: 12,288/50,000 steps, return(20) 0.45, 2,100 SPS",
    );
    expect(formatRunLine({ ...base, sps: undefined, episodes: 3, mean: -12.345 })).toBe(
      "run    lstm--TMaze-v0--s1: 12,288/50,000 steps, return(3) -12.35",
    );
    expect(formatRunLine({ ...base, step: 64, episodes: 0, mean: Number.NaN })).toBe(
      "run    lstm--TMaze-v0--s1: 64/50,000 steps, return –, 2,100 SPS",
    );
    expect(
      formatRunLine({ ...base, started: false, step: 0, episodes: 0, mean: Number.NaN, sps: undefined }),
    ).toBe("run    lstm--TMaze-v0--s1: no metrics yet");
  });
});
