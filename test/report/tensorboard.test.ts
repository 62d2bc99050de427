// `pomdp export-tb`: the events files are decoded here independently of src/report/tfevents.ts (a
// bitwise CRC32C, a generic protobuf reader) and compared with the metrics.jsonl lines they came from.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { exportTb } from "../../src/report/tensorboard";
import { crc32c } from "../../src/report/tfevents";
import { pomdp } from "../cli/helpers";
import { makeResultsFolder } from "./results_fixture";

/** CRC32C bit by bit (no table), so the test does not share the writer's code. */
function crc32cBitwise(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function masked(bytes: Uint8Array): number {
  const crc = crc32cBitwise(bytes);
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}

/** The records of a TFRecord file, each checked against both of its CRCs. */
function readRecords(file: string): Buffer[] {
  const bytes = fs.readFileSync(file);
  const records: Buffer[] = [];
  let at = 0;
  while (at < bytes.length) {
    const length = Number(bytes.readBigUInt64LE(at));
    expect(bytes.readUInt32LE(at + 8)).toBe(masked(bytes.subarray(at, at + 8)));
    const data = bytes.subarray(at + 12, at + 12 + length);
    expect(bytes.readUInt32LE(at + 12 + length)).toBe(masked(data));
    records.push(data);
    at += 12 + length + 4;
  }
  expect(at).toBe(bytes.length);
  return records;
}

type Field = { field: number; varint?: bigint; fixed64?: Buffer; fixed32?: Buffer; bytes?: Buffer };

/** The fields of a protobuf message, in order (wire types 0, 1, 2 and 5). */
function protoFields(msg: Buffer): Field[] {
  const fields: Field[] = [];
  let at = 0;
  const readVarint = (): bigint => {
    let value = 0n;
    let shift = 0n;
    for (;;) {
      const byte = msg[at++];
      value |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
      if ((byte & 0x80) === 0) return value;
    }
  };
  while (at < msg.length) {
    const key = Number(readVarint());
    const field = key >> 3;
    const wire = key & 7;
    const take = (n: number): Buffer => {
      at += n;
      return msg.subarray(at - n, at);
    };
    if (wire === 0) fields.push({ field, varint: readVarint() });
    else if (wire === 1) fields.push({ field, fixed64: take(8) });
    else if (wire === 5) fields.push({ field, fixed32: take(4) });
    else if (wire === 2) fields.push({ field, bytes: take(Number(readVarint())) });
    else throw new Error(`wire type ${wire}`);
  }
  return fields;
}

interface DecodedEvent {
  wallTime: number;
  step: number;
  fileVersion?: string;
  values: { tag: string; value: number }[];
}

/** An `Event` (tensorflow/core/util/event.proto) with its summary's simple values. */
function decodeEvent(data: Buffer): DecodedEvent {
  const event: DecodedEvent = { wallTime: Number.NaN, step: 0, values: [] };
  for (const f of protoFields(data)) {
    if (f.field === 1 && f.fixed64) event.wallTime = f.fixed64.readDoubleLE(0);
    else if (f.field === 2 && f.varint !== undefined) event.step = Number(BigInt.asIntN(64, f.varint));
    else if (f.field === 3 && f.bytes) event.fileVersion = f.bytes.toString("utf8");
    else if (f.field === 5 && f.bytes) {
      for (const v of protoFields(f.bytes)) {
        expect(v.field).toBe(1);
        const parts = protoFields(v.bytes as Buffer);
        const tag = parts.find((p) => p.field === 1)?.bytes?.toString("utf8") as string;
        const value = parts.find((p) => p.field === 2)?.fixed32?.readFloatLE(0) as number;
        event.values.push({ tag, value });
      }
    } else throw new Error(`unexpected Event field ${f.field}`);
  }
  return event;
}

function readEvents(file: string): DecodedEvent[] {
  return readRecords(file).map(decodeEvent);
}

const MTIME = 1_796_000_000; // seconds: the wall time of lines without `time`
const NOW = new Date(1_796_100_000_000);

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "pomdp-tb-"));
}

/** A run folder whose metrics.jsonl holds `lines` (and `tail` verbatim after them), modified at MTIME. */
function makeRun(lines: object[], tail = ""): string {
  const run = path.join(tempDir(), "ppo--TMaze-v0--s1");
  fs.mkdirSync(run);
  const file = path.join(run, "metrics.jsonl");
  fs.writeFileSync(file, `${lines.map((l) => JSON.stringify(l)).join("\n")}\n${tail}`);
  fs.utimesSync(file, MTIME, MTIME);
  return run;
}

describe("crc32c", () => {
  it("gives the standard check value of '123456789'", () => {
    const bytes = Buffer.from("123456789", "ascii");
    expect(crc32c(bytes)).toBe(0xe3069283);
    expect(crc32cBitwise(bytes)).toBe(0xe3069283);
  });
});

describe("pomdp export-tb", () => {
  it("writes every numeric field of every line as a scalar at its env step, in step order", () => {
    const run = makeRun(
      [
        { type: "episode", step: 12, return: 1, length: 6 },
        { type: "episode", step: 12, return: -1, length: 6, success: false },
        {
          type: "update",
          step: 128,
          sps: 226,
          policyLoss: -0.0006462002026695474,
          tdLoss: null,
          note: "text",
          nested: { a: 1 },
          learningRate: 0.00025,
          rssMb: 153,
        },
        { type: "episode", step: 140, return: 0.5, length: 9, success: true, time: 1_796_000_500.25 },
        // An eval line appended after later lines: placed by its step.
        { type: "eval", step: 100, return: 0.75, time: "2026-12-01T00:00:00.000Z" },
        { type: "update", step: 256, sps: "n/a" }, // nothing numeric: no event
        { step: 300, return: 9 }, // no type: not a metric line
      ],
      '{"type":"episode","step":400,"ret', // the torn last line of a stopped run
    );
    const { written, skipped } = exportTb(run, { now: NOW, host: "testhost" });
    expect(skipped).toEqual([]);
    const file = path.join(run, "tb", "events.out.tfevents.1796100000.testhost");
    expect(written).toEqual([{ run, file, scalars: 13 }]);

    const events = readEvents(file);
    expect(events[0]).toEqual({ wallTime: MTIME, step: 0, fileVersion: "brain.Event:2", values: [] });
    const f = Math.fround;
    expect(events.slice(1)).toEqual([
      {
        wallTime: MTIME,
        step: 12,
        values: [
          { tag: "episode/return", value: 1 },
          { tag: "episode/length", value: 6 },
        ],
      },
      {
        wallTime: MTIME,
        step: 12,
        values: [
          { tag: "episode/return", value: -1 },
          { tag: "episode/length", value: 6 },
          { tag: "episode/success", value: 0 },
        ],
      },
      {
        wallTime: Date.parse("2026-12-01T00:00:00.000Z") / 1000,
        step: 100,
        values: [{ tag: "eval/return", value: 0.75 }],
      },
      {
        wallTime: MTIME,
        step: 128,
        values: [
          { tag: "train/sps", value: 226 },
          { tag: "train/policyLoss", value: f(-0.0006462002026695474) },
          { tag: "train/learningRate", value: f(0.00025) },
          { tag: "train/rssMb", value: 153 },
        ],
      },
      {
        wallTime: 1_796_000_500.25,
        step: 140,
        values: [
          { tag: "episode/return", value: 0.5 },
          { tag: "episode/length", value: 9 },
          { tag: "episode/success", value: 1 },
        ],
      },
    ]);
  });

  it("replaces the events file of an earlier export instead of adding a second", () => {
    const run = makeRun([{ type: "episode", step: 5, return: 2, length: 5 }]);
    exportTb(run, { now: new Date(1_000_000_000_000), host: "h" });
    const { written } = exportTb(run, { now: NOW, host: "h" });
    expect(fs.readdirSync(path.join(run, "tb"))).toEqual([path.basename(written[0].file)]);
    expect(readEvents(written[0].file).slice(1)).toEqual([
      {
        wallTime: MTIME,
        step: 5,
        values: [
          { tag: "episode/return", value: 2 },
          { tag: "episode/length", value: 5 },
        ],
      },
    ]);
  });

  it("exports every run of a results folder into one folder per run, skipping runs without metrics", () => {
    const results = makeResultsFolder();
    fs.mkdirSync(path.join(results, "runs", "mlp--Failed-v0--s1")); // a run that wrote nothing
    // A run whose results folder kept only the gzipped episode lines (as committed results do).
    const gzRun = path.join(results, "runs", "mlp--Gz-v0--s1");
    fs.mkdirSync(gzRun);
    const gzLines = [
      { type: "episode", step: 10, return: 3, length: 10 },
      { type: "episode", step: 20, return: 4, length: 10 },
    ];
    fs.writeFileSync(
      path.join(gzRun, "episodes.jsonl.gz"),
      zlib.gzipSync(gzLines.map((l) => `${JSON.stringify(l)}\n`).join("")),
    );

    const { written, skipped } = exportTb(results, { now: NOW, host: "h" });
    expect(skipped).toEqual([path.join(results, "runs", "mlp--Failed-v0--s1")]);
    const runNames = fs.readdirSync(path.join(results, "runs")).filter((n) => n !== "mlp--Failed-v0--s1");
    expect(written.map((w) => path.relative(results, w.file)).sort()).toEqual(
      runNames.map((n) => path.join("tb", n, "events.out.tfevents.1796100000.h")).sort(),
    );

    // A fixture run: 100 episode lines (return, length) and one update line (loss).
    const one = "lstm--TMaze-v0--s2";
    const lines = fs
      .readFileSync(path.join(results, "runs", one, "metrics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const exported = written.find((w) => w.run === path.join(results, "runs", one));
    expect(exported?.scalars).toBe(201);
    const events = readEvents(exported?.file as string).slice(1);
    expect(events.map((e) => e.step)).toEqual(lines.map((l) => l.step));
    for (const [i, line] of lines.entries()) {
      const expected =
        line.type === "episode"
          ? [
              { tag: "episode/return", value: Math.fround(line.return) },
              { tag: "episode/length", value: line.length },
            ]
          : [{ tag: "train/loss", value: Math.fround(line.loss) }];
      expect(events[i].values).toEqual(expected);
    }

    const gz = written.find((w) => w.run === gzRun);
    expect(readEvents(gz?.file as string).map((e) => [e.step, e.values.map((v) => v.value)])).toEqual([
      [0, []],
      [10, [3, 10]],
      [20, [4, 10]],
    ]);
  });

  it("writes into --out, one folder per run name", () => {
    const run = makeRun([{ type: "update", step: 64, sps: 100, entropy: 0.69 }]);
    const out = tempDir();
    const { written } = exportTb(run, { out, now: NOW, host: "h" });
    expect(written[0].file).toBe(path.join(out, "ppo--TMaze-v0--s1", "events.out.tfevents.1796100000.h"));
    expect(fs.existsSync(path.join(run, "tb"))).toBe(false);
  });

  it("names a path that is neither a run nor a results folder, and what was expected", () => {
    const empty = tempDir();
    expect(() => exportTb(empty)).toThrow(
      `${empty} is neither a run folder (with metrics.jsonl) nor a results folder (with experiment.json and runs/)`,
    );
    const missing = path.join(empty, "missing");
    expect(() => exportTb(missing)).toThrow(
      `${missing}: no such folder; expected a run folder (with metrics.jsonl) or a results folder (with experiment.json and runs/)`,
    );
    fs.writeFileSync(path.join(empty, "experiment.json"), "{}");
    fs.mkdirSync(path.join(empty, "runs"));
    expect(() => exportTb(empty)).toThrow(
      `${path.join(empty, "runs")} holds no run folder with metrics.jsonl`,
    );
  });

  it("runs from the command line: one line per run, and one pomdp: error for a bad path", () => {
    const run = makeRun([{ type: "episode", step: 3, return: 1, length: 3 }]);
    const ok = pomdp("export-tb", run);
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    const [name] = fs.readdirSync(path.join(run, "tb"));
    expect(ok.stdout).toBe(`${path.join(run, "tb", name)}  2 scalars\n`);

    const bad = tempDir();
    const failed = pomdp("export-tb", bad);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toBe("");
    expect(failed.stderr).toBe(
      `pomdp: ${bad} is neither a run folder (with metrics.jsonl) nor a results folder (with experiment.json and runs/)\n`,
    );
    expect(pomdp("--help").stdout).toMatch(/^\s+export-tb\b/m);
  });
});
