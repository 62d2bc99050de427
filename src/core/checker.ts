import { describeValue } from "./describe";
import type { Env, StepResult } from "./env";
import { Rng } from "./rng";
import { Box, Dict, Discrete, Space, spaceFromJSON } from "./spaces";

/** Options of `checkEnv`. */
export interface CheckEnvOptions {
  /** Steps compared in the determinism check (default 100). */
  steps?: number;
  /** Seed of the determinism check (default 42). */
  seed?: number;
}

/** What `checkEnv` found: each check that passed, and warnings that do not break the contract. */
export interface CheckReport {
  env: string;
  passed: string[];
  warnings: string[];
}

/**
 * Checks that an env keeps the env contract (Gymnasium's `check_env`); throws an `Error` at the first
 * violation, naming the env and what was wrong. Pass a factory (`() => make(id)`) rather than an
 * instance to also check that `step` before `reset` is refused and that two fresh instances agree.
 *
 * Checks: well-formed spaces (samples are members, JSON round trip); `reset`/`step` return the right
 * fields and types with observations inside the observation space; same seed → the same trajectory,
 * bit for bit; invalid actions are refused; `render()` frames have the size they claim; with
 * `getState`/`setState`, a state taken mid-episode survives JSON and, restored (into the same env and
 * into a fresh one), replays the same steps (without them, a warning: runs cannot be resumed).
 */
export function checkEnv(
  envOrFactory: Env<unknown, unknown> | (() => Env<unknown, unknown>),
  options: CheckEnvOptions = {},
): CheckReport {
  const factory = typeof envOrFactory === "function" ? envOrFactory : undefined;
  const env = factory ? factory() : (envOrFactory as Env<unknown, unknown>);
  const report: CheckReport = { env: env.name, passed: [], warnings: [] };
  const fail = (what: string): never => {
    throw new Error(`checkEnv(${env.name}): ${what}`);
  };
  const steps = options.steps ?? 100;
  const seed = options.seed ?? 42;

  checkSpace("observationSpace", env.observationSpace, fail);
  checkSpace("actionSpace", env.actionSpace, fail);
  report.passed.push(`spaces: observation ${env.observationSpace}, action ${env.actionSpace}`);

  if (factory) {
    let refused = false;
    try {
      env.step(env.actionSpace.sample(new Rng(0)));
    } catch {
      refused = true;
    }
    if (!refused) fail("step() before reset() did not throw; expected an error saying to call reset() first");
    report.passed.push("step() before reset() is refused");
  }

  const first = recordTrajectory(env, seed, steps, fail);
  const second = recordTrajectory(env, seed, steps, fail);
  compareTrajectories(first, second, "the same env reset twice with the same seed", fail);
  if (factory) {
    const other = factory();
    compareTrajectories(
      first,
      recordTrajectory(other, seed, steps, fail),
      "two fresh instances with the same seed",
      fail,
    );
    other.close();
  }
  report.passed.push(`reset/step return well-typed results inside the spaces (${first.length - 1} steps)`);
  report.passed.push(`seed ${seed} gives the same trajectory, bit for bit`);

  env.reset({ seed });
  for (const bad of invalidActions(env.actionSpace)) {
    let refused = false;
    try {
      env.step(bad as never);
    } catch (err) {
      refused = true;
      const message = err instanceof Error ? err.message : String(err);
      if (!message.includes("action"))
        report.warnings.push(
          `the error for action ${describeValue(bad)} does not mention "action": ${message}`,
        );
    }
    if (!refused) fail(`step(${describeValue(bad)}) with an action outside ${env.actionSpace} did not throw`);
  }
  report.passed.push("invalid actions are refused with an error");

  checkStateRoundTrip(env, factory, seed, steps, fail, report);

  if (env.canRender && env.render) {
    env.reset({ seed });
    const frame = env.render();
    if (!frame || !(frame.data instanceof Uint8Array))
      fail("render() must return { width, height, channels: 3, data: Uint8Array }");
    if (
      !Number.isInteger(frame.width) ||
      !Number.isInteger(frame.height) ||
      frame.width < 1 ||
      frame.height < 1
    ) {
      fail(`render() frame has width ${frame.width} and height ${frame.height}; expected positive integers`);
    }
    if (frame.channels !== 3) fail(`render() frame has ${frame.channels} channels; expected 3 (RGB)`);
    if (frame.data.length !== frame.width * frame.height * 3) {
      fail(
        `render() frame of ${frame.width}×${frame.height} has ${frame.data.length} bytes; expected ${frame.width * frame.height * 3}`,
      );
    }
    report.passed.push(`render() gives ${frame.width}×${frame.height} RGB frames`);
  } else {
    report.warnings.push("render() is not implemented");
  }
  env.close();
  return report;
}

/**
 * The state protocol: steps a few times, takes `getState()` through JSON (checkpoints store it so),
 * steps on with a fixed action sequence, restores the state and steps the same actions again; the two
 * continuations must agree bit for bit, and `getState()` after `setState()` must give back the state.
 */
function checkStateRoundTrip(
  env: Env<unknown, unknown>,
  factory: (() => Env<unknown, unknown>) | undefined,
  seed: number,
  steps: number,
  fail: (what: string) => never,
  report: CheckReport,
): void {
  const blocker = env.stateBlocker();
  if (blocker !== undefined) {
    report.warnings.push(
      `getState()/setState() are not implemented (by ${blocker}): runs on this env cannot be resumed from checkpoints`,
    );
    return;
  }
  /** Runs `run`; an error it throws fails the check, saying where and what threw. */
  const attempt = <T>(where: string, what: string, run: () => T): T => {
    try {
      return run();
    } catch (err) {
      return fail(`${where}: ${what} threw: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const actionRng = new Rng(seed + 1);
  const before = Array.from({ length: STATE_CHECK_STEPS_BEFORE }, () => env.actionSpace.sample(actionRng));
  const after = Array.from({ length: steps }, () => env.actionSpace.sample(actionRng));
  env.reset({ seed });
  rollOn(env, before);
  const saved = jsonRoundTrip(
    attempt(`after ${before.length} steps`, "getState()", () => env.getState!()),
    "getState()",
    fail,
  );
  const original = rollOn(env, after);
  const restored = (target: Env<unknown, unknown>, into: string): void => {
    const where = `setState(getState()) ${into} after ${before.length} steps`;
    const state = jsonRoundTrip(saved, "the saved state", fail);
    attempt(where, "setState()", () => target.setState!(state));
    const back = jsonRoundTrip(
      attempt(where, "getState() after setState()", () => target.getState!()),
      "getState()",
      fail,
    );
    const replay = attempt(where, "stepping on", () => rollOn(target, after));
    const stateDiff = firstDifference(saved, back, "");
    const hint =
      stateDiff === undefined
        ? ""
        : `; getState() after setState() differs from the saved state ${stateDiff}`;
    const step = firstDivergence(original, replay);
    if (step !== undefined) fail(`${where}: the replay diverged at ${step}${hint}`);
    if (stateDiff !== undefined)
      fail(`${where}: getState() after setState() differs from the saved state ${stateDiff}`);
  };
  restored(env, "on the same env");
  if (factory) {
    const other = factory();
    restored(other, "on a fresh instance");
    other.close();
  }
  report.passed.push(
    `getState()/setState() round trip (through JSON) replays the same ${after.length} steps`,
  );
}

/** Steps taken before the state is saved by the state check (mid-episode for most envs). */
const STATE_CHECK_STEPS_BEFORE = 3;

/** Steps `actions` in turn, resetting (without a seed) where an episode ends. */
function rollOn(env: Env<unknown, unknown>, actions: unknown[]): Transition[] {
  const out: Transition[] = [];
  for (const action of actions) {
    const r = env.step(action);
    out.push(recorded(r));
    if (r.terminated || r.truncated) out.push(recorded(env.reset()));
  }
  return out;
}

function jsonRoundTrip(value: unknown, what: string, fail: (what: string) => never): unknown {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    fail(`${what} is not JSON-serialisable: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (text === undefined) fail(`${what} is ${describeValue(value)}; expected a JSON-serialisable value`);
  return JSON.parse(text);
}

/** Where two replays first differ ("step #3: reward 1 vs -1"), or undefined when they agree. */
function firstDivergence(a: Transition[], b: Transition[]): string | undefined {
  for (let t = 0; t < Math.min(a.length, b.length); t++) {
    const what =
      a[t].reward !== b[t].reward
        ? `reward ${a[t].reward} vs ${b[t].reward}`
        : a[t].terminated !== b[t].terminated
          ? `terminated ${a[t].terminated} vs ${b[t].terminated}`
          : a[t].truncated !== b[t].truncated
            ? `truncated ${a[t].truncated} vs ${b[t].truncated}`
            : !sameValue(a[t].observation, b[t].observation)
              ? `observation ${describeValue(a[t].observation)} vs ${describeValue(b[t].observation)}`
              : undefined;
    if (what !== undefined) return `transition ${t + 1}: ${what} (first run vs restored)`;
  }
  if (a.length !== b.length) return `the end: ${a.length} vs ${b.length} transitions (first run vs restored)`;
  return undefined;
}

/** The first path where two JSON values differ (`at .t (saved 3, restored 9)`), or undefined when equal. */
function firstDifference(a: unknown, b: unknown, path: string): string | undefined {
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
    if (Array.isArray(a) !== Array.isArray(b)) return differsAt(a, b, path);
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const k of keys) {
      const sub = Array.isArray(a) ? `${path}[${k}]` : `${path}.${k}`;
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], sub);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  return Object.is(a, b) ? undefined : differsAt(a, b, path);
}

function differsAt(saved: unknown, restored: unknown, path: string): string {
  return `at ${path || "the top"} (saved ${JSON.stringify(saved)}, restored ${JSON.stringify(restored)})`;
}

/** A step's result (or, without reward and flags, a reset's) as the checker compares it. */
function recorded(r: {
  observation: unknown;
  reward?: number;
  terminated?: boolean;
  truncated?: boolean;
}): Transition {
  return {
    observation: clone(r.observation),
    reward: r.reward ?? 0,
    terminated: r.terminated ?? false,
    truncated: r.truncated ?? false,
  };
}

interface Transition {
  observation: unknown;
  reward: number;
  terminated: boolean;
  truncated: boolean;
}

function recordTrajectory(
  env: Env<unknown, unknown>,
  seed: number,
  steps: number,
  fail: (what: string) => never,
): Transition[] {
  const reset = env.reset({ seed });
  if (!reset || typeof reset !== "object" || !("observation" in reset) || !("info" in reset)) {
    fail(`reset() returned ${describeValue(reset)}; expected { observation, info }`);
  }
  checkObservation(env, reset.observation, "reset()", fail);
  if (typeof reset.info !== "object" || reset.info === null)
    fail(`reset() info is ${describeValue(reset.info)}; expected an object`);
  const trajectory: Transition[] = [recorded(reset)];
  const actionRng = new Rng(seed);
  for (let t = 0; t < steps; t++) {
    const r: StepResult<unknown> = env.step(env.actionSpace.sample(actionRng));
    if (!r || typeof r !== "object")
      fail(
        `step() returned ${describeValue(r)}; expected { observation, reward, terminated, truncated, info }`,
      );
    checkObservation(env, r.observation, `step() #${t + 1}`, fail);
    if (typeof r.reward !== "number" || !Number.isFinite(r.reward))
      fail(`step() #${t + 1} reward is ${describeValue(r.reward)}; expected a finite number`);
    if (typeof r.terminated !== "boolean")
      fail(`step() #${t + 1} terminated is ${describeValue(r.terminated)}; expected a boolean`);
    if (typeof r.truncated !== "boolean")
      fail(`step() #${t + 1} truncated is ${describeValue(r.truncated)}; expected a boolean`);
    if (typeof r.info !== "object" || r.info === null)
      fail(`step() #${t + 1} info is ${describeValue(r.info)}; expected an object`);
    trajectory.push(recorded(r));
    if (r.terminated || r.truncated) {
      const again = env.reset();
      checkObservation(env, again.observation, `reset() after an episode end`, fail);
      trajectory.push(recorded(again));
    }
  }
  return trajectory;
}

function checkObservation(
  env: Env<unknown, unknown>,
  observation: unknown,
  where: string,
  fail: (what: string) => never,
): void {
  if (env.observationSpace.contains(observation)) return;
  const space = env.observationSpace;
  const why = space instanceof Box ? space.explainMismatch(observation) : `got ${describeValue(observation)}`;
  fail(`${where} observation is not in the observation space ${space}: ${why}`);
}

function compareTrajectories(
  a: Transition[],
  b: Transition[],
  what: string,
  fail: (what: string) => never,
): void {
  const n = Math.min(a.length, b.length);
  for (let t = 0; t < n; t++) {
    const same =
      a[t].reward === b[t].reward &&
      a[t].terminated === b[t].terminated &&
      a[t].truncated === b[t].truncated &&
      sameValue(a[t].observation, b[t].observation);
    if (!same)
      fail(
        `${what} diverged at transition ${t}; expected identical trajectories (is all randomness drawn from this.rng?)`,
      );
  }
  if (a.length !== b.length)
    fail(`${what} gave trajectories of different lengths (${a.length} vs ${b.length})`);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    const x = a as unknown as ArrayLike<number>;
    const y = b as unknown as ArrayLike<number>;
    if (x.length !== y.length || a.constructor !== b.constructor) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  }
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return Object.is(a, b);
}

function clone(x: unknown): unknown {
  if (ArrayBuffer.isView(x)) return (x as unknown as { slice(): unknown }).slice();
  if (typeof x === "object" && x !== null)
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, clone(v)]));
  return x;
}

function checkSpace(name: string, space: unknown, fail: (what: string) => never): void {
  if (!(space instanceof Space))
    fail(`${name} is ${describeValue(space)}; expected a Space (Discrete, Box, Dict, Text)`);
  const rng = new Rng(0);
  for (let i = 0; i < 5; i++) {
    const sample = space.sample(rng);
    if (!space.contains(sample))
      fail(`${name} ${space}: its own sample ${describeValue(sample)} is not contained in it`);
  }
  const json = JSON.parse(JSON.stringify(space.toJSON()));
  if (JSON.stringify(spaceFromJSON(json).toJSON()) !== JSON.stringify(json))
    fail(`${name} ${space} does not survive a JSON round trip`);
  if (space instanceof Dict)
    for (const [k, sub] of Object.entries(space.spaces)) checkSpace(`${name}.${k}`, sub, fail);
}

function invalidActions(space: Space<unknown>): unknown[] {
  if (space instanceof Discrete)
    return [Number.NaN, space.start + 0.5, space.start - 1, space.start + space.n, "1", undefined];
  if (space instanceof Box) return [new Float32Array(space.size + 1), "1", undefined];
  return [undefined];
}
