import * as tf from "@tensorflow/tfjs";
import { afterEach, describe, expect, it } from "vitest";
import { BACKEND_ENV_VAR, currentBackend, initBackend, parseBackendName } from "../../src/nn/backend";
import { parsePageBackendChoice } from "../../src/nn/backend_names";
import { silentLogger } from "./helpers";

function tfjsNodeLoads(): boolean {
  try {
    require.resolve("@tensorflow/tfjs-node");
    return true;
  } catch {
    return false;
  }
}

describe("initBackend", () => {
  afterEach(() => {
    delete process.env[BACKEND_ENV_VAR];
  });

  it("uses the named backend and records it", async () => {
    expect(await initBackend("cpu", silentLogger)).toBe("cpu");
    expect(tf.getBackend()).toBe("cpu");
    expect(currentBackend()).toBe("cpu");
    expect(await initBackend("wasm", silentLogger)).toBe("wasm");
    expect(tf.getBackend()).toBe("wasm");
    expect(currentBackend()).toBe("wasm");
  });

  it("is forced by POMDP_BACKEND, and the argument beats the variable", async () => {
    process.env[BACKEND_ENV_VAR] = "cpu";
    expect(await initBackend(undefined, silentLogger)).toBe("cpu");
    expect(tf.getBackend()).toBe("cpu");
    expect(await initBackend("wasm", silentLogger)).toBe("wasm");
  });

  it("rejects an unknown name, naming it and the choices", async () => {
    process.env[BACKEND_ENV_VAR] = "gpu";
    await expect(initBackend(undefined, silentLogger)).rejects.toThrow(
      /POMDP_BACKEND value "gpu".*tensorflow, wasm, cpu/,
    );
    expect(() => parseBackendName("webgl")).toThrow(/"webgl".*tensorflow, wasm, cpu/);
  });

  it("checks the page's backend choice (auto, wasm, webgl) with an exact message", () => {
    for (const choice of ["auto", "wasm", "webgl"]) expect(parsePageBackendChoice(choice)).toBe(choice);
    expect(() => parsePageBackendChoice("gpu")).toThrow(
      'unknown backend "gpu": choose one of auto, wasm, webgl',
    );
  });

  it("picks tensorflow when tfjs-node loads, else wasm", async () => {
    const chosen = await initBackend(undefined, silentLogger);
    expect(chosen).toBe(tfjsNodeLoads() ? "tensorflow" : "wasm");
    expect(tf.getBackend()).toBe(chosen);
  });

  it.skipIf(tfjsNodeLoads())("fails clearly when tensorflow is forced without tfjs-node", async () => {
    await expect(initBackend("tensorflow", silentLogger)).rejects.toThrow(
      /backend 'tensorflow' \(from argument\) could not be initialised.*tfjs-node/,
    );
  });

  it("logs the choice", async () => {
    const messages: unknown[] = [];
    const logger = { ...silentLogger, info: (obj: unknown) => messages.push(obj) };
    await initBackend("cpu", logger);
    expect(messages).toEqual([{ backend: "cpu", source: "argument" }]);
  });
});
