// POPGym's RepeatPrevious (Morad et al., "POPGym: Benchmarking Partially Observable Reinforcement
// Learning", ICLR 2023; popgym/envs/repeat_previous.py): output the symbol seen k steps ago.
import {
  Box,
  beforeResetError,
  checkOptionKeys,
  checkResetArgs,
  checkStateObject,
  Discrete,
  describeValue,
  Env,
  type Frame,
  type Info,
  invalidActionMessage,
  type ResetArgs,
  type ResetResult,
  type RngState,
  requireIntegerAtLeast,
  type StepResult,
} from "../../src/core";
import { paint, type TextPictureOptions } from "../gridworld/render_text";
import { CellPicture, digitPlayKeys, formatBits, PICTURE_COLOURS, symbolColour } from "./picture";

/** Keyword arguments of `RepeatPreviousEnv`. */
export interface RepeatPreviousArgs {
  /** The delay: each answer is the symbol seen this many steps before the current one (integer ≥ 1, default 4). */
  k?: number;
  /** Number of distinct symbols, the size of the one-hot observation and of the action space (integer ≥ 2, default 4, POPGym's card suits). */
  symbols?: number;
  /** Scored steps per episode (integer ≥ 1, default 16); an episode is `k + length` steps. */
  length?: number;
}

const EMPTY_INFO = Object.freeze({}) as Info;

/**
 * RepeatPrevious (POPGym, popgym/envs/repeat_previous.py). Every observation is a one-hot float32
 * vector of `symbols` entries: the symbol dealt this step, drawn uniformly and independently from
 * the env's generator. The action (Discrete(`symbols`)) is the agent's answer.
 *
 * Timing. `reset` shows symbol s_0 and step t (1-based) returns s_t. The answer given at step t is
 * scored against s_{t−1−k}, the symbol seen k steps before the latest one the agent saw (s_{t−1}); so
 * k = 1 means "the previous symbol" and no answer can be read off the current observation. Steps
 * 1 … k have nothing to repeat yet and give reward 0; steps k + 1 … k + `length` are scored, +1/length
 * for the right symbol and −1/length for a wrong one (POPGym's ±1/(scored steps)), so the return lies
 * in [−1, 1]: 1 for every answer right, −1 + 2/symbols in expectation for uniform guessing. The
 * episode ends with `terminated` at step k + length: the task is over, it is not a time limit (POPGym
 * flags it `truncated`; nothing follows it, so there is nothing to bootstrap).
 *
 * Success (`successAbove` 0.99 in the registry): every scored answer right. One wrong answer costs
 * 2/length, so this reads "all right" for `length` < 200. The last step's `info` says the same:
 * `accuracy` (the share of scored answers that were right) and `success` (all of them); other steps'
 * info is empty.
 *
 * Differences from POPGym, on purpose: POPGym deals the suits of a shuffled 52-card deck (no
 * replacement), so late cards are slightly predictable from the counts so far; here symbols are
 * i.i.d., so the symbol to repeat is independent of the current observation and no memoryless
 * policy beats chance. POPGym's k counts the current card (it scores against hand[−k], its k = 1 is
 * "repeat what you see"); this k is POPGym's k − 1. POPGym's episode length is set by the deck
 * (51 steps for one deck); here by `k` and `length`.
 *
 * A policy with memory needs the last k + 1 symbols in order: a queue, not a single remembered value.
 */
export class RepeatPreviousEnv extends Env<Float32Array, number> {
  readonly observationSpace: Box<"float32">;
  readonly actionSpace: Discrete;
  /** Keys of `pomdp play`: digit d answers symbol d (the first ten symbols). */
  readonly playKeys: Readonly<Record<string, { action: number; name: string }>>;
  /** What the keys do, for `pomdp play`. */
  readonly playHelp: string;
  /** The delay. */
  readonly k: number;
  /** Number of distinct symbols. */
  readonly symbols: number;
  /** Scored steps per episode. */
  readonly length: number;
  /** Steps per episode, `k + length`: the env ends the episode itself here (read by `pomdp envs` and `pomdp record`). */
  readonly maxSteps: number;
  /** Steps taken in the current episode. */
  stepCount = 0;
  /** Scored answers that were right, this episode. */
  rightAnswers = 0;
  /** The last step's action (null before the episode's first step). */
  lastAction: number | null = null;
  /** Symbols dealt this episode: `seen[i]` is s_i, valid for i ≤ stepCount (allocated once, reused). */
  private readonly seen: Int32Array;
  private hasReset = false;

  constructor(args: RepeatPreviousArgs = {}) {
    super();
    this.k = requireIntegerAtLeast("RepeatPreviousEnv", "k", args.k ?? 4, 1);
    this.symbols = requireIntegerAtLeast("RepeatPreviousEnv", "symbols", args.symbols ?? 4, 2);
    this.length = requireIntegerAtLeast("RepeatPreviousEnv", "length", args.length ?? 16, 1);
    this.maxSteps = this.k + this.length;
    this.observationSpace = new Box(0, 1, [this.symbols], "float32");
    this.actionSpace = new Discrete(this.symbols);
    this.seen = new Int32Array(this.maxSteps + 1);
    this.playKeys = digitPlayKeys(this.symbols, (a) => `answer ${a}`);
    const untyped = this.symbols > 10 ? " (symbols above 9 cannot be typed)" : "";
    this.playHelp = `keys: 0 … ${Math.min(this.symbols, 10) - 1} answer that symbol${untyped}, r reset, q quit`;
  }

  /** Starts an episode: draws the first symbol (no options). */
  reset(args?: ResetArgs): ResetResult<Float32Array> {
    checkResetArgs(this.name, args);
    checkOptionKeys(this.name, args?.options ?? {}, []);
    this.seedRng(args?.seed);
    this.seen[0] = this.rng.integer(this.symbols);
    this.stepCount = 0;
    this.rightAnswers = 0;
    this.lastAction = null;
    this.hasReset = true;
    return { observation: this.observe(), info: {} };
  }

  /** Scores the answer (see the class comment) and shows the next symbol. */
  step(action: number): StepResult<Float32Array> {
    if (!(action === (action | 0) && action >= 0 && action < this.symbols)) {
      throw new Error(invalidActionMessage(this.name, this.actionSpace, action));
    }
    if (!this.hasReset) throw beforeResetError(this.name, "step()");
    if (this.stepCount >= this.maxSteps) {
      throw new Error(`${this.name}: step() called after the episode ended (terminated); call reset() first`);
    }
    const t = ++this.stepCount;
    let reward = 0;
    if (t > this.k) {
      const right = action === this.seen[t - 1 - this.k];
      if (right) this.rightAnswers++;
      reward = (right ? 1 : -1) / this.length;
    }
    this.lastAction = action;
    this.seen[t] = this.rng.integer(this.symbols);
    const terminated = t === this.maxSteps;
    const info: Info = terminated
      ? { accuracy: this.rightAnswers / this.length, success: this.rightAnswers === this.length }
      : EMPTY_INFO;
    return { observation: this.observe(), reward, terminated, truncated: false, info };
  }

  /** The symbol seen `stepsBack` steps before the current one, or null before the episode's start. */
  symbolBack(stepsBack: number): number | null {
    const i = this.stepCount - stepsBack;
    return this.hasReset && i >= 0 ? this.seen[i] : null;
  }

  /** The symbols seen so far, the step count, the score and the generator (the state protocol of `Env`). */
  override getState(): unknown {
    return {
      seen: this.hasReset ? Array.from(this.seen.subarray(0, this.stepCount + 1)) : [],
      stepCount: this.stepCount,
      rightAnswers: this.rightAnswers,
      lastAction: this.lastAction,
      hasReset: this.hasReset,
      rng: this.rngState(),
    };
  }

  override setState(state: unknown): void {
    const keys = ["seen", "stepCount", "rightAnswers", "lastAction", "hasReset", "rng"];
    const s = checkStateObject(this.name, state, keys);
    const { seen, stepCount, rightAnswers, lastAction } = s;
    const hasReset = s.hasReset === true;
    const isInt = (x: unknown, lo: number, hi: number): x is number =>
      typeof x === "number" && Number.isInteger(x) && x >= lo && x <= hi;
    if (!isInt(stepCount, 0, this.maxSteps) || !isInt(rightAnswers, 0, Math.max(0, stepCount - this.k))) {
      throw new Error(
        `${this.name}: setState() got stepCount ${describeValue(stepCount)}, rightAnswers ${describeValue(rightAnswers)}; expected integers in [0, ${this.maxSteps}] and [0, scored steps so far]`,
      );
    }
    const expectedSeen = hasReset ? stepCount + 1 : 0;
    if (
      !Array.isArray(seen) ||
      seen.length !== expectedSeen ||
      !seen.every((x) => isInt(x, 0, this.symbols - 1))
    ) {
      throw new Error(
        `${this.name}: setState() got seen ${describeValue(seen)}; expected ${expectedSeen} integers in [0, ${this.symbols - 1}]`,
      );
    }
    // Null before the first step, an action after it.
    if (stepCount > 0 ? !isInt(lastAction, 0, this.symbols - 1) : lastAction !== null) {
      throw new Error(
        `${this.name}: setState() got lastAction ${describeValue(lastAction)}; expected ${stepCount > 0 ? `an integer in [0, ${this.symbols - 1}]` : "null before the first step"}`,
      );
    }
    this.restoreRngState(s.rng as RngState | null);
    this.seen.fill(0);
    this.seen.set(seen as number[]);
    this.stepCount = stepCount;
    this.rightAnswers = rightAnswers;
    this.lastAction = lastAction as number | null;
    this.hasReset = hasReset;
  }

  /**
   * The picture for `pomdp record` and `pomdp render`: the top row is the last k + 2 symbols, oldest
   * left, the current one right (dark before the episode's start); the leftmost is the one the last
   * answer was scored against, framed white when it was scored. Under it, the last answer's symbol,
   * and beside that the verdict: green right, red wrong, grey not scored (the first k steps, or no
   * step yet). `(k + 2) · 16 × 32` px.
   */
  override render(): Frame {
    if (!this.hasReset) throw beforeResetError(this.name, "render()");
    const cols = this.k + 2;
    const picture = new CellPicture(cols, 2);
    for (let col = 0; col < cols; col++) {
      const s = this.symbolBack(cols - 1 - col);
      picture.fill(col, 0, s === null ? PICTURE_COLOURS.empty : symbolColour(s));
    }
    const verdict = this.lastVerdict();
    if (verdict !== null) picture.frame(0, 0, PICTURE_COLOURS.mark);
    picture.fill(0, 1, this.lastAction === null ? PICTURE_COLOURS.empty : symbolColour(this.lastAction));
    picture.fill(
      1,
      1,
      verdict === null ? PICTURE_COLOURS.none : verdict ? PICTURE_COLOURS.right : PICTURE_COLOURS.wrong,
    );
    return picture.toFrame();
  }

  /**
   * Three lines: the last k + 1 symbols (oldest first, `.` before the start) with the one to answer
   * now in brackets, the last answer and its verdict, and the progress.
   */
  renderText(options: TextPictureOptions = {}): string {
    if (!this.hasReset) return "(call reset() first)";
    const cells: string[] = [];
    for (let back = this.k; back >= 0; back--) {
      const s = this.symbolBack(back);
      const text = s === null ? "." : String(s);
      cells.push(back === this.k ? paint(`[${text}]`, "1", options.color) : text);
    }
    const verdict = this.lastVerdict();
    const target = this.symbolBack(this.k + 1);
    const last =
      this.lastAction === null
        ? "last answer: none yet"
        : verdict === null
          ? `last answer: ${this.lastAction} (not scored: nothing ${this.k} steps back yet)`
          : `last answer: ${this.lastAction} for ${target}: ${verdict ? paint("right", "1;32", options.color) : paint("wrong", "1;31", options.color)}`;
    const scored = Math.max(0, this.stepCount - this.k);
    return [
      `seen, oldest first: ${cells.join(" ")}   [ ] = the one to answer now`,
      last,
      `step ${this.stepCount}/${this.maxSteps}, scored ${scored}/${this.length}, right ${this.rightAnswers}`,
    ].join("\n");
  }

  /** The picture of `pomdp play`: the task, `renderText`'s lines and what the agent observes. */
  renderPlay(observation: unknown, options: TextPictureOptions = {}): string {
    const shown =
      observation instanceof Float32Array && observation.length === this.symbols
        ? observation
        : this.observe();
    return [
      `task: answer the symbol seen ${this.k} step${this.k === 1 ? "" : "s"} before the current one`,
      "",
      this.renderText(options),
      "",
      `the agent observes ${formatBits(shown)} = symbol ${shown.indexOf(1)}`,
    ].join("\n");
  }

  override toString(): string {
    return `RepeatPreviousEnv(k=${this.k}, symbols=${this.symbols}, length=${this.length})`;
  }

  /** Whether the last step's answer was right; null when it was not scored or there was none. */
  private lastVerdict(): boolean | null {
    if (this.lastAction === null || this.stepCount <= this.k) return null;
    return this.lastAction === this.seen[this.stepCount - 1 - this.k];
  }

  /** The current symbol one-hot, in a fresh array (the Env contract lets callers keep observations). */
  private observe(): Float32Array {
    const obs = new Float32Array(this.symbols);
    obs[this.seen[this.stepCount]] = 1;
    return obs;
  }
}
