// What the browser bundle has for src/nn/small/row_threads.ts (src/web/build.ts swaps it in): that
// module starts worker_threads, which a page does not have; the page runs the small kernels on its
// own thread (a page is seldom cross-origin isolated, which shared memory between workers needs).
import type * as NodeRowThreads from "../src/nn/small/row_threads";

export type { RowThreadsInfo } from "../src/nn/small/row_threads";

const ONE: NodeRowThreads.RowThreadsInfo = { threads: 1, requested: 1 };

/** One thread: the page never starts helpers. */
export const rowThreadsInfo: typeof NodeRowThreads.rowThreadsInfo = () => ONE;

/** Keeps one thread, saying why when more were asked for. */
export const startRowThreads: typeof NodeRowThreads.startRowThreads = async (threads) =>
  threads <= 1
    ? ONE
    : { threads: 1, requested: threads, fallbackReason: "the page runs the small kernels on one thread" };
