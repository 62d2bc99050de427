import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import { threadCpuMs } from "../../src/nn/bench";

describe("threadCpuMs (the bench's CPU time per thread)", () => {
  it.skipIf(!fs.existsSync("/proc/self/task"))(
    "counts a busy loop on the main thread, not on the others",
    () => {
      const before = threadCpuMs()!;
      const start = performance.now();
      let x = 0;
      while (performance.now() - start < 300) x += Math.sqrt(x + 1);
      const after = threadCpuMs()!;
      expect(x).toBeGreaterThan(0);
      // 300 ms of wall time on the main thread: at least some ticks of it even on a busy machine.
      expect(after.main - before.main).toBeGreaterThan(0);
      expect(after.main - before.main).toBeLessThanOrEqual(400);
      expect(after.other).toBeGreaterThanOrEqual(before.other);
    },
  );

  it.skipIf(fs.existsSync("/proc/self/task"))("is null without /proc", () => {
    expect(threadCpuMs()).toBeNull();
  });
});
