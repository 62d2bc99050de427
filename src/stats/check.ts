// Input checks shared by the statistics functions. Every error names the function, the argument and
// what was expected, then what was given, so that a bad score matrix is found where it was made.

/** What a bootstrap needs besides the data. */
export interface BootstrapOptions {
  /**
   * Number of bootstrap resamples (default {@link DEFAULT_RESAMPLES}, 50,000 as rliable's
   * `get_interval_estimates`; performance profiles {@link DEFAULT_PROFILE_RESAMPLES}, 2,000 as rliable's
   * `create_performance_profile`).
   */
  resamples?: number;
  /** Coverage of the percentile interval, strictly between 0 and 1 (default 0.95). */
  confidence?: number;
  /** Root of the resampling stream: the same seed and purpose give the same interval. */
  seed: number;
  /**
   * What the interval estimates, e.g. `"stats/iqm/ppo/CartPole-v1"`: the resamples are drawn from
   * `new Rng(deriveSeed(seed, purpose))`, a stream of the seed tree of its own. Give every interval its
   * own purpose, so that two intervals (two agents on one env with the same number of runs) are not
   * drawn with the same resample indices. Default {@link BOOTSTRAP_STREAM}, one stream for every call.
   */
  purpose?: string;
}

/** {@link BootstrapOptions} with defaults filled in. */
export interface ResolvedBootstrapOptions {
  resamples: number;
  confidence: number;
  seed: number;
  purpose: string;
}

/** Resamples of an interval estimate when none are given: rliable's `get_interval_estimates` (reps=50000). */
export const DEFAULT_RESAMPLES = 50_000;
/** Resamples of a performance profile when none are given: rliable's `create_performance_profile` (reps=2000). */
export const DEFAULT_PROFILE_RESAMPLES = 2000;
export const DEFAULT_CONFIDENCE = 0.95;
/** The purpose a bootstrap's stream is derived with when the call names none. */
export const BOOTSTRAP_STREAM = "stats/bootstrap";

function describeValue(v: unknown): string {
  if (typeof v === "number") return String(v);
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return `the string ${JSON.stringify(v)}`;
  return `a ${typeof v}`;
}

/** Throws unless `xs` is a non-empty array of finite numbers. */
export function checkVector(fn: string, arg: string, xs: readonly number[]): void {
  const expected = `${fn}: ${arg} must be a non-empty array of finite numbers`;
  if (!Array.isArray(xs)) throw new Error(`${expected}; got ${describeValue(xs)}`);
  if (xs.length === 0) throw new Error(`${expected}; got an empty array`);
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new Error(`${expected}; got ${describeValue(v)} at index ${i}`);
    }
  }
}

/**
 * Throws unless `m` is a non-empty rectangular matrix of finite numbers, `[rows][columns]`
 * (`rows`/`columns` name the axes in the message: runs and tasks for a score matrix).
 */
export function checkMatrix(
  fn: string,
  arg: string,
  m: readonly (readonly number[])[],
  rows = "runs",
  columns = "tasks",
): void {
  const expected = `${fn}: ${arg} must be a non-empty [${rows}][${columns}] matrix of finite numbers`;
  if (!Array.isArray(m)) throw new Error(`${expected}; got ${describeValue(m)}`);
  if (m.length === 0) throw new Error(`${expected}; got 0 ${rows}`);
  for (let i = 0; i < m.length; i++) {
    if (!Array.isArray(m[i])) throw new Error(`${expected}; got ${describeValue(m[i])} as ${arg}[${i}]`);
  }
  const width = m[0].length;
  if (width === 0) throw new Error(`${expected}; got 0 ${columns} in ${arg}[0]`);
  for (let i = 1; i < m.length; i++) {
    if (m[i].length !== width) {
      throw new Error(
        `${expected}; got a ragged matrix: ${arg}[0] has ${width} ${columns}, ${arg}[${i}] has ${m[i].length}`,
      );
    }
  }
  for (let i = 0; i < m.length; i++) {
    const row = m[i];
    for (let j = 0; j < width; j++) {
      const v = row[j];
      if (typeof v !== "number" || !Number.isFinite(v)) {
        throw new Error(`${expected}; got ${describeValue(v)} at [${i}][${j}]`);
      }
    }
  }
}

/**
 * Throws unless `byTask` is a non-empty list of tasks, each a non-empty list of finite run scores,
 * `[tasks][runs]` (tasks may have different numbers of runs).
 */
export function checkByTask(fn: string, arg: string, byTask: readonly (readonly number[])[]): void {
  const expected = `${fn}: ${arg} must be a non-empty [tasks][runs] list of finite numbers, every task with at least one run`;
  if (!Array.isArray(byTask)) throw new Error(`${expected}; got ${describeValue(byTask)}`);
  if (byTask.length === 0) throw new Error(`${expected}; got 0 tasks`);
  for (let t = 0; t < byTask.length; t++) {
    const runs = byTask[t];
    if (!Array.isArray(runs)) throw new Error(`${expected}; got ${describeValue(runs)} as ${arg}[${t}]`);
    if (runs.length === 0) throw new Error(`${expected}; got 0 runs in ${arg}[${t}]`);
    for (let r = 0; r < runs.length; r++) {
      const v = runs[r];
      if (typeof v !== "number" || !Number.isFinite(v)) {
        throw new Error(`${expected}; got ${describeValue(v)} at [${t}][${r}]`);
      }
    }
  }
}

/** Throws unless `v` is a finite number. */
export function checkFinite(fn: string, arg: string, v: number): void {
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new Error(`${fn}: ${arg} must be a finite number; got ${describeValue(v)}`);
  }
}

/**
 * Checks the options of a bootstrap and fills in the defaults (`defaultResamples` when `resamples` is
 * not given).
 */
export function resolveBootstrapOptions(
  fn: string,
  options: BootstrapOptions,
  defaultResamples = DEFAULT_RESAMPLES,
): ResolvedBootstrapOptions {
  if (options === null || typeof options !== "object") {
    throw new Error(`${fn}: options must be an object with at least a seed; got ${describeValue(options)}`);
  }
  const { seed } = options;
  if (typeof seed !== "number" || !Number.isInteger(seed)) {
    throw new Error(`${fn}: options.seed must be an integer; got ${describeValue(seed)}`);
  }
  const purpose = options.purpose ?? BOOTSTRAP_STREAM;
  if (typeof purpose !== "string" || purpose.length === 0) {
    throw new Error(
      `${fn}: options.purpose must be a non-empty string naming what the interval estimates (e.g. "stats/iqm/ppo/CartPole-v1"); got ${describeValue(purpose)}`,
    );
  }
  const resamples = options.resamples ?? defaultResamples;
  if (typeof resamples !== "number" || !Number.isInteger(resamples) || resamples < 1) {
    throw new Error(`${fn}: options.resamples must be a positive integer; got ${describeValue(resamples)}`);
  }
  const confidence = options.confidence ?? DEFAULT_CONFIDENCE;
  if (typeof confidence !== "number" || !(confidence > 0 && confidence < 1)) {
    throw new Error(
      `${fn}: options.confidence must be a number strictly between 0 and 1; got ${describeValue(confidence)}`,
    );
  }
  return { resamples, confidence, seed, purpose };
}
