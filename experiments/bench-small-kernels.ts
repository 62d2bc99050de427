// Each kernel of the small-kernel layer (src/nn/small) at the sizes the agents call it with: µs per
// call (median of repeated timings) and, for gemm, GFLOP/s. One JSON line; a benchmark script, never
// a timed test. Run it on a quiet machine, or beside a peer, and compare ratios only.
//   npx ts-node experiments/bench-small-kernels.ts
import * as os from "node:os";
import { smallKernels } from "../src/nn/small/kernels";

const kernels = smallKernels();
const region = (n: number, scale = 0.5) => {
  const r = kernels.alloc(n);
  const v = r.f32;
  for (let i = 0; i < n; i++) v[i] = scale * Math.sin(1.7 * i + 0.3);
  return r;
};

/** Median µs of one call over `samples` timings of `reps` calls each (after a warm-up). */
function microseconds(call: () => void, reps = 200, samples = 15): number {
  for (let i = 0; i < reps; i++) call();
  const times: number[] = [];
  for (let s = 0; s < samples; s++) {
    const start = performance.now();
    for (let i = 0; i < reps; i++) call();
    times.push(((performance.now() - start) * 1000) / reps);
  }
  times.sort((a, b) => a - b);
  return Number(times[Math.floor(samples / 2)].toFixed(2));
}

const figures: Record<string, unknown> = {
  date: new Date().toISOString(),
  machine: `${os.cpus()[0]?.model ?? "unknown"} × ${os.cpus().length}`,
  loadAverage: os.loadavg()[0],
  node: process.version,
};

// gemm at the shapes of DQN's Q-network (batch 128, 4-120-84-2), the bench's MLP (256, 4-64-64-2) and
// a recurrent step ([B 32, H 64] × [64, 256]): forward, and the weight gradient as Aᵀ·B.
const gemms: [string, number, number, number, boolean][] = [
  ["gemm128x120x84", 128, 120, 84, false],
  ["gemm128x84x120", 128, 84, 120, false],
  ["gemmT120x128x84", 120, 128, 84, true],
  ["gemm256x64x64", 256, 64, 64, false],
  ["gemm32x64x256", 32, 64, 256, false],
  ["gemm1x120x84", 1, 120, 84, false],
];
for (const [name, M, K, N, transposeA] of gemms) {
  const a = region(M * K);
  const b = region(K * N);
  const c = region(M * N);
  const us = microseconds(() => kernels.matmulInto(c.f32, a.f32, b.f32, M, K, N, { transposeA }));
  figures[`${name}Us`] = us;
  figures[`${name}Gflops`] = Number(((2 * M * K * N) / (us * 1000)).toFixed(1));
  for (const r of [a, b, c]) r.free();
}

// Pointwise kernels over a [128, 120] layer.
const n = 128 * 120;
const x = region(n);
const y = region(n);
const d = region(n);
const out = region(120);
figures.reluInPlace128x120Us = microseconds(() => kernels.reluInPlace(x.f32));
figures.reluBackward128x120Us = microseconds(() => kernels.reluBackward(y.f32, d.f32));
figures.columnSums128x120Us = microseconds(() => kernels.columnSums(d.f32, out.f32, 128, 120));
figures.tanhInPlace128x120Us = microseconds(() => kernels.tanhInPlace(y.f32));
figures.tanhBackward128x120Us = microseconds(() => kernels.tanhBackward(y.f32, d.f32, x.f32));
figures.expInto128x120Us = microseconds(() => kernels.expInto(y.f32, x.f32));

// The recurrent cells at B 32, H 64 (a step of `pomdp bench nn`'s cores).
const B = 32;
const H = 64;
const z = region(4 * B * H);
const gates = region(4 * B * H);
const cPrev = region(B * H);
const c = region(B * H);
const h = region(B * H);
const tanhC = region(B * H);
const dh = region(B * H);
const dc = region(B * H);
const dz = region(4 * B * H);
figures.lstmCellForward32x64Us = microseconds(() =>
  kernels.lstmCellForward(z.f32, cPrev.f32, c.f32, h.f32, tanhC.f32, B, H),
);
figures.lstmCellBackward32x64Us = microseconds(() =>
  kernels.lstmCellBackward(gates.f32, tanhC.f32, cPrev.f32, dh.f32, dc.f32, dz.f32, B, H),
);
const p = region(3 * B * H);
const rec = region(3 * B * H);
const bh = region(3 * H);
const recN = region(B * H);
const dIn = region(3 * B * H);
const dRec = region(3 * B * H);
figures.gruCellForward32x64Us = microseconds(() =>
  kernels.gruCellForward(p.f32, rec.f32, bh.f32, cPrev.f32, h.f32, gates.f32, recN.f32, B, H),
);
figures.gruCellBackward32x64Us = microseconds(() =>
  kernels.gruCellBackward(gates.f32, recN.f32, cPrev.f32, dh.f32, dIn.f32, dRec.f32, dc.f32, B, H),
);
console.log(JSON.stringify(figures));
