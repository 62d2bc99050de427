import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { WASM_THREADS_ENV_VAR } from "../../src/nn/wasm_threads";
import { LocalProcessExecutor, wasmThreadsPerRun } from "../../src/train/experiment";

describe("experiment runs share the cores' wasm threads", () => {
  const saved = process.env[WASM_THREADS_ENV_VAR];
  afterEach(() => {
    if (saved === undefined) delete process.env[WASM_THREADS_ENV_VAR];
    else process.env[WASM_THREADS_ENV_VAR] = saved;
  });

  it("gives each of the runs in flight its share of the cores, 1 to 8", () => {
    expect(wasmThreadsPerRun(1, 2)).toBe(2);
    expect(wasmThreadsPerRun(2, 2)).toBe(1);
    expect(wasmThreadsPerRun(3, 2)).toBe(1);
    expect(wasmThreadsPerRun(2, 8)).toBe(4);
    expect(wasmThreadsPerRun(1, 64)).toBe(8);
  });

  it("sets POMDP_WASM_THREADS for each run, unless the user chose it", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wasm-threads-executor-"));
    const bin = path.join(dir, "print-env.js");
    fs.writeFileSync(bin, `process.stdout.write(String(process.env.${WASM_THREADS_ENV_VAR}));\n`);
    delete process.env[WASM_THREADS_ENV_VAR];
    const executor = new LocalProcessExecutor(2, bin);
    expect(await executor.run([], "probe")).toBe(String(wasmThreadsPerRun(2)));
    process.env[WASM_THREADS_ENV_VAR] = "3";
    expect(await executor.run([], "probe")).toBe("3");
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
