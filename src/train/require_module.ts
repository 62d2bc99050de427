// Loading a `--require` module (your own env file): kept apart, with no imports, so that the CLI's
// flag definitions (src/cli/options.ts) can use it without loading anything.

/**
 * Loads a `--require` module (`module` as given, `file` as resolved). What it throws while loading is
 * one line naming the module, with the first stack frame inside it (where in the user's file it threw).
 */
export function requireModule(module: string, file: string): void {
  try {
    require(file);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const stack = err instanceof Error ? (err.stack ?? "") : "";
    const frame = stack
      .split("\n")
      .map((line) => line.trim())
      .find((line) => line.startsWith("at ") && line.includes(file));
    throw new Error(`--require ${module} threw while loading: ${message}${frame ? `; ${frame}` : ""}`);
  }
}
