import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, describe, expect, it } from "vitest";
import { backendFacts, initBackend } from "../../src/nn/backend";
import { CnnEncoder } from "../../src/nn/cnn";
import { QHead } from "../../src/nn/heads";
import { mseLoss } from "../../src/nn/losses";
import { ClippedAdam } from "../../src/nn/optimizer";
import { joinParams } from "../../src/nn/params";
import {
  autoWasmThreads,
  MAX_WASM_THREADS,
  parseWasmThreads,
  resolveWasmThreads,
  setWasmWorkerScriptForTests,
  threadedWasmProblem,
  WASM_THREADS_ENV_VAR,
  wasmBackendInfo,
} from "../../src/nn/wasm_threads";
import { gateThreadpool, threadpoolAddress, WASM_THREADS_MIN_FLOPS } from "../../src/nn/wasm_threads_gate";
import { maxAbsDiff, randn, silentLogger } from "./helpers";

/** A logger that keeps what it is given. */
function recordingLogger() {
  const lines: { level: string; obj: unknown; msg: unknown }[] = [];
  const at =
    (level: string) =>
    (obj: unknown, msg?: unknown): void => {
      lines.push({ level, obj, msg });
    };
  return { lines, logger: { ...silentLogger, info: at("info"), warn: at("warn") } };
}

/**
 * The Nature-DQN torso on smaller frames (8 × 36 × 36 × 4, so each conv still splits into many tiles),
 * a Q head and an mse loss: forward output, loss, every gradient, and the weights after two Adam steps.
 */
function cnnFigures(): Map<string, Float32Array> {
  const cnn = new CnnEncoder({
    inputShape: [36, 36, 4],
    convs: [
      { filters: 32, kernelSize: 8, strides: 4 },
      { filters: 64, kernelSize: 4, strides: 2 },
      { filters: 64, kernelSize: 3, strides: 1 },
    ],
    dense: [64],
    seed: 7,
  });
  const q = new QHead({ inputDim: cnn.outputDim, numActions: 6, seed: 8 });
  const x = tf.tidy(() => tf.abs(randn([8, 36, 36, 4], "frames"))) as tf.Tensor4D;
  const y = randn([8, 6], "targets");
  const params = joinParams({ cnn, q });
  const loss = () => mseLoss(q.apply(cnn.apply(x)), y);
  const out = new Map<string, Float32Array>();
  out.set(
    "output",
    tf.tidy(() => q.apply(cnn.apply(x)).dataSync() as Float32Array),
  );
  const { value, grads } = tf.variableGrads(loss, [...params.values()]);
  out.set("loss", value.dataSync() as Float32Array);
  for (const [name, variable] of params)
    out.set(`grad ${name}`, grads[variable.name].dataSync() as Float32Array);
  tf.dispose([value, ...Object.values(grads)]);
  const opt = new ClippedAdam(params, { learningRate: 1e-3 });
  for (let i = 0; i < 2; i++) opt.minimize(loss);
  for (const [name, variable] of params)
    out.set(`after 2 steps ${name}`, variable.dataSync() as Float32Array);
  tf.dispose([x, y]);
  cnn.dispose();
  q.dispose();
  return out;
}

afterAll(() => {
  setWasmWorkerScriptForTests();
});

describe("POMDP_WASM_THREADS", () => {
  it("takes auto or a count from 1 to 8, and names a bad value", () => {
    expect(parseWasmThreads("auto")).toBe("auto");
    expect(parseWasmThreads("2")).toBe(2);
    expect(parseWasmThreads(" 8 ")).toBe(8);
    for (const bad of ["0", "9", "1.5", "two", ""]) {
      expect(() => parseWasmThreads(bad)).toThrow(
        new RegExp(`${WASM_THREADS_ENV_VAR} "${bad}": expected "auto" or an integer from 1 to 8`),
      );
    }
  });

  it("auto means the idle cores by the load average, at least 1 and at most 8", () => {
    expect(autoWasmThreads(2, 0.1)).toBe(2);
    expect(autoWasmThreads(2, 0.6)).toBe(1);
    expect(autoWasmThreads(2, 10.3)).toBe(1);
    expect(autoWasmThreads(16, 3.2)).toBe(MAX_WASM_THREADS);
    expect(autoWasmThreads(16, 9.7)).toBe(6);
    expect(autoWasmThreads(1, 0)).toBe(1);
    expect(autoWasmThreads(4, Number.NaN)).toBe(4);
    const auto = resolveWasmThreads("auto");
    expect(auto).toBeGreaterThanOrEqual(1);
    expect(auto).toBeLessThanOrEqual(Math.min(MAX_WASM_THREADS, os.availableParallelism()));
    expect(resolveWasmThreads(3)).toBe(3);
  });

  it("a bad value is an error of initBackend, even when wasm is only a candidate", async () => {
    process.env[WASM_THREADS_ENV_VAR] = "lots";
    try {
      await expect(initBackend(undefined, silentLogger)).rejects.toThrow(/POMDP_WASM_THREADS "lots"/);
    } finally {
      delete process.env[WASM_THREADS_ENV_VAR];
    }
  });
});

describe("the multi-threaded wasm build", async () => {
  const problem = await threadedWasmProblem();
  it("can run here", () => {
    expect(problem).toBeNull();
  });

  it.skipIf(problem !== null)("is used for 2 threads, and says so in the log and the facts", async () => {
    const { lines, logger } = recordingLogger();
    expect(await initBackend("wasm", logger, { wasmThreads: 2 })).toBe("wasm");
    expect(wasmBackendInfo()).toEqual({
      build: "threaded-simd",
      threads: 2,
      requested: 2,
      choice: "2",
      threadsMinFlops: WASM_THREADS_MIN_FLOPS,
    });
    expect(backendFacts()).toEqual({
      backend: "wasm",
      kernelRowThreads: 2,
      wasmBuild: "threaded-simd",
      wasmThreads: 2,
      wasmThreadsChoice: "2",
      wasmThreadsMinFlops: WASM_THREADS_MIN_FLOPS,
    });
    expect(lines).toEqual([
      {
        level: "info",
        obj: {
          backend: "wasm",
          source: "argument",
          wasmBuild: "threaded-simd",
          wasmThreads: 2,
          wasmThreadsChoice: "2",
        },
        msg: "TF.js backend: wasm (threaded-simd build, 2 threads: 2)",
      },
    ]);
  });

  it("auto logs how it chose", async () => {
    const { lines, logger } = recordingLogger();
    await initBackend("wasm", logger, { wasmThreads: "auto" });
    const info = wasmBackendInfo();
    expect(info?.choice).toMatch(/^auto \(\d+ cores?, load average \d+\.\d\d\)$/);
    expect(info?.requested).toBe(resolveWasmThreads("auto"));
    expect(lines.at(-1)?.msg).toMatch(/^TF\.js backend: wasm \((threaded-)?simd build, \d threads?: auto \(/);
  });

  it.skipIf(problem !== null)(
    "gives the single-threaded build's CNN output, gradients and Adam steps (to float rounding), leaking no tensors",
    async () => {
      await initBackend("wasm", silentLogger, { wasmThreads: 1 });
      expect(backendFacts()).toMatchObject({ backend: "wasm", wasmBuild: "simd", wasmThreads: 1 });
      const single = cnnFigures();
      // Threads for the big ops only (the default), then for every op (as upstream), on 2 and 3 threads.
      for (const [threads, allOps] of [
        [2, false],
        [3, true],
      ] as const) {
        process.env.POMDP_WASM_THREADS_ALL_OPS = allOps ? "1" : "0";
        await initBackend("wasm", silentLogger, { wasmThreads: threads });
        delete process.env.POMDP_WASM_THREADS_ALL_OPS;
        expect(backendFacts()).toMatchObject({
          wasmThreads: threads,
          wasmThreadsMinFlops: allOps ? 0 : WASM_THREADS_MIN_FLOPS,
        });
        const before = tf.memory().numTensors;
        const threaded = cnnFigures();
        expect(tf.memory().numTensors).toBe(before);
        expect([...threaded.keys()]).toEqual([...single.keys()]);
        for (const [key, values] of single) {
          const scale = Math.max(1e-6, ...Array.from(values, Math.abs));
          // XNNPACK sums each output element on one thread in a fixed order, so the two are expected
          // to agree bit for bit; the test allows float rounding so that a different split stays green.
          const diff = maxAbsDiff(values, threaded.get(key)!) / scale;
          expect(diff, `${threads} threads: ${key}`).toBeLessThan(1e-5);
          expect(Math.max(...Array.from(values, Math.abs)), key).toBeGreaterThan(0);
        }
      }
    },
  );

  it("finds the address of the pool pointer in the shipped binary, and nothing in other bytes", () => {
    const dir = path.dirname(
      require.resolve("@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.wasm"),
    );
    const address = threadpoolAddress(
      fs.readFileSync(path.join(dir, "tfjs-backend-wasm-threaded-simd.wasm")),
    );
    expect(address).toBeGreaterThan(0);
    expect((address ?? 1) % 4).toBe(0);
    expect(threadpoolAddress(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]))).toBeNull();
    expect(threadpoolAddress(new Uint8Array(64).fill(7))).toBeNull();
  });

  it("gates a pool only where nulling the word makes the module report no pool", () => {
    const memory = { buffer: new ArrayBuffer(64) };
    const words = new Int32Array(memory.buffer);
    words[4] = 1234; // a "pool" at address 16
    // A get_threads_count that reads that word, as the C++ one does: the gate goes on, the word is nulled.
    expect(gateThreadpool({}, memory, 16, () => (words[4] === 0 ? -1 : 2))).toBe(true);
    expect(words[4]).toBe(0);
    // One that does not read it: the address is wrong, the gate stays off and the word is left as it was.
    words[4] = 1234;
    expect(gateThreadpool({}, memory, 16, () => 2)).toBe(false);
    expect(words[4]).toBe(1234);
    expect(gateThreadpool({}, memory, 18, () => 2)).toBe(false); // unaligned
    expect(gateThreadpool({}, memory, 64, () => 2)).toBe(false); // outside the memory
  });

  it.skipIf(problem !== null)(
    "runs the same figures twice in a row bit for bit (deterministic)",
    async () => {
      await initBackend("wasm", silentLogger, { wasmThreads: 2 });
      const a = cnnFigures();
      const b = cnnFigures();
      for (const [key, values] of a) expect(maxAbsDiff(values, b.get(key)!), key).toBe(0);
    },
  );

  it("falls back to the single-threaded build, with a warning, without SharedArrayBuffer", async () => {
    const saved = globalThis.SharedArrayBuffer;
    const { lines, logger } = recordingLogger();
    // biome-ignore lint/suspicious/noExplicitAny: removing a global to simulate a runtime without it
    delete (globalThis as any).SharedArrayBuffer;
    try {
      await initBackend("cpu", silentLogger); // a different thread count makes a new 'wasm' backend
      await initBackend("wasm", silentLogger, { wasmThreads: 1 });
      expect(await initBackend("wasm", logger, { wasmThreads: 2 })).toBe("wasm");
    } finally {
      globalThis.SharedArrayBuffer = saved;
    }
    expect(wasmBackendInfo()).toEqual({
      build: "simd",
      threads: 1,
      requested: 2,
      choice: "2",
      fallbackReason: "SharedArrayBuffer is not available",
    });
    expect(backendFacts().wasmThreadsFallback).toBe("SharedArrayBuffer is not available");
    expect(lines[0]).toMatchObject({
      level: "warn",
      msg: "wasm: 2 threads asked for, running single-threaded: SharedArrayBuffer is not available",
    });
    expect(lines[1]).toMatchObject({ level: "info", obj: { wasmBuild: "simd", wasmThreads: 1 } });
    // The small kernels' row threads cannot start either, and say so.
    expect(backendFacts().kernelRowThreads).toBe(1);
    expect(lines[2]).toMatchObject({
      level: "warn",
      msg: "small kernels: 2 threads asked for, running on one: SharedArrayBuffer is not available",
    });
    // And it computes.
    const x = tf.ones([1, 4, 4, 1]) as tf.Tensor4D;
    const filter = tf.ones([2, 2, 1, 1]) as tf.Tensor4D;
    expect(tf.tidy(() => tf.sum(tf.conv2d(x, filter, 1, "valid")).dataSync()[0])).toBe(36);
    tf.dispose([x, filter]);
  });

  it.skipIf(problem !== null)(
    "falls back when a pthread worker fails to start, and the process lives on",
    async () => {
      setWasmWorkerScriptForTests(path.join(__dirname, "wasm-threads-failing-worker.cjs"));
      const { lines, logger } = recordingLogger();
      try {
        await initBackend("wasm", silentLogger, { wasmThreads: 1 });
        expect(await initBackend("wasm", logger, { wasmThreads: 3 })).toBe("wasm");
      } finally {
        setWasmWorkerScriptForTests();
      }
      const info = wasmBackendInfo();
      expect(info).toMatchObject({ build: "simd", threads: 1, requested: 3 });
      expect(info?.fallbackReason).toMatch(
        /failed to start: a pthread worker failed: this worker script fails on purpose/,
      );
      expect(lines[0]).toMatchObject({ level: "warn" });
      expect(tf.tidy(() => tf.sum(tf.ones([3, 3])).dataSync()[0])).toBe(9);
    },
  );

  it.skipIf(problem !== null)("never keeps Node running: a script using it exits by itself", () => {
    const script = [
      'const tf = require("@tensorflow/tfjs");',
      'const { initBackend, backendFacts } = require("./src/nn/backend");',
      "initBackend('wasm', undefined, { wasmThreads: 2 }).then(() => {",
      "  const y = tf.conv2d(tf.ones([2, 16, 16, 3]), tf.ones([3, 3, 3, 8]), 1, 'same');",
      "  console.log(JSON.stringify({ ...backendFacts(), sum: tf.sum(y).dataSync()[0] }));",
      "});",
    ].join("\n");
    const result = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
      cwd: path.join(__dirname, "..", ".."),
      env: { ...process.env, POMDP_LOG_LEVEL: "warn" },
      encoding: "utf8",
      timeout: 50_000,
    });
    expect(result.error, result.stderr).toBeUndefined();
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout.trim())).toEqual({
      backend: "wasm",
      kernelRowThreads: 2,
      wasmBuild: "threaded-simd",
      wasmThreads: 2,
      wasmThreadsChoice: "2",
      wasmThreadsMinFlops: WASM_THREADS_MIN_FLOPS,
      sum: 2 * 8 * (14 * 14 * 27 + 4 * 14 * 18 + 4 * 12),
    });
  });
});
