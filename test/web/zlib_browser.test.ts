// The page's zlib (web/zlib_browser.ts): its crc32 is Node's, so checkpoints check the same in the browser.
import * as zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { crc32, gzipSync } from "../../web/zlib_browser";

describe("the browser's zlib", () => {
  it("computes Node's crc32 of bytes and strings, continuing from a value", () => {
    const bytes = Uint8Array.from({ length: 100_003 }, (_, i) => (i * 7919) % 251);
    expect(crc32(bytes)).toBe(zlib.crc32(bytes));
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32("hello")).toBe(zlib.crc32("hello"));
    expect(crc32(bytes.subarray(500), crc32(bytes.subarray(0, 500)))).toBe(zlib.crc32(bytes));
  });

  it("names what it does not have", () => {
    expect(() => gzipSync()).toThrow("zlib.gzipSync is not available in the browser (src/web/build.ts)");
  });
});
