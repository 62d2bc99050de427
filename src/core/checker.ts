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
 * bit for bit; invalid actions are refused; `render()` frames have the size they claim.
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
  const trajectory: Transition[] = [
    { observation: clone(reset.observation), reward: 0, terminated: false, truncated: false },
  ];
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
    trajectory.push({
      observation: clone(r.observation),
      reward: r.reward,
      terminated: r.terminated,
      truncated: r.truncated,
    });
    if (r.terminated || r.truncated) {
      const again = env.reset();
      checkObservation(env, again.observation, `reset() after an episode end`, fail);
      trajectory.push({
        observation: clone(again.observation),
        reward: 0,
        terminated: false,
        truncated: false,
      });
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
