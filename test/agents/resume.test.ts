// Resuming through the library: a run stopped by shouldStop and resumed in process equals one run
// straight through; checkpoint folders are swapped atomically.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { PpoConfigSchema, trainPpo } from "../../agents/ppo";
import { readTrainCheckpoint } from "../../agents/train_checkpoint";
import { TrainingInterrupted } from "../../agents/training_loop";
import { initBackend } from "../../src/nn";
import { validateConfig } from "../../src/train/config";
import { RunFolder, recoverFolder, writeFolderAtomic } from "../../src/train/run_folder";
import { silentLogger } from "../nn/helpers";

beforeAll(async () => {
  await initBackend("wasm", silentLogger);
});

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "resume-api-"));

const configWith = (net: Record<string, unknown>) =>
  validateConfig(
    PpoConfigSchema,
    {
      totalSteps: 1280,
      numEnvs: 4,
      numSteps: 16,
      numMinibatches: 2,
      updateEpochs: 2,
      net: { hidden: [8], ...net },
      frameStack: 2,
      normalizeObservation: true,
      normalizeReward: true,
    },
    "ppo",
  );
const config = configWith({});

function lines(dir: string): unknown[] {
  return fs
    .readFileSync(path.join(dir, "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => {
      const { sps: _s, rssMb: _r, ...rest } = JSON.parse(l);
      return rest;
    });
}

describe("resume in process", () => {
  const variants: [string, Record<string, unknown>][] = [
    ["no memory", {}],
    ["a GRU (its state h alone in the checkpoint)", { memory: "gru", memorySize: 4 }],
    ["an RNN", { memory: "rnn", memorySize: 4 }],
  ];
  for (const [name, net] of variants)
    it(`stop after update 7, resume: the same metrics and weights as one straight run (${name})`, () => {
      const config = configWith(net);
      const straightDir = path.join(tmp(), "straight");
      const straight = RunFolder.create(straightDir, {});
      const ctx = { envId: "TMaze-v0", seed: 4 };
      trainPpo(config, { ...ctx, run: straight, checkpointEvery: 3 }).net.dispose();
      straight.close();
      expect(fs.existsSync(path.join(straightDir, "checkpoint"))).toBe(false);

      const stoppedDir = path.join(tmp(), "stopped");
      const first = RunFolder.create(stoppedDir, {});
      let updates = 0;
      let thrown: unknown;
      try {
        trainPpo(config, {
          ...ctx,
          run: first,
          checkpointEvery: 3,
          onUpdate: () => updates++,
          shouldStop: () => updates >= 7,
        });
      } catch (err) {
        thrown = err;
      }
      first.close();
      expect(thrown).toBeInstanceOf(TrainingInterrupted);
      expect(thrown).toMatchObject({ update: 7, numUpdates: 20, step: 7 * 64 });
      expect(readTrainCheckpoint(stoppedDir)).toMatchObject({ update: 7, step: 7 * 64 });
      // Lines written after the checkpoint (as a crash would leave them) are cut by the resume.
      fs.appendFileSync(
        path.join(stoppedDir, "metrics.jsonl"),
        '{"type":"episode","step":1,"return":0,"length":1}\n',
      );

      const second = RunFolder.reopen(stoppedDir);
      const result = trainPpo(config, { ...ctx, run: second, resume: true });
      second.close();
      expect(result.summary.steps).toBe(1280);
      result.net.dispose();
      expect(lines(stoppedDir)).toEqual(lines(straightDir));
      expect(fs.readFileSync(path.join(stoppedDir, "final/weights.bin"))).toEqual(
        fs.readFileSync(path.join(straightDir, "final/weights.bin")),
      );
    }, 120_000);

  it("a resume of another config is refused", () => {
    const dir = path.join(tmp(), "run");
    const run = RunFolder.create(dir, {});
    let n = 0;
    expect(() =>
      trainPpo(config, { envId: "TMaze-v0", seed: 1, run, onUpdate: () => n++, shouldStop: () => n >= 2 }),
    ).toThrow(TrainingInterrupted);
    run.close();
    const again = RunFolder.reopen(dir);
    expect(() => trainPpo(config, { envId: "TMaze-v0", seed: 2, run: again, resume: true })).toThrow(
      /checkpoint .* is of ppo on TMaze-v0 seed 1, not ppo on TMaze-v0 seed 2/,
    );
    expect(() =>
      trainPpo({ ...config, totalSteps: 2560 }, { envId: "TMaze-v0", seed: 1, run: again, resume: true }),
    ).toThrow(/is of a run of 20 updates, but the config gives 40/);
    again.close();
  }, 60_000);

  it("writeFolderAtomic replaces a folder whole; recoverFolder finishes an interrupted swap", () => {
    const dir = path.join(tmp(), "checkpoint");
    writeFolderAtomic(dir, (t) => fs.writeFileSync(path.join(t, "a"), "1"));
    writeFolderAtomic(dir, (t) => fs.writeFileSync(path.join(t, "b"), "2"));
    expect(fs.readdirSync(dir)).toEqual(["b"]);
    expect(fs.existsSync(`${dir}.tmp`) || fs.existsSync(`${dir}.old`)).toBe(false);
    // A crash between the two renames leaves only <dir>.old.
    fs.renameSync(dir, `${dir}.old`);
    recoverFolder(dir);
    expect(fs.readdirSync(dir)).toEqual(["b"]);
    // A crash while writing leaves <dir>.tmp half written: the next write starts it afresh.
    fs.mkdirSync(`${dir}.tmp`);
    fs.writeFileSync(path.join(`${dir}.tmp`, "half"), "");
    writeFolderAtomic(dir, (t) => fs.writeFileSync(path.join(t, "c"), "3"));
    expect(fs.readdirSync(dir)).toEqual(["c"]);
  });
});
