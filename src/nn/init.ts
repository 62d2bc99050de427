import { deriveSeed, Rng, type Seed } from "../core/rng";

/** Produces the initial values of a weight of `shape` (row-major) from a seeded stream. */
export type Initializer = (shape: readonly number[], rng: Rng) => Float32Array;

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Fan-in and fan-out of a dense kernel [in, out] or a conv kernel [kh, kw, in, out]. */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) return { fanIn: shape[0] ?? 1, fanOut: shape[0] ?? 1 };
  const receptive = sizeOf(shape.slice(0, -2));
  return { fanIn: shape[shape.length - 2] * receptive, fanOut: shape[shape.length - 1] * receptive };
}

/** All zeros (CleanRL's bias init). */
export const zerosInit: Initializer = (shape) => new Float32Array(sizeOf(shape));

/** Constant value everywhere (e.g. an LSTM forget-gate bias of 1). */
export function constantInit(value: number): Initializer {
  return (shape) => new Float32Array(sizeOf(shape)).fill(value);
}

/** Glorot (Xavier) uniform: U(-l, l), l = sqrt(6 / (fanIn + fanOut)). */
export const glorotUniformInit: Initializer = (shape, rng) => {
  const { fanIn, fanOut } = fans(shape);
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const out = new Float32Array(sizeOf(shape));
  for (let i = 0; i < out.length; i++) out[i] = (2 * rng.random() - 1) * limit;
  return out;
};

/**
 * Orthogonal init scaled by `gain`, as `torch.nn.init.orthogonal_` used by CleanRL: the kernel viewed as a
 * [fanIn, out] matrix (all leading dims flattened) has orthonormal columns, or rows when it is wide.
 * Built by modified Gram–Schmidt on a Gaussian matrix (same distribution as QR with sign-fixed R).
 */
export function orthogonalInit(gain = 1): Initializer {
  return (shape, rng) => {
    const cols = shape[shape.length - 1];
    const rows = sizeOf(shape) / cols;
    // Orthonormalize the vectors of the longer side: k vectors of length n.
    const tall = rows >= cols;
    const n = tall ? rows : cols;
    const k = tall ? cols : rows;
    const vecs = new Float64Array(n * k); // vector j at [j*n, (j+1)*n)
    for (let i = 0; i < vecs.length; i++) vecs[i] = rng.normal();
    for (let j = 0; j < k; j++) {
      const vj = j * n;
      for (let p = 0; p < j; p++) {
        const vp = p * n;
        let dot = 0;
        for (let i = 0; i < n; i++) dot += vecs[vj + i] * vecs[vp + i];
        for (let i = 0; i < n; i++) vecs[vj + i] -= dot * vecs[vp + i];
      }
      let norm = 0;
      for (let i = 0; i < n; i++) norm += vecs[vj + i] * vecs[vj + i];
      norm = Math.sqrt(norm);
      for (let i = 0; i < n; i++) vecs[vj + i] /= norm;
    }
    const out = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        out[r * cols + c] = gain * (tall ? vecs[c * n + r] : vecs[r * n + c]);
      }
    }
    return out;
  };
}

/** Runs `init` on the stream derived from the run seed and the parameter path. */
export function initialValues(
  init: Initializer,
  shape: readonly number[],
  seed: Seed,
  path: string,
): Float32Array {
  return init(shape, new Rng(deriveSeed(seed, path)));
}
