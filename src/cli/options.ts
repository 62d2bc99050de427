import * as path from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import { parseBackendName } from "../nn/backend_names";
import { requireModule } from "../train/require_module";

/** Commander parser for a non-negative integer flag (a seed, a count): rejects "1.5", "-2", "abc". */
export function parseNonNegativeInt(value: string): number {
  if (!/^\d+$/.test(value.trim()))
    throw new InvalidArgumentError(`expected a non-negative integer, got "${value}"`);
  const n = Number(value);
  if (!Number.isSafeInteger(n))
    throw new InvalidArgumentError(`expected a non-negative integer, got "${value}"`);
  return n;
}

/** Commander parser for a positive integer flag: one message for "0", "2.5", "-1" and "abc". */
export function parsePositiveInt(value: string): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError(`expected an integer ≥ 1, got "${value}"`);
  return n;
}

/** Commander parser of a repeatable flag: each `-r x` adds `x` to the list. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Commander parser of `--backend`: checked before TF.js loads. */
export function parseBackendFlag(value: string): string {
  try {
    return parseBackendName(value, "--backend");
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

/**
 * Resolves a `--require` argument as Node resolves a path: relative to the working directory, with or
 * without its extension (`.js`, `.json`, `.node`, and `.ts` since the bin loads TypeScript), or a
 * folder with an index file. Throws a clear error when nothing matches.
 */
export function resolveRequire(module: string): string {
  const absolute = path.resolve(module);
  try {
    return require.resolve(absolute);
  } catch {
    const extensions = Object.keys(require.extensions).join(", ");
    throw new Error(
      `--require: cannot find "${module}": no file ${absolute}, nor with an extension (${extensions}), nor a folder with an index file`,
    );
  }
}

/**
 * Adds `-r, --require <module>` to a command, repeatable (`-r a.ts -r b.ts`): modules (e.g. your own
 * env file, which calls `register`) loaded before the command runs, so that your env ids work like
 * the built-in ones. Each path is resolved as Node does (see `resolveRequire`). TypeScript files are
 * transpiled only (by swc, see src/transpile.js), not type-checked: a type error does not stop them loading.
 */
export function withRequire(command: Command): Command {
  return command
    .option(
      "-r, --require <module>",
      "load this module first (a file that registers your own envs); repeat for several",
      collect,
    )
    .hook("preAction", (cmd) => {
      const modules = (cmd.opts().require as string[] | undefined) ?? [];
      const resolved = modules.map(resolveRequire); // all found before any is loaded
      for (const [i, file] of resolved.entries()) requireModule(modules[i], file);
    });
}

/** Commander parser for a positive number flag (a duration): rejects "0", "-1", "abc". */
export function parsePositiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError(`expected a positive number, got "${value}"`);
  return n;
}

/** Commander parser for a number flag ≥ 0 (a loss weight): rejects "-1", "abc". */
export function parseNonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError(`expected a number ≥ 0, got "${value}"`);
  return n;
}

/** Parses a step count: 500000, 500k, 1.5M, 1e6. */
export function parseSteps(value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?(?:e\d+)?)\s*([kKmM]?)\s*$/.exec(value);
  const n = match
    ? Number(match[1]) * (match[2].toLowerCase() === "k" ? 1e3 : match[2].toLowerCase() === "m" ? 1e6 : 1)
    : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(
      `expected a positive whole number of steps such as 500000, 500k or 1M, got "${value}"`,
    );
  }
  return n;
}

/** Parses a `--env-kwargs` JSON object. */
export function parseJsonObject(value: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new InvalidArgumentError(`expected a JSON object such as '{"flickerProb": 0.2}', got ${value}`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new InvalidArgumentError(`expected a JSON object such as '{"flickerProb": 0.2}', got ${value}`);
  }
  return parsed as Record<string, unknown>;
}

/** Commander parser of `record --scale`: a number in (0, 16]. */
export function parseScale(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0 || n > 16)
    throw new InvalidArgumentError(`expected a number in (0, 16], got "${value}"`);
  return n;
}

/** Commander parser of `render --view`. */
export function parseView(value: string): "agent" | "full" {
  if (value !== "agent" && value !== "full")
    throw new InvalidArgumentError(`expected "agent" or "full", got "${value}"`);
  return value;
}

/** Commander parser of `report --confidence`: a number in (0, 1). */
export function parseConfidence(value: string): number {
  const x = Number(value);
  if (!Number.isFinite(x) || x <= 0 || x >= 1)
    throw new Error(`--confidence must be between 0 and 1, got ${value}`);
  return x;
}

/**
 * Every error line of the command line starts `pomdp:`: commander's own (unknown option, bad value)
 * are printed as `error: …`, the tool's as `pomdp: …`; this rewrites commander's on `command` and
 * all its subcommands.
 */
export function withOnePrefix(command: Command): Command {
  command.configureOutput({
    outputError: (text, write) => write(text.replace(/^error: /, "pomdp: ")),
  });
  for (const sub of command.commands) withOnePrefix(sub);
  return command;
}
