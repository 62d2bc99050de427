// One worker (web/worker.ts: it trains, or plays a run's agent) seen from the page: typed messages both ways.
import type { FromWorker, ToWorker } from "./protocol";

/** Handlers of the worker's messages, by type (a missing one ignores that type). */
export type WorkerHandlers = {
  [K in FromWorker["type"]]?: (message: Extract<FromWorker, { type: K }>) => void;
};

export class WorkerClient {
  private readonly worker: Worker;
  paused = false;

  constructor(
    handlers: WorkerHandlers,
    /** A failure to load or run the worker script itself. */
    onFailure: (message: string) => void,
  ) {
    this.worker = new Worker("worker.js");
    this.worker.onmessage = (event: MessageEvent<FromWorker>) => {
      const message = event.data;
      const handler = handlers[message.type] as ((m: FromWorker) => void) | undefined;
      handler?.(message);
    };
    this.worker.onerror = (event) => onFailure(`worker: ${event.message}`);
  }

  send(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  /** Pauses a running run, or resumes a paused one; returns whether it is paused now. */
  togglePause(): boolean {
    this.paused = !this.paused;
    this.send({ type: this.paused ? "pause" : "resume" });
    return this.paused;
  }

  /** Ends the worker (and its run). */
  terminate(): void {
    this.worker.terminate();
  }
}
