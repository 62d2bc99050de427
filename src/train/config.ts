// Config plumbing every agent shares: `--set key=value` overrides on dotted paths, `--config` files,
// and zod validation errors turned into one line naming the field and what was expected.
import * as fs from "node:fs";
import type { z } from "zod";

/** A plain JSON object. */
export type JsonObject = Record<string, unknown>;

/** An error in a user's config or flags: the CLI prints its message as one line and exits 2. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Parses one `--set` value: JSON when it parses (numbers, booleans, null, arrays, objects), else the
 * raw string — so `--set net.hidden=[64,64]`, `--set annealLr=false` and `--set net.encoder=cnn` work.
 */
export function parseSetValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** Applies `key.path=value` assignments to a copy of `config` (objects on the path are created). */
export function applySets(config: JsonObject, sets: readonly string[]): JsonObject {
  const out = structuredClone(config);
  for (const assignment of sets) {
    const eq = assignment.indexOf("=");
    const key = eq < 0 ? "" : assignment.slice(0, eq).trim();
    if (eq < 0 || key === "" || key.split(".").some((part) => part === "")) {
      throw new ConfigError(`--set "${assignment}": expected key=value with a dotted key, e.g. net.lstm=128`);
    }
    const path = key.split(".");
    let target: JsonObject = out;
    for (const part of path.slice(0, -1)) {
      const next = target[part];
      if (next === undefined) target[part] = {};
      else if (next === null || typeof next !== "object" || Array.isArray(next)) {
        throw new ConfigError(`--set "${assignment}": "${part}" is not an object`);
      }
      target = target[part] as JsonObject;
    }
    target[path[path.length - 1]] = parseSetValue(assignment.slice(eq + 1));
  }
  return out;
}

/** Reads a `--config` JSON file: an object of config fields. */
export function readConfigFile(file: string): JsonObject {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(`--config ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`--config ${file}: not valid JSON (${(err as Error).message})`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new ConfigError(`--config ${file}: expected a JSON object of config fields`);
  }
  return parsed as JsonObject;
}

/** Deep merge of plain objects (later wins; arrays and values replace). */
export function mergeConfig(...layers: readonly JsonObject[]): JsonObject {
  const out: JsonObject = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      const current = out[key];
      if (isPlainObject(value) && isPlainObject(current)) out[key] = mergeConfig(current, value);
      else out[key] = isPlainObject(value) ? mergeConfig(value) : structuredClone(value);
    }
  }
  return out;
}

function isPlainObject(x: unknown): x is JsonObject {
  return x !== null && typeof x === "object" && !Array.isArray(x);
}

/**
 * Validates `input` against an agent's schema (defaults filled in). The first problem becomes a
 * {@link ConfigError} naming the field: `config field "net.lstm": expected an integer ≥ 0, got 1.5`.
 */
export function validateConfig<S extends z.ZodTypeAny>(schema: S, input: unknown, agent: string): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new ConfigError(`${agent} config: ${describeIssue(issue, input)}`);
}

function valueAt(input: unknown, path: readonly (string | number)[]): unknown {
  let v = input;
  for (const key of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[key];
  }
  return v;
}

function describeIssue(issue: z.ZodIssue, input: unknown): string {
  const field = issue.path.join(".");
  const got = JSON.stringify(valueAt(input, issue.path));
  switch (issue.code) {
    case "unrecognized_keys": {
      const where = field === "" ? "" : ` in "${field}"`;
      return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}${where}`;
    }
    case "invalid_type":
      return `field "${field}": expected ${issue.expected}, got ${issue.received === "undefined" ? "nothing" : got}`;
    case "too_small":
      return `field "${field}": expected ${issue.type === "number" ? (issue.inclusive ? "≥" : ">") : "at least"} ${issue.minimum}${issue.type === "array" ? " items" : ""}, got ${got}`;
    case "too_big":
      return `field "${field}": expected ${issue.type === "number" ? (issue.inclusive ? "≤" : "<") : "at most"} ${issue.maximum}${issue.type === "array" ? " items" : ""}, got ${got}`;
    case "invalid_enum_value":
      return `field "${field}": expected one of ${issue.options.map((o) => JSON.stringify(o)).join(", ")}, got ${got}`;
    default:
      return `field "${field}": ${issue.message}, got ${got}`;
  }
}
