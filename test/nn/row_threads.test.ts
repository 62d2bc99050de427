import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../src/nn/backend";
import { fusedLstmUnroll } from "../../src/nn/lstm-fused";
import { rowBounds, SmallKernels, SPLIT_GEMM_MIN_MACS } from "../../src/nn/small/kernels";
import { rowThreadsInfo, startRowThreads } from "../../src/nn/small/row_threads";
import { maskRows } from "../../src/nn/small/unroll_buffers";
import { randn, silentLogger, testRng } from "./helpers";

/** Seeded normals × `scale`. */
function normals(n: number, tag: string, scale = 1): Float32Array {
  const rng = testRng(tag);
  return Float32Array.from({ length: n }, () => scale * rng.normal());
}

/** keep [T, B]: 0 where an episode begins (about one step in five), else 1. */
function keepMask(T: number, B: number, tag: string): Float32Array {
  const rng = testRng(tag);
  const keep = Float32Array.from({ length: T * B }, () => (rng.random() < 0.2 ? 0 : 1));
  expect(keep.includes(0) && keep.includes(1)).toBe(true);
  return keep;
}

/** An LSTM unroll's buffers on `kernels`' heap, filled from seeded streams. */
function unrollBuffers(kernels: SmallKernels, T: number, B: number, H: number) {
  const G = 4 * H;
  const sizes = {
    z: T * B * G,
    hPrev: T * B * H,
    cPrev: T * B * H,
    out: (T + 1) * B * H,
    tanhC: T * B * H,
    keep: T * B,
    wh: H * G,
    whT: G * H,
    dZ: T * B * G,
    dh: B * H,
    dc: B * H,
    dy: (T + 1) * B * H,
  };
  const total = Object.values(sizes).reduce((a, b) => a + b, 0);
  const region = kernels.alloc(total);
  const views: Record<string, Float32Array> = {};
  let at = 0;
  for (const [name, n] of Object.entries(sizes)) {
    views[name] = region.f32.subarray(at, at + n);
    at += n;
  }
  views.z.set(normals(sizes.z, "z"));
  views.hPrev.subarray(0, B * H).set(normals(B * H, "h0"));
  views.out.subarray(T * B * H).set(normals(B * H, "c0"));
  views.keep.set(keepMask(T, B, "keep"));
  views.wh.set(normals(sizes.wh, "wh", 0.2));
  kernels.transposeInto(views.wh, H, G, views.whT);
  views.dy.set(normals(sizes.dy, "dy"));
  return { views, region, bytes: () => new Uint8Array(region.f32.slice().buffer) };
}

/** The unrolls as they ran before lstmForwardUnroll: one gemm and one cell call per step from JavaScript. */
function stepByStep(kernels: SmallKernels, v: Record<string, Float32Array>, T: number, B: number, H: number) {
  const G = 4 * H;
  const BH = B * H;
  const c = v.out.subarray(T * BH);
  for (let t = 0; t < T; t++) {
    const hp = v.hPrev.subarray(t * BH, (t + 1) * BH);
    const cp = v.cPrev.subarray(t * BH, (t + 1) * BH);
    if (t > 0) hp.set(v.out.subarray((t - 1) * BH, t * BH));
    cp.set(c);
    maskRows(hp, v.keep, t * B, B, H);
    maskRows(cp, v.keep, t * B, B, H);
    const zt = v.z.subarray(t * B * G, (t + 1) * B * G);
    kernels.matmulInto(zt, hp, v.wh, B, H, G, { accumulate: true });
    kernels.lstmCellForward(zt, cp, c, v.out.subarray(t * BH, (t + 1) * BH), v.tanhC.subarray(t * BH), B, H);
  }
  v.dh.fill(0);
  v.dc.set(v.dy.subarray(T * BH));
  for (let t = T - 1; t >= 0; t--) {
    for (let i = 0; i < BH; i++) v.dh[i] += v.dy[t * BH + i];
    const dz = v.dZ.subarray(t * B * G, (t + 1) * B * G);
    kernels.lstmCellBackward(
      v.z.subarray(t * B * G),
      v.tanhC.subarray(t * BH),
      v.cPrev.subarray(t * BH),
      v.dh,
      v.dc,
      dz,
      B,
      H,
    );
    kernels.matmulInto(v.dh, dz, v.whT, B, G, H);
    maskRows(v.dh, v.keep, t * B, B, H);
    maskRows(v.dc, v.keep, t * B, B, H);
  }
}

function fused(kernels: SmallKernels, v: Record<string, Float32Array>, T: number, B: number, H: number) {
  kernels.lstmForwardUnroll(v.z, v.hPrev, v.cPrev, v.out, v.tanhC, v.keep, v.wh, T, B, H);
  kernels.lstmBackwardUnroll(v.z, v.tanhC, v.cPrev, v.dh, v.dc, v.dZ, v.dy, v.keep, v.whT, T, B, H);
}

describe("the small kernels' row threads (src/nn/small/row_threads.ts)", () => {
  const kernels = new SmallKernels();

  afterAll(async () => {
    await startRowThreads(1, kernels);
  });

  it("split a batch into even ranges, the first ones largest", () => {
    expect(rowBounds(32, 2)).toEqual([0, 16, 32]);
    expect(rowBounds(7, 2)).toEqual([0, 4, 7]);
    expect(rowBounds(7, 3)).toEqual([0, 4, 7]);
    expect(rowBounds(13, 3)).toEqual([0, 6, 12, 13]);
    expect(rowBounds(1, 4)).toEqual([0, 1]);
  });

  it("the unrolls in one call equal the step-by-step calls byte for byte, on 1, 2 and 3 threads", async () => {
    const [T, B, H] = [6, 13, 8]; // 3 threads: rows [0, 6), [6, 12), [12, 13)
    const reference = unrollBuffers(kernels, T, B, H);
    stepByStep(kernels, reference.views, T, B, H);
    const expected = reference.bytes();
    reference.region.free();
    for (const threads of [1, 2, 3]) {
      expect(await startRowThreads(threads, kernels)).toEqual({ threads, requested: threads });
      expect(kernels.rowThreads).toBe(threads);
      const run = unrollBuffers(kernels, T, B, H);
      fused(kernels, run.views, T, B, H);
      expect(Buffer.from(run.bytes()).equals(Buffer.from(expected)), `${threads} threads`).toBe(true);
      run.region.free();
    }
  });

  it("split big products by rows, with the same bytes as one thread (Aᵀ·B, accumulation and a bias row)", async () => {
    const [M, K, N] = [70, 96, 84];
    expect(M * K * N).toBeGreaterThanOrEqual(SPLIT_GEMM_MIN_MACS);
    const region = kernels.alloc(2 * M * K + K * N + 3 * M * N + N);
    const f = region.f32;
    f.set(normals(f.length, "gemm"));
    const ends: number[] = [];
    for (const n of [M * K, M * K, K * N, M * N, M * N, M * N, N]) ends.push((ends.at(-1) ?? 0) + n);
    const [a, aT, b, c1, c2, init, bias] = ends.map((end, i) => f.subarray(ends[i - 1] ?? 0, end));
    kernels.transposeInto(a, M, K, aT);
    const products = (): Uint8Array[] => {
      const out: Uint8Array[] = [];
      kernels.matmulInto(c1, a, b, M, K, N);
      out.push(new Uint8Array(c1.slice().buffer));
      kernels.matmulInto(c1, aT, b, M, K, N, { transposeA: true, rowInit: bias });
      out.push(new Uint8Array(c1.slice().buffer));
      c2.set(init);
      kernels.matmulInto(c2, a, b, M, K, N, { accumulate: true });
      out.push(new Uint8Array(c2.slice().buffer));
      return out;
    };
    await startRowThreads(1, kernels);
    const one = products();
    await startRowThreads(2, kernels);
    const two = products();
    for (let i = 0; i < one.length; i++)
      expect(Buffer.from(two[i]).equals(Buffer.from(one[i])), `product ${i}`).toBe(true);
    region.free();
  });

  it("throw a helper's error with its function, and keep working afterwards", async () => {
    await startRowThreads(2, kernels);
    const N = 4;
    const a = kernels.alloc(8 * N);
    const end = kernels.heapBytes();
    // C's rows 4 … 7 (the helper's) lie past the end of the heap; rows 0 … 3 (this thread's) inside it.
    const c = end - 4 * 4 * N;
    expect(() =>
      kernels.runRows("gemmRows", [a.byteOffset, N, 1, a.byteOffset, c, 8, N, N, -1, 0], 8),
    ).toThrow("row threads: helper 1 failed in gemmRows: memory access out of bounds");
    const m = a.f32;
    m.fill(1);
    const out = kernels.alloc(8 * N);
    kernels.runRows("gemmRows", [a.byteOffset, N, 1, a.byteOffset, out.byteOffset, 8, N, N, -1, 0], 8);
    expect(Array.from(out.f32)).toEqual(new Array(8 * N).fill(N));
    a.free();
    out.free();
  });

  it("fall back to one thread, saying why, where helpers cannot run", async () => {
    const privateHeap = new SmallKernels({ shared: false });
    expect(privateHeap.sharedHeap).toBe(false);
    expect(await startRowThreads(2, privateHeap)).toEqual({
      threads: 1,
      requested: 2,
      fallbackReason: "the kernels' heap is not a shared memory",
    });
    expect(() => privateHeap.setRowHelpers({ count: 1, start() {}, finish() {}, stop() {} })).toThrow(
      "SmallKernels.setRowHelpers: this heap is not shared, helper threads cannot see it",
    );
    const failing = path.join(__dirname, "row-threads-failing-worker.cjs");
    const info = await startRowThreads(3, kernels, failing);
    expect(info).toMatchObject({ threads: 1, requested: 3 });
    expect(info.fallbackReason).toBe("a helper failed to start: this worker script fails on purpose");
    expect(kernels.rowThreads).toBe(1);
    await expect(startRowThreads(0, kernels)).rejects.toThrow(
      "startRowThreads: threads 0 is not a count of at least 1",
    );
  });
});

describe("the fused LSTM op on the process's kernels with row threads", () => {
  beforeAll(async () => {
    await initBackend("wasm", silentLogger, { wasmThreads: 1 });
  });
  afterAll(async () => {
    await startRowThreads(1);
  });

  it("gives the same outputs and gradients, bit for bit, on 1 and 2 threads, and leaks no tensor", async () => {
    const [T, B, F, H] = [5, 6, 3, 8];
    const xs = randn([T, B, F], "xs") as tf.Tensor3D;
    const h0 = randn([B, H], "h0") as tf.Tensor2D;
    const c0 = randn([B, H], "c0") as tf.Tensor2D;
    const keep = tf.tensor2d(keepMask(T, B, "fused keep"), [T, B]);
    const kernel = randn([F, 4 * H], "kernel", 0.3) as tf.Tensor2D;
    const recurrent = randn([H, 4 * H], "recurrent", 0.3) as tf.Tensor2D;
    const bias = randn([4 * H], "bias", 0.1) as tf.Tensor1D;
    const weights = randn([T + 1, B, H], "weights") as tf.Tensor3D;
    const run = (): Float32Array[] =>
      tf.tidy(() => {
        const loss = (x: tf.Tensor, h: tf.Tensor, c: tf.Tensor, k: tf.Tensor, r: tf.Tensor, b: tf.Tensor) =>
          tf.sum(
            tf.mul(
              fusedLstmUnroll(
                x as tf.Tensor3D,
                h as tf.Tensor2D,
                c as tf.Tensor2D,
                keep,
                k as tf.Tensor2D,
                r as tf.Tensor2D,
                b as tf.Tensor1D,
              ),
              weights,
            ),
          );
        const out = fusedLstmUnroll(xs, h0, c0, keep, kernel, recurrent, bias);
        const grads = tf.grads(loss)([xs, h0, c0, kernel, recurrent, bias]);
        return [out, ...grads].map((t) => t.dataSync() as Float32Array);
      });
    await startRowThreads(1);
    const one = run();
    expect(await startRowThreads(2)).toEqual({ threads: 2, requested: 2 });
    expect(rowThreadsInfo()).toEqual({ threads: 2, requested: 2 });
    const before = tf.memory().numTensors;
    const two = run();
    expect(tf.memory().numTensors).toBe(before);
    for (let i = 0; i < one.length; i++) {
      expect(Buffer.from(two[i].buffer).equals(Buffer.from(one[i].buffer)), `output ${i}`).toBe(true);
    }
    tf.dispose([xs, h0, c0, keep, kernel, recurrent, bias, weights]);
  });
});
