// The incremental reader behind the experiment's progress: only new bytes, whole lines, restarts seen.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LineTail } from "../../src/train/line_tail";

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "tail-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("LineTail", () => {
  it("has no lines until the file exists, then only the lines appended since the last read", () => {
    const file = path.join(dir, "metrics.jsonl");
    const tail = new LineTail(file);
    expect(tail.read()).toEqual({ lines: [], reset: false });
    expect(tail.read()).toEqual({ lines: [], reset: false });
    fs.writeFileSync(file, "a\nb\n");
    expect(tail.read()).toEqual({ lines: ["a", "b"], reset: false });
    expect(tail.read()).toEqual({ lines: [], reset: false });
    fs.appendFileSync(file, "c\n");
    expect(tail.read()).toEqual({ lines: ["c"], reset: false });
  });

  it("keeps a partial last line until its newline is written, even one cut inside a character", () => {
    const file = path.join(dir, "metrics.jsonl");
    const tail = new LineTail(file);
    fs.writeFileSync(file, '{"type":"epi');
    expect(tail.read().lines).toEqual([]);
    const rest = Buffer.from('sode","note":"é"}\n{"x"', "utf8");
    const cut = rest.indexOf(0xc3) + 1; // between the two bytes of "é"
    fs.appendFileSync(file, rest.subarray(0, cut));
    expect(tail.read().lines).toEqual([]);
    fs.appendFileSync(file, rest.subarray(cut));
    expect(tail.read().lines).toEqual(['{"type":"episode","note":"é"}']);
    fs.appendFileSync(file, ":1}\n\n");
    expect(tail.read().lines).toEqual(['{"x":1}', ""]);
  });

  it("starts again from the first byte when the file is cut shorter (a resume) or replaced (a restart)", () => {
    const file = path.join(dir, "metrics.jsonl");
    const tail = new LineTail(file);
    fs.writeFileSync(file, "one\ntwo\nthree\n");
    expect(tail.read().lines).toEqual(["one", "two", "three"]);
    fs.truncateSync(file, 4);
    fs.appendFileSync(file, "2\n");
    expect(tail.read()).toEqual({ lines: ["one", "2"], reset: true });
    // A restarted run's folder is removed and made again: a new file, maybe as long as the old one
    // (and on the same inode).
    fs.rmSync(file);
    expect(tail.read()).toEqual({ lines: [], reset: false });
    fs.writeFileSync(file, "a new run\n");
    expect(tail.read()).toEqual({ lines: ["a new run"], reset: true });
  });
});
