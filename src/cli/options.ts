import * as fs from "node:fs";
import * as path from "node:path";
import { type Command, InvalidArgumentError } from "commander";

/** Commander parser for a non-negative integer flag (a seed, a count): rejects "1.5", "-2", "abc". */
export function parseNonNegativeInt(value: string): number {
  if (!/^\d+$/.test(value.trim()))
    throw new InvalidArgumentError(`expected a non-negative integer, got "${value}"`);
  const n = Number(value);
  if (!Number.isSafeInteger(n))
    throw new InvalidArgumentError(`expected a non-negative integer, got "${value}"`);
  return n;
}

/** Commander parser for a positive integer flag. */
export function parsePositiveInt(value: string): number {
  const n = parseNonNegativeInt(value);
  if (n < 1) throw new InvalidArgumentError(`expected an integer ≥ 1, got "${value}"`);
  return n;
}

/**
 * Adds `-r, --require <module...>` to a command: modules (e.g. your own env file, which calls
 * `register`) loaded before the command runs, so that your env ids work like the built-in ones.
 */
export function withRequire(command: Command): Command {
  return command
    .option("-r, --require <module...>", "load these modules first (files that register your own envs)")
    .hook("preAction", (cmd) => {
      const modules = (cmd.opts().require as string[] | undefined) ?? [];
      for (const module of modules) {
        const resolved = path.resolve(module);
        if (!fs.existsSync(resolved))
          throw new Error(`--require: no such file "${module}" (resolved to ${resolved})`);
        require(resolved);
      }
    });
}

/** Commander parser for a positive number flag (a duration): rejects "0", "-1", "abc". */
export function parsePositiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError(`expected a positive number, got "${value}"`);
  return n;
}
