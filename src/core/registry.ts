import { describeValue } from "./describe";
import type { Env, EnvSpec } from "./env";
import { OrderEnforcing } from "./order_enforcing";
import { TimeLimit } from "./time_limit";

/** Builds an env from its keyword arguments (the spec's `kwargs` merged with `make`'s overrides). */
// biome-ignore lint/suspicious/noExplicitAny: a registry holds envs of every observation and action type
export type EnvFactory = (kwargs: Record<string, any>) => Env<any, any>;

/** Options of `register`. */
export interface RegisterOptions {
  /** Truncate episodes after this many steps (`make` adds a `TimeLimit`). */
  maxEpisodeSteps?: number;
  /** Default keyword arguments; also the only keys `make` accepts as overrides. */
  kwargs?: Record<string, unknown>;
  /** Average return at which the task counts as solved. */
  rewardThreshold?: number;
  /** One line on what the env is (shown by `pomdp envs`). */
  description?: string;
  /** An episode succeeds when its return is above this (see {@link EnvSpec.successAbove}). */
  successAbove?: number;
  /** Replace an env already registered under this id instead of failing. */
  override?: boolean;
}

/** Overrides of `make`: the env's keyword arguments, plus `maxEpisodeSteps` (null: no time limit). */
export type MakeOverrides = { maxEpisodeSteps?: number | null } & Record<string, unknown>;

interface Registration {
  spec: EnvSpec;
  factory: EnvFactory;
}

const registry = new Map<string, Registration>();
const ID_PATTERN = /^(?:[\w.-]+\/)?[\w.:-]+$/;

/**
 * Registers an env under `id` so that `make(id)` builds it (Gymnasium's `register`). This is how a
 * user plugs a new env into the CLI, the checker and the agents.
 */
export function register(id: string, factory: EnvFactory, options: RegisterOptions = {}): void {
  if (typeof id !== "string" || !ID_PATTERN.test(id)) {
    throw new Error(
      `register: id ${describeValue(id)} is malformed; expected letters, digits, "-", "_", "." such as "MyEnv-v0"`,
    );
  }
  if (typeof factory !== "function")
    throw new Error(`register(${id}): factory must be a function (kwargs) => Env`);
  if (registry.has(id) && !options.override) {
    throw new Error(`register: "${id}" is already registered; pick another id or pass { override: true }`);
  }
  const { maxEpisodeSteps, kwargs = {}, rewardThreshold, description, successAbove } = options;
  if (maxEpisodeSteps !== undefined && (!Number.isInteger(maxEpisodeSteps) || maxEpisodeSteps < 1)) {
    throw new Error(
      `register(${id}): maxEpisodeSteps must be an integer ≥ 1, got ${describeValue(maxEpisodeSteps)}`,
    );
  }
  if (successAbove !== undefined && (typeof successAbove !== "number" || !Number.isFinite(successAbove))) {
    throw new Error(
      `register(${id}): successAbove must be a finite number, got ${describeValue(successAbove)}`,
    );
  }
  registry.set(id, {
    factory,
    spec: Object.freeze({
      id,
      maxEpisodeSteps,
      kwargs: Object.freeze({ ...kwargs }),
      rewardThreshold,
      description,
      ...(successAbove === undefined ? {} : { successAbove }),
    }),
  });
}

/** The spec of a registered id; throws (suggesting close ids) when none is registered. */
export function spec(id: string): EnvSpec {
  return lookup(id).spec;
}

/** Specs of every registered env, in registration order. */
export function listEnvs(): EnvSpec[] {
  return [...registry.values()].map((r) => r.spec);
}

/**
 * Builds the env registered as `id` (Gymnasium's `make`): the factory with the spec's kwargs and the
 * overrides, inside `OrderEnforcing` (contract errors) and `TimeLimit` (from `maxEpisodeSteps`).
 */
// biome-ignore lint/suspicious/noExplicitAny: the registry is untyped; callers narrow with a cast
export function make<O = any, A = any>(id: string, overrides: MakeOverrides = {}): Env<O, A> {
  const { spec: registered, factory } = lookup(id);
  if (typeof overrides !== "object" || overrides === null || Array.isArray(overrides)) {
    throw new Error(`make(${id}): overrides must be an object, got ${describeValue(overrides)}`);
  }
  const { maxEpisodeSteps: limitOverride, ...kwargOverrides } = overrides;
  const allowed = Object.keys(registered.kwargs);
  for (const key of Object.keys(kwargOverrides)) {
    if (!allowed.includes(key)) {
      const expected =
        allowed.length > 0 ? `one of maxEpisodeSteps, ${allowed.join(", ")}` : "only maxEpisodeSteps";
      throw new Error(`make(${id}): unknown option "${key}"; expected ${expected}`);
    }
  }
  if (
    limitOverride !== undefined &&
    limitOverride !== null &&
    (!Number.isInteger(limitOverride) || limitOverride < 1)
  ) {
    throw new Error(
      `make(${id}): maxEpisodeSteps must be an integer ≥ 1 or null, got ${describeValue(limitOverride)}`,
    );
  }
  const maxEpisodeSteps = limitOverride === null ? undefined : (limitOverride ?? registered.maxEpisodeSteps);
  const kwargs = { ...registered.kwargs, ...kwargOverrides };
  const made: EnvSpec = { ...registered, maxEpisodeSteps, kwargs };

  let base: Env<O, A>;
  try {
    base = factory(kwargs);
  } catch (err) {
    throw new Error(`make(${id}): ${err instanceof Error ? err.message : String(err)}`);
  }
  base.unwrapped.spec = made;
  let env: Env<O, A> = new OrderEnforcing(base);
  if (maxEpisodeSteps !== undefined) env = new TimeLimit(env, maxEpisodeSteps);
  return env;
}

function lookup(id: string): Registration {
  const found = registry.get(id);
  if (found) return found;
  const close = closeIds(String(id));
  const hint = close.length > 0 ? ` Did you mean ${close.join(", ")}?` : "";
  throw new Error(`No env registered with id ${describeValue(id)}.${hint} (\`pomdp envs\` lists them all)`);
}

/** Registered ids near `id`: same letters ignoring case, or within a small edit distance. */
function closeIds(id: string): string[] {
  const lower = id.toLowerCase();
  const scored = [...registry.keys()].map((candidate) => {
    const c = candidate.toLowerCase();
    const distance = editDistance(lower, c);
    const related = c.includes(lower) || lower.includes(c) ? 0 : distance;
    return { candidate, score: Math.min(distance, related) };
  });
  const limit = Math.max(2, Math.floor(id.length / 4));
  return scored
    .filter((s) => s.score <= limit)
    .sort((a, b) => a.score - b.score)
    .slice(0, 3)
    .map((s) => s.candidate);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
