import { describe, expect, it } from "vitest";
import { lstmCellInto } from "../../src/nn/fast_path";
import { compileKernels, kernelsModuleSource } from "../../src/nn/small/build_kernels";
import { SmallKernels } from "../../src/nn/small/kernels";
import {
  KERNELS_SHARED_WASM_BASE64,
  KERNELS_WASM_BASE64,
  SHARED_HEAP_MAX_PAGES,
} from "../../src/nn/small/kernels_wasm";
import { testRng } from "./helpers";

/** Seeded normals × `scale`. */
function normals(n: number, tag: string, scale = 1): Float32Array {
  const rng = testRng(tag);
  return Float32Array.from({ length: n }, () => scale * rng.normal());
}

/** C = (acc ? C : 0) + A·B summed in order of k in float32, as the kernel promises. */
function referenceGemm(
  a: Float32Array,
  b: Float32Array,
  c0: Float32Array | null,
  M: number,
  K: number,
  N: number,
) {
  const out = new Float32Array(M * N);
  for (let m = 0; m < M; m++)
    for (let n = 0; n < N; n++) {
      let s = c0 ? c0[m * N + n] : 0;
      for (let k = 0; k < K; k++) s = Math.fround(s + Math.fround(a[m * K + k] * b[k * N + n]));
      out[m * N + n] = s;
    }
  return out;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

describe("small-kernel layer (src/nn/small)", () => {
  it("the committed wasm bytes (both builds) are what kernels_wat.ts compiles to", async () => {
    const bytes = await compileKernels();
    const sharedBytes = await compileKernels({ sharedMemory: true });
    expect(Buffer.from(bytes).toString("base64")).toBe(KERNELS_WASM_BASE64);
    expect(Buffer.from(sharedBytes).toString("base64")).toBe(KERNELS_SHARED_WASM_BASE64);
    const source = kernelsModuleSource(bytes, sharedBytes);
    expect(source).toContain(KERNELS_WASM_BASE64.slice(0, 100));
    expect(source).toContain(`SHARED_HEAP_MAX_PAGES = ${SHARED_HEAP_MAX_PAGES};`);
  });

  it("gemm equals an in-order float32 sum exactly, for every blocking remainder, Aᵀ·B, accumulation and a bias row", () => {
    const kernels = new SmallKernels();
    for (const [M, K, N] of [
      [1, 1, 1],
      [2, 3, 17],
      [3, 5, 21],
      [5, 7, 35],
      [2, 128, 512],
      [33, 64, 36],
      [4, 0, 9],
    ]) {
      for (const transposeA of [false, true]) {
        for (const start of ["zero", "accumulate", "rowInit"] as const) {
          const accumulate = start === "accumulate";
          const a = normals(M * K, `a${M}${K}`);
          const b = normals(K * N, `b${K}${N}`);
          const c0 = normals(M * N, `c${M}${N}`);
          // A bias row: every row of C starts from it (a dense layer's forward pass).
          const row = normals(N, `r${N}`);
          const region = kernels.alloc(M * K + K * N + M * N + N);
          const heap = region.f32;
          const bias = heap.subarray(M * K + K * N + M * N);
          bias.set(row);
          const [ha, hb, hc] = [
            heap.subarray(0, M * K),
            heap.subarray(M * K, M * K + K * N),
            heap.subarray(M * K + K * N, M * K + K * N + M * N),
          ];
          if (transposeA)
            for (let m = 0; m < M; m++) for (let k = 0; k < K; k++) ha[k * M + m] = a[m * K + k];
          else ha.set(a);
          hb.set(b);
          hc.set(c0);
          kernels.matmulInto(hc, ha, hb, M, K, N, {
            transposeA,
            accumulate,
            ...(start === "rowInit" ? { rowInit: bias } : {}),
          });
          const from =
            start === "accumulate"
              ? c0
              : start === "rowInit"
                ? Float32Array.from({ length: M * N }, (_, i) => row[i % N])
                : null;
          expect(Array.from(hc)).toEqual(Array.from(referenceGemm(a, b, from, M, K, N)));
          region.free();
        }
      }
    }
  });

  it("transpose moves every value, for every remainder of 4 in rows and columns", () => {
    const kernels = new SmallKernels();
    for (const [R, C] of [
      [1, 1],
      [4, 4],
      [3, 5],
      [8, 12],
      [9, 6],
      [64, 256],
      [120, 84],
      [84, 2],
      [0, 3],
    ]) {
      const src = normals(R * C, `t${R}x${C}`);
      const region = kernels.alloc(2 * R * C);
      const [hs, hd] = [region.f32.subarray(0, R * C), region.f32.subarray(R * C)];
      hs.set(src);
      hd.fill(Number.NaN);
      kernels.transposeInto(hs, R, C, hd);
      const expected = new Float32Array(R * C);
      for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) expected[c * R + r] = src[r * C + c];
      expect(Array.from(hd), `${R} × ${C}`).toEqual(Array.from(expected));
      region.free();
    }
  });

  it("sumSquares: Σx² in float64 within n·2⁻⁵² relative of the sequential sum (the bound on both sums' rounding), for every remainder of 4", () => {
    const kernels = new SmallKernels();
    for (const n of [0, 1, 3, 4, 7, 64, 10_934]) {
      const x = normals(n, `s${n}`, 3);
      const region = kernels.alloc(n);
      region.f32.set(x);
      let expected = 0;
      for (let i = 0; i < n; i++) expected += x[i] * x[i];
      const got = kernels.sumSquares(region.f32.subarray(0, n));
      if (n === 0) expect(got).toBe(0);
      else expect(Math.abs(got - expected) / expected, `n = ${n}`).toBeLessThan(n * 2 ** -52);
      // A single value's square is exact.
      if (n === 1) expect(got).toBe(x[0] * x[0]);
      region.free();
    }
  });

  it("the heap: regions are reused after free, coalesce, survive growth, and bad use is refused", () => {
    const kernels = new SmallKernels();
    const start = kernels.freeBytes();
    const a = kernels.alloc(10);
    const b = kernels.alloc(3);
    expect(b.byteOffset).toBe(48); // 10 floats round up to 48 bytes (16-byte aligned)
    a.f32.set([1, 2, 3]);
    // Growing the heap replaces its buffer; the region's view follows.
    const big = kernels.alloc(100_000);
    expect(kernels.heapBytes()).toBeGreaterThan(400_000);
    expect(Array.from(a.f32.subarray(0, 3))).toEqual([1, 2, 3]);
    big.free();
    a.free();
    b.free();
    expect(kernels.freeBytes()).toBe(kernels.heapBytes());
    expect(kernels.heapBytes()).toBeGreaterThan(start);
    expect(kernels.alloc(4).byteOffset).toBe(0);
    expect(() => b.free()).toThrow("SmallKernels: bytes 48…64 freed twice");
    expect(() => kernels.alloc(-1)).toThrow("SmallKernels.alloc: length -1 is not a count");
    const r = kernels.alloc(8).f32;
    expect(() => kernels.matmulInto(new Float32Array(4), r, r, 2, 2, 2)).toThrow(
      "SmallKernels.matmulInto: c is not a view of the kernels' heap (take region.f32 after allocating)",
    );
    expect(() => kernels.matmulInto(r, r, r, 3, 3, 3)).toThrow(
      "SmallKernels.matmulInto: a holds 8 values, the product needs 9",
    );
    expect(() => kernels.matmulInto(r, r, r, 2, 2, 2, { rowInit: r.subarray(0, 1) })).toThrow(
      "SmallKernels.matmulInto: rowInit holds 1 values, the product needs 2",
    );
    expect(() => kernels.matmulInto(r, r, r, 2, 2, 2, { rowInit: r, accumulate: true })).toThrow(
      "SmallKernels.matmulInto: accumulate and rowInit are exclusive (both say what C starts from)",
    );
    expect(() => kernels.tanhInPlace(r.subarray(0, 6))).toThrow(
      "SmallKernels.tanhInPlace: width 6 is not a multiple of 4",
    );
  });

  it("exp within 1 ulp of Math.exp over the clamp range; tanh and σ within 2e-7 of Math's", () => {
    const kernels = new SmallKernels();
    const n = 1 << 14;
    const region = kernels.alloc(2 * n);
    const [x, out] = [region.f32.subarray(0, n), region.f32.subarray(n)];
    for (let i = 0; i < n; i++) x[i] = -87 + (175 * i) / n;
    kernels.expInto(x, out);
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(out[i] - Math.exp(x[i])) / Math.exp(x[i]));
    expect(worst).toBeLessThan(1.2e-7);
    for (let i = 0; i < n; i++) x[i] = -12 + (24 * i) / n;
    out.set(x);
    kernels.tanhInPlace(out);
    let tanhErr = 0;
    for (let i = 0; i < n; i++) tanhErr = Math.max(tanhErr, Math.abs(out[i] - Math.tanh(x[i])));
    expect(tanhErr).toBeLessThan(2e-7);
    // Saturation: no NaN or infinity far out.
    x.subarray(0, 4).set([-1000, 1000, -88.5, 89]);
    kernels.tanhInPlace(x.subarray(0, 4));
    expect(Array.from(x.subarray(0, 4))).toEqual([-1, 1, -1, 1]);
  });

  it("LSTM and GRU cells match the scalar arithmetic; their backward passes match finite differences", () => {
    const kernels = new SmallKernels();
    const B = 3;
    const H = 8;
    const BH = B * H;
    // LSTM forward against the typed-array cell of the acting path (Math.exp / Math.tanh).
    const [z, cp, c, h, tc, gates, dh, dc, dz] = [4 * BH, BH, BH, BH, BH, 4 * BH, BH, BH, 4 * BH].map((n) =>
      kernels.alloc(n),
    );
    z.f32.set(normals(4 * BH, "z", 2));
    cp.f32.set(normals(BH, "cp"));
    const zCopy = z.f32.slice();
    kernels.lstmCellForward(z.f32, cp.f32, c.f32, h.f32, tc.f32, B, H);
    const cRef = new Float32Array(BH);
    const hRef = new Float32Array(BH);
    for (let b = 0; b < B; b++) lstmCellInto(zCopy, b * 4 * H, H, cp.f32, b * H, cRef, hRef, b * H);
    for (let i = 0; i < BH; i++) {
      expect(Math.abs(c.f32[i] - cRef[i])).toBeLessThan(1e-6);
      expect(Math.abs(h.f32[i] - hRef[i])).toBeLessThan(1e-6);
    }
    expect(Math.abs(z.f32[0] - sigmoid(zCopy[0]))).toBeLessThan(1e-7);
    // LSTM backward: L = Σ wh·h′ + Σ wc·c′; dz against central differences of the scalar cell.
    const wh = normals(BH, "wh");
    const wc = normals(BH, "wc");
    gates.f32.set(z.f32);
    dh.f32.set(wh);
    dc.f32.set(wc);
    kernels.lstmCellBackward(gates.f32, tc.f32, cp.f32, dh.f32, dc.f32, dz.f32, B, H);
    const loss = (zz: Float32Array, cPrev: Float32Array) => {
      const cc = new Float64Array(BH);
      let total = 0;
      for (let b = 0; b < B; b++)
        for (let j = 0; j < H; j++) {
          const r = b * 4 * H + j;
          const cn = sigmoid(zz[r + H]) * cPrev[b * H + j] + sigmoid(zz[r]) * Math.tanh(zz[r + 3 * H]);
          cc[b * H + j] = cn;
          total += wh[b * H + j] * sigmoid(zz[r + 2 * H]) * Math.tanh(cn) + wc[b * H + j] * cn;
        }
      return total;
    };
    const zz = Float64Array.from(zCopy) as unknown as Float32Array;
    const cPrev64 = Float64Array.from(cp.f32) as unknown as Float32Array;
    for (const i of [0, 5, H + 3, 2 * H + 1, 3 * H + 7, 4 * H + 2, 4 * BH - 1]) {
      const e = 1e-4;
      const up = Float64Array.from(zz);
      const down = Float64Array.from(zz);
      up[i] += e;
      down[i] -= e;
      const numeric =
        (loss(up as unknown as Float32Array, cPrev64) - loss(down as unknown as Float32Array, cPrev64)) /
        (2 * e);
      expect(Math.abs(dz.f32[i] - numeric)).toBeLessThan(2e-5 * Math.max(1, Math.abs(numeric)));
    }
    // dc out is the gradient of cPrev: dc′·σ(f).
    for (const j of [0, 9, BH - 1]) {
      const e = 1e-4;
      const up = Float64Array.from(cPrev64);
      const down = Float64Array.from(cPrev64);
      up[j] += e;
      down[j] -= e;
      const numeric =
        (loss(zz, up as unknown as Float32Array) - loss(zz, down as unknown as Float32Array)) / (2 * e);
      expect(Math.abs(dc.f32[j] - numeric)).toBeLessThan(2e-5 * Math.max(1, Math.abs(numeric)));
    }

    // GRU: forward against PyTorch's equations in float64, backward against finite differences.
    const [p, rec, bh, hp, hOut, g, recN, dOut, dIn, dRec, dHp] = [
      3 * BH,
      3 * BH,
      3 * H,
      BH,
      BH,
      3 * BH,
      BH,
      BH,
      3 * BH,
      3 * BH,
      BH,
    ].map((n) => kernels.alloc(n));
    p.f32.set(normals(3 * BH, "p"));
    rec.f32.set(normals(3 * BH, "rec"));
    bh.f32.set(normals(3 * H, "bh", 0.3));
    hp.f32.set(normals(BH, "hp", 0.5));
    const gru = (pp: ArrayLike<number>, hh: ArrayLike<number>, rr: ArrayLike<number>) => {
      const out = new Float64Array(BH);
      for (let b = 0; b < B; b++)
        for (let j = 0; j < H; j++) {
          const q = b * 3 * H + j;
          const r = sigmoid(pp[q] + rr[q] + bh.f32[j]);
          const u = sigmoid(pp[q + H] + rr[q + H] + bh.f32[H + j]);
          const n = Math.tanh(pp[q + 2 * H] + r * (rr[q + 2 * H] + bh.f32[2 * H + j]));
          out[b * H + j] = n + u * (hh[b * H + j] - n);
        }
      return out;
    };
    kernels.gruCellForward(p.f32, rec.f32, bh.f32, hp.f32, hOut.f32, g.f32, recN.f32, B, H);
    const hGru = gru(p.f32, hp.f32, rec.f32);
    for (let i = 0; i < BH; i++) expect(Math.abs(hOut.f32[i] - hGru[i])).toBeLessThan(1e-6);
    const w = normals(BH, "gw");
    dOut.f32.set(w);
    kernels.gruCellBackward(g.f32, recN.f32, hp.f32, dOut.f32, dIn.f32, dRec.f32, dHp.f32, B, H);
    const gruLoss = (pp: ArrayLike<number>, hh: ArrayLike<number>, rr: ArrayLike<number>) =>
      gru(pp, hh, rr).reduce((s, v, i) => s + v * w[i], 0);
    const central = (f: (v: Float64Array) => number, base: ArrayLike<number>, i: number) => {
      const up = Float64Array.from(base);
      const down = Float64Array.from(base);
      up[i] += 1e-4;
      down[i] -= 1e-4;
      return (f(up) - f(down)) / 2e-4;
    };
    for (const i of [0, H + 1, 2 * H + 2, 3 * BH - 1]) {
      const dp = central((v) => gruLoss(v, hp.f32, rec.f32), p.f32, i);
      expect(Math.abs(dIn.f32[i] - dp)).toBeLessThan(2e-5 * Math.max(1, Math.abs(dp)));
      const dr = central((v) => gruLoss(p.f32, hp.f32, v), rec.f32, i);
      expect(Math.abs(dRec.f32[i] - dr)).toBeLessThan(2e-5 * Math.max(1, Math.abs(dr)));
    }
    for (const i of [0, 7, BH - 1]) {
      const dhp = central((v) => gruLoss(p.f32, v, rec.f32), hp.f32, i);
      expect(Math.abs(dHp.f32[i] - dhp)).toBeLessThan(2e-5 * Math.max(1, Math.abs(dhp)));
    }
  });
});
