/**
 * Where envs send warnings (e.g. CartPole stepped after termination). Defaults to `console.warn`;
 * the run loop routes them into its pino log with `setWarningHandler`.
 */
export type WarningHandler = (message: string) => void;

let handler: WarningHandler = (message) => console.warn(`warning: ${message}`);

/** Replaces the warning handler; returns the previous one (so tests can restore it). */
export function setWarningHandler(next: WarningHandler): WarningHandler {
  const previous = handler;
  handler = next;
  return previous;
}

/** Emits a warning through the current handler. */
export function warn(message: string): void {
  handler(message);
}
