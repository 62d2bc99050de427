// The small-kernel layer: one wasm module (kernels_wat.ts) with its own heap, for the products of
// small networks that TF.js would run as one kernel dispatch each (tensor creation, XNNPACK packing
// the right operand, read-back: ~20–80 µs a call against a few µs of arithmetic at these sizes).
// Data lives in heap regions; callers keep their weights and scratch there between calls.
import { KERNELS_SHARED_WASM_BASE64, KERNELS_WASM_BASE64, SHARED_HEAP_MAX_PAGES } from "./kernels_wasm";

const PAGE_BYTES = 65536;

// The few members of the WebAssembly API used here (the project's lib settings have no DOM types).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}
const WASM_API = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
const ALIGN_BYTES = 16;

type GemmFn = (
  a: number,
  sam: number,
  sak: number,
  b: number,
  c: number,
  M: number,
  K: number,
  N: number,
  init: number,
  initRow: number,
) => void;

/** Options of {@link SmallKernels.matmulInto}. */
export interface MatmulOptions {
  /** `a` holds the [K, M] matrix whose transpose is multiplied (Aᵀ·B without a copy). Default false. */
  transposeA?: boolean;
  /** Add the product to what `c` holds instead of overwriting it. Default false. */
  accumulate?: boolean;
  /**
   * A row of N values (a view of the heap) that every row of the product starts from: C = 1·rowInitᵀ + A·B,
   * summed as rowInit first and then the products (a dense layer's bias, without copying it into C).
   */
  rowInit?: Float32Array;
}

/**
 * A run of float32 slots on the kernels' heap. `f32` is a view of it; take it again after any
 * allocation, since growing the heap replaces the buffer (`f32` re-creates the view when it has).
 */
export class HeapRegion {
  private view: Float32Array;

  constructor(
    private readonly kernels: SmallKernels,
    /** Byte offset on the heap. */
    readonly byteOffset: number,
    /** Float32 slots. */
    readonly length: number,
  ) {
    this.view = kernels.viewOf(byteOffset, length);
  }

  /** The region's values (a live view of the heap). */
  get f32(): Float32Array {
    if (this.view.buffer !== this.kernels.buffer)
      this.view = this.kernels.viewOf(this.byteOffset, this.length);
    return this.view;
  }

  /** Returns the slots to the heap; the region must not be used again. */
  free(): void {
    this.kernels.release(this.byteOffset, this.length);
  }
}

/**
 * The module's functions that take a row range (r0, r1) as their last two arguments: the ones helper
 * threads may run on part of a batch (see {@link SmallKernels.runRows}).
 */
export const ROW_FUNCTIONS = [
  "gemmRows",
  "lstmForwardRows",
  "lstmBackwardRows",
  "gruForwardRows",
  "gruBackwardRows",
  "rnnForwardRows",
  "rnnBackwardRows",
] as const;
/** One of {@link ROW_FUNCTIONS}. */
export type RowFunction = (typeof ROW_FUNCTIONS)[number];

/**
 * Threads running the same module on the same shared heap (Node's are started by row_threads.ts), to
 * which {@link SmallKernels.runRows} hands parts of a batch.
 */
export interface RowHelpers {
  /** Helper threads (the calling thread not counted). */
  readonly count: number;
  /** Starts helper `i` on ROW_FUNCTIONS[fn](...args, r0, r1) and returns at once. */
  start(i: number, fn: number, args: readonly number[], r0: number, r1: number): void;
  /** Returns once helper `i` has finished what it was last started on; throws the error it met. */
  finish(i: number): void;
  /** Stops the helpers (they must not be started again). */
  stop(): void;
}

/**
 * Row bounds splitting `rows` into at most `parts` ranges of an even number of rows each (gemm works
 * on pairs of rows), the first ones largest: [0, …, rows]. Fewer ranges when there are too few rows.
 */
export function rowBounds(rows: number, parts: number): number[] {
  const size = Math.max(2, 2 * Math.ceil(rows / parts / 2));
  const bounds = [0];
  while (bounds[bounds.length - 1] < rows) bounds.push(Math.min(rows, bounds[bounds.length - 1] + size));
  return bounds;
}

/**
 * Products of at least this many multiply-adds are split by rows over the row threads, where there are
 * any: ~0.25 ms of work on one thread (the LSTM's and GRU's recurrent weight gradients), against a
 * handshake of a few µs and a late helper's tens; smaller ones (2^19 was tried) gained nothing.
 */
export const SPLIT_GEMM_MIN_MACS = 1 << 22;

/** Free blocks of the heap, [byte offset, bytes], sorted by offset and never adjacent. */
type FreeBlock = [number, number];

/**
 * The module instance and its heap: a first-fit allocator over the module's memory, which grows by
 * whole pages when no free block fits.
 */
export class SmallKernels {
  /** The module's heap (a WebAssembly.Memory). */
  readonly memory: WasmMemory;
  /** The compiled module (a WebAssembly.Module): the shared-heap build when {@link sharedHeap}. */
  readonly module: object;
  /**
   * Whether the heap is a shared memory (where SharedArrayBuffer and shared wasm memory exist: Node,
   * cross-origin isolated pages), so that helper threads can run the module on it.
   */
  readonly sharedHeap: boolean;
  private readonly gemmFn: GemmFn;
  private readonly fns: Record<string, (...args: number[]) => void>;
  private readonly freeBlocks: FreeBlock[] = [];
  private helpers: RowHelpers | null = null;

  /** `shared`: use a shared heap where one can be made (default), else the module's own memory. */
  constructor(options: { shared?: boolean } = {}) {
    const memory = options.shared === false ? null : sharedMemory();
    const base64 = memory === null ? KERNELS_WASM_BASE64 : KERNELS_SHARED_WASM_BASE64;
    const bytes = Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
    this.module = new WASM_API.Module(bytes);
    const instance = new WASM_API.Instance(this.module, memory === null ? {} : { env: { memory } });
    this.memory = instance.exports.memory as WasmMemory;
    this.sharedHeap = memory !== null;
    this.gemmFn = instance.exports.gemm as GemmFn;
    this.fns = instance.exports as unknown as Record<string, (...args: number[]) => void>;
    this.freeBlocks.push([0, this.memory.buffer.byteLength]);
  }

  /** Threads {@link runRows} splits a batch over: 1 plus the helpers. */
  get rowThreads(): number {
    return 1 + (this.helpers?.count ?? 0);
  }

  /** Hands {@link runRows} to these helper threads from now on (null: none), stopping the previous ones. */
  setRowHelpers(helpers: RowHelpers | null): void {
    if (helpers !== null && !this.sharedHeap)
      throw new Error("SmallKernels.setRowHelpers: this heap is not shared, helper threads cannot see it");
    this.helpers?.stop();
    this.helpers = helpers;
  }

  /**
   * ROW_FUNCTIONS' `fn`(...args, r0, r1) over the rows 0 … rows − 1: split by {@link rowBounds} between
   * this thread (the first range) and the helpers, or all here without helpers. The row functions
   * compute each row by the same operations whichever range it is in, so the result does not depend
   * on the split. Returns when every range is done; an error in any range is thrown after all finish.
   */
  runRows(fn: RowFunction, args: readonly number[], rows: number): void {
    const run = this.fns[fn];
    const helpers = this.helpers;
    if (helpers === null) {
      run(...args, 0, rows);
      return;
    }
    const bounds = rowBounds(rows, helpers.count + 1);
    const index = ROW_FUNCTIONS.indexOf(fn);
    const started = bounds.length - 2;
    for (let i = 0; i < started; i++) helpers.start(i, index, args, bounds[i + 1], bounds[i + 2]);
    let failure: unknown = null;
    try {
      run(...args, bounds[0], bounds[1]);
    } catch (err) {
      failure = err;
    }
    // The helpers write to the heap: wait for every one before returning or throwing.
    for (let i = 0; i < started; i++) {
      try {
        helpers.finish(i);
      } catch (err) {
        failure ??= err;
      }
    }
    if (failure !== null) throw failure;
  }

  /** The heap's current buffer. */
  get buffer(): ArrayBuffer {
    return this.memory.buffer;
  }

  /** A float32 view of `length` slots at `byteOffset`. */
  viewOf(byteOffset: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, byteOffset, length);
  }

  /** A region of `length` float32 slots (contents unspecified). */
  alloc(length: number): HeapRegion {
    if (!Number.isInteger(length) || length < 0)
      throw new Error(`SmallKernels.alloc: length ${length} is not a count`);
    const bytes = Math.max(ALIGN_BYTES, Math.ceil((length * 4) / ALIGN_BYTES) * ALIGN_BYTES);
    let index = this.freeBlocks.findIndex(([, size]) => size >= bytes);
    if (index < 0) {
      const end = this.memory.buffer.byteLength;
      const last = this.freeBlocks[this.freeBlocks.length - 1];
      const tail = last !== undefined && last[0] + last[1] === end ? last[1] : 0;
      const pages = Math.ceil((bytes - tail) / PAGE_BYTES);
      this.memory.grow(pages);
      this.addFree(end, pages * PAGE_BYTES);
      index = this.freeBlocks.findIndex(([, size]) => size >= bytes);
    }
    const block = this.freeBlocks[index];
    const offset = block[0];
    if (block[1] === bytes) this.freeBlocks.splice(index, 1);
    else {
      block[0] += bytes;
      block[1] -= bytes;
    }
    return new HeapRegion(this, offset, length);
  }

  /** Returns a region's bytes to the free list (see {@link HeapRegion.free}). */
  release(byteOffset: number, length: number): void {
    this.addFree(byteOffset, Math.max(ALIGN_BYTES, Math.ceil((length * 4) / ALIGN_BYTES) * ALIGN_BYTES));
  }

  private addFree(offset: number, bytes: number): void {
    const blocks = this.freeBlocks;
    let i = 0;
    while (i < blocks.length && blocks[i][0] < offset) i++;
    const prev = blocks[i - 1];
    if (prev !== undefined && prev[0] + prev[1] > offset) {
      throw new Error(`SmallKernels: bytes ${offset}…${offset + bytes} freed twice`);
    }
    blocks.splice(i, 0, [offset, bytes]);
    // Merge with the next block, then with the previous one.
    const next = blocks[i + 1];
    if (next !== undefined && offset + bytes === next[0]) {
      blocks[i][1] += next[1];
      blocks.splice(i + 1, 1);
    }
    if (prev !== undefined && prev[0] + prev[1] === offset) {
      prev[1] += blocks[i][1];
      blocks.splice(i, 1);
    }
  }

  /** Bytes of the heap not in use (for tests of the allocator and of leaks). */
  freeBytes(): number {
    return this.freeBlocks.reduce((sum, [, size]) => sum + size, 0);
  }

  /** Bytes of the heap in all. */
  heapBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /**
   * C[M, N] = A·B (or Aᵀ·B with `transposeA`, plus C with `accumulate`) on float32 views of this heap,
   * all row-major: A [M, K] (or [K, M]), B [K, N]. Each output sums its products in order of k, after
   * C's value when accumulating, so results do not depend on the sizes the work is split into.
   */
  matmulInto(
    c: Float32Array,
    a: Float32Array,
    b: Float32Array,
    M: number,
    K: number,
    N: number,
    options: MatmulOptions = {},
  ): void {
    this.checkView("matmulInto", "a", a, M * K, "product");
    this.checkView("matmulInto", "b", b, K * N, "product");
    this.checkView("matmulInto", "c", c, M * N, "product");
    const transposed = options.transposeA === true;
    if (options.rowInit !== undefined) {
      if (options.accumulate === true)
        throw new Error(
          "SmallKernels.matmulInto: accumulate and rowInit are exclusive (both say what C starts from)",
        );
      this.checkView("matmulInto", "rowInit", options.rowInit, N, "product");
    }
    const init =
      options.rowInit !== undefined
        ? [options.rowInit.byteOffset, 0]
        : options.accumulate === true
          ? [c.byteOffset, 4 * N]
          : [-1, 0];
    const args = [a.byteOffset, transposed ? 1 : K, transposed ? M : 1, b.byteOffset, c.byteOffset, M, K, N];
    if (this.helpers !== null && M * K * N >= SPLIT_GEMM_MIN_MACS && M >= 4) {
      this.runRows("gemmRows", [...args, init[0], init[1]], M);
      return;
    }
    this.gemmFn(args[0], args[1], args[2], args[3], args[4], M, K, N, init[0], init[1]);
  }

  /** Throws unless `view` is on this heap and holds at least `size` values, naming the kernel and the view. */
  private checkView(kernel: string, name: string, view: Float32Array, size: number, what = "kernel"): void {
    if (view.buffer !== this.memory.buffer) {
      throw new Error(
        `SmallKernels.${kernel}: ${name} is not a view of the kernels' heap (take region.f32 after allocating)`,
      );
    }
    if (view.length < size) {
      throw new Error(
        `SmallKernels.${kernel}: ${name} holds ${view.length} values, the ${what} needs ${size}`,
      );
    }
  }

  /** {@link checkView} for each entry of `views` (name → [view, size]). */
  private check(kernel: string, views: Record<string, [Float32Array, number]>): void {
    for (const name in views) this.checkView(kernel, name, views[name][0], views[name][1]);
  }

  /** Throws unless H is a multiple of 4 (the cells run 4 lanes at a time). */
  private checkWidth(kernel: string, H: number): void {
    if (H % 4 !== 0) throw new Error(`SmallKernels.${kernel}: width ${H} is not a multiple of 4`);
  }

  /** out[i] = exp(x[i]) by the cells' approximation (Cephes expf); length a multiple of 4. */
  expInto(x: Float32Array, out: Float32Array): void {
    this.checkWidth("expInto", x.length);
    this.check("expInto", { x: [x, x.length], out: [out, x.length] });
    this.fns.expInto(x.byteOffset, out.byteOffset, x.length);
  }

  /**
   * The LSTM cell's pointwise part for B rows: z [B, 4H] pre-activations [i, f, o, g] become the
   * activations; c′ = σ(f)·cPrev + σ(i)·tanh(g) into c, h′ = σ(o)·tanh(c′) into h, tanh(c′) into tanhC.
   */
  lstmCellForward(
    z: Float32Array,
    cPrev: Float32Array,
    c: Float32Array,
    h: Float32Array,
    tanhC: Float32Array,
    B: number,
    H: number,
  ): void {
    this.checkWidth("lstmCellForward", H);
    const BH = B * H;
    this.check("lstmCellForward", {
      z: [z, 4 * BH],
      cPrev: [cPrev, BH],
      c: [c, BH],
      h: [h, BH],
      tanhC: [tanhC, BH],
    });
    this.fns.lstmCellForward(
      z.byteOffset,
      cPrev.byteOffset,
      c.byteOffset,
      h.byteOffset,
      tanhC.byteOffset,
      B,
      H,
    );
  }

  /**
   * Checks an unroll's views (in argument order, name → [view, size]) and runs the row function on
   * them over B rows: their byte offsets, then T, B and H.
   */
  private unroll(
    kernel: string,
    fn: RowFunction,
    views: Record<string, [Float32Array, number]>,
    T: number,
    B: number,
    H: number,
  ): void {
    this.checkWidth(kernel, H);
    this.check(kernel, views);
    const at = Object.values(views).map(([view]) => view.byteOffset);
    this.runRows(fn, [...at, T, B, H], B);
  }

  /**
   * The LSTM's forward unroll over T steps (time-major [T, B, ·] views): z [T, B, 4H] holds x·W + b and
   * receives the gates; hPrev [T, B, H] (step 0 holding h0) and cPrev [T, B, H] receive the masked
   * states each step starts from (× keep [T, B], 0 where an episode begins); out [T + 1, B, H] receives
   * h of every step, its last step holding the running c (c0 in, the final c out); tanhC [T, B, H]
   * receives tanh(c′). Each step is `matmulInto(z_t, hPrev_t, wh, …, accumulate)` and
   * {@link lstmCellForward}, split over the row threads (see {@link runRows}).
   */
  lstmForwardUnroll(
    z: Float32Array,
    hPrev: Float32Array,
    cPrev: Float32Array,
    out: Float32Array,
    tanhC: Float32Array,
    keep: Float32Array,
    wh: Float32Array,
    T: number,
    B: number,
    H: number,
  ): void {
    const TBH = T * B * H;
    this.unroll(
      "lstmForwardUnroll",
      "lstmForwardRows",
      {
        z: [z, 4 * TBH],
        hPrev: [hPrev, TBH],
        cPrev: [cPrev, TBH],
        out: [out, TBH + B * H],
        tanhC: [tanhC, TBH],
        keep: [keep, T * B],
        wh: [wh, 4 * H * H],
      },
      T,
      B,
      H,
    );
  }

  /**
   * BPTT through {@link lstmForwardUnroll}: from its gates [T, B, 4H], tanhC and cPrev [T, B, H], keep
   * [T, B], dy [T + 1, B, H] (the gradient of its `out`) and whT [4H, H] (the recurrent kernel
   * transposed), writes dZ [T, B, 4H] (of every step's pre-activations) and dh, dc [B, H] (of h0 and
   * c0). Each step, from the last: dh += dy_t, {@link lstmCellBackward}, dh = dz_t·whT, then the mask.
   */
  lstmBackwardUnroll(
    gates: Float32Array,
    tanhC: Float32Array,
    cPrev: Float32Array,
    dh: Float32Array,
    dc: Float32Array,
    dZ: Float32Array,
    dy: Float32Array,
    keep: Float32Array,
    whT: Float32Array,
    T: number,
    B: number,
    H: number,
  ): void {
    const TBH = T * B * H;
    this.unroll(
      "lstmBackwardUnroll",
      "lstmBackwardRows",
      {
        gates: [gates, 4 * TBH],
        tanhC: [tanhC, TBH],
        cPrev: [cPrev, TBH],
        dh: [dh, B * H],
        dc: [dc, B * H],
        dZ: [dZ, 4 * TBH],
        dy: [dy, TBH + B * H],
        keep: [keep, T * B],
        whT: [whT, 4 * H * H],
      },
      T,
      B,
      H,
    );
  }

  /**
   * The GRU's forward unroll over T steps: p [T, B, 3H] holds x·W + b; rec [B, 3H] is scratch (one
   * step's h·U); bh [3H] the recurrent bias; hPrev [T, B, H] (step 0 holding h0) receives the masked
   * states each step starts from; out [T, B, H] h of every step; gates [T, B, 3H] and recN [T, B, H]
   * what {@link gruBackwardUnroll} needs. Each step is `matmulInto(rec, hPrev_t, u, …)` and
   * {@link gruCellForward}, split over the row threads.
   */
  gruForwardUnroll(
    p: Float32Array,
    rec: Float32Array,
    bh: Float32Array,
    hPrev: Float32Array,
    out: Float32Array,
    gates: Float32Array,
    recN: Float32Array,
    keep: Float32Array,
    u: Float32Array,
    T: number,
    B: number,
    H: number,
  ): void {
    const TBH = T * B * H;
    this.unroll(
      "gruForwardUnroll",
      "gruForwardRows",
      {
        p: [p, 3 * TBH],
        rec: [rec, 3 * B * H],
        bh: [bh, 3 * H],
        hPrev: [hPrev, TBH],
        out: [out, TBH],
        gates: [gates, 3 * TBH],
        recN: [recN, TBH],
        keep: [keep, T * B],
        u: [u, 3 * H * H],
      },
      T,
      B,
      H,
    );
  }

  /**
   * BPTT through {@link gruForwardUnroll}: from its gates, recN and hPrev, dy [T, B, H] and uT [3H, H],
   * writes dIn and dRec [T, B, 3H] (of every step's input and recurrent pre-activations) and dh [B, H]
   * (of h0); dOut [B, H] is scratch. Each step, from the last: dOut = dh + dy_t,
   * {@link gruCellBackward}, dh += dRec_t·uT, then the mask.
   */
  gruBackwardUnroll(
    gates: Float32Array,
    recN: Float32Array,
    hPrev: Float32Array,
    dOut: Float32Array,
    dIn: Float32Array,
    dRec: Float32Array,
    dh: Float32Array,
    dy: Float32Array,
    keep: Float32Array,
    uT: Float32Array,
    T: number,
    B: number,
    H: number,
  ): void {
    const TBH = T * B * H;
    this.unroll(
      "gruBackwardUnroll",
      "gruBackwardRows",
      {
        gates: [gates, 3 * TBH],
        recN: [recN, TBH],
        hPrev: [hPrev, TBH],
        dOut: [dOut, B * H],
        dIn: [dIn, 3 * TBH],
        dRec: [dRec, 3 * TBH],
        dh: [dh, B * H],
        dy: [dy, TBH],
        keep: [keep, T * B],
        uT: [uT, 3 * H * H],
      },
      T,
      B,
      H,
    );
  }

  /**
   * The plain RNN's forward unroll over T steps: out [T, B, H] holds x·W + b and receives h of every
   * step, tanh(x·W + b + hPrev_t·w) in place; hPrev [T, B, H] (step 0 holding h0) the masked states
   * each step starts from; w [H, H]. Split over the row threads.
   */
  rnnForwardUnroll(
    out: Float32Array,
    hPrev: Float32Array,
    keep: Float32Array,
    w: Float32Array,
    T: number,
    B: number,
    H: number,
  ): void {
    const TBH = T * B * H;
    this.unroll(
      "rnnForwardUnroll",
      "rnnForwardRows",
      { out: [out, TBH], hPrev: [hPrev, TBH], keep: [keep, T * B], w: [w, H * H] },
      T,
      B,
      H,
    );
  }

  /**
   * BPTT through {@link rnnForwardUnroll}: from h [T, B, H] (its out), dy [T, B, H] and wT [H, H],
   * writes dZ [T, B, H] (of every step's pre-activation) and dh [B, H] (of h0). Each step, from the
   * last: dh += dy_t, dz = dh·(1 − h²), dh = dz·wT, then the mask.
   */
  rnnBackwardUnroll(
    h: Float32Array,
    dZ: Float32Array,
    dh: Float32Array,
    dy: Float32Array,
    keep: Float32Array,
    wT: Float32Array,
    T: number,
    B: number,
    H: number,
  ): void {
    const TBH = T * B * H;
    this.unroll(
      "rnnBackwardUnroll",
      "rnnBackwardRows",
      {
        h: [h, TBH],
        dZ: [dZ, TBH],
        dh: [dh, B * H],
        dy: [dy, TBH],
        keep: [keep, T * B],
        wT: [wT, H * H],
      },
      T,
      B,
      H,
    );
  }

  /**
   * The LSTM cell's backward pointwise part for B rows: from the activations `gates` [B, 4H], tanh(c′),
   * cPrev and dh (gradient of h′), turns dc from the gradient of c′ into that of cPrev (before any
   * mask) and writes dz [B, 4H], the gradient of the pre-activations.
   */
  lstmCellBackward(
    gates: Float32Array,
    tanhC: Float32Array,
    cPrev: Float32Array,
    dh: Float32Array,
    dc: Float32Array,
    dz: Float32Array,
    B: number,
    H: number,
  ): void {
    this.checkWidth("lstmCellBackward", H);
    const BH = B * H;
    this.check("lstmCellBackward", {
      gates: [gates, 4 * BH],
      tanhC: [tanhC, BH],
      cPrev: [cPrev, BH],
      dh: [dh, BH],
      dc: [dc, BH],
      dz: [dz, 4 * BH],
    });
    this.fns.lstmCellBackward(
      gates.byteOffset,
      tanhC.byteOffset,
      cPrev.byteOffset,
      dh.byteOffset,
      dc.byteOffset,
      dz.byteOffset,
      B,
      H,
    );
  }

  /**
   * The GRU cell's pointwise part for B rows (PyTorch's equations, gates [r, z, n]): from the input
   * projection p [B, 3H], the recurrent one rec [B, 3H] (zeros where no state), the recurrent bias bh
   * [3H] and the masked previous h, writes h′ [B, H], the gates [B, 3H] and rec_n + bh_n [B, H].
   */
  gruCellForward(
    p: Float32Array,
    rec: Float32Array,
    bh: Float32Array,
    hPrev: Float32Array,
    h: Float32Array,
    gates: Float32Array,
    recN: Float32Array,
    B: number,
    H: number,
  ): void {
    this.checkWidth("gruCellForward", H);
    const BH = B * H;
    this.check("gruCellForward", {
      p: [p, 3 * BH],
      rec: [rec, 3 * BH],
      bh: [bh, 3 * H],
      hPrev: [hPrev, BH],
      h: [h, BH],
      gates: [gates, 3 * BH],
      recN: [recN, BH],
    });
    this.fns.gruCellForward(
      p.byteOffset,
      rec.byteOffset,
      bh.byteOffset,
      hPrev.byteOffset,
      h.byteOffset,
      gates.byteOffset,
      recN.byteOffset,
      B,
      H,
    );
  }

  /**
   * The GRU cell's backward pointwise part for B rows: from the gates, rec_n + bh_n, the masked previous
   * h and dOut (the gradient of h′), writes dIn [B, 3H] (of the input pre-activations), dRec [B, 3H]
   * (of h·U + bh) and dHp = dOut·z [B, H] (the caller adds dRec·Uᵀ).
   */
  gruCellBackward(
    gates: Float32Array,
    recN: Float32Array,
    hPrev: Float32Array,
    dOut: Float32Array,
    dIn: Float32Array,
    dRec: Float32Array,
    dHp: Float32Array,
    B: number,
    H: number,
  ): void {
    this.checkWidth("gruCellBackward", H);
    const BH = B * H;
    this.check("gruCellBackward", {
      gates: [gates, 3 * BH],
      recN: [recN, BH],
      hPrev: [hPrev, BH],
      dOut: [dOut, BH],
      dIn: [dIn, 3 * BH],
      dRec: [dRec, 3 * BH],
      dHp: [dHp, BH],
    });
    this.fns.gruCellBackward(
      gates.byteOffset,
      recN.byteOffset,
      hPrev.byteOffset,
      dOut.byteOffset,
      dIn.byteOffset,
      dRec.byteOffset,
      dHp.byteOffset,
      B,
      H,
    );
  }

  /** x ← tanh(x) in place (the cells' tanh; length a multiple of 4). */
  tanhInPlace(x: Float32Array): void {
    this.checkWidth("tanhInPlace", x.length);
    this.check("tanhInPlace", { x: [x, x.length] });
    this.fns.tanhInPlace(x.byteOffset, x.length);
  }

  /** dx = dy·(1 − y²), the gradient through y = tanh(·) (length a multiple of 4). */
  tanhBackward(y: Float32Array, dy: Float32Array, dx: Float32Array): void {
    this.checkWidth("tanhBackward", y.length);
    this.check("tanhBackward", { y: [y, y.length], dy: [dy, y.length], dx: [dx, y.length] });
    this.fns.tanhBackward(y.byteOffset, dy.byteOffset, dx.byteOffset, y.length);
  }

  /** x ← max(x, 0) in place (any length). */
  reluInPlace(x: Float32Array): void {
    this.check("reluInPlace", { x: [x, x.length] });
    this.fns.reluInPlace(x.byteOffset, x.length);
  }

  /** d ← d where y > 0, else 0: the gradient through y = relu(·), in place (any length). */
  reluBackward(y: Float32Array, d: Float32Array): void {
    this.check("reluBackward", { y: [y, d.length], d: [d, d.length] });
    this.fns.reluBackward(y.byteOffset, d.byteOffset, d.length);
  }

  /**
   * out [batch, nOut] = bias + x·w, as a JS loop over a Float32Array computes it: for each nonzero
   * x[b, i] in order of i, out ← float32(out + x·w) with the product and sum in float64 (the batched
   * MLP forward pass of acting). x [batch, nIn], w [nIn, nOut], bias [nOut]: views of the heap.
   */
  denseRowsF64(
    x: Float32Array,
    batch: number,
    nIn: number,
    w: Float32Array,
    nOut: number,
    bias: Float32Array,
    out: Float32Array,
  ): void {
    this.check("denseRowsF64", {
      x: [x, batch * nIn],
      w: [w, nIn * nOut],
      bias: [bias, nOut],
      out: [out, batch * nOut],
    });
    this.fns.denseRowsF64(x.byteOffset, batch, nIn, w.byteOffset, nOut, bias.byteOffset, out.byteOffset);
  }

  /** dst [C, R] = srcᵀ for src [R, C], both row-major views of the heap that do not overlap. */
  transposeInto(src: Float32Array, R: number, C: number, dst: Float32Array): void {
    this.check("transposeInto", { src: [src, R * C], dst: [dst, R * C] });
    this.fns.transpose(src.byteOffset, R, C, dst.byteOffset);
  }

  /**
   * Σ x[i]² in float64 (a global gradient norm's square): each square is exact; the sum runs over 4
   * lanes, so it may differ from a sequential sum in the last bits of the double.
   */
  sumSquares(x: Float32Array): number {
    this.checkView("sumSquares", "x", x, x.length);
    return (this.fns.sumSquares as unknown as (x: number, n: number) => number)(x.byteOffset, x.length);
  }

  /** out[j] = Σ_r d[r·N + j] over M rows, each summed in order of r in float32 (a bias's gradient). */
  columnSums(d: Float32Array, out: Float32Array, M: number, N: number): void {
    this.check("columnSums", { d: [d, M * N], out: [out, N] });
    this.fns.columnSums(d.byteOffset, out.byteOffset, M, N);
  }

  /**
   * Adam's update of `p` from `g` in float32 (all four views on the heap, of one length), with the
   * clip factor `scale`: m = b1·m + (1 − b1)·g·scale, v = b2·v + (1 − b2)·(g·scale)²,
   * p −= stepSize·m / (√v·inverseRoot + eps); stepSize and inverseRoot carry the bias corrections.
   */
  adamUpdate(
    p: Float32Array,
    g: Float32Array,
    m: Float32Array,
    v: Float32Array,
    scale: number,
    b1: number,
    b2: number,
    stepSize: number,
    inverseRoot: number,
    eps: number,
  ): void {
    const n = p.length;
    this.check("adamUpdate", { p: [p, n], g: [g, n], m: [m, n], v: [v, n] });
    this.fns.adamUpdate(
      p.byteOffset,
      g.byteOffset,
      m.byteOffset,
      v.byteOffset,
      n,
      scale,
      b1,
      b2,
      1 - b1,
      1 - b2,
      stepSize,
      inverseRoot,
      eps,
    );
  }
}

let shared: SmallKernels | undefined;

/** A shared heap for the shared-memory build, or null where this runtime cannot make one. */
function sharedMemory(): WasmMemory | null {
  if (typeof SharedArrayBuffer !== "function") return null;
  try {
    const memory = new WASM_API.Memory({ initial: 1, maximum: SHARED_HEAP_MAX_PAGES, shared: true });
    return memory.buffer instanceof SharedArrayBuffer ? memory : null;
  } catch {
    return null;
  }
}

/** The process's kernel module (instantiated on first use). */
export function smallKernels(): SmallKernels {
  shared ??= new SmallKernels();
  return shared;
}

/**
 * A scratch region that grows to the largest size asked of it: for buffers a kernel refills on each
 * call. `ensure(n)` returns a view of at least n slots, valid until the next allocation on the heap.
 */
export class Scratch {
  private region?: HeapRegion;

  constructor(private readonly kernels: SmallKernels = smallKernels()) {}

  /** The region, grown to hold `length` slots. */
  ensure(length: number): HeapRegion {
    if (this.region === undefined || this.region.length < length) {
      this.region?.free();
      this.region = this.kernels.alloc(length);
    }
    return this.region;
  }

  /** Frees the region. */
  dispose(): void {
    this.region?.free();
    this.region = undefined;
  }
}
