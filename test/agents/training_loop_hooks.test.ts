// The training loop's hooks for runs without a run folder (the browser page's worker): onMetric hears
// exactly the lines metrics.jsonl gets, and trainingLoopAsync takes its turns through yieldTurn.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { PpoConfigSchema, trainPpoAsync } from "../../agents/ppo";
import { initBackend } from "../../src/nn";
import { validateConfig } from "../../src/train/config";
import { RunFolder } from "../../src/train/run_folder";
import { silentLogger } from "../nn/helpers";
import { registerTestEnvs } from "./helpers";

beforeAll(async () => {
  await initBackend("wasm", silentLogger);
  registerTestEnvs();
});

const config = () =>
  validateConfig(
    PpoConfigSchema,
    {
      numEnvs: 2,
      numSteps: 8,
      numMinibatches: 2,
      updateEpochs: 1,
      totalSteps: 64,
      evalEvery: 32,
      evalEpisodes: 2,
      net: { hidden: [8] },
    },
    "ppo",
  );

describe("training loop hooks", () => {
  it("onMetric hears every metrics.jsonl line; yieldTurn is the async loop's turn between updates", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "loop-hooks-"));
    try {
      const run = RunFolder.create(path.join(dir, "run"), { seed: 3 });
      const heard: string[] = [];
      let turns = 0;
      const result = await trainPpoAsync(config(), {
        envId: "TestCountdown-v0",
        seed: 3,
        run,
        onMetric: (line) => heard.push(JSON.stringify(line)),
        yieldTurn: async () => {
          turns++;
        },
      });
      run.close();
      result.net.dispose();
      const written = fs
        .readFileSync(path.join(dir, "run", "metrics.jsonl"), "utf8")
        .trim()
        .split("\n");
      expect(heard).toEqual(written);
      const types = new Set(heard.map((l) => JSON.parse(l).type));
      expect(types).toEqual(new Set(["episode", "update", "eval"]));
      expect(heard.filter((l) => JSON.parse(l).type === "update")).toHaveLength(4);
      expect(turns).toBe(3); // 4 updates: a turn after each but the last
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("without a run folder, onMetric still hears the same lines (the machine's figures aside)", async () => {
    const lines = async (withRun: boolean) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "loop-hooks-"));
      const run = withRun ? RunFolder.create(path.join(dir, "run"), { seed: 4 }) : undefined;
      const heard: Record<string, unknown>[] = [];
      const result = await trainPpoAsync(config(), {
        envId: "TestCountdown-v0",
        seed: 4,
        run,
        onMetric: (line) => {
          const { sps: _sps, rssMb: _rss, seconds: _seconds, ...rest } = line as Record<string, unknown>;
          heard.push(rest);
        },
      });
      run?.close();
      result.net.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
      return heard;
    };
    const withoutRun = await lines(false);
    expect(withoutRun.length).toBeGreaterThan(4);
    expect(withoutRun).toEqual(await lines(true));
  });
});
