import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../src/nn/backend";
import { fusedGruUnroll } from "../../src/nn/gru-fused";
import { fusedLstmUnroll } from "../../src/nn/lstm-fused";
import { fusedRnnUnroll } from "../../src/nn/rnn-fused";
import { rowBounds, SmallKernels, SPLIT_GEMM_MIN_MACS } from "../../src/nn/small/kernels";
import { rowThreadsInfo, startRowThreads } from "../../src/nn/small/row_threads";
import { randn, silentLogger, testRng } from "./helpers";

/** Seeded normals × `scale`. */
function normals(n: number, tag: string, scale = 1): Float32Array {
  const rng = testRng(tag);
  return Float32Array.from({ length: n }, () => scale * rng.normal());
}

/** a[b·width + j] *= keep[keepOffset + b] where keep is not 1: the episode-start mask as the unrolls applied it in JavaScript before. */
function maskRows(
  a: Float32Array,
  keep: Float32Array,
  keepOffset: number,
  rows: number,
  width: number,
): void {
  for (let b = 0; b < rows; b++) {
    const k = keep[keepOffset + b];
    if (k === 1) continue;
    for (let j = b * width; j < (b + 1) * width; j++) a[j] *= k;
  }
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

/** Views of the given sizes on one region of `kernels`' heap, filled with seeded normals (keep: a mask). */
function heapViews(kernels: SmallKernels, sizes: Record<string, number>, T: number, B: number) {
  const total = Object.values(sizes).reduce((a, b) => a + b, 0);
  const region = kernels.alloc(total);
  region.f32.set(normals(total, "views", 0.5));
  const views: Record<string, Float32Array> = {};
  let at = 0;
  for (const [name, n] of Object.entries(sizes)) {
    views[name] = region.f32.subarray(at, at + n);
    at += n;
  }
  views.keep.set(keepMask(T, B, "keep"));
  return { views, region, bytes: () => new Uint8Array(region.f32.slice().buffer) };
}

const gruSizes = (T: number, B: number, H: number) => ({
  p: 3 * T * B * H,
  rec: 3 * B * H,
  bh: 3 * H,
  hPrev: T * B * H,
  out: T * B * H,
  gates: 3 * T * B * H,
  recN: T * B * H,
  keep: T * B,
  u: 3 * H * H,
  uT: 3 * H * H,
  dOut: B * H,
  dIn: 3 * T * B * H,
  dRec: 3 * T * B * H,
  dh: B * H,
  dy: T * B * H,
});

/** The GRU's unrolls as gru-fused.ts ran them before gruForwardUnroll: per step from JavaScript. */
function gruStepByStep(
  kernels: SmallKernels,
  v: Record<string, Float32Array>,
  T: number,
  B: number,
  H: number,
) {
  const [G, BH] = [3 * H, B * H];
  for (let t = 0; t < T; t++) {
    const hp = v.hPrev.subarray(t * BH, (t + 1) * BH);
    if (t > 0) hp.set(v.out.subarray((t - 1) * BH, t * BH));
    maskRows(hp, v.keep, t * B, B, H);
    kernels.matmulInto(v.rec, hp, v.u, B, H, G);
    const [gt, ht] = [v.gates.subarray(t * B * G), v.out.subarray(t * BH, (t + 1) * BH)];
    kernels.gruCellForward(v.p.subarray(t * B * G), v.rec, v.bh, hp, ht, gt, v.recN.subarray(t * BH), B, H);
  }
  v.dh.fill(0);
  for (let t = T - 1; t >= 0; t--) {
    v.dOut.set(v.dh);
    for (let i = 0; i < BH; i++) v.dOut[i] += v.dy[t * BH + i];
    const dRec = v.dRec.subarray(t * B * G, (t + 1) * B * G);
    const [gt, rn, hp] = [v.gates.subarray(t * B * G), v.recN.subarray(t * BH), v.hPrev.subarray(t * BH)];
    kernels.gruCellBackward(gt, rn, hp, v.dOut, v.dIn.subarray(t * B * G), dRec, v.dh, B, H);
    kernels.matmulInto(v.dh, dRec, v.uT, B, G, H, { accumulate: true });
    maskRows(v.dh, v.keep, t * B, B, H);
  }
}

function gruFused(kernels: SmallKernels, v: Record<string, Float32Array>, T: number, B: number, H: number) {
  kernels.gruForwardUnroll(v.p, v.rec, v.bh, v.hPrev, v.out, v.gates, v.recN, v.keep, v.u, T, B, H);
  kernels.gruBackwardUnroll(
    v.gates,
    v.recN,
    v.hPrev,
    v.dOut,
    v.dIn,
    v.dRec,
    v.dh,
    v.dy,
    v.keep,
    v.uT,
    T,
    B,
    H,
  );
}

const rnnSizes = (T: number, B: number, H: number) => ({
  out: T * B * H,
  hPrev: T * B * H,
  keep: T * B,
  w: H * H,
  wT: H * H,
  dZ: T * B * H,
  dh: B * H,
  dy: T * B * H,
});

/** The plain RNN's unrolls as rnn-fused.ts ran them before rnnForwardUnroll. */
function rnnStepByStep(
  kernels: SmallKernels,
  v: Record<string, Float32Array>,
  T: number,
  B: number,
  H: number,
) {
  const BH = B * H;
  for (let t = 0; t < T; t++) {
    const hp = v.hPrev.subarray(t * BH, (t + 1) * BH);
    if (t > 0) hp.set(v.out.subarray((t - 1) * BH, t * BH));
    maskRows(hp, v.keep, t * B, B, H);
    const ht = v.out.subarray(t * BH, (t + 1) * BH);
    kernels.matmulInto(ht, hp, v.w, B, H, H, { accumulate: true });
    kernels.tanhInPlace(ht);
  }
  v.dh.fill(0);
  for (let t = T - 1; t >= 0; t--) {
    for (let i = 0; i < BH; i++) v.dh[i] += v.dy[t * BH + i];
    const dz = v.dZ.subarray(t * BH, (t + 1) * BH);
    kernels.tanhBackward(v.out.subarray(t * BH, (t + 1) * BH), v.dh, dz);
    kernels.matmulInto(v.dh, dz, v.wT, B, H, H);
    maskRows(v.dh, v.keep, t * B, B, H);
  }
}

function rnnFused(kernels: SmallKernels, v: Record<string, Float32Array>, T: number, B: number, H: number) {
  kernels.rnnForwardUnroll(v.out, v.hPrev, v.keep, v.w, T, B, H);
  kernels.rnnBackwardUnroll(v.out, v.dZ, v.dh, v.dy, v.keep, v.wT, T, B, H);
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

  it("the GRU's and the RNN's unrolls in one call equal the step-by-step calls byte for byte, on 1 to 3 threads", async () => {
    const [T, B, H] = [5, 13, 8];
    const cores = [
      { name: "GRU", sizes: gruSizes(T, B, H), reference: gruStepByStep, fused: gruFused },
      { name: "RNN", sizes: rnnSizes(T, B, H), reference: rnnStepByStep, fused: rnnFused },
    ];
    for (const core of cores) {
      const reference = heapViews(kernels, core.sizes, T, B);
      core.reference(kernels, reference.views, T, B, H);
      const expected = Buffer.from(reference.bytes());
      reference.region.free();
      for (const threads of [1, 2, 3]) {
        await startRowThreads(threads, kernels);
        const run = heapViews(kernels, core.sizes, T, B);
        core.fused(kernels, run.views, T, B, H);
        expect(Buffer.from(run.bytes()).equals(expected), `${core.name}, ${threads} threads`).toBe(true);
        run.region.free();
      }
    }
  });

  it("split big products by rows, with the same bytes as one thread (Aᵀ·B, accumulation and a bias row)", async () => {
    const [M, K, N] = [70, 256, 240];
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

  it("give the same outputs and gradients, bit for bit, on 1 and 2 threads, and leak no tensor (LSTM, GRU, RNN)", async () => {
    const [T, B, F, H] = [5, 6, 3, 8];
    const keep = tf.tensor2d(keepMask(T, B, "fused keep"), [T, B]);
    const t3 = (t: tf.Tensor) => t as tf.Tensor3D;
    const t2 = (t: tf.Tensor) => t as tf.Tensor2D;
    const t1 = (t: tf.Tensor) => t as tf.Tensor1D;
    // Each op's inputs in its order (without keep): [xs, h0, (c0), kernel, recurrent, bias, (recurrent bias)].
    const ops: { name: string; gates: number; outSteps: number; op: (...x: tf.Tensor[]) => tf.Tensor }[] = [
      {
        name: "LSTM",
        gates: 4,
        outSteps: T + 1,
        op: (x, h, c, k, r, b) => fusedLstmUnroll(t3(x), t2(h), t2(c), keep, t2(k), t2(r), t1(b)),
      },
      {
        name: "GRU",
        gates: 3,
        outSteps: T,
        op: (x, h, k, r, b, bh) => fusedGruUnroll(t3(x), t2(h), keep, t2(k), t2(r), t1(b), t1(bh)),
      },
      {
        name: "RNN",
        gates: 1,
        outSteps: T,
        op: (x, h, k, r, b) => fusedRnnUnroll(t3(x), t2(h), keep, t2(k), t2(r), t1(b)),
      },
    ];
    for (const { name, gates, outSteps, op } of ops) {
      const G = gates * H;
      const inputs = [
        randn([T, B, F], "xs"),
        randn([B, H], "h0"),
        ...(name === "LSTM" ? [randn([B, H], "c0")] : []),
        randn([F, G], "kernel", 0.3),
        randn([H, G], "recurrent", 0.3),
        randn([G], "bias", 0.1),
        ...(name === "GRU" ? [randn([G], "recurrent bias", 0.1)] : []),
      ];
      const weights = randn([outSteps, B, H], "weights");
      const run = (): Float32Array[] =>
        tf.tidy(() => {
          const loss = (...args: tf.Tensor[]) => tf.sum(tf.mul(op(...args), weights));
          const grads = tf.grads(loss)(inputs);
          return [op(...inputs), ...grads].map((t) => t.dataSync() as Float32Array);
        });
      await startRowThreads(1);
      const one = run();
      expect(await startRowThreads(2)).toEqual({ threads: 2, requested: 2 });
      expect(rowThreadsInfo()).toEqual({ threads: 2, requested: 2 });
      const before = tf.memory().numTensors;
      const two = run();
      expect(tf.memory().numTensors).toBe(before);
      expect(two).toHaveLength(inputs.length + 1);
      for (let i = 0; i < one.length; i++) {
        expect(Buffer.from(two[i].buffer).equals(Buffer.from(one[i].buffer)), `${name}: output ${i}`).toBe(
          true,
        );
      }
      tf.dispose([...inputs, weights]);
    }
    keep.dispose();
  });
});
